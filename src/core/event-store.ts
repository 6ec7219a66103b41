/**
 * The storage contract every event store implements (memory, SQLite, PostgreSQL, or your own).
 *
 * Stores only do I/O. They hold events already encoded by the system's codec (text), so the same rows
 * round-trip in every store. Failures of I/O are thrown (rejected promises); the system turns them into
 * `EventStoreError` values. Expected outcomes, such as a concurrency conflict, are returned as values.
 *
 * Every store passes the contract suite exported from `eventsourcing/testing`.
 */
import type { Result } from "./result.js";
import type { Metadata } from "./types.js";

/** One event ready to be written: the codec's output plus the command's metadata. */
export interface EncodedEvent {
  readonly eventType: string;
  /** The codec's text for the event (JSON text with the default codec; PostgreSQL requires JSON text). */
  readonly payload: string;
  readonly metadata: Metadata;
  /** The version of the event's shape it is written at: a positive integer, 1 when omitted. */
  readonly eventVersion?: number;
}

/** An event as the store holds it, placed in its aggregate's stream and in the global log. */
export interface StoredEvent extends EncodedEvent {
  /** The type of the aggregate whose stream holds the event; a stream is (aggregateType, aggregateId). */
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** A UUID (v7) the store assigned when it wrote the event, unique in the store. */
  readonly eventId: string;
  /** The version the event was written at. */
  readonly eventVersion: number;
  /** 1, 2, 3 ... per aggregate, without gaps. */
  readonly sequence: number;
  /** Global order across all aggregates of this store, in commit order. */
  readonly position: bigint;
  /** The sequence of the first event of the commit this event belongs to (one append request). */
  readonly commitStart: number;
  readonly recordedAt: Date;
  /**
   * The `commandId` of the append request that wrote the event (every event of that commit carries it);
   * absent when the request had none.
   */
  readonly commandId?: string;
}

/** Events for one aggregate, stating the last sequence the writer saw (0 for a new aggregate). */
export interface AppendRequest {
  /** The aggregate's type: streams of different types never meet, whatever their ids. */
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly expectedSequence: number;
  /** At least one event. */
  readonly events: readonly EncodedEvent[];
  /**
   * The id of the command that caused these events, for idempotent commands: stored with every event of
   * the request (read back as {@link StoredEvent.commandId}) and found again by
   * {@link EventStore.readCommand}. The store does not refuse a command id already stored on the stream:
   * the system looks it up before it appends, and the expected-sequence check makes a second writer of
   * the same command conflict and find the first one's commit. Omitted: none.
   */
  readonly commandId?: string;
}

/** The store's answer for one {@link AppendRequest}: the stored events, or the sequence it really has. */
export type AppendOutcome = Result<readonly StoredEvent[], AppendConflict>;

/** The aggregate's stream does not end at the expected sequence: nothing of that request was written. */
export interface AppendConflict {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly expectedSequence: number;
  readonly actualSequence: number;
}

/** The latest snapshot of an aggregate, its state encoded by the codec. */
export interface StoredSnapshot {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly sequence: number;
  /** The version of the state's shape (the system's `snapshot.version`): a positive integer. */
  readonly version: number;
  readonly state: string;
  readonly timestamp: Date;
}

/** What {@link EventStore.readAll} may filter on. */
export interface ReadAllOptions {
  /** Only events of these aggregate types (at least one). */
  readonly aggregateTypes?: readonly string[];
}

/**
 * Exclusive right to run a named query, held until released or lost (e.g. its connection died, or its
 * lease ran out). The holder checks `held` before every batch and saves its checkpoint through the lock,
 * so that a runner that lost the lock can neither hand out another batch nor move the checkpoint.
 */
export interface QueryLock {
  /**
   * False once the lock is known to be lost (or, for a lease, could have run out); the holder must then
   * stop processing. Cheap: read before every batch.
   */
  readonly held: boolean;
  /**
   * Records the query's checkpoint only while this lock is still held, checked by the store in the
   * same write (a fencing check: the lease's owner and expiry in the statement, or the write made on
   * the lock-holding session itself). Resolves `false`, writing nothing, when the lock is lost; the
   * holder must then stop. A store may also give the lock up and answer `false` when the write fails
   * in a way that leaves it unsure the lock is still held (the lock's connection died).
   *
   * With `generation` (stores that record resets): written only while the stored
   * {@link QueryCheckpoint.generation} is that number (a name without a row counts as generation 0),
   * in the same atomic write, and it clears a pending reset of that generation. Otherwise it resolves
   * `false` and writes nothing while `held` stays true: a reset was recorded, so a runner of an older
   * generation never overwrites the reset's checkpoint. Without it, the position is written whatever the
   * generation.
   */
  saveCheckpoint(position: bigint, generation?: number): Promise<boolean>;
  release(): Promise<void>;
}

/** One stream's read in {@link EventStore.readAggregates}: its events with `sequence > afterSequence`. */
export interface AggregateRead {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly afterSequence: number;
}

/**
 * A named query's checkpoint with what operators recorded beside it (see
 * {@link EventStore.requestQueryReset} and {@link EventStore.skipQueryEvent}).
 */
export interface QueryCheckpoint {
  /** The last position processed: `0n` after a reset was recorded, until the replay moves it. */
  readonly position: bigint;
  /** How many resets were recorded for the name: 0 before the first. Only ever grows. */
  readonly generation: number;
  /**
   * Whether the reset of this `generation` still waits for the query's `reset()`: true from
   * `requestQueryReset` until a runner saves a checkpoint of this generation (which it does after
   * calling `reset()`, before it replays).
   */
  readonly resetPending: boolean;
  /** Positions an operator asked the query to skip, in ascending order; a reset forgets them. */
  readonly skipped: readonly bigint[];
}

/**
 * An event store. Methods may be called concurrently; a store orders its own writes.
 *
 * @example
 * ```ts
 * import { memoryStore } from "eventsourcing/memory";
 * const store: EventStore = memoryStore();
 * ```
 */
export interface EventStore {
  /**
   * Connects and creates the schema if missing. Idempotent and safe to call concurrently, from several
   * processes too. Rejects with a clear message when the store cannot be reached or opened.
   */
  init(): Promise<void>;

  /**
   * Appends events for one or several aggregates in one transaction. Aggregate ids within one call are
   * distinct. For each request, the events are written only if the aggregate's stream currently ends at
   * `expectedSequence`; otherwise that request alone gets a conflict and the others are still written.
   * Outcomes are in request order. If the call rejects, nothing of it was written.
   *
   * Streams are (aggregateType, aggregateId): a request sees and extends only the stream of its own type.
   * The store gives every event it writes a new UUID v7 (`eventId`, unique in the store) and keeps the
   * `eventVersion` it was given (1 when none).
   */
  append(requests: readonly AppendRequest[]): Promise<readonly AppendOutcome[]>;

  /**
   * The events of the stream (aggregateType, aggregateId) with `sequence > afterSequence`, in sequence
   * order; `[]` for an unknown stream.
   */
  readAggregate(
    aggregateType: string,
    aggregateId: string,
    afterSequence: number,
  ): Promise<readonly StoredEvent[]>;

  /**
   * Optional: every event of the stream (aggregateType, aggregateId) stored with this `commandId`, in
   * sequence order; `[]` when there is none. (The system takes the first commit among them as the
   * command's answer.) Found through an index, not a scan of the stream. Without it, the system reads
   * the whole stream and picks the events carrying the id: correct, slower for long streams.
   */
  readCommand?(
    aggregateType: string,
    aggregateId: string,
    commandId: string,
  ): Promise<readonly StoredEvent[]>;

  /** The last sequence of the stream (aggregateType, aggregateId); 0 for an unknown stream. */
  currentSequence(aggregateType: string, aggregateId: string): Promise<number>;

  /**
   * Up to `limit` events of the global log with `position > afterPosition`, in position order. Never
   * returns an event while an event with a smaller position may still be committed later: a reader that
   * follows positions never skips an event. The events of one commit (one append request) are
   * contiguous in the log and become visible together; a page may end inside a commit, and a reader
   * that wants whole commits reads on from the page's last position (see the named query).
   *
   * With `options.aggregateTypes`, only events of those aggregate types, filtered by the store (an
   * index, not a scan): `limit` counts the events returned. Omitted, every type.
   */
  readAll(afterPosition: bigint, limit: number, options?: ReadAllOptions): Promise<readonly StoredEvent[]>;

  /** The latest snapshot of the stream (aggregateType, aggregateId), of any version, or `null`. */
  loadSnapshot(aggregateType: string, aggregateId: string): Promise<StoredSnapshot | null>;

  /**
   * Keeps the snapshot if it is newer (higher sequence) than the one stored for its stream, or of
   * another version (a snapshot of the current version replaces one of an old version); an older one of
   * the same version is ignored.
   */
  saveSnapshot(snapshot: StoredSnapshot): Promise<void>;

  /** The position a named query has processed up to, or `null` if it has none yet. */
  loadCheckpoint(name: string): Promise<bigint | null>;

  /**
   * Records the position a named query has processed up to, unconditionally. A runner holding a
   * {@link QueryLock} saves through `lock.saveCheckpoint` instead, which refuses a stale runner.
   */
  saveCheckpoint(name: string, position: bigint): Promise<void>;

  /**
   * Optional: a named query's checkpoint with its reset generation and skipped positions, or `null`
   * when the name has none. Stores with it also have {@link EventStore.requestQueryReset} and
   * {@link EventStore.skipQueryEvent}, and their locks honour `saveCheckpoint`'s `generation`.
   */
  loadQueryCheckpoint?(name: string): Promise<QueryCheckpoint | null>;

  /**
   * Optional: records a reset of the named query, atomically: its checkpoint goes back to `0n`, its
   * generation grows by one, the reset is pending and its skipped positions are forgotten (a row is
   * made if the name has none). Resolves once recorded. Whichever process runs the query (or starts it
   * next) sees the pending reset, calls the query's `reset()`, saves a checkpoint of the new generation
   * and replays the log; a runner of the old generation can no longer save its checkpoint.
   */
  requestQueryReset?(name: string): Promise<void>;

  /**
   * Optional: records that the named query skips the event at `position` (a non-negative bigint), kept
   * with its checkpoint so that every process running the query agrees. Idempotent. The runner reads
   * it before every page of the log and while it backs off from a failing batch.
   */
  skipQueryEvent?(name: string, position: bigint): Promise<void>;

  /**
   * Optional: the position of the last event in the global log a reader can reach now, `0n` when it
   * holds none. (On PostgreSQL, an event committed while an older transaction is still open is
   * reachable once that one ends.)
   */
  headPosition?(): Promise<bigint>;

  /**
   * Optional: how many events of the global log a reader can reach after `position`, counting at most
   * `limit` (so the answer is `min(count, limit)`). For stores whose positions are not consecutive
   * numbers; without it, a query's lag is the head position minus its checkpoint.
   */
  countEventsAfter?(position: bigint, limit: number): Promise<number>;

  /** Releases the store's own resources; a pool or database the user passed in is left open. */
  close(): Promise<void>;

  /**
   * Optional: how many `append` calls the store can usefully have in flight at once (default 1). A
   * networked store may take several, so that one batch's round trip overlaps another's; the system
   * still never sends two in-flight requests for the same aggregate from one actor.
   */
  readonly appendConcurrency?: number;

  /**
   * Optional: whether a rejection of `append` may come from one request's data (text the store cannot
   * hold, a key too large, a constraint), so that sending the requests apart may let the others through;
   * `false` when the whole store failed (a lost connection, a lock that timed out). The system then
   * sends a failed batch again in halves only when this is not `false`; without it, always.
   */
  isRequestError?(error: unknown): boolean;

  /**
   * Optional: takes the exclusive right to run the named query across every process using this store,
   * or returns `null` at once if another holder has it. Without it, a named query runs wherever started.
   */
  lockQuery?(name: string): Promise<QueryLock | null>;

  /**
   * Optional: what `readAggregate` gives for each of several streams, in one round trip; answers in
   * request order. A networked store offers it so that many aggregates loaded at once (a burst of
   * commands to aggregates not yet in memory) cost one query, not one each.
   */
  readAggregates?(requests: readonly AggregateRead[]): Promise<readonly (readonly StoredEvent[])[]>;

  /**
   * Optional: what `loadSnapshot` gives for each of several streams, in one round trip; answers in
   * request order.
   */
  loadSnapshots?(
    streams: readonly { readonly aggregateType: string; readonly aggregateId: string }[],
  ): Promise<readonly (StoredSnapshot | null)[]>;

  /**
   * Optional: calls `listener` whenever events may have been appended, by this process or another.
   * A wake-up only; readers poll as well, so a lost notification delays but never loses events.
   * Returns a function that unsubscribes.
   */
  onAppend?(listener: () => void): () => void;
}
