import type { Clock } from "../runtime/clock.js";
import type { Frequency, Timeout } from "./arguments.js";
import type { Codec } from "./codec.js";
import type { EventSourcingError } from "./errors.js";
import type { EventStore } from "./event-store.js";
import type { Result } from "./result.js";

/**
 * String pairs recorded with every event of a command (user id, trace id, source ...), given with
 * `execute(id, command, { metadata })` and read back on each {@link EventEnvelope}. Checked when
 * `execute` is called: a plain object whose values are strings, every key and value well-formed Unicode
 * without U+0000; anything else gives `InvalidMetadata`. Envelopes carry a frozen copy.
 *
 * @example
 * ```ts
 * await bank.execute("account-123", { type: "DepositMoney", amount: 100 }, { metadata: { userId: "teller-7" } });
 * ```
 */
export type Metadata = Readonly<Record<string, string>>;

/**
 * A committed event with its place in the aggregate's stream and in the store's global log: what
 * `execute` returns in `events`, what `loadEvents` reads, and what queries receive.
 *
 * @example
 * ```ts
 * import type { EventEnvelope } from "eventsourcing";
 *
 * const describe = (e: EventEnvelope<BankAccountEvent>) =>
 *   `${e.aggregateId}#${e.sequence} at position ${e.position}: ${e.eventType} (${e.recordedAt.toISOString()})`;
 * const events = await bank.loadEvents("account-123");
 * if (events.ok) for (const e of events.value) console.log(describe(e));
 * // account-123#1 at position 1: AccountOpened (2026-01-01T09:00:00.000Z)
 * ```
 */
export interface EventEnvelope<TEvent> {
  /**
   * The type of the aggregate the event belongs to: the `aggregateType` of the system that wrote it
   * (`"default"` when none was configured). A stream is (aggregateType, aggregateId).
   */
  readonly aggregateType: string;
  /** The aggregate (stream) the event belongs to: the id given to `execute`. */
  readonly aggregateId: string;
  /** A UUID (v7, so ids sort by time) the store assigned when it wrote the event; unique in the store. */
  readonly eventId: string;
  /**
   * The event's number in its aggregate's stream: 1 for the first event, then 2, 3 ... with no gaps
   * and no duplicates, whoever writes. After this event the aggregate is at this sequence.
   */
  readonly sequence: number;
  /**
   * The event's place in the store's global log, across all aggregates: readers of the log
   * (`readAll`, named queries) get events in position order, and an event only once every event of a
   * smaller position that will ever commit has; within one aggregate, larger means committed later.
   * Numbers are skipped (PostgreSQL numbers events by transaction id, leaving large steps between
   * transactions), so compare positions, never count with them. What named query checkpoints record.
   */
  readonly position: bigint;
  /**
   * The event's type name, after upcasting (see {@link Upcaster}): with the default codec `event.type`
   * when that is a string, else the class name.
   */
  readonly eventType: string;
  /** The version of the event's shape as it was stored, before upcasting (see `eventVersions`). */
  readonly eventVersion: number;
  /** The event itself, as the codec decoded it from the stored payload: exactly what `apply` was given. */
  readonly event: TEvent;
  /** The metadata given with the command that caused the event; `{}` when none was given. */
  readonly metadata: Metadata;
  /**
   * When the store recorded the commit (millisecond precision), the same for every event of one
   * commit: the database server's clock for PostgreSQL, this process's clock for SQLite and memory.
   */
  readonly recordedAt: Date;
}

/** An aggregate's current state and the sequence of the last event applied to it. */
export interface Aggregate<TState> {
  /** The aggregate's id, as given to `execute`. */
  readonly aggregateId: string;
  /** `emptyState` with every event of the aggregate applied, in sequence order. */
  readonly state: TState;
  /** The sequence of the last event applied; 0 for none. */
  readonly sequence: number;
}

/** A saved state of an aggregate as of `sequence`. */
export interface Snapshot<TState> {
  /** The aggregate the snapshot is of. */
  readonly aggregateId: string;
  /** The state after the events up to and including `sequence`. */
  readonly state: TState;
  /** The sequence of the last event folded into `state`. */
  readonly sequence: number;
  /**
   * The `snapshot.version` of the system that saved it. `latestSnapshot` returns the stored snapshot
   * whatever its version; the system itself only loads one of its current version.
   */
  readonly version: number;
  /** When the snapshot was saved. */
  readonly timestamp: Date;
}

/**
 * Decides a command against the current state: `ok(events)` with the events it causes (`ok([])`
 * changes nothing), or `err(error)` with a domain error, which `execute` returns as
 * `{ type: "DomainError", error }` and stores nothing. Pure and synchronous: no I/O, no clock, no
 * randomness, since a command may be decided again after a concurrency conflict. If it throws, the
 * command gets `ActorCrashed` and the aggregate is rebuilt from the store.
 *
 * @example
 * ```ts
 * import { err, type Handle, ok } from "eventsourcing";
 *
 * const handleDeposit: Handle<BankAccount, BankAccountCommand, BankAccountEvent, BankAccountError> = (account, command) => {
 *   if (account.type === "Unopened") return err("CantOperateOnUnopenedAccount");
 *   if (command.type !== "DepositMoney") return ok([]);
 *   return command.amount > 0
 *     ? ok([{ type: "CustomerDepositedCash", amount: command.amount, balance: account.balance + command.amount }])
 *     : err("CantDepositNegativeAmount");
 * };
 * ```
 */
export type Handle<TState, TCommand, TEvent, TDomainError> = (
  state: TState,
  command: TCommand,
) => Result<readonly TEvent[], TDomainError>;

/**
 * Folds one event into the state and returns the new state. Pure: called for new events after each
 * commit and again for every stored event when an aggregate is rebuilt, so both must give the same
 * state. Return a new object rather than mutating the old one.
 *
 * @example
 * ```ts
 * import type { Apply } from "eventsourcing";
 *
 * const applyToAccount: Apply<BankAccount, BankAccountEvent> = (_account, event) =>
 *   event.type === "AccountOpened" ? { type: "BankAccount", balance: 0 } : { type: "BankAccount", balance: event.balance };
 * ```
 */
export type Apply<TState, TEvent> = (state: TState, event: TEvent) => TState;

/**
 * Receives one commit's events of one aggregate (`events` is never empty), after the commit, in commit
 * order per aggregate. May be async: the next batch waits for the returned promise. A throw or a
 * rejection gets the same batch again after a backoff (see `queryRetry`), so make its writes idempotent.
 *
 * @example
 * ```ts
 * import type { QueryFn } from "eventsourcing";
 *
 * const balances = new Map<string, number>();
 * const balanceQuery: QueryFn<BankAccountEvent> = (accountId, events) => {
 *   for (const { event } of events) balances.set(accountId, event.type === "AccountOpened" ? 0 : event.balance);
 * };
 * ```
 */
export type QueryFn<TEvent> = (
  aggregateId: string,
  events: readonly EventEnvelope<TEvent>[],
) => void | Promise<void>;

/**
 * A read-model updater, run in an actor of its own: a slow or failing query never blocks commands or
 * other queries. A plain {@link QueryFn} sees the commits of this system made after it was registered.
 * A named query `{ name, handle }` keeps a checkpoint (a `position`) in the store under `name`, starts
 * from the beginning of the global log (or its checkpoint), then follows live commits of every process;
 * it runs in one process at a time per store, and delivery is at least once.
 *
 * @example
 * ```ts
 * import { start, type Query } from "eventsourcing";
 *
 * const printCommit: Query<BankAccountEvent> = (accountId, events) =>
 *   console.log(`Account ${accountId} processed ${events.length} events`);
 * let deposits = 0;
 * const depositCount: Query<BankAccountEvent> = {
 *   name: "deposit-count",
 *   handle: (_accountId, events) => {
 *     deposits += events.filter((e) => e.event.type === "CustomerDepositedCash").length;
 *   },
 * };
 * const accounts = await start({ store, handle, apply, emptyState, queries: [printCommit, depositCount] });
 * ```
 */
export type Query<TEvent> = QueryFn<TEvent> | NamedQuery<TEvent>;

/**
 * A named query: a follower of the store's global log with a checkpoint in the store (see {@link Query}).
 *
 * @example
 * ```ts
 * import type { NamedQuery } from "eventsourcing";
 * const everything: NamedQuery<unknown> = {
 *   name: "audit-log",
 *   aggregateTypes: "all",
 *   handle: (aggregateId, events) => console.log(events[0]?.aggregateType, aggregateId, events.length),
 * };
 * ```
 */
export interface NamedQuery<TEvent> {
  /** The query's name: its checkpoint and its lock in the store. Unique per store. */
  readonly name: string;
  /** Called once per commit, in global order. */
  readonly handle: QueryFn<TEvent>;
  /**
   * The aggregate types whose events the query receives: by default only its own system's
   * `aggregateType`; `"all"` for every type in the store. Events of other systems' types are decoded
   * and upcast with this system's codec and upcasters, so type `TEvent` accordingly.
   */
  readonly aggregateTypes?: readonly string[] | "all";
  /**
   * Whether `execute(..., { consistency: "strong" })` waits for this query to have processed the
   * command's events (`"strong"`) or not (`"eventual"`, the default). When no named query of the system
   * declares `"strong"`, a strong `execute` waits for every named query of the system.
   */
  readonly consistency?: "eventual" | "strong";
  /**
   * Empties the read model before a replay: called by `resetQuery(name)` (or a reset recorded by another
   * process, or the command line) in whichever process runs the query, before its checkpoint goes back
   * to the start and the whole log is delivered again. If it throws, the reset stays pending and is
   * tried again with the query's backoff. Make it idempotent: a process that dies after calling it and
   * before recording the replay's start leaves the reset pending for the next runner.
   */
  readonly reset?: () => void | Promise<void>;
}

/**
 * One step of an event's evolution: it reads a stored event of type `eventType` at version
 * `fromVersion` and gives it at version `fromVersion + 1`, under a new type name if it was renamed.
 * Steps chain: a stored event goes through every step that matches its (type, version) until none
 * does, and must then be at the version `eventVersions` gives for its final type. Pure functions of
 * parsed JSON; the codec decodes the result.
 *
 * @example
 * ```ts
 * import type { Upcaster } from "eventsourcing";
 * // Version 1 of "CustomerDepositedCash" had `amount` in cents; version 2 has `amount` in units.
 * const depositInUnits: Upcaster = {
 *   eventType: "CustomerDepositedCash",
 *   fromVersion: 1,
 *   upcast: (payload) => {
 *     const old = payload as { type: string; amount: number; balance: number };
 *     return { payload: { ...old, amount: old.amount / 100, balance: old.balance / 100 } };
 *   },
 * };
 * ```
 */
export interface Upcaster {
  /** The stored type this step reads. */
  readonly eventType: string;
  /** The stored version this step reads; its result is at `fromVersion + 1`. */
  readonly fromVersion: number;
  /**
   * The payload at the next version (parsed JSON in, a JSON value out), and the type's new name when
   * this step renames it (omitted: the same type).
   */
  upcast(
    payload: unknown,
    stored: { readonly aggregateId: string; readonly metadata: Metadata },
  ): { readonly eventType?: string; readonly payload: unknown };
}

/** What a failing query does next: try the same batch again after a backoff, skip it, or stop. */
export type QueryErrorDecision = "retry" | "skip" | "stop";

/**
 * Which batch a query failed on, given to `queryRetry.onError`: the commit's aggregate, and the
 * sequence and global position of the event that failed to decode or, when the query itself threw, of
 * the commit's first event.
 *
 * @example
 * ```ts
 * import type { QueryFailure } from "eventsourcing";
 *
 * const onError = (error: unknown, attempt: number, failed: QueryFailure) =>
 *   attempt >= 5 ? (console.error(`skipping ${failed.aggregateId}#${failed.sequence}`, error), "skip") : "retry";
 * ```
 */
export interface QueryFailure {
  /** The query's name. */
  readonly query: string;
  /** The aggregate of the failing batch. */
  readonly aggregateId: string;
  /** The sequence of the event that failed (or of the commit's first event). */
  readonly sequence: number;
  /** The global position of that event. */
  readonly position: bigint;
  /** How many events the failing batch (one commit) holds. */
  readonly events: number;
}

/**
 * What a log line is about: the second argument of every {@link Logger} call the library makes. Only
 * the fields known for the line are present. Positions are decimal strings, so that the object goes
 * through `JSON.stringify` (and any structured logger) as it is.
 *
 * @example
 * ```ts
 * import type { LogContext } from "eventsourcing";
 * const context: LogContext = { system: "bank", aggregateType: "default", aggregateId: "acc-1", sequence: 3 };
 * ```
 */
export interface LogContext {
  /** The `id` of the system the line comes from (absent only for a supervisor made with `createSupervisor` alone). */
  readonly system?: string;
  /** The system's aggregate type. */
  readonly aggregateType?: string;
  /** The aggregate the line is about. */
  readonly aggregateId?: string;
  /** The query the line is about (a named query's name, or a plain query's `name#n`). */
  readonly query?: string;
  /** The sequence in the aggregate's stream the line is about. */
  readonly sequence?: number;
  /** The global position the line is about, as a decimal string. */
  readonly position?: string;
  /** The supervisor the line comes from (its id). */
  readonly supervisor?: string;
  /** The supervised child the line is about (its id). */
  readonly child?: string;
  /** What was thrown, for a failure: under pino's conventional key, so its error serializer applies. */
  readonly err?: unknown;
}

/**
 * Where the library reports what it cannot return to a caller (a failing query, a lost snapshot, a
 * restart ...): `console`, pino, or anything of that shape. `warn` and `error` are required; `debug`
 * and `info` are optional, and a level that is missing is simply not said (its lines cost nothing).
 *
 * Every call is `level(message, context)`: `message` is one line of text that reads on its own,
 * starting with the system id in brackets (`[bank] snapshot of "acc-1" at 100 not saved`); `context`
 * is a {@link LogContext} with the system id, the aggregate id or query name, sequence and position
 * where known, and `err` for a failure. Message first, because `console` prints both arguments that
 * way and every logger of the first release (`(message, detail)`) keeps working; pino, which takes a
 * merging object first, prints the message as given when passed as is, and logs the context as fields
 * through a four-line adapter (see the example). A logger that throws is ignored.
 *
 * @example
 * ```ts
 * import type { Logger, LogContext } from "eventsourcing";
 * // With pino: `const log = pino();` then the context becomes structured fields of each line.
 * declare const log: { [level in "debug" | "info" | "warn" | "error"]: (fields: object, message: string) => void };
 * const logger: Logger = {
 *   debug: (message: string, context?: LogContext) => log.debug(context ?? {}, message),
 *   info: (message: string, context?: LogContext) => log.info(context ?? {}, message),
 *   warn: (message: string, context?: LogContext) => log.warn(context ?? {}, message),
 *   error: (message: string, context?: LogContext) => log.error(context ?? {}, message),
 * };
 * ```
 */
export interface Logger {
  /** Detail for debugging: an aggregate loaded or passivated, a command answered from its earlier commit ... */
  debug?(message: string, context?: LogContext): void;
  /** What an operator follows: a system started, stopped or restarting, a query that took its lock or caught up ... */
  info?(message: string, context?: LogContext): void;
  /** Something went wrong and was handled (a query batch retried, a snapshot not saved ...); `context.err` is the cause. */
  warn(message: string, context?: LogContext): void;
  /** Something failed that the library could not handle as planned (a query error policy that threw, a failed stop ...); `context.err` is the cause. */
  error(message: string, context?: LogContext): void;
}

/**
 * How snapshot states become text and back. A state that does not come back deep-equal
 * (`node:util`'s `isDeepStrictEqual`: Maps, Sets, Dates, NaN and prototypes count) is not snapshotted.
 *
 * @example
 * ```ts
 * import type { StateCodec } from "eventsourcing";
 *
 * const seenCodec: StateCodec<{ seen: Map<string, number> }> = {
 *   encode: (state) => JSON.stringify([...state.seen]),
 *   decode: (text) => ({ seen: new Map(JSON.parse(text) as [string, number][]) }),
 * };
 * ```
 */
export interface StateCodec<TState> {
  /** The state as text. */
  encode(state: TState): string;
  /** The state back from `encode`'s text. */
  decode(text: string): TState;
}

/** The `snapshot` option of a system. */
export interface SnapshotConfig<TState> {
  /**
   * A snapshot when a commit reaches or crosses a multiple of it (events per aggregate): a
   * {@link Frequency} from `frequency(n)` or a plain positive integer (anything else throws a TypeError
   * at construction).
   */
  readonly frequency: Frequency | number;
  /**
   * The version of the state's shape (a positive integer, default 1). Raise it when the state changes
   * shape: a stored snapshot of another version is ignored on load (the aggregate replays its events)
   * and replaced by the next one taken.
   */
  readonly version?: number;
  /** Default: the system codec's `encodeState`/`decodeState` (JSON). */
  readonly codec?: StateCodec<TState>;
}

/**
 * Options of a supervised event-sourcing system, given to `start` or `supervised`. Only `store`,
 * `handle`, `apply` and `emptyState` are required. Checked at construction: an unknown key or a value
 * of the wrong shape throws a `TypeError` naming the option and what to pass.
 *
 * @example
 * ```ts
 * import { start } from "eventsourcing";
 * import { sqliteStore } from "eventsourcing/sqlite";
 *
 * const accounts = await start({
 *   store: sqliteStore({ path: "./data/bank.db" }),
 *   handle,
 *   apply,
 *   emptyState,
 *   queries: [(accountId, events) => console.log(`Account ${accountId} processed ${events.length} events`)],
 *   snapshot: { frequency: 100 },
 *   commandTimeout: 2_000,
 * });
 * ```
 */
export interface EventSourcingConfig<TState, TCommand, TEvent, TDomainError> {
  /**
   * Where events, snapshots and checkpoints are kept: `memoryStore()`, `sqliteStore(...)`,
   * `postgresStore(...)` or your own `EventStore`. `start()` initializes it; stopping the system
   * never closes it (several systems may share one): call `store.close()` yourself.
   */
  readonly store: EventStore;
  /** Decides each command: the events it causes, or a domain error. See {@link Handle}. */
  readonly handle: Handle<TState, TCommand, TEvent, TDomainError>;
  /** Folds each event into the state, for new events and on rebuild. See {@link Apply}. */
  readonly apply: Apply<TState, TEvent>;
  /**
   * The state of an aggregate with no events, which `apply` folds the first event into. An aggregate
   * whose state equals it is not "not found": only one with no events is (`EntityNotFound`).
   */
  readonly emptyState: TState;
  /** Read-model updaters started with the system, each in its own supervised actor. See {@link Query}. More with `registerQuery`. */
  readonly queries?: readonly Query<TEvent>[];
  /**
   * Snapshots taken after a commit that reaches or crosses a multiple of `frequency` (events per
   * aggregate, from `frequency(n)` or a plain positive integer), so rebuilding reads the latest snapshot
   * and the events after it. Omitted: no snapshots. `codec`: how the state becomes text and back
   * (default: the system codec's JSON); a snapshot is saved only when `decode(encode(state))`
   * deep-equals the state, otherwise skipped (logged once, counted in `snapshotsSkipped`) and the
   * aggregate is rebuilt by replay. `version`: default 1.
   */
  readonly snapshot?: SnapshotConfig<TState>;
  /**
   * The type of this system's aggregates (default `"default"`): a stream is (aggregateType,
   * aggregateId) in every store, so systems of different types share a store without ever seeing each
   * other's streams, snapshots, conflicts or query batches. A non-empty string of at most 255
   * characters, well-formed text without U+0000.
   */
  readonly aggregateType?: string;
  /**
   * The version each event type is written at (default 1 for a type not listed). Raise a type's
   * version when its shape changes, and give the steps from the older versions in `upcasters`.
   */
  readonly eventVersions?: Readonly<Record<string, number>>;
  /** The steps that bring stored events of older versions to the current ones, on every read path. See {@link Upcaster}. */
  readonly upcasters?: readonly Upcaster[];
  /** The child id under a supervisor, shown by `children()` and in logs; unique among its siblings. Default `"eventsourcing"`. */
  readonly id?: string;
  /**
   * Milliseconds a command may take, a `Timeout` from `timeout(ms)` or a plain positive integer:
   * queueing, handling and committing; past it the caller gets `ActorTimeout` (the command may still
   * commit). Also bounds loads and waits for a restart. Per command: `execute`'s `timeout` option.
   * Default 5,000 ms.
   */
  readonly commandTimeout?: Timeout | number;
  /**
   * How many times a command is decided again after a concurrency conflict (another writer appended
   * to the aggregate first) before the caller sees `ConcurrencyConflict`. A non-negative integer. Default 3.
   */
  readonly conflictRetries?: number;
  /** Live aggregate actors: passivated after `idleMs` without commands (default 300,000) and bounded to `maxLive` (default 10,000, least recently used first). */
  readonly passivation?: {
    /** Milliseconds without a command after which an aggregate actor is dropped from memory. Default 300,000. */
    readonly idleMs?: number;
    /** Most aggregate actors kept in memory; past it the least recently used are dropped. Default 10,000. */
    readonly maxLive?: number;
  };
  /**
   * Backoff of a failing query: `initialMs` (100) doubling up to `maxMs` (30,000); `onError` decides per
   * failure (default: retry) and learns which batch failed. `maxPending` (10,000) bounds the batches a
   * plain query holds while it fails: past it, new commits are not queued for it (counted in
   * `droppedBatches`, status `"overflowed"`) until it has caught up. Named queries read the store's log
   * and hold no queue, so they lose nothing.
   */
  readonly queryRetry?: {
    /** Milliseconds before the first retry of a failed batch, doubling after each failure. Default 100. */
    readonly initialMs?: number;
    /** The longest wait between retries, in milliseconds. Default 30,000. */
    readonly maxMs?: number;
    /** Batches a failing plain query may hold before new commits are dropped for it. Default 10,000. */
    readonly maxPending?: number;
    /**
     * Called with what the query threw, the failure count of this batch (1, 2 ...) and which batch
     * failed: answer `"retry"` (the default), `"skip"` (drop the batch) or `"stop"` (stop the query).
     */
    readonly onError?: (error: unknown, attempt: number, failed: QueryFailure) => QueryErrorDecision;
  };
  /** How often named queries poll the global log besides wake-ups (default 200 ms), read page size (default 500), and how often a waiting process tries to take over a named query (default 2,000 ms). */
  readonly namedQueries?: {
    /** Milliseconds between reads of the global log when no wake-up came. Default 200. */
    readonly pollMs?: number;
    /** Events read from the global log per page (a commit is never split). Default 500. */
    readonly pageSize?: number;
    /** Milliseconds between a waiting process's attempts to take over a named query. Default 2,000. */
    readonly lockRetryMs?: number;
  };
  /**
   * Most requests (`execute` and `loadAggregate`) waiting for their answer in the whole system; past it
   * they answer `Overloaded` at once and nothing is done, so a caller firing without awaiting cannot
   * grow memory without bound. A positive integer. Default 100,000: every one of 100,000 aggregates
   * with one command in flight, which holds in well under 1 GB on every store (a request waiting costs
   * about 1-3 KB with its aggregate's share).
   */
  readonly maxQueued?: number;
  /**
   * Most requests waiting in one aggregate's mailbox (queued or in progress); past it that aggregate's
   * requests answer `Overloaded` at once. A positive integer. Default 1,000: one aggregate's commands run
   * one after another, one store commit each (about 1 to 5 ms durable on SQLite and PostgreSQL), so
   * of more than 1,000 waiting the last would mostly outlast the default 5 s `commandTimeout` anyway.
   */
  readonly maxQueuedPerAggregate?: number;
  /** Turns events into stored text and back, and names their `eventType`. Default: JSON, see `jsonCodec`. */
  readonly codec?: Codec;
  /** Time for timeouts, backoff, passivation and uptime: pass `manualClock()` in tests. Default: the system clock. */
  readonly clock?: Clock;
  /**
   * Where the system reports what no caller sees (a failing query, a lost snapshot, a restart ...), and
   * its supervisors too. See {@link Logger} for the form of each call. Default: `console.warn` and
   * `console.error` only; pass `console` itself to see its `info` and `debug` lines as well.
   */
  readonly logger?: Logger;
}

/** Figures of the whole system since it was created (counts are totals in this process, across restarts). */
export interface SystemStats {
  /** Queries registered, plain and named. */
  readonly queryActorsCount: number;
  /** Commands handled: successes, domain errors and no-ops. */
  readonly totalCommandsProcessed: number;
  /** Whole seconds since the first start; frozen at `stop()`. */
  readonly uptimeSeconds: number;
  /** Commands decided again after a concurrency conflict. */
  readonly conflictsRetried: number;
  /** Aggregate actors in memory now. */
  readonly liveAggregates: number;
  /** Commands that `handle` answered with `err(...)`. */
  readonly domainErrors: number;
  /** Events appended to the store by this system. */
  readonly eventsCommitted: number;
  /** Aggregate actors rebuilt after `handle` or `apply` threw. */
  readonly aggregateCrashes: number;
  /** Failures of queries: batches retried, skipped or stopped at, and named queries' store failures. */
  readonly queryFailures: number;
  /** Commits not queued for a plain query past its `queryRetry.maxPending` bound. */
  readonly queryBatchesDropped: number;
  /** Restarts of the system by its supervisor. */
  readonly restarts: number;
  /** Snapshots saved. */
  readonly snapshotsTaken: number;
  /** Snapshots that could not be saved (the commands still succeeded). */
  readonly snapshotFailures: number;
  /** Snapshots not saved because the state did not round-trip through the snapshot codec. */
  readonly snapshotsSkipped: number;
  /** Aggregate actors dropped from memory, idle or past `maxLive`. */
  readonly passivations: number;
  /** Events that queries of this process skipped because an operator asked (`skipQueryEvent`). */
  readonly queryEventsSkipped: number;
  /** Per query: its status, batches delivered and waiting, failures and the last one, checkpoint, holder. */
  readonly queries: readonly QueryStats[];
}

/**
 * Figures of one query actor. `status`: `"running"`; `"waiting-for-lock"` (a named query another
 * process runs); `"retrying"` (its handler failed on a batch, which it will get again); `"failing"` (a
 * named query that cannot read the store or save its checkpoint, retrying with backoff);
 * `"overflowed"` (a plain query past `maxPending`, not taking new commits); `"stopped"`.
 */
export interface QueryStats {
  /** A named query's name; for a plain one, the function's name (or "query") and `#` its place. */
  readonly name: string;
  /** Whether it is a named query (checkpoint in the store) or a plain function. */
  readonly named: boolean;
  /** See the statuses above. */
  readonly status: "running" | "waiting-for-lock" | "retrying" | "failing" | "overflowed" | "stopped";
  /** Batches the query has processed. */
  readonly batchesProcessed: number;
  /** Plain queries: commits waiting to be delivered (named queries read from the log: 0). */
  readonly pendingBatches: number;
  /** Every failure: of the handler on a batch, and of the store under a named query. */
  readonly failures: number;
  /**
   * Named queries: the last position processed, as the store records it (read by `systemStats()`,
   * whichever process runs the query; this process's last known one if the store cannot be read).
   * `null` before the query's first checkpoint. Plain queries: `null`.
   */
  readonly checkpoint: bigint | null;
  /**
   * How far behind the query is: named queries, the events of the store's global log after the
   * checkpoint (0 when caught up; events of types the query does not read count too; counted up to
   * 1,000,000 where the store counts them, as PostgreSQL does; elsewhere the head position minus the
   * checkpoint, an upper bound since positions may skip numbers; 0 when the store has no
   * `headPosition`). Plain queries: the events waiting in its queue.
   */
  readonly lag: number;
  /** Named queries: whether this process holds the query's lock and runs it. Plain queries: false. */
  readonly holder: boolean;
  /** Events this query skipped in this process because an operator asked (`skipQueryEvent`). */
  readonly skippedEvents: number;
  /** Plain queries: commits not queued past `queryRetry.maxPending`. */
  readonly droppedBatches: number;
  /**
   * The latest failure, or `null`: what failed, with the batch's aggregate, sequence and position when
   * a batch failed (not for a store failure), and the attempts made so far.
   */
  readonly lastError: {
    readonly message: string;
    readonly aggregateId?: string;
    readonly sequence?: number;
    readonly position?: bigint;
    readonly attempts: number;
  } | null;
}

/** Figures of one aggregate, from the store; zeros for an unknown id. */
export interface AggregateStats {
  /** The aggregate the figures are of. */
  readonly aggregateId: string;
  /** Events stored for the aggregate. */
  readonly eventCount: number;
  /** The sequence of its last event; 0 for none. */
  readonly currentSequence: number;
  /** Whether a snapshot is stored. */
  readonly hasSnapshot: boolean;
  /** The sequence of the stored snapshot, or `null` without one. */
  readonly snapshotSequence: number | null;
  /** The version of the stored snapshot (`snapshot.version` of the system that took it), or `null` without one. */
  readonly snapshotVersion: number | null;
}

/** Per-call options of `execute`. */
export interface ExecuteOptions {
  /**
   * Recorded with every event of the command: a plain object of string values, well-formed text
   * without U+0000. Anything else gives `InvalidMetadata` and nothing is stored. Default `{}`.
   */
  readonly metadata?: Metadata;
  /**
   * Covers queueing, handling and committing, in ms: a {@link Timeout} from `timeout(ms)` or a plain
   * positive integer; anything else gives `NonPositiveArgument`. Default: the system's `commandTimeout`.
   */
  readonly timeout?: Timeout | number;
  /**
   * The id of the conversation this command belongs to, stored in every event's metadata under
   * `correlationId` (overriding a `correlationId` key of `metadata`).
   */
  readonly correlationId?: string;
  /**
   * The id of what caused this command (usually the `eventId` of the event a process manager
   * reacted to), stored in every event's metadata under `causationId`.
   */
  readonly causationId?: string;
  /**
   * Makes the command idempotent: the first commit made with this id on this aggregate is the answer
   * to every later `execute` with the same id on the same aggregate, across restarts, passivation,
   * snapshots and processes. A repeat resolves `ok` with that first commit's events (as stored) and the
   * aggregate as it is now; `handle` is not run and nothing is stored. The id is stored with the commit.
   *
   * Only commits are remembered: a command that was refused (`DomainError`) or changed nothing
   * (`ok([])`) stores nothing, so a repeat is decided again. A `commandId` reused with a *different*
   * command is not detected: it gets the first command's answer. Ids are per aggregate (the same id
   * on two aggregates is two commands). A non-empty string of at most 256 characters, well-formed text
   * without U+0000; anything else gives `InvalidMetadata` and nothing is stored.
   *
   * @example
   * ```ts
   * // A retried request carries the same id (e.g. its Idempotency-Key header): the deposit is made once.
   * const first = await bank.execute("account-123", { type: "DepositMoney", amount: 100 }, { commandId: "req-7f3a" });
   * const retry = await bank.execute("account-123", { type: "DepositMoney", amount: 100 }, { commandId: "req-7f3a" });
   * if (first.ok && retry.ok) console.log(retry.value.events[0]?.eventId === first.value.events[0]?.eventId); // true
   * ```
   */
  readonly commandId?: string;
  /**
   * `"strong"`: resolve only once the system's named queries have processed the command's events
   * (those declaring `consistency: "strong"`, or every named query of the system when none does),
   * wherever they run, so a read model read next shows this write. The wait shares the command's
   * `timeout`. When it runs out, the answer is still `ok` (the events are committed) with the names of
   * the queries still behind in `queriesBehind`. Default `"eventual"`: resolve at commit.
   */
  readonly consistency?: "eventual" | "strong";
}

/** What a successful command gives back: the aggregate after it, and the events it committed. */
export interface ExecuteResult<TState, TEvent> {
  /** The aggregate's state and sequence after the command. */
  readonly aggregate: Aggregate<TState>;
  /** The events the command committed, in sequence order; empty for a no-op (`ok([])`). */
  readonly events: EventEnvelope<TEvent>[];
  /**
   * Only with `consistency: "strong"`: the named queries that had not yet processed the events when the
   * command's timeout ran out (`[]` when every one had). The events are committed either way.
   */
  readonly queriesBehind?: readonly string[];
}

/**
 * Options of `waitForQueries`.
 *
 * @example
 * ```ts
 * import type { WaitForQueriesOptions } from "eventsourcing";
 * const options: WaitForQueriesOptions = { queries: ["balances"], timeout: 2_000 };
 * ```
 */
export interface WaitForQueriesOptions {
  /**
   * The checkpoint names to wait for: any named query on the store, of this system or another.
   * Default: every named query of this system.
   */
  readonly queries?: readonly string[];
  /** Milliseconds to wait, a `Timeout` or a plain positive integer. Default: the system's `commandTimeout`. */
  readonly timeout?: Timeout | number;
}

/**
 * The stable handle of a supervised event-sourcing system, from `start(config)` or `supervised(config)`.
 * It keeps working across restarts of everything under it: nobody re-registers anything. Every method
 * resolves, never rejects; before the start and after `stop()` they give `Stopped`, and during a
 * restart they wait for it (up to the command timeout).
 *
 * @example
 * ```ts
 * import { describeError, start } from "eventsourcing";
 * import { memoryStore } from "eventsourcing/memory";
 *
 * const accounts = await start({ store: memoryStore(), handle, apply, emptyState });
 * await accounts.execute("account-123", { type: "OpenAccount", accountId: "account-123" });
 * const loaded = await accounts.loadAggregate("account-123");
 * console.log(loaded.ok ? loaded.value.state : describeError(loaded.error)); // { type: "BankAccount", balance: 0 }
 * await accounts.stop();
 * ```
 */
export interface EventSourcing<TState, TCommand, TEvent, TDomainError> {
  /**
   * Runs one command on one aggregate: queued in that aggregate's mailbox (commands to one aggregate
   * run one at a time, in arrival order), decided by `handle` on the current state, and committed.
   * Resolves `ok` only once the events are committed in the store, with the aggregate after them and
   * their envelopes; `ok` with no events for `ok([])`, which stores nothing.
   *
   * Never rejects; the errors are values: `DomainError` (from `handle`, nothing stored),
   * `InvalidAggregateId` (empty, or over 1,024 characters), `NonPositiveArgument` (a bad `timeout`),
   * `ConcurrencyConflict` (another writer kept winning, after `conflictRetries`), `ActorTimeout` (the
   * command may still commit), `ActorCrashed` (`handle` or `apply` threw; the aggregate is rebuilt
   * from the store by the next command), `EventStoreError` (nothing stored), `Overloaded` (too many requests waiting: nothing done), `Stopped`.
   *
   * @param aggregateId - the aggregate (stream) the command is for; a new id starts from `emptyState`
   * @param command - given to `handle` with the aggregate's current state
   * @param options - `metadata` recorded with the events; `timeout` for this command instead of `commandTimeout`
   *
   * @example
   * ```ts
   * import { describeError } from "eventsourcing";
   *
   * const deposited = await bank.execute("account-123", { type: "DepositMoney", amount: 100 });
   * if (deposited.ok) console.log(deposited.value.aggregate.state); // { type: "BankAccount", balance: 100 }
   * else if (deposited.error.type === "DomainError") console.log(deposited.error.error); // e.g. "CantDepositNegativeAmount"
   * else console.error(describeError(deposited.error));
   * ```
   */
  execute(
    aggregateId: string,
    command: TCommand,
    options?: ExecuteOptions,
  ): Promise<Result<ExecuteResult<TState, TEvent>, EventSourcingError<TDomainError>>>;
  /**
   * `execute(aggregateId, command, { metadata })`: the events of this command carry `metadata`.
   *
   * @example
   * ```ts
   * await bank.executeWithMetadata("account-123", { type: "WithDrawMoney", amount: 20 }, { userId: "teller-7" });
   * ```
   */
  executeWithMetadata(
    aggregateId: string,
    command: TCommand,
    metadata: Metadata,
  ): Promise<Result<ExecuteResult<TState, TEvent>, EventSourcingError<TDomainError>>>;
  /**
   * The aggregate's current state and sequence, read through its mailbox (after the commands queued
   * before it) and caught up with the store, so writes of other processes are included. An id with no
   * events gives `EntityNotFound`, even when `handle` has been asked about it.
   *
   * @example
   * ```ts
   * const account = await bank.loadAggregate("account-123");
   * if (account.ok && account.value.state.type === "BankAccount") console.log(account.value.state.balance);
   * ```
   */
  loadAggregate(aggregateId: string): Promise<Result<Aggregate<TState>, EventSourcingError<TDomainError>>>;
  /**
   * Every event of the aggregate, oldest first, read from the store; `ok([])` for an unknown id.
   *
   * @example
   * ```ts
   * const history = await bank.loadEvents("account-123");
   * if (history.ok) for (const { sequence, event } of history.value) console.log(sequence, event.type);
   * ```
   */
  loadEvents(aggregateId: string): Promise<Result<EventEnvelope<TEvent>[], EventSourcingError<TDomainError>>>;
  /**
   * The aggregate's events with `sequence > startFrom`, oldest first; `ok([])` for an unknown id.
   * `startFrom` is a non-negative integer (0 gives every event), else `NonPositiveArgument`.
   *
   * @example
   * ```ts
   * const newer = await bank.loadEventsFrom("account-123", 10); // sequences 11, 12 ...
   * ```
   */
  loadEventsFrom(
    aggregateId: string,
    startFrom: number,
  ): Promise<Result<EventEnvelope<TEvent>[], EventSourcingError<TDomainError>>>;
  /**
   * The aggregate's latest snapshot, or `null` when none was taken (no `snapshot` config, or not
   * enough events yet); `EventStoreError` when it cannot be read.
   *
   * @example
   * ```ts
   * const snapshot = await bank.latestSnapshot("account-123");
   * if (snapshot.ok && snapshot.value) console.log(`state as of sequence ${snapshot.value.sequence}`);
   * ```
   */
  latestSnapshot(
    aggregateId: string,
  ): Promise<Result<Snapshot<TState> | null, EventSourcingError<TDomainError>>>;
  /**
   * Counters of the whole system and per query; after `stop()`, the last figures. Never fails.
   *
   * @example
   * ```ts
   * const { totalCommandsProcessed, eventsCommitted, queries } = await bank.systemStats();
   * ```
   */
  systemStats(): Promise<SystemStats>;
  /**
   * Event count, current sequence and snapshot of one aggregate, from the store; zeros and
   * `hasSnapshot: false` for an unknown id.
   *
   * @example
   * ```ts
   * const stats = await bank.aggregateStats("account-123");
   * if (stats.ok) console.log(stats.value.eventCount, stats.value.snapshotSequence);
   * ```
   */
  aggregateStats(aggregateId: string): Promise<Result<AggregateStats, EventSourcingError<TDomainError>>>;
  /**
   * Adds a query to the running system, supervised like those of the config, and kept across
   * restarts. A plain query sees commits from now on; a named one catches up from its checkpoint.
   * A malformed query, or a second named query of the same name, gives `ActorCrashed` with the reason.
   *
   * @example
   * ```ts
   * const registered = await bank.registerQuery({ name: "audit", handle: (accountId, events) => console.log(accountId, events.length) });
   * ```
   */
  registerQuery(query: Query<TEvent>): Promise<Result<void, EventSourcingError<TDomainError>>>;
  /**
   * Resolves `ok` once every named query asked for (default: every named query of this system) has a
   * checkpoint at or past `position` in the store, whichever process runs it: read-your-writes for a
   * position from an envelope of `execute`. Checkpoints are read from the store (polled every
   * `namedQueries.pollMs`, and at once when a query of this process saves one). `ActorTimeout` when
   * the timeout (default: the system's `commandTimeout`) passes first; `NonPositiveArgument` for a
   * position that is not a non-negative bigint or a bad timeout; `ActorCrashed` (a `TypeError`) for
   * names that are not non-empty strings.
   *
   * @example
   * ```ts
   * const done = await bank.execute("account-123", { type: "DepositMoney", amount: 100 });
   * if (done.ok) {
   *   const last = done.value.events.at(-1);
   *   if (last && (await bank.waitForQueries(last.position, { queries: ["balances"] })).ok) {
   *     // the "balances" read model shows the deposit
   *   }
   * }
   * ```
   */
  waitForQueries(
    position: bigint,
    options?: WaitForQueriesOptions,
  ): Promise<Result<void, EventSourcingError<TDomainError>>>;
  /**
   * Records a reset of the named query `name` in the store and resolves once it is recorded: whichever
   * process runs the query (this one, another, or the next to start it) stops delivering, calls the
   * query's `reset()`, sets its checkpoint back to the start and replays the whole log in the
   * background (await the replay with `waitForQueries`). A runner of the old checkpoint can no longer
   * save it. `EventStoreError` when the store cannot record it (or has no `requestQueryReset`);
   * `ActorCrashed` (a `TypeError`) for a name that is not a checkpoint name, or is a plain query's.
   *
   * @example
   * ```ts
   * const reset = await bank.resetQuery("balances");
   * const head = await store.headPosition?.();
   * if (reset.ok && head !== undefined) await bank.waitForQueries(head, { queries: ["balances"], timeout: 60_000 });
   * ```
   */
  resetQuery(name: string): Promise<Result<void, EventSourcingError<TDomainError>>>;
  /**
   * Skips the event at `position` for the query `name`, while the system runs: the event is never
   * delivered to it (only that event: the rest of its commit is delivered), a batch waiting out its
   * retry backoff is retried at once without it, and the skip is logged and counted (`skippedEvents`).
   * For a named query the skip is recorded with its checkpoint, so every process agrees (a later
   * `resetQuery` forgets it); for a plain query of this system it applies in this process.
   * `NonPositiveArgument` for a position that is not a positive bigint; `EventStoreError` when the
   * store cannot record it; `ActorCrashed` (a `TypeError`) for a bad name.
   *
   * @example
   * ```ts
   * const { queries } = await bank.systemStats();
   * const stuck = queries.find((q) => q.name === "balances")?.lastError;
   * if (stuck?.position !== undefined) await bank.skipQueryEvent("balances", stuck.position);
   * ```
   */
  skipQueryEvent(name: string, position: bigint): Promise<Result<void, EventSourcingError<TDomainError>>>;
  /**
   * Stops the system (its aggregate and query actors) and resolves when they have stopped; a handle
   * from `start()` stops its own supervisor. Afterwards every call gives `Stopped` and `systemStats()`
   * keeps the last figures. It never closes the store: call `store.close()` after.
   *
   * @example
   * ```ts
   * await bank.stop();
   * await store.close();
   * ```
   */
  stop(): Promise<void>;
}
