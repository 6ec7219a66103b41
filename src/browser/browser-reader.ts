/**
 * What the pages read, in one interface, and its implementation over {@link StoreReads}: it follows
 * the global log in the background and keeps the few counts no index gives (per aggregate type, per
 * event type); stream listings, stream pages and the latest events come from the store's indexes when
 * it has them, else from the same index kept in memory.
 */
import type { StoredEvent } from "../core/event-store.js";
import { eventsBehind } from "../core/log-lag.js";
import type { ListedCheckpoint, ListedStream, StoreReads } from "./store-reads.js";

/** One aggregate type: how many streams and events it has. */
export interface StreamTypeSummary {
  readonly aggregateType: string;
  readonly streams: number;
  readonly events: number;
}

/** One event type of the catalogue. */
export interface EventTypeSummary {
  readonly eventType: string;
  readonly count: number;
  readonly versions: readonly number[];
}

/** Which streams to list. */
export interface StreamListing {
  readonly aggregateType?: string;
  readonly prefix?: string;
  readonly after?: { readonly aggregateType: string; readonly aggregateId: string };
  readonly limit: number;
}

/**
 * Counts kept by following the log, and how far they go: `complete` when they cover the whole log,
 * else they cover the log up to `counted` of `head` (a large store's first count is under way).
 */
export interface Counted<T> {
  readonly items: readonly T[];
  readonly complete: boolean;
  readonly counted: bigint;
  readonly head: bigint;
}

/** The reads of the pages. */
export interface BrowserReader {
  streamTypes(): Promise<Counted<StreamTypeSummary>>;
  streams(listing: StreamListing): Promise<readonly ListedStream[]>;
  eventTypes(): Promise<Counted<EventTypeSummary>>;
  /** Stored checkpoints, or `null` when the store cannot list them. */
  checkpoints(): Promise<readonly ListedCheckpoint[] | null>;
  headPosition(): Promise<bigint>;
  readStream(
    aggregateType: string,
    aggregateId: string,
    afterSequence: number,
    limit: number,
  ): Promise<readonly StoredEvent[]>;
  readLog(afterPosition: bigint, limit: number): Promise<readonly StoredEvent[]>;
  /** The last `limit` events of the log, in position order. */
  lastEvents(limit: number): Promise<readonly StoredEvent[]>;
  /** Up to `limit` events before `position`, oldest first; `undefined` when the store cannot read back. */
  eventsBefore(position: bigint, limit: number): Promise<readonly StoredEvent[] | undefined>;
  /** The event with this id when the store can find it by id, else `undefined`. */
  eventById(eventId: string): Promise<StoredEvent | null | undefined>;
  onAppend(listener: () => void): () => void;
  /** Stops following the log. */
  close(): Promise<void>;
}

/** Events read per step of the count; the server answers other requests between steps. */
const PAGE = 2_000;
/**
 * A page waits for the count to finish when at most this many events remain to read (a second or
 * so); beyond that (a large store just opened) it shows the counts so far and says how far they go.
 */
const WAIT_FOR_COUNT = 50_000;
const TAIL = 500;

interface Counts {
  streams: number;
  events: number;
}

/** Counts built from the log. */
class LogIndex {
  position = 0n;
  readonly types = new Map<string, Counts>();
  readonly eventTypes = new Map<string, { count: number; versions: Set<number> }>();
  /** Per stream, kept only when the store cannot list streams itself. */
  readonly streams: Map<string, Map<string, { eventCount: number; lastSequence: number }>> | null;
  /** The latest events, kept only when the store cannot read the log backwards. */
  readonly tail: StoredEvent[] | null;

  constructor(keepStreams: boolean, keepTail: boolean) {
    this.streams = keepStreams ? new Map() : null;
    this.tail = keepTail ? [] : null;
  }

  add(event: StoredEvent): void {
    let type = this.types.get(event.aggregateType);
    if (type === undefined) {
      type = { streams: 0, events: 0 };
      this.types.set(event.aggregateType, type);
    }
    type.events++;
    if (event.sequence === 1) type.streams++;
    let eventType = this.eventTypes.get(event.eventType);
    if (eventType === undefined) {
      eventType = { count: 0, versions: new Set() };
      this.eventTypes.set(event.eventType, eventType);
    }
    eventType.count++;
    eventType.versions.add(event.eventVersion);
    if (this.streams !== null) {
      let ids = this.streams.get(event.aggregateType);
      if (ids === undefined) {
        ids = new Map();
        this.streams.set(event.aggregateType, ids);
      }
      const stream = ids.get(event.aggregateId);
      if (stream === undefined) ids.set(event.aggregateId, { eventCount: 1, lastSequence: event.sequence });
      else {
        stream.eventCount++;
        stream.lastSequence = Math.max(stream.lastSequence, event.sequence);
      }
    }
    if (this.tail !== null) {
      this.tail.push(event);
      if (this.tail.length > TAIL * 2) this.tail.splice(0, this.tail.length - TAIL);
    }
    this.position = event.position;
  }
}

/**
 * A reader over `reads` that starts following the log at once, so the counts are ready by the time
 * a page asks (a page asked earlier waits for them).
 */
export function browserReader(reads: StoreReads): BrowserReader {
  const index = new LogIndex(reads.listStreams === undefined, reads.readLogBefore === undefined);
  let catchingUp: Promise<void> | null = null;
  let closed = false;

  function catchUp(): Promise<void> {
    // One catch-up at a time: concurrent requests share it.
    catchingUp ??= (async () => {
      try {
        while (!closed) {
          const page = await reads.readLog(index.position, PAGE);
          for (const event of page) index.add(event);
          if (page.length < PAGE) return;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } finally {
        catchingUp = null;
      }
    })();
    return catchingUp;
  }
  // Followed in the background: the first page then finds the counts ready or nearly so.
  const unsubscribe = reads.onAppend(() => {
    catchUp().catch(() => undefined);
  });
  catchUp().catch(() => undefined);

  /** Catches up when little remains; else lets the count go on in the background. */
  async function settle(): Promise<{ complete: boolean; counted: bigint; head: bigint }> {
    if (reads.headPosition !== undefined) {
      const head = await reads.headPosition();
      if ((await eventsBehind(reads, head, index.position, WAIT_FOR_COUNT + 1)) > WAIT_FOR_COUNT) {
        catchUp().catch(() => undefined);
        return { complete: false, counted: index.position, head };
      }
    }
    await catchUp();
    return { complete: true, counted: index.position, head: index.position };
  }

  return {
    async streamTypes() {
      const progress = await settle();
      const items = [...index.types]
        .map(([aggregateType, counts]) => ({ aggregateType, ...counts }))
        .sort((a, b) => compare(a.aggregateType, b.aggregateType));
      return { items, ...progress };
    },

    async streams(listing) {
      if (reads.listStreams !== undefined)
        return reads.listStreams({
          aggregateType: listing.aggregateType,
          idPrefix: listing.prefix,
          after: listing.after,
          limit: listing.limit,
        });
      await catchUp();
      const found: ListedStream[] = [];
      for (const [aggregateType, ids] of index.streams ?? []) {
        if (listing.aggregateType !== undefined && aggregateType !== listing.aggregateType) continue;
        if (listing.after !== undefined && aggregateType < listing.after.aggregateType) continue;
        for (const [aggregateId, counts] of ids) {
          if (listing.prefix !== undefined && !aggregateId.startsWith(listing.prefix)) continue;
          if (
            listing.after !== undefined &&
            aggregateType === listing.after.aggregateType &&
            aggregateId <= listing.after.aggregateId
          )
            continue;
          found.push({ aggregateType, aggregateId, ...counts });
        }
      }
      found.sort(
        (a, b) => compare(a.aggregateType, b.aggregateType) || compare(a.aggregateId, b.aggregateId),
      );
      return found.slice(0, listing.limit);
    },

    async eventTypes() {
      const progress = await settle();
      const items = [...index.eventTypes]
        .map(([eventType, { count, versions }]) => ({
          eventType,
          count,
          versions: [...versions].sort((a, b) => a - b),
        }))
        .sort((a, b) => compare(a.eventType, b.eventType));
      return { items, ...progress };
    },

    async checkpoints() {
      return reads.listCheckpoints === undefined ? null : reads.listCheckpoints();
    },

    async headPosition() {
      if (reads.headPosition !== undefined) return reads.headPosition();
      await catchUp();
      return index.position;
    },

    readStream: (aggregateType, aggregateId, afterSequence, limit) =>
      reads.readStream(aggregateType, aggregateId, afterSequence, limit),

    readLog: (afterPosition, limit) => reads.readLog(afterPosition, limit),

    async lastEvents(limit) {
      if (reads.readLogBefore !== undefined) return reads.readLogBefore(null, limit);
      await catchUp();
      const tail = index.tail ?? [];
      return tail.slice(Math.max(0, tail.length - limit));
    },

    async eventsBefore(position, limit) {
      return reads.readLogBefore === undefined ? undefined : reads.readLogBefore(position, limit);
    },

    async eventById(eventId) {
      return reads.eventById === undefined ? undefined : reads.eventById(eventId);
    },

    onAppend: (listener) => reads.onAppend(listener),

    async close() {
      closed = true;
      unsubscribe();
      await catchingUp?.catch(() => undefined);
    },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
