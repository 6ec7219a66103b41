import { eventsBehind } from "../core/log-lag.js";
import type { EventEnvelope, Query, QueryStats } from "../core/types.js";
import type { Clock } from "../runtime/clock.js";
import { NamedQueryActor } from "./named-query-actor.js";
import { PlainQueryActor } from "./plain-query-actor.js";
import { QueryDelivery } from "./query-delivery.js";
import type { QueryProgress } from "./query-progress.js";
import type { StoreGateway } from "./store-gateway.js";
import type { ResolvedConfig } from "./system-context.js";
import type { SystemCounters } from "./system-counters.js";
import type { SystemLogger } from "./system-logger.js";

/** The most events a store that counts them (`countEventsAfter`) counts for one query's lag. */
const LAG_COUNT_LIMIT = 1_000_000;

export type QueryActor<TEvent> = PlainQueryActor<TEvent> | NamedQueryActor<TEvent>;

/**
 * The query actors of one system, kept by its stable handle across restarts: it makes them, hands each
 * commit to the plain ones, wakes the named ones, and reports their figures.
 */
export class QueryActors<TEvent> {
  readonly #actors: QueryActor<TEvent>[] = [];
  readonly #config: ResolvedConfig<unknown, unknown, TEvent, unknown>;
  readonly #gateway: StoreGateway<unknown, TEvent>;
  readonly #progress: QueryProgress;
  readonly #deps: {
    readonly retry: ResolvedConfig<unknown, unknown, TEvent, unknown>["queryRetry"];
    readonly counters: SystemCounters;
    readonly clock: Clock;
    readonly logger: SystemLogger;
    readonly stopGraceMs: number;
  };

  constructor(
    config: ResolvedConfig<unknown, unknown, TEvent, unknown>,
    gateway: StoreGateway<unknown, TEvent>,
    counters: SystemCounters,
    clock: Clock,
    logger: SystemLogger,
    progress: QueryProgress,
  ) {
    this.#config = config;
    this.#gateway = gateway;
    this.#progress = progress;
    // stop() waits for a query's handler in flight at most as long as a command may take.
    this.#deps = Object.freeze({
      retry: config.queryRetry,
      counters,
      clock,
      logger,
      stopGraceMs: config.commandTimeoutMs,
    });
  }

  get all(): readonly QueryActor<TEvent>[] {
    return this.#actors;
  }

  /** Makes the actor of a query; throws a TypeError for a second named query of the same name. */
  create(query: Query<TEvent>): QueryActor<TEvent> {
    if (typeof query === "function") {
      const name = `${query.name || "query"}#${this.#actors.length + 1}`;
      const deps = { ...this.#deps, logger: this.#deps.logger.forQuery(name) };
      return new PlainQueryActor(new QueryDelivery(name, false, query, deps), {
        maxPending: this.#config.queryRetry.maxPending,
        counters: deps.counters,
        logger: deps.logger,
        sliceMs: this.#config.namedQueries.pollMs,
      });
    }
    if (this.#actors.some((actor) => actor.delivery.named && actor.delivery.name === query.name))
      throw new TypeError(`a named query called ${JSON.stringify(query.name)} is already registered`);
    const { pollMs, pageSize, lockRetryMs } = this.#config.namedQueries;
    const { initialMs, maxMs } = this.#config.queryRetry;
    const logger = this.#deps.logger.forQuery(query.name);
    return new NamedQueryActor(
      new QueryDelivery(query.name, true, query.handle, { ...this.#deps, logger }),
      this.#gateway,
      {
        pollMs,
        pageSize,
        lockRetryMs,
        initialMs,
        maxMs,
        aggregateTypes:
          query.aggregateTypes === "all"
            ? undefined
            : Object.freeze([...(query.aggregateTypes ?? [this.#gateway.aggregateType])]),
      },
      logger,
      {
        reset: query.reset?.bind(query),
        saved: (name, position) => this.#progress.saved(name, position),
        skippedEvent: () => {
          this.#deps.counters.queryEventsSkipped++;
        },
      },
      query.consistency === "strong",
    );
  }

  add(actor: QueryActor<TEvent>): void {
    this.#actors.push(actor);
  }

  remove(actor: QueryActor<TEvent>): void {
    const index = this.#actors.indexOf(actor);
    if (index >= 0) this.#actors.splice(index, 1);
  }

  /** One commit of one aggregate: queued for each plain query; named queries read it from the log. */
  publish(aggregateId: string, envelopes: readonly EventEnvelope<TEvent>[]): void {
    for (const actor of this.#actors) {
      if (actor instanceof PlainQueryActor) actor.post(aggregateId, envelopes);
      else actor.wake();
    }
  }

  /** Events may have been appended by another process. */
  wakeNamed(): void {
    for (const actor of this.#actors) if (actor instanceof NamedQueryActor) actor.wake();
  }

  /** The query of this system called `name`, plain or named, if there is one. */
  find(name: string): QueryActor<TEvent> | undefined {
    return this.#actors.find((actor) => actor.delivery.name === name);
  }

  /**
   * The names `execute(..., { consistency: "strong" })` waits for: the named queries declaring
   * `"strong"`, or every named query when none does.
   */
  strongNames(): readonly string[] {
    const named = this.#actors.filter((actor) => actor instanceof NamedQueryActor);
    const strong = named.filter((actor) => actor.strong);
    return (strong.length > 0 ? strong : named).map((actor) => actor.delivery.name);
  }

  /** The names of every named query of this system. */
  namedNames(): readonly string[] {
    return this.#actors
      .filter((actor) => actor instanceof NamedQueryActor)
      .map((actor) => actor.delivery.name);
  }

  /**
   * Every query's figures. Named queries' checkpoints are read from the store, and their lag from the
   * store's head position; a read that fails leaves this process's last known checkpoint (and lag 0).
   */
  async stats(): Promise<QueryStats[]> {
    const store = this.#gateway.store;
    // Read only when a named query needs it, and once for all of them: a system without named queries
    // asks the store nothing (a loop polling systemStats filled the pool's queue with head reads).
    let head: Promise<bigint | null> | undefined;
    const headOnce = () =>
      (head ??= store.headPosition ? store.headPosition().catch(() => null) : Promise.resolve(null));
    return Promise.all(
      this.#actors.map(async (actor) => {
        const common = {
          name: actor.delivery.name,
          named: actor.delivery.named,
          batchesProcessed: actor.delivery.batchesProcessed,
          failures: actor.delivery.failures,
          lastError: actor.delivery.lastError,
          skippedEvents: actor.skippedEvents,
        };
        if (actor instanceof PlainQueryActor)
          return {
            ...common,
            status: actor.status,
            pendingBatches: actor.pendingBatches,
            checkpoint: null,
            lag: actor.pendingEvents,
            holder: false,
            droppedBatches: actor.droppedBatches,
          };
        const [stored, headPosition] = await Promise.all([
          store.loadCheckpoint(actor.delivery.name).catch(() => undefined),
          headOnce(),
        ]);
        const checkpoint = stored === undefined ? actor.checkpoint : stored;
        const lag =
          headPosition === null
            ? 0
            : await eventsBehind(store, headPosition, checkpoint ?? 0n, LAG_COUNT_LIMIT).catch(() => 0);
        return {
          ...common,
          status: actor.delivery.status,
          pendingBatches: 0,
          checkpoint,
          lag,
          holder: actor.holder,
          droppedBatches: 0,
        };
      }),
    );
  }
}
