import type { Clock } from "../runtime/clock.js";
import type { Frequency, Timeout } from "./arguments.js";
import type { Codec } from "./codec.js";
import type { EventSourcingError } from "./errors.js";
import type { EventStore } from "./event-store.js";
import type { Result } from "./result.js";

/**
 * String pairs recorded with every event of a command (user id, trace id, source ...). Checked when
 * `execute` is called: a plain object whose values are strings, every key and value well-formed Unicode
 * without U+0000; anything else gives `InvalidMetadata`. Envelopes carry a frozen copy.
 *
 * @example
 * ```ts
 * const metadata: Metadata = { userId: "u-42", source: "web" };
 * ```
 */
export type Metadata = Readonly<Record<string, string>>;

/** A committed event with its place in the aggregate's stream and in the store's global log. */
export interface EventEnvelope<TEvent> {
  readonly aggregateId: string;
  /** 1, 2, 3 ... per aggregate, no gaps. */
  readonly sequence: number;
  /** Global order across all aggregates in this store. */
  readonly position: bigint;
  readonly eventType: string;
  readonly event: TEvent;
  readonly metadata: Metadata;
  readonly recordedAt: Date;
}

/** An aggregate's current state and the sequence of the last event applied to it. */
export interface Aggregate<TState> {
  readonly aggregateId: string;
  readonly state: TState;
  readonly sequence: number;
}

/** A saved state of an aggregate as of `sequence`. */
export interface Snapshot<TState> {
  readonly aggregateId: string;
  readonly state: TState;
  readonly sequence: number;
  readonly timestamp: Date;
}

/** Decides a command: the events it causes, or a domain error. Pure. */
export type Handle<TState, TCommand, TEvent, TDomainError> = (
  state: TState,
  command: TCommand,
) => Result<readonly TEvent[], TDomainError>;

/** Folds one event into the state. Pure. */
export type Apply<TState, TEvent> = (state: TState, event: TEvent) => TState;

/** Receives one commit's events of one aggregate, after the commit. May be async. */
export type QueryFn<TEvent> = (
  aggregateId: string,
  events: readonly EventEnvelope<TEvent>[],
) => void | Promise<void>;

/**
 * A read-model updater. A plain function sees the events committed after it was registered; a named
 * query keeps a checkpoint in the store, catches up from the global log and runs in one process at a time.
 */
export type Query<TEvent> = QueryFn<TEvent> | { readonly name: string; readonly handle: QueryFn<TEvent> };

/** What a failing query does next: try the same batch again after a backoff, skip it, or stop. */
export type QueryErrorDecision = "retry" | "skip" | "stop";

/** Where the library reports what it cannot return to a caller (a failing query, a lost snapshot ...). */
export interface Logger {
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

/**
 * Options of a supervised event-sourcing system. Only `store`, `handle`, `apply` and `emptyState` are
 * required. Checked at construction: an unknown key or a value of the wrong shape throws a TypeError
 * naming the option and what to pass.
 */
export interface EventSourcingConfig<TState, TCommand, TEvent, TDomainError> {
  readonly store: EventStore;
  readonly handle: Handle<TState, TCommand, TEvent, TDomainError>;
  readonly apply: Apply<TState, TEvent>;
  readonly emptyState: TState;
  readonly queries?: readonly Query<TEvent>[];
  /**
   * Omitted: no snapshots. `frequency` is a {@link Frequency} from `frequency(n)` or a plain positive
   * integer (anything else throws a TypeError at construction).
   */
  readonly snapshot?: { readonly frequency: Frequency | number };
  /** The child id under a supervisor. Default `"eventsourcing"`. */
  readonly id?: string;
  /** Covers queueing, handling and committing of one command, in ms: a `Timeout` or a positive integer. Default 5,000. */
  readonly commandTimeout?: Timeout | number;
  /** How often a command is retried after a concurrency conflict before the caller sees it. Default 3. */
  readonly conflictRetries?: number;
  /** Live aggregate actors: passivated after `idleMs` without commands (default 300,000) and bounded to `maxLive` (default 10,000, least recently used first). */
  readonly passivation?: { readonly idleMs?: number; readonly maxLive?: number };
  /** Backoff of a failing query: `initialMs` (100) doubling up to `maxMs` (30,000); `onError` decides per failure (default: retry). */
  readonly queryRetry?: {
    readonly initialMs?: number;
    readonly maxMs?: number;
    readonly onError?: (error: unknown, attempt: number) => QueryErrorDecision;
  };
  /** How often named queries poll the global log besides wake-ups (default 200 ms), read page size (default 500), and how often a waiting process tries to take over a named query (default 2,000 ms). */
  readonly namedQueries?: {
    readonly pollMs?: number;
    readonly pageSize?: number;
    readonly lockRetryMs?: number;
  };
  /** Default: JSON, see `jsonCodec`. */
  readonly codec?: Codec;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Default: `console`. */
  readonly logger?: Logger;
}

/** Figures of the whole system since it was created. */
export interface SystemStats {
  readonly queryActorsCount: number;
  readonly totalCommandsProcessed: number;
  readonly uptimeSeconds: number;
  readonly conflictsRetried: number;
  readonly liveAggregates: number;
  readonly domainErrors: number;
  readonly eventsCommitted: number;
  /** Aggregate actors rebuilt after `handle` or `apply` threw. */
  readonly aggregateCrashes: number;
  /** Failed query batches retried, skipped or stopped at. */
  readonly queryFailures: number;
  /** Restarts of the system by its supervisor. */
  readonly restarts: number;
  readonly snapshotsTaken: number;
  readonly snapshotFailures: number;
  readonly passivations: number;
  /** Per query: batches delivered and batches waiting. */
  readonly queries: readonly QueryStats[];
}

/** Figures of one query actor. */
export interface QueryStats {
  readonly name: string;
  readonly named: boolean;
  readonly status: "running" | "waiting-for-lock" | "retrying" | "stopped";
  readonly batchesProcessed: number;
  readonly pendingBatches: number;
  readonly failures: number;
  /** Named queries: the last position processed. */
  readonly checkpoint: bigint | null;
}

/** Figures of one aggregate, from the store. */
export interface AggregateStats {
  readonly aggregateId: string;
  readonly eventCount: number;
  readonly currentSequence: number;
  readonly hasSnapshot: boolean;
  readonly snapshotSequence: number | null;
}

/** Per-call options of `execute`. */
export interface ExecuteOptions {
  /**
   * Recorded with every event of the command: a plain object of string values, well-formed text
   * without U+0000. Anything else gives `InvalidMetadata` and nothing is stored.
   */
  readonly metadata?: Metadata;
  /**
   * Covers queueing, handling and committing, in ms: a {@link Timeout} from `timeout(ms)` or a plain
   * positive integer; anything else gives `NonPositiveArgument`. Default: the system's `commandTimeout`.
   */
  readonly timeout?: Timeout | number;
}

/** What a successful command gives back: the aggregate after it, and the events it committed. */
export interface ExecuteResult<TState, TEvent> {
  readonly aggregate: Aggregate<TState>;
  readonly events: EventEnvelope<TEvent>[];
}

/**
 * The stable handle of a supervised event-sourcing system. It keeps working across restarts of
 * everything under it. Every method resolves, never rejects; before start and after `stop()` they give
 * `Stopped`.
 */
export interface EventSourcing<TState, TCommand, TEvent, TDomainError> {
  execute(
    aggregateId: string,
    command: TCommand,
    options?: ExecuteOptions,
  ): Promise<Result<ExecuteResult<TState, TEvent>, EventSourcingError<TDomainError>>>;
  executeWithMetadata(
    aggregateId: string,
    command: TCommand,
    metadata: Metadata,
  ): Promise<Result<ExecuteResult<TState, TEvent>, EventSourcingError<TDomainError>>>;
  loadAggregate(aggregateId: string): Promise<Result<Aggregate<TState>, EventSourcingError<TDomainError>>>;
  loadEvents(aggregateId: string): Promise<Result<EventEnvelope<TEvent>[], EventSourcingError<TDomainError>>>;
  /** Events with `sequence > startFrom`. */
  loadEventsFrom(
    aggregateId: string,
    startFrom: number,
  ): Promise<Result<EventEnvelope<TEvent>[], EventSourcingError<TDomainError>>>;
  latestSnapshot(
    aggregateId: string,
  ): Promise<Result<Snapshot<TState> | null, EventSourcingError<TDomainError>>>;
  systemStats(): Promise<SystemStats>;
  aggregateStats(aggregateId: string): Promise<Result<AggregateStats, EventSourcingError<TDomainError>>>;
  registerQuery(query: Query<TEvent>): Promise<Result<void, EventSourcingError<TDomainError>>>;
  stop(): Promise<void>;
}
