/**
 * The read API over a store that the command line and the event browser share, and the administrative
 * writes the command line needs (import, migrate). Implemented for the memory, SQLite and PostgreSQL
 * stores; every listing is paged by a key (keyset pagination), never by an offset.
 */
import type { StoredEvent, StoredSnapshot } from "../core/event-store.js";

/** One stream: `(aggregateType, aggregateId)`, with its size and where its last event is. */
export interface StreamSummary {
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** Events in the stream (sequences run 1..n without gaps, so this is also the last sequence). */
  readonly eventCount: number;
  readonly lastSequence: number;
  /** The global position of the stream's last event. */
  readonly lastPosition: bigint;
}

/** Where a stream listing starts: strictly after this stream, in `(aggregateType, aggregateId)` order. */
export interface StreamCursor {
  readonly aggregateType: string;
  readonly aggregateId: string;
}

/** What {@link StoreInspector.listStreams} may filter on, and its page. */
export interface ListStreamsOptions {
  /** Only streams of this aggregate type. */
  readonly aggregateType?: string;
  /** Only aggregate ids that start with this text (compared as bytes/code points). */
  readonly idPrefix?: string;
  /** Start after this stream (the last one of the previous page). */
  readonly after?: StreamCursor;
  /** At most this many streams (a positive integer). */
  readonly limit: number;
}

/** One event type as stored: how many events carry it, and at which stored versions. */
export interface EventTypeSummary {
  readonly eventType: string;
  readonly count: number;
  /** The distinct stored versions, ascending. */
  readonly versions: readonly number[];
}

/** A named query's checkpoint, and who holds the query's lock when the store can tell. */
export interface CheckpointSummary {
  readonly name: string;
  /** The position it has processed up to; `null` when only a lock/lease row names it. */
  readonly position: bigint | null;
  /** The holder of the query's lock, described (a lease owner and expiry, a server process), or `null`. */
  readonly holder: string | null;
  /**
   * How many resets were recorded for the name (see `EventStore.requestQueryReset`); absent when the
   * store does not record resets, or only a lock/lease row names the query.
   */
  readonly generation?: number;
  /** Whether a recorded reset still waits for the query's `reset()`; absent as {@link generation}. */
  readonly resetPending?: boolean;
  /** Positions an operator asked the query to skip, ascending; absent as {@link generation}. */
  readonly skipped?: readonly bigint[];
}

/** What a query's checkpoint records beside its position (see `QueryCheckpoint`), for a copy. */
export interface CheckpointRecord {
  /** Resets recorded for the name: a non-negative integer. */
  readonly generation: number;
  /** Whether the reset of this generation still waits for the query's `reset()`. */
  readonly resetPending: boolean;
  /** Positions to skip (any order; duplicates are dropped). */
  readonly skipped: readonly bigint[];
}

/** Totals of a store. Exact: each is counted, so on a large store this reads every row once. */
export interface StoreCounts {
  readonly events: number;
  readonly streams: number;
  readonly snapshots: number;
  readonly checkpoints: number;
}

/** Where a snapshot listing starts: strictly after this stream. */
export type SnapshotCursor = StreamCursor;

/**
 * A read API over one store. Pages are keyset-paged and use the store's indexes: a page costs the
 * same on a store of ten events or of ten million. Only {@link counts} and {@link eventTypes} read
 * every row.
 */
export interface StoreInspector {
  /** `"memory"`, `"sqlite"` or `"postgres"`. */
  readonly kind: "memory" | "sqlite" | "postgres";
  /** Streams in `(aggregateType, aggregateId)` order (byte order of the ids), filtered and paged. */
  listStreams(options: ListStreamsOptions): Promise<readonly StreamSummary[]>;
  /** Every aggregate type that has a stream, in order: one index seek per type. */
  aggregateTypes(): Promise<readonly string[]>;
  /** Every stored event type with its count and versions, by type name. Reads every event. */
  eventTypes(): Promise<readonly EventTypeSummary[]>;
  /** Every named query that has a checkpoint (or a lock row), by name. */
  listCheckpoints(): Promise<readonly CheckpointSummary[]>;
  /** The highest position stored, `0n` for an empty store. Cheap (the primary key's end). */
  headPosition(): Promise<bigint>;
  /**
   * The store's `countEventsAfter`, where its positions are not consecutive numbers (PostgreSQL): the
   * events of the log after `position`, counting at most `limit`.
   */
  countEventsAfter?(position: bigint, limit: number): Promise<number>;
  /** Exact totals (reads every row: use {@link headPosition} where an estimate will do). */
  counts(): Promise<StoreCounts>;
  /** Up to `limit` events of one stream with `sequence > afterSequence`, oldest first. */
  readStream(
    aggregateType: string,
    aggregateId: string,
    afterSequence: number,
    limit: number,
  ): Promise<readonly StoredEvent[]>;
  /**
   * Up to `limit` events of the global log with `position > afterPosition`, in position order, only
   * of the given aggregate types when `types` is given.
   */
  readLog(afterPosition: bigint, limit: number, types?: readonly string[]): Promise<readonly StoredEvent[]>;
  /**
   * The last `limit` events with `position < beforePosition` (`null`: the end of the log), returned
   * oldest first; for "the latest events" and paging backwards.
   */
  readLogBefore(
    beforePosition: bigint | null,
    limit: number,
    types?: readonly string[],
  ): Promise<readonly StoredEvent[]>;
  /** The event with this id, or `null`. */
  eventById(eventId: string): Promise<StoredEvent | null>;
  /** Up to `limit` snapshots after `after` in `(aggregateType, aggregateId)` order. */
  listSnapshots(after: SnapshotCursor | null, limit: number): Promise<readonly StoredSnapshot[]>;
  /**
   * Calls `listener` whenever events may have been appended (by any process): the store's own
   * wake-ups, or polling where the store has none. A hint only: read again to see what is new.
   * Returns a function that unsubscribes.
   */
  onAppend(listener: () => void): () => void;
}

/**
 * One event as a store holds it, for reading a whole log back cheaply (a migration's verification):
 * position, aggregate type and id, sequence, commit start, event id, event type and version, the
 * payload and metadata as their stored JSON text, the recorded time in milliseconds since the epoch,
 * and the command id (`null` for none).
 */
export type StoredEventRow = readonly [
  position: number | bigint,
  aggregateType: string,
  aggregateId: string,
  sequence: number,
  commitStart: number,
  eventId: string,
  eventType: string,
  eventVersion: number,
  payload: string,
  metadata: string,
  recordedAtMs: number,
  commandId: string | null,
];

/** An event to write as it was stored elsewhere: every field kept, the position too when asked. */
export type ImportedEvent = StoredEvent;

/** What one {@link StoreAdmin.importEvents} call did. */
export interface ImportOutcome {
  /** Events written. */
  readonly written: number;
  /** Events already there (same id, same stream and sequence), left as they were. */
  readonly skipped: number;
}

/**
 * Why an import stopped: an event that would overwrite or reorder a stream, or an id stored elsewhere.
 * Nothing of the batch that held it was written; earlier batches stay.
 */
export class ImportRefused extends Error {
  override readonly name = "ImportRefused";
  /** The refused event. */
  readonly event: ImportedEvent;
  constructor(message: string, event: ImportedEvent) {
    super(message);
    this.event = event;
  }
}

/** The writes the command line needs on top of the reads: importing events, snapshots, checkpoints. */
export interface StoreAdmin extends StoreInspector {
  /**
   * Writes `events` (whole commits, in log order) in one transaction, keeping every field: event id,
   * type, version, payload text, metadata, recorded time, sequence and commit start. Each event is
   * written only where its stream ends just before its sequence; an event whose id is already stored
   * at the same stream and sequence is skipped (so a second run writes nothing); anything else throws
   * {@link ImportRefused} and writes nothing of this call. With `keepPositions`, the events keep their
   * positions (which must lie past the store's head; the memory store cannot keep gaps and refuses);
   * otherwise they get the store's next positions, in the same order.
   */
  importEvents(events: readonly ImportedEvent[], options: { keepPositions: boolean }): Promise<ImportOutcome>;
  /** Writes snapshots as given, replacing what the store holds for their streams. */
  putSnapshots(snapshots: readonly StoredSnapshot[]): Promise<void>;
  /**
   * Writes a named query's checkpoint as given. With `record`, its generation, pending reset and skipped
   * positions are written too (as a migration copies them); without, those of a checkpoint already
   * stored under the name are kept (a new one starts at generation 0, no reset pending, nothing skipped).
   */
  putCheckpoint(name: string, position: bigint, record?: CheckpointRecord): Promise<void>;
  /**
   * Up to `limit` events with `position > afterPosition`, in position order, as stored rows: no event
   * objects, no metadata parsed, for reading a whole log back (a migration's verification). Where a
   * store does not offer it, {@link StoreInspector.readLog} does the same work.
   */
  readLogRows?(afterPosition: bigint, limit: number): Promise<readonly StoredEventRow[]>;
  /** Releases what the inspector opened itself (never the store it was made from). */
  close(): Promise<void>;
}
