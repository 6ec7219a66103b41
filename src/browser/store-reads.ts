/**
 * The reads the browser makes of a store, with their optional fast paths. The store inspector of this
 * package has every one of them (indexed listings, checkpoints, the head); any other `EventStore` is
 * read through {@link eventStoreReads}, which has the three required ones.
 */
import type { EventStore, StoredEvent } from "../core/event-store.js";

/** One stream as listed by an indexed store. */
export interface ListedStream {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly eventCount: number;
  readonly lastSequence: number;
}

/** A named query's stored checkpoint and, when the store can tell, who holds its lock. */
export interface ListedCheckpoint {
  readonly name: string;
  readonly position: bigint | null;
  readonly holder: string | null;
}

/** What the browser reads; the optional methods are fast paths taken when present. */
export interface StoreReads {
  /** Up to `limit` events of the log after `afterPosition`, in position order. */
  readLog(afterPosition: bigint, limit: number): Promise<readonly StoredEvent[]>;
  /** Up to `limit` events of one stream after `afterSequence`, oldest first. */
  readStream(
    aggregateType: string,
    aggregateId: string,
    afterSequence: number,
    limit: number,
  ): Promise<readonly StoredEvent[]>;
  /** Wake-ups when events may have been appended; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void;
  /** Streams in (aggregateType, aggregateId) order, filtered and keyset-paged by the store's index. */
  listStreams?(options: {
    readonly aggregateType?: string;
    readonly idPrefix?: string;
    readonly after?: { readonly aggregateType: string; readonly aggregateId: string };
    readonly limit: number;
  }): Promise<readonly ListedStream[]>;
  /** The position of the last event, cheaply (an index's end). */
  headPosition?(): Promise<bigint>;
  /**
   * Events of the log after `position`, counting at most `limit`: for stores whose positions are not
   * consecutive numbers (PostgreSQL), where the head minus a position says nothing of how many remain.
   */
  countEventsAfter?(position: bigint, limit: number): Promise<number>;
  /** Every named query with a checkpoint. */
  listCheckpoints?(): Promise<readonly ListedCheckpoint[]>;
  /** The last `limit` events before `beforePosition` (`null`: the end), oldest first. */
  readLogBefore?(beforePosition: bigint | null, limit: number): Promise<readonly StoredEvent[]>;
  /** The event with this id, or `null`. */
  eventById?(eventId: string): Promise<StoredEvent | null>;
}

/** The required reads over any `EventStore`. */
export function eventStoreReads(store: EventStore): StoreReads {
  return {
    readLog: (afterPosition, limit) => store.readAll(afterPosition, limit),
    async readStream(aggregateType, aggregateId, afterSequence, limit) {
      return (await store.readAggregate(aggregateType, aggregateId, afterSequence)).slice(0, limit);
    },
    onAppend: (listener) => store.onAppend?.(listener) ?? (() => undefined),
    ...(store.countEventsAfter === undefined ? {} : { countEventsAfter: store.countEventsAfter.bind(store) }),
  };
}
