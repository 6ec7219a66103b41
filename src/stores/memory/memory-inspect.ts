/**
 * The memory store's inspector (see `src/inspect`), over the store's own collections. Listings sort
 * what they need per call: the memory store is for tests, demos and small systems.
 */
import type { StoredEvent } from "../../core/event-store.js";
import { storeAccess } from "../../core/store-access.js";
import { ImportRefused, type StoreAdmin, type StreamSummary } from "../../inspect/inspector.js";
import {
  checkLimit,
  listStreamsBySeeks,
  mergeByPosition,
  placeOf,
  typesBySeeks,
} from "../../inspect/paging.js";
import { groupTypes, refuseOutOfOrder } from "../sqlite/sqlite-inspect.js";
import type { MemoryAccess } from "./memory-event-store.js";

/** The access of a memory store of this package, or `null` for any other store. */
export function memoryAccessOf(store: object): MemoryAccess | null {
  const access = (store as { [storeAccess]?: () => MemoryAccess })[storeAccess];
  if (typeof access !== "function") return null;
  const found = access.call(store);
  return found.kind === "memory" ? found : null;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The inspector of a memory store. */
export function memoryInspector(access: MemoryAccess): StoreAdmin {
  const sortedIds = (type: string) => [...(access.streams().get(type)?.keys() ?? [])].sort(byText);
  const seeks = {
    nextType: async (after: string | null) =>
      [...access.streams().keys()].sort(byText).find((type) => after === null || type > after) ?? null,
    nextStream: async (type: string, from: string, inclusive: boolean) => {
      const id = sortedIds(type).find((candidate) => (inclusive ? candidate >= from : candidate > from));
      if (id === undefined) return null;
      const stream = access.streams().get(type)?.get(id) ?? [];
      const last = stream[stream.length - 1] as StoredEvent;
      return { aggregateId: id, lastSequence: last.sequence, lastPosition: last.position };
    },
  };
  const logOf = (types?: readonly string[]) => {
    const log = access.log();
    if (types === undefined) return [log];
    const wanted = new Set(types);
    return [log.filter((event) => wanted.has(event.aggregateType))];
  };
  const snapshotsInOrder = () =>
    [...access.snapshots()].sort(
      (a, b) => byText(a.aggregateType, b.aggregateType) || byText(a.aggregateId, b.aggregateId),
    );
  return {
    kind: "memory",
    listStreams: (options): Promise<readonly StreamSummary[]> => listStreamsBySeeks(seeks, options),
    aggregateTypes: () => typesBySeeks(seeks),

    eventTypes: async () => {
      const counts = new Map<string, number>();
      for (const event of access.log()) {
        const key = JSON.stringify([event.eventType, event.eventVersion]);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const rows = [...counts.entries()].map(([key, count]) => {
        const [type, version] = JSON.parse(key) as [string, number];
        return [type, version, count] as const;
      });
      rows.sort((a, b) => byText(a[0], b[0]) || a[1] - b[1]);
      return groupTypes(rows);
    },
    listCheckpoints: async () =>
      [...access.checkpoints().entries()]
        .sort(([a], [b]) => byText(a, b))
        .map(([name, saved]) => ({
          name,
          position: saved.position,
          holder: null,
          generation: saved.generation,
          resetPending: saved.resetPending,
          skipped: saved.skipped,
        })),
    headPosition: async () => BigInt(access.log().length),
    counts: async () => {
      let streams = 0;
      for (const ofType of access.streams().values()) streams += ofType.size;
      return {
        events: access.log().length,
        streams,
        snapshots: [...access.snapshots()].length,
        checkpoints: access.checkpoints().size,
      };
    },
    readStream: async (aggregateType, aggregateId, afterSequence, limit) => {
      checkLimit(limit, "readStream");
      const stream = access.streams().get(aggregateType)?.get(aggregateId) ?? [];
      const start = Math.max(0, Math.floor(afterSequence));
      return stream.slice(start, start + limit);
    },
    readLog: async (afterPosition, limit, types) => {
      checkLimit(limit, "readLog");
      const [log = []] = logOf(types);
      const found: StoredEvent[] = [];
      for (const event of log) {
        if (event.position <= afterPosition) continue;
        found.push(event);
        if (found.length === limit) break;
      }
      return found;
    },
    readLogBefore: async (beforePosition, limit, types) => {
      checkLimit(limit, "readLogBefore");
      const [log = []] = logOf(types);
      const found = log.filter((event) => beforePosition === null || event.position < beforePosition);
      return mergeByPosition([found], limit, true).reverse();
    },
    eventById: async (eventId) => access.log().find((event) => event.eventId === eventId) ?? null,
    listSnapshots: async (after, limit) => {
      checkLimit(limit, "listSnapshots");
      return snapshotsInOrder()
        .filter(
          (s) =>
            after === null ||
            (byText(s.aggregateType, after.aggregateType) || byText(s.aggregateId, after.aggregateId)) > 0,
        )
        .slice(0, limit);
    },
    onAppend: (listener) => access.onAppend(listener),
    importEvents: async (events, { keepPositions }) => {
      const ids = new Map(access.log().map((event) => [event.eventId, event]));
      const ends = new Map<string, number>();
      const write: StoredEvent[] = [];
      let skipped = 0;
      let head = BigInt(access.log().length);
      for (const event of events) {
        const found = ids.get(event.eventId);
        if (found !== undefined) {
          if (
            found.aggregateType === event.aggregateType &&
            found.aggregateId === event.aggregateId &&
            found.sequence === event.sequence
          ) {
            skipped++;
            continue;
          }
          throw new ImportRefused(
            `event ${event.eventId} (${placeOf(event)}) is already stored at ${placeOf(found)}`,
            event,
          );
        }
        const key = JSON.stringify([event.aggregateType, event.aggregateId]);
        refuseOutOfOrder(
          event,
          ends.get(key) ?? access.streams().get(event.aggregateType)?.get(event.aggregateId)?.length ?? 0,
        );
        if (keepPositions && event.position !== head + 1n) {
          throw new ImportRefused(
            `event ${event.eventId} (${placeOf(event)}): the memory store cannot keep position ${event.position} ` +
              `(its next is ${head + 1n})`,
            event,
          );
        }
        head++;
        ends.set(key, event.sequence);
        ids.set(event.eventId, event);
        write.push(event);
      }
      access.insert(write);
      return { written: write.length, skipped };
    },
    putSnapshots: async (snapshots) => {
      for (const snapshot of snapshots) access.putSnapshot(snapshot);
    },
    putCheckpoint: async (name, position, record) => access.putCheckpoint(name, position, record),
    close: async () => undefined,
  };
}
