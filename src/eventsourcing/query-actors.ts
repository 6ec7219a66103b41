import type { EventEnvelope, Query, QueryStats } from "../core/types.js";
import type { Clock } from "../runtime/clock.js";
import { NamedQueryActor } from "./named-query-actor.js";
import { PlainQueryActor } from "./plain-query-actor.js";
import { QueryDelivery } from "./query-delivery.js";
import type { StoreGateway } from "./store-gateway.js";
import type { ResolvedConfig } from "./system-context.js";
import type { SystemCounters } from "./system-counters.js";
import type { SystemLogger } from "./system-logger.js";

export type QueryActor<TEvent> = PlainQueryActor<TEvent> | NamedQueryActor<TEvent>;

/**
 * The query actors of one system, kept by its stable handle across restarts: it makes them, hands each
 * commit to the plain ones, wakes the named ones, and reports their figures.
 */
export class QueryActors<TEvent> {
  readonly #actors: QueryActor<TEvent>[] = [];
  readonly #config: ResolvedConfig<unknown, unknown, TEvent, unknown>;
  readonly #gateway: StoreGateway<unknown, TEvent>;
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
  ) {
    this.#config = config;
    this.#gateway = gateway;
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

  stats(): QueryStats[] {
    return this.#actors.map((actor) => {
      const plain = actor instanceof PlainQueryActor;
      return {
        name: actor.delivery.name,
        named: actor.delivery.named,
        status: plain ? actor.status : actor.delivery.status,
        batchesProcessed: actor.delivery.batchesProcessed,
        pendingBatches: plain ? actor.pendingBatches : 0,
        failures: actor.delivery.failures,
        checkpoint: plain ? null : actor.checkpoint,
        holder: plain ? false : actor.holder,
        droppedBatches: plain ? actor.droppedBatches : 0,
        lastError: actor.delivery.lastError,
      };
    });
  }
}
