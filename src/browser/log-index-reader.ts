/**
 * A {@link BrowserReader} over any `EventStore`: it follows the global log with `readAll` and keeps
 * counts per type, stream and event type in memory, catching up before each answer. The first answer
 * on a large store reads the whole log once; later ones read only what was appended since.
 */
import type { EventStore, StoredEvent } from "../core/event-store.js";
import type {
  BrowserReader,
  EventTypeSummary,
  StreamListing,
  StreamSummary,
  StreamTypeSummary,
} from "./browser-reader.js";

const PAGE = 5_000;
const TAIL = 500;

interface StreamCount {
  events: number;
  lastSequence: number;
}

/** Counts built from the log, and the last events seen. */
class LogIndex {
  position = 0n;
  readonly types = new Map<string, Map<string, StreamCount>>();
  readonly eventTypes = new Map<string, { count: number; versions: Set<number> }>();
  readonly tail: StoredEvent[] = [];

  add(event: StoredEvent): void {
    let streams = this.types.get(event.aggregateType);
    if (streams === undefined) {
      streams = new Map();
      this.types.set(event.aggregateType, streams);
    }
    const stream = streams.get(event.aggregateId);
    if (stream === undefined) streams.set(event.aggregateId, { events: 1, lastSequence: event.sequence });
    else {
      stream.events++;
      stream.lastSequence = Math.max(stream.lastSequence, event.sequence);
    }
    let type = this.eventTypes.get(event.eventType);
    if (type === undefined) {
      type = { count: 0, versions: new Set() };
      this.eventTypes.set(event.eventType, type);
    }
    type.count++;
    type.versions.add(event.eventVersion);
    this.tail.push(event);
    if (this.tail.length > TAIL * 2) this.tail.splice(0, this.tail.length - TAIL);
    this.position = event.position;
  }
}

/**
 * A reader that follows `store`'s log. Checkpoints cannot be listed through the `EventStore`
 * interface, so {@link BrowserReader.checkpoints} answers `null`.
 */
export function logIndexReader(store: EventStore): BrowserReader {
  const index = new LogIndex();
  let catchingUp: Promise<void> | null = null;

  async function catchUp(): Promise<LogIndex> {
    // One reader at a time: concurrent requests share the same catch-up.
    catchingUp ??= (async () => {
      try {
        for (;;) {
          const page = await store.readAll(index.position, PAGE);
          for (const event of page) index.add(event);
          if (page.length < PAGE) return;
        }
      } finally {
        catchingUp = null;
      }
    })();
    await catchingUp;
    return index;
  }

  return {
    async streamTypes(): Promise<readonly StreamTypeSummary[]> {
      const { types } = await catchUp();
      return [...types]
        .map(([aggregateType, streams]) => {
          let events = 0;
          for (const stream of streams.values()) events += stream.events;
          return { aggregateType, streams: streams.size, events };
        })
        .sort((a, b) => compare(a.aggregateType, b.aggregateType));
    },

    async streams(listing: StreamListing): Promise<readonly StreamSummary[]> {
      const { types } = await catchUp();
      const found: StreamSummary[] = [];
      const typeNames = [...types.keys()].sort(compare);
      for (const aggregateType of typeNames) {
        if (listing.aggregateType !== undefined && aggregateType !== listing.aggregateType) continue;
        if (listing.after !== undefined && aggregateType < listing.after.aggregateType) continue;
        const streams = types.get(aggregateType) ?? new Map<string, StreamCount>();
        for (const [aggregateId, count] of streams) {
          if (listing.prefix !== undefined && !aggregateId.startsWith(listing.prefix)) continue;
          if (
            listing.after !== undefined &&
            aggregateType === listing.after.aggregateType &&
            aggregateId <= listing.after.aggregateId
          )
            continue;
          found.push({ aggregateType, aggregateId, events: count.events, lastSequence: count.lastSequence });
        }
      }
      found.sort(
        (a, b) => compare(a.aggregateType, b.aggregateType) || compare(a.aggregateId, b.aggregateId),
      );
      return found.slice(0, listing.limit);
    },

    async eventTypes(): Promise<readonly EventTypeSummary[]> {
      const { eventTypes } = await catchUp();
      return [...eventTypes]
        .map(([eventType, { count, versions }]) => ({
          eventType,
          count,
          versions: [...versions].sort((a, b) => a - b),
        }))
        .sort((a, b) => compare(a.eventType, b.eventType));
    },

    async checkpoints() {
      return null;
    },

    async headPosition(): Promise<bigint> {
      return (await catchUp()).position;
    },

    async readStream(aggregateType, aggregateId, afterSequence, limit) {
      const events = await store.readAggregate(aggregateType, aggregateId, afterSequence);
      return events.slice(0, limit);
    },

    readLog(afterPosition, limit) {
      return store.readAll(afterPosition, limit);
    },

    async lastEvents(limit: number): Promise<readonly StoredEvent[]> {
      const { tail } = await catchUp();
      return tail.slice(Math.max(0, tail.length - limit));
    },

    onAppend(listener: () => void): () => void {
      return store.onAppend?.(listener) ?? (() => undefined);
    },

    async close(): Promise<void> {
      await catchingUp;
    },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
