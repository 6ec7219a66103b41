import { timeout } from "../core/arguments.js";
import { jsonCodec } from "../core/codec.js";
import type { EventSourcingError } from "../core/errors.js";
import { checkMetadata } from "../core/metadata.js";
import { unknownKeyProblem } from "../core/option-keys.js";
import { err, ok, type Result } from "../core/result.js";
import type {
  Aggregate,
  AggregateStats,
  EventEnvelope,
  EventSourcing,
  EventSourcingConfig,
  ExecuteOptions,
  ExecuteResult,
  Logger,
  Metadata,
  Query,
  Snapshot,
  SystemStats,
  WaitForQueriesOptions,
} from "../core/types.js";
import type { ChildContext, ChildSpec, RunningChild, StopReason } from "../runtime/child-spec.js";
import { type Clock, systemClock } from "../runtime/clock.js";
import { Deadlines } from "../runtime/deadlines.js";
import type { Supervisor } from "../runtime/supervisor.js";
import { activeTelemetry, loadTelemetry, type WatchedSystem, watchSystem } from "../telemetry/telemetry.js";
import { AggregateActor, type AggregateMessage, CommandMessage, LoadMessage } from "./aggregate-actor.js";
import { invalidAggregateId } from "./aggregate-id.js";
import { invalidCommandId } from "./command-id.js";
import { type QueryActor, QueryActors } from "./query-actors.js";
import { QueryOperations } from "./query-operations.js";
import { QueryProgress } from "./query-progress.js";
import { checkQuery, resolveConfig } from "./resolve-config.js";
import { attempt, StoreGateway } from "./store-gateway.js";
import type { ResolvedConfig, SystemContext } from "./system-context.js";
import { SystemCounters } from "./system-counters.js";
import { SystemLogger } from "./system-logger.js";
import { SystemRun } from "./system-run.js";

/** The highest sequence any store holds (PostgreSQL keeps sequences in 32-bit integers). */
const MAX_SEQUENCE = 2_147_483_647;

type Phase = "idle" | "running" | "restarting" | "stopped";
type Run<TState, TCommand, TEvent, TDomainError> = SystemRun<TState, TCommand, TEvent, TDomainError>;

const STOPPED = Object.freeze({ ok: false, error: Object.freeze({ type: "Stopped" }) } as const);

/**
 * The resolve function of the promise being made: a promise's executor that captures nothing, so
 * that `execute` makes its answer's promise without a closure (`Promise.withResolvers` is Node 22).
 */
let capturedResolve: ((value: never) => void) | undefined;
function captureResolve(resolve: (value: never) => void): void {
  capturedResolve = resolve;
}

/**
 * The metadata a command's events are stored with, before it is checked: `options.metadata` with
 * `correlationId` and `causationId` set from the options of the same names (a value that is not a
 * string is then refused by the check, as any metadata value would be).
 */
function withCorrelation(options: ExecuteOptions | undefined): unknown {
  const metadata: unknown = options?.metadata;
  if (options === undefined) return metadata;
  const { correlationId, causationId } = options;
  if (correlationId === undefined && causationId === undefined) return metadata;
  if (
    metadata !== undefined &&
    (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))
  )
    return metadata;
  const merged: Record<string, unknown> = { ...(metadata as object) };
  if (correlationId !== undefined) merged.correlationId = correlationId;
  if (causationId !== undefined) merged.causationId = causationId;
  return merged;
}

/**
 * The stable handle of a system, and its child spec. A supervisor starts it (store initialized, query
 * actors started) and may restart it; the handle, its queries and its counters live across runs.
 */
export class SupervisedEventSourcing<TState, TCommand, TEvent, TDomainError>
  implements EventSourcing<TState, TCommand, TEvent, TDomainError>, ChildSpec
{
  readonly id: string;
  readonly restart = "permanent";
  readonly #config: ResolvedConfig<TState, TCommand, TEvent, TDomainError>;
  readonly #context: SystemContext<TState, TCommand, TEvent, TDomainError>;
  readonly #counters = new SystemCounters();
  readonly #clock: Clock;
  readonly #logger: SystemLogger;
  readonly #queries: QueryActors<TEvent>;
  readonly #progress: QueryProgress;
  readonly #operations: QueryOperations<TEvent>;
  readonly #pendingSnapshots = new Set<Promise<void>>();
  readonly #deadlines: Deadlines;
  #phase: Phase = "idle";
  #run: Run<TState, TCommand, TEvent, TDomainError> | undefined;
  #stoppingRun: Promise<void> | undefined;
  #waiters: (() => void)[] = [];
  #startedAt: number | undefined;
  #uptimeAtStop: number | undefined;
  #unsubscribe: (() => void) | undefined;
  #ownSupervisor: Supervisor | undefined;
  #stopping: Promise<void> | undefined;
  #warnedSkip = false;
  /** What spans and metrics name this system by, and what its gauges read. */
  readonly #telemetrySource: WatchedSystem;
  #unwatch: (() => void) | undefined;

  constructor(config: EventSourcingConfig<TState, TCommand, TEvent, TDomainError>) {
    const resolvedConfig = resolveConfig(config);
    const resolved = resolvedConfig.resolved;
    this.#config = resolved;
    this.id = resolved.id;
    this.#clock = config.clock ?? systemClock;
    const logger = new SystemLogger(resolvedConfig.logger, {
      system: resolved.id,
      aggregateType: resolved.aggregateType,
    });
    this.#logger = logger;
    this.#deadlines = new Deadlines(this.#clock);
    this.#context = {
      config: resolved,
      gateway: new StoreGateway<TState, TEvent>(config.store, config.codec ?? jsonCodec, {
        aggregateType: resolved.aggregateType,
        versions: resolved.versions,
        snapshotVersion: resolved.snapshot?.version ?? 1,
        stateCodec: resolved.snapshot?.codec,
      }),
      counters: this.#counters,
      clock: this.#clock,
      logger,
      publish: (aggregateId, envelopes) => this.#queries.publish(aggregateId, envelopes),
      snapshot: (aggregateId, state, sequence) => this.#snapshot(aggregateId, state, sequence),
    };
    this.#progress = new QueryProgress(config.store, this.#clock, resolved.namedQueries.pollMs);
    const gateway = this.#context.gateway as StoreGateway<unknown, TEvent>;
    this.#queries = new QueryActors(
      resolved as ResolvedConfig<unknown, unknown, TEvent, unknown>,
      gateway,
      this.#counters,
      this.#clock,
      logger,
      this.#progress,
    );
    this.#operations = new QueryOperations(this.#queries, this.#progress, gateway, logger);
    for (const query of config.queries ?? []) this.#queries.add(this.#queries.create(query));
    this.#telemetrySource = Object.freeze({
      systemId: resolved.id,
      aggregateType: resolved.aggregateType,
      liveAggregates: () => this.#run?.registry.size ?? 0,
      queries: async () => (await this.systemStats()).queries,
    });
  }

  // ---- ChildSpec ---------------------------------------------------------------------------------

  async start(context: ChildContext): Promise<RunningChild> {
    if (this.#phase === "stopped")
      throw new Error(`system "${this.id}" was stopped; create a new one with supervised()`);
    await this.#stoppingRun;
    await loadTelemetry();
    try {
      await this.#context.gateway.init();
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new Error(`system "${this.id}": cannot initialize the event store: ${detail}`, { cause });
    }
    const run = await SystemRun.start(this.#context, this.#queries.all, (reason) => {
      if (this.#run !== run) return;
      this.#beginRestart(run);
      context.exit(reason);
    });
    if (this.#startedAt === undefined) this.#startedAt = this.#clock.now();
    else this.#counters.restarts++;
    this.#logger.info(
      `${this.#counters.restarts === 0 ? "started" : `restarted (restart ${this.#counters.restarts})`}: ` +
        `the store is ready and ${this.#queries.all.length} ${this.#queries.all.length === 1 ? "query runs" : "queries run"}`,
    );
    this.#uptimeAtStop = undefined;
    this.#run = run;
    this.#phase = "running";
    this.#unsubscribe ??= this.#context.gateway.store.onAppend?.(() => this.#queries.wakeNamed());
    this.#unwatch ??= watchSystem(this.#telemetrySource);
    this.#releaseWaiters();
    return { stop: (reason?: StopReason) => this.#stopRun(run, reason ?? "shutdown") };
  }

  /** The logger `start()` gives the supervisor it makes for this system. */
  get supervisorLogger(): Logger {
    return this.#logger.forSupervisor();
  }

  /** Used by `start()`: the supervisor this handle owns, stopped by `stop()`. */
  adoptSupervisor(supervisor: Supervisor): void {
    this.#ownSupervisor = supervisor;
  }

  // ---- EventSourcing -----------------------------------------------------------------------------

  execute(
    aggregateId: string,
    command: TCommand,
    options?: ExecuteOptions,
  ): Promise<Result<ExecuteResult<TState, TEvent>, EventSourcingError<TDomainError>>> {
    const invalid = invalidAggregateId(aggregateId) ?? invalidTimeout(options?.timeout);
    if (invalid) return Promise.resolve(err(invalid));
    if (options !== undefined) {
      const unknown = unknownOption(options);
      if (unknown) return Promise.resolve(err(unknown));
    }
    const checked = checkMetadata(withCorrelation(options));
    if (!checked.ok) return Promise.resolve(checked);
    const commandId = options?.commandId;
    const invalidId = invalidCommandId(commandId);
    if (invalidId) return Promise.resolve(err(invalidId));
    const timeoutMs = options?.timeout ?? this.#config.commandTimeoutMs;
    const strong = options?.consistency;
    if (strong !== undefined && strong !== "eventual" && strong !== "strong")
      return Promise.resolve(err(refusedCall('`consistency` must be "eventual" or "strong"')));
    const startedAt = strong === "strong" ? this.#clock.now() : 0;
    const trace = activeTelemetry?.command(this.#telemetrySource, aggregateId, command, checked.value);
    const metadata = trace?.metadata ?? checked.value;
    const run = this.#run;
    let sent: Promise<Result<ExecuteResult<TState, TEvent>, EventSourcingError<TDomainError>>>;
    if (run !== undefined && this.#phase === "running") {
      // The hot path: one promise, no closure; the message is the request, its deadline and its reply.
      const actor = run.registry.admit(aggregateId);
      if (!(actor instanceof AggregateActor)) sent = Promise.resolve(err(actor));
      else {
        sent = new Promise(captureResolve);
        const message = new CommandMessage<TState, TCommand, TEvent, TDomainError>(
          command,
          metadata,
          capturedResolve as (
            result: Result<ExecuteResult<TState, TEvent>, EventSourcingError<TDomainError>>,
          ) => void,
          timeoutMs,
          commandId,
        );
        capturedResolve = undefined;
        message.trace = trace;
        this.#deadlines.add(timeoutMs, message);
        run.registry.post(actor, message);
      }
    } else
      sent = this.#send<ExecuteResult<TState, TEvent>>(aggregateId, timeoutMs, (resolve) => {
        const message = new CommandMessage<TState, TCommand, TEvent, TDomainError>(
          command,
          metadata,
          resolve,
          timeoutMs,
          commandId,
        );
        message.trace = trace;
        return message;
      });
    const answer = trace === undefined ? sent : sent.then(trace.end);
    return strong === "strong"
      ? answer.then((result) => this.#awaitQueries(result, startedAt, timeoutMs))
      : answer;
  }

  /**
   * `consistency: "strong"`: waits, within what is left of the command's timeout, for the strong named
   * queries to process the commit's last position; says which are behind when the time runs out.
   */
  async #awaitQueries(
    result: Result<ExecuteResult<TState, TEvent>, EventSourcingError<TDomainError>>,
    startedAt: number,
    timeoutMs: number,
  ): Promise<Result<ExecuteResult<TState, TEvent>, EventSourcingError<TDomainError>>> {
    if (!result.ok) return result;
    const last = result.value.events[result.value.events.length - 1];
    const names = this.#queries.strongNames();
    const left = Math.max(1, timeoutMs - (this.#clock.now() - startedAt));
    const queriesBehind =
      last === undefined || names.length === 0 ? [] : await this.#progress.wait(names, last.position, left);
    return ok({ ...result.value, queriesBehind: Object.freeze([...queriesBehind]) });
  }

  executeWithMetadata(
    aggregateId: string,
    command: TCommand,
    metadata: Metadata,
  ): Promise<Result<ExecuteResult<TState, TEvent>, EventSourcingError<TDomainError>>> {
    return this.execute(aggregateId, command, { metadata });
  }

  loadAggregate(aggregateId: string): Promise<Result<Aggregate<TState>, EventSourcingError<TDomainError>>> {
    const invalid = invalidAggregateId(aggregateId);
    if (invalid) return Promise.resolve(err(invalid));
    const timeoutMs = this.#config.commandTimeoutMs;
    return this.#send(
      aggregateId,
      timeoutMs,
      (resolve) => new LoadMessage<TState, TDomainError>(resolve, "loadAggregate", timeoutMs),
    );
  }

  loadEvents(
    aggregateId: string,
  ): Promise<Result<EventEnvelope<TEvent>[], EventSourcingError<TDomainError>>> {
    return this.loadEventsFrom(aggregateId, 0);
  }

  loadEventsFrom(
    aggregateId: string,
    startFrom: number,
  ): Promise<Result<EventEnvelope<TEvent>[], EventSourcingError<TDomainError>>> {
    // An id is judged before the position, as everywhere else.
    const invalid = invalidAggregateId(aggregateId);
    if (invalid) return Promise.resolve(err(invalid));
    if (!Number.isSafeInteger(startFrom) || startFrom < 0)
      return Promise.resolve(err({ type: "NonPositiveArgument", argument: "startFrom", value: startFrom }));
    return this.#read(aggregateId, "cannot load the events of", () =>
      // No stream reaches that far (PostgreSQL's sequences are 32-bit): asking a store would only find
      // out that its column cannot hold the number.
      startFrom >= MAX_SEQUENCE
        ? Promise.resolve([])
        : this.#context.gateway.readEnvelopes(aggregateId, startFrom),
    );
  }

  latestSnapshot(
    aggregateId: string,
  ): Promise<Result<Snapshot<TState> | null, EventSourcingError<TDomainError>>> {
    return this.#read(aggregateId, "cannot load the snapshot of", () =>
      this.#context.gateway.loadSnapshot(aggregateId),
    );
  }

  aggregateStats(aggregateId: string): Promise<Result<AggregateStats, EventSourcingError<TDomainError>>> {
    const { store, aggregateType } = this.#context.gateway;
    return this.#read(aggregateId, "cannot read the figures of", async () => {
      const [sequence, snapshot] = await Promise.all([
        store.currentSequence(aggregateType, aggregateId),
        store.loadSnapshot(aggregateType, aggregateId),
      ]);
      return {
        aggregateId,
        eventCount: sequence,
        currentSequence: sequence,
        hasSnapshot: snapshot !== null,
        snapshotSequence: snapshot?.sequence ?? null,
        snapshotVersion: snapshot?.version ?? null,
      };
    });
  }

  async systemStats(): Promise<SystemStats> {
    const c = this.#counters;
    const uptimeMs =
      this.#uptimeAtStop ?? (this.#startedAt === undefined ? 0 : this.#clock.now() - this.#startedAt);
    return {
      queryActorsCount: this.#queries.all.length,
      totalCommandsProcessed: c.commandsProcessed,
      uptimeSeconds: Math.floor(uptimeMs / 1_000),
      conflictsRetried: c.conflictsRetried,
      liveAggregates: this.#run?.registry.size ?? 0,
      domainErrors: c.domainErrors,
      eventsCommitted: c.eventsCommitted,
      aggregateCrashes: c.aggregateCrashes,
      queryFailures: c.queryFailures,
      queryBatchesDropped: c.queryBatchesDropped,
      restarts: c.restarts,
      snapshotsTaken: c.snapshotsTaken,
      snapshotFailures: c.snapshotFailures,
      snapshotsSkipped: c.snapshotsSkipped,
      passivations: c.passivations,
      queryEventsSkipped: c.queryEventsSkipped,
      queries: await this.#queries.stats(),
    };
  }

  async waitForQueries(
    position: bigint,
    options?: WaitForQueriesOptions,
  ): Promise<Result<void, EventSourcingError<TDomainError>>> {
    const checked = this.#operations.checkWait(position, options, this.#config.commandTimeoutMs);
    if (!checked.ok) return checked;
    if (this.#phase !== "running" && !(await this.#awaitRun(this.#config.commandTimeoutMs)).ok)
      return STOPPED;
    const { names, timeoutMs } = checked.value;
    const waited = await this.#operations.waitFor(names, checked.value.position, timeoutMs);
    // stop() answers the waiters at once: that is not a timeout.
    return waited.ok || this.#phase === "running" || this.#phase === "restarting" ? waited : STOPPED;
  }

  async resetQuery(name: string): Promise<Result<void, EventSourcingError<TDomainError>>> {
    if (this.#phase !== "running" && !(await this.#awaitRun(this.#config.commandTimeoutMs)).ok)
      return STOPPED;
    return this.#operations.reset(name);
  }

  async skipQueryEvent(
    name: string,
    position: bigint,
  ): Promise<Result<void, EventSourcingError<TDomainError>>> {
    if (this.#phase !== "running" && !(await this.#awaitRun(this.#config.commandTimeoutMs)).ok)
      return STOPPED;
    return this.#operations.skip(name, position);
  }

  async registerQuery(query: Query<TEvent>): Promise<Result<void, EventSourcingError<TDomainError>>> {
    let actor: QueryActor<TEvent>;
    try {
      checkQuery(query as Query<unknown>, "registerQuery(query)");
      actor = this.#queries.create(query);
    } catch (cause) {
      return err({ type: "ActorCrashed", operation: "registerQuery", cause });
    }
    const run = await this.#awaitRun(this.#config.commandTimeoutMs);
    if (!run.ok) return run;
    this.#queries.add(actor);
    try {
      await run.value.addQuery(actor);
      return ok(undefined);
    } catch (cause) {
      this.#queries.remove(actor);
      return err({ type: "ActorCrashed", operation: "registerQuery", cause });
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stopFinally();
    return this.#stopping;
  }

  // ---- internals ---------------------------------------------------------------------------------

  async #stopFinally(): Promise<void> {
    if (this.#ownSupervisor) await this.#ownSupervisor.stop();
    else if (this.#run) await this.#stopRun(this.#run, "shutdown");
    await this.#stoppingRun;
    this.#phase = "stopped";
    this.#deadlines.clear();
    this.#progress.stop();
    this.#unsubscribe?.();
    this.#releaseWaiters();
    // A restart in progress when stopped has not waited for the snapshots being saved.
    await Promise.all(this.#pendingSnapshots);
    this.#logger.info("stopped");
  }

  #beginRestart(run: Run<TState, TCommand, TEvent, TDomainError>): void {
    this.#logger.warn("its queries' supervisor gave up: the system restarts (its supervisor decides when)");
    this.#phase = "restarting";
    this.#run = undefined;
    this.#stoppingRun = run
      .stop()
      .catch((error: unknown) => this.#logger.error("stopping a crashed run failed", error));
  }

  async #stopRun(run: Run<TState, TCommand, TEvent, TDomainError>, reason: StopReason): Promise<void> {
    if (this.#run === run) {
      this.#run = undefined;
      this.#uptimeAtStop =
        reason === "shutdown" && this.#startedAt !== undefined
          ? this.#clock.now() - this.#startedAt
          : undefined;
      this.#phase = reason === "restart" ? "restarting" : this.#phase === "stopped" ? "stopped" : "idle";
      this.#stoppingRun = run.stop();
      if (reason === "shutdown") {
        this.#releaseWaiters();
        this.#unwatch?.();
        this.#unwatch = undefined;
      }
    }
    await this.#stoppingRun;
    if (reason === "shutdown") await Promise.all(this.#pendingSnapshots);
  }

  /**
   * A read straight from the store, for a valid id, once the system is started (not stopped; during a
   * restart it waits for it), with a thrown store failure turned into `EventStoreError`.
   */
  async #read<T>(
    aggregateId: string,
    context: string,
    read: () => Promise<T>,
  ): Promise<Result<T, EventSourcingError<TDomainError>>> {
    const invalid = invalidAggregateId(aggregateId);
    if (invalid) return err(invalid);
    if (this.#phase !== "running" && !(await this.#awaitRun(this.#config.commandTimeoutMs)).ok)
      return STOPPED;
    return attempt(`${context} ${JSON.stringify(aggregateId)}`, read);
  }

  async #awaitRun(
    timeoutMs: number,
  ): Promise<Result<Run<TState, TCommand, TEvent, TDomainError>, EventSourcingError<never>>> {
    while (this.#phase === "restarting") {
      const woke = await new Promise<boolean>((resolve) => {
        const timer = this.#clock.setTimeout(() => resolve(false), timeoutMs);
        this.#waiters.push(() => {
          this.#clock.clearTimeout(timer);
          resolve(true);
        });
      });
      if (!woke) return err({ type: "ActorTimeout", operation: "waiting for a restart", timeoutMs });
    }
    return this.#run && this.#phase === "running" ? ok(this.#run) : STOPPED;
  }

  #releaseWaiters(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Posts a request to an aggregate's mailbox and answers with its reply, or a timeout; `Overloaded` at once past a bound. */
  #send<T>(
    aggregateId: string,
    timeoutMs: number,
    request: (
      resolve: (result: Result<T, EventSourcingError<TDomainError>>) => void,
    ) => AggregateMessage<TState, TCommand, TEvent, TDomainError>,
  ): Promise<Result<T, EventSourcingError<TDomainError>>> {
    const run = this.#run;
    if (!run || this.#phase !== "running") {
      if (this.#phase !== "restarting") return Promise.resolve(STOPPED);
      return this.#awaitRun(timeoutMs).then((waited) =>
        waited.ok ? this.#send(aggregateId, timeoutMs, request) : waited,
      );
    }
    const registry = run.registry;
    const actor = registry.admit(aggregateId);
    if (!(actor instanceof AggregateActor)) return Promise.resolve(err(actor));
    return new Promise((resolve) => {
      const message = request(resolve);
      this.#deadlines.add(timeoutMs, message);
      registry.post(actor, message);
    });
  }

  #snapshot(aggregateId: string, state: TState, sequence: number): void {
    const encoded = this.#context.gateway.encodeState(state);
    if (!encoded.ok) {
      this.#counters.snapshotsSkipped++;
      if (!this.#warnedSkip) {
        this.#warnedSkip = true;
        this.#logger.warn(
          `snapshot of ${JSON.stringify(aggregateId)} at ${sequence} skipped: ${encoded.error}; ` +
            "aggregates whose state does not round-trip are rebuilt by replay (pass snapshot.codec to keep it; " +
            "said once, counted in systemStats().snapshotsSkipped)",
          undefined,
          { aggregateId, sequence },
        );
      }
      return;
    }
    const saving = this.#context.gateway
      .saveSnapshot(aggregateId, encoded.value, sequence, new Date())
      .then(
        () => {
          this.#counters.snapshotsTaken++;
        },
        (error: unknown) => {
          this.#counters.snapshotFailures++;
          this.#logger.warn(`snapshot of ${JSON.stringify(aggregateId)} at ${sequence} not saved`, error, {
            aggregateId,
            sequence,
          });
        },
      )
      .finally(() => this.#pendingSnapshots.delete(saving));
    this.#pendingSnapshots.add(saving);
  }
}

/** `timeout(ms)`'s refusal of a per-call timeout, or `null` when there is none or it is fine. */
function invalidTimeout(ms: number | undefined): EventSourcingError<never> | null {
  if (ms === undefined) return null;
  const checked = timeout(ms);
  return checked.ok ? null : checked.error;
}

/** Every option `execute` reads: checked against `ExecuteOptions`, so a new option not listed does not compile. */
const EXECUTE_OPTIONS: { readonly [K in keyof Required<ExecuteOptions>]: true } = {
  metadata: true,
  timeout: true,
  correlationId: true,
  causationId: true,
  commandId: true,
  consistency: true,
};
const EXECUTE_OPTION_NAMES: readonly string[] = Object.keys(EXECUTE_OPTIONS);

/**
 * `execute`'s options must be an object of known keys: a misspelt `comandId` would otherwise silently
 * drop the idempotency it was meant to give. The answer for the first unknown key, or `undefined`.
 */
function unknownOption(options: unknown): EventSourcingError<never> | undefined {
  const problem =
    typeof options !== "object" || options === null
      ? "options must be an object"
      : unknownKeyProblem("unknown option", "", options, EXECUTE_OPTION_NAMES);
  return problem === null ? undefined : refusedCall(problem);
}

/** A call to `execute` made wrongly (not a fault of the run): `ActorCrashed` with a `TypeError` naming it. */
function refusedCall(problem: string): EventSourcingError<never> {
  return { type: "ActorCrashed", operation: "execute", cause: new TypeError(`execute: ${problem}`) };
}
