/**
 * What the pages read: the store's streams, types, checkpoints and log, through one small interface.
 * {@link logIndexReader} answers it over any `EventStore` by following the global log.
 */
import type { StoredEvent } from "../core/event-store.js";

/** One aggregate type: how many streams and events it has. */
export interface StreamTypeSummary {
  readonly aggregateType: string;
  readonly streams: number;
  readonly events: number;
}

/** One stream: its event count and last sequence. */
export interface StreamSummary {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly events: number;
  readonly lastSequence: number;
}

/** One event type of the catalogue: its count and the versions it was stored at. */
export interface EventTypeSummary {
  readonly eventType: string;
  readonly count: number;
  readonly versions: readonly number[];
}

/** A stored checkpoint of a named query. */
export interface CheckpointSummary {
  readonly name: string;
  readonly position: bigint;
}

/** Which streams to list: keyset paging after (aggregateType, aggregateId), in that order. */
export interface StreamListing {
  readonly aggregateType?: string;
  readonly prefix?: string;
  readonly after?: { readonly aggregateType: string; readonly aggregateId: string };
  readonly limit: number;
}

/** The reads the pages make. */
export interface BrowserReader {
  streamTypes(): Promise<readonly StreamTypeSummary[]>;
  streams(listing: StreamListing): Promise<readonly StreamSummary[]>;
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
