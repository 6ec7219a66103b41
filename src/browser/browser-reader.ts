/**
 * What the pages read: the store's streams, types, checkpoints and log, through one small interface.
 * {@link logIndexReader} answers it over any `EventStore` by following the global log.
 */
import type { StoredEvent } from "../core/event-store.js";

/** One aggregate type: how many streams and events it has. */
export interface StreamTypeSummary {
  /** The aggregate type. */
  readonly aggregateType: string;
  /** Streams (aggregate ids) of this type. */
  readonly streams: number;
  /** Events in those streams. */
  readonly events: number;
}

/** One stream: its event count and last sequence. */
export interface StreamSummary {
  /** The stream's aggregate type. */
  readonly aggregateType: string;
  /** The stream's aggregate id. */
  readonly aggregateId: string;
  /** Events in the stream. */
  readonly events: number;
  /** The sequence of its last event. */
  readonly lastSequence: number;
}

/** One event type of the catalogue: its count and the versions it was stored at. */
export interface EventTypeSummary {
  /** The type as stored (before upcasting). */
  readonly eventType: string;
  /** Events of this type in the store. */
  readonly count: number;
  /** The versions they were stored at, ascending. */
  readonly versions: readonly number[];
}

/** A stored checkpoint of a named query. */
export interface CheckpointSummary {
  /** The named query's name. */
  readonly name: string;
  /** The last position it processed. */
  readonly position: bigint;
}

/** Which streams to list: keyset paging after (aggregateType, aggregateId), in that order. */
export interface StreamListing {
  /** Only streams of this aggregate type. */
  readonly aggregateType?: string;
  /** Only ids that start with this text. */
  readonly prefix?: string;
  /** Only streams after this one, in (aggregateType, aggregateId) order: the last of the previous page. */
  readonly after?: { readonly aggregateType: string; readonly aggregateId: string };
  /** At most this many streams. */
  readonly limit: number;
}

/**
 * The reads the pages make. The default, {@link logIndexReader}, answers over any `EventStore`; a
 * reader over the store's own tables (indexes, counts) can be passed as `eventBrowser`'s `reader`.
 */
export interface BrowserReader {
  /** Every aggregate type with its counts, sorted by type. */
  streamTypes(): Promise<readonly StreamTypeSummary[]>;
  /** Streams matching `listing`, sorted by (aggregateType, aggregateId). */
  streams(listing: StreamListing): Promise<readonly StreamSummary[]>;
  /** The event-type catalogue, sorted by type. */
  eventTypes(): Promise<readonly EventTypeSummary[]>;
  /** Stored checkpoints, or `null` when the store cannot list them. */
  checkpoints(): Promise<readonly CheckpointSummary[] | null>;
  /** The position of the last event, 0n for an empty store. */
  headPosition(): Promise<bigint>;
  /** Up to `limit` events of one stream after `afterSequence`, oldest first. */
  readStream(
    aggregateType: string,
    aggregateId: string,
    afterSequence: number,
    limit: number,
  ): Promise<readonly StoredEvent[]>;
  /** Up to `limit` events of the log after `afterPosition`, in position order. */
  readLog(afterPosition: bigint, limit: number): Promise<readonly StoredEvent[]>;
  /** The last `limit` events of the log, in position order. */
  lastEvents(limit: number): Promise<readonly StoredEvent[]>;
  /** Calls `listener` when events may have been appended; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void;
  /** Releases what the reader holds (not the store). */
  close(): Promise<void>;
}
