import type { Clock } from "../runtime/clock.js";
import type { Frequency, Timeout } from "./arguments.js";
import type { Codec } from "./codec.js";
import type { EventSourcingError } from "./errors.js";
import type { EventStore } from "./event-store.js";
import type { Result } from "./result.js";

/** String pairs recorded with every event of a command (user id, trace id, source ...). */
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
 * How snapshot states become text and back. A state that does not come back deep-equal
 * (`node:util`'s `isDeepStrictEqual`: Maps, Sets, Dates, NaN and prototypes count) is not snapshotted.
 *
 * @example
 * ```ts
 * const seenCodec: StateCodec<{ seen: Map<string, number> }> = {
 *   encode: (state) => JSON.stringify([...state.seen]),
 *   decode: (text) => ({ seen: new Map(JSON.parse(text) as [string, number][]) }),
 * };
 * ```
 */
export interface StateCodec<TState> {
  encode(state: TState): string;
  decode(text: string): TState;
}

/** The `snapshot` option of a system. */
export interface SnapshotConfig<TState> {
  readonly frequency: Frequency;
  /** The version of the state's shape; default 1. Validated; not yet stored with the snapshot. */
  readonly version?: number;
  /** Default: the system codec's `encodeState`/`decodeState` (JSON). */
  readonly codec?: StateCodec<TState>;
}

/** Options of a supervised event-sourcing system. Only `store`, `handle`, `apply` and `emptyState` are required. */
export interface EventSourcingConfig<TState, TCommand, TEvent, TDomainError> {
  readonly store: EventStore;
  readonly handle: Handle<TState, TCommand, TEvent, TDomainError>;
  readonly apply: Apply<TState, TEvent>;
  readonly emptyState: TState;
  readonly queries?: readonly Query<TEvent>[];
  /**
   * Omitted: no snapshots. `frequency`: a snapshot when a commit reaches or crosses a multiple of it.
   * `codec`: how the state becomes text and back (default: the system codec's JSON); a snapshot is saved
   * only when `decode(encode(state))` deep-equals the state, otherwise skipped (logged once, counted in
   * `snapshotsSkipped`) and the aggregate is rebuilt by replay. `version`: default 1.
   */
  readonly snapshot?: SnapshotConfig<TState>;
  /** The child id under a supervisor. Default `"eventsourcing"`. */
  readonly id?: string;
  /** Covers queueing, handling and committing of one command. Default 5,000 ms. */
  readonly commandTimeout?: Timeout;
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
  /** Snapshots not saved because the state did not round-trip through the snapshot codec. */
  readonly snapshotsSkipped: number;
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
  readonly metadata?: Metadata;
  readonly timeout?: Timeout;
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
