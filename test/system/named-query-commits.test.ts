/**
 * Guarantee 11, whole commits: a named query's batch is always one whole commit of one aggregate,
 * whatever the page size, and its checkpoint is only ever a commit's last position.
 */
import { expect, it } from "vitest";
import type { EncodedEvent, EventStore, QueryLock, StoredEvent } from "../../src/core/event-store.js";
import { forEachStore } from "../support/stores.js";
import { recorder, until, useSystems } from "../support/system.js";

const deposits = (count: number): EncodedEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    eventType: "CustomerDepositedCash",
    payload: JSON.stringify({ type: "CustomerDepositedCash", amount: 1, balance: i + 1 }),
    metadata: {},
  }));

/** Appends one commit of `size` events to `aggregateId`, after the stream's current end. */
async function commit(store: EventStore, aggregateId: string, size: number): Promise<void> {
  const expectedSequence = await store.currentSequence("default", aggregateId);
  const [outcome] = await store.append([
    { aggregateType: "default", aggregateId, expectedSequence, events: deposits(size) },
  ]);
  if (!outcome?.ok) throw new Error(`appending ${size} events to ${aggregateId} conflicted`);
}

/** `store`, with every checkpoint its query locks (or it) save recorded in `saved`. */
function recordingCheckpoints(store: EventStore, saved: bigint[]): EventStore {
  const overrides: Partial<EventStore> = {
    saveCheckpoint: async (name, position) => {
      saved.push(position);
      await store.saveCheckpoint(name, position);
    },
  };
  if (store.lockQuery) {
    const lockQuery = store.lockQuery.bind(store);
    overrides.lockQuery = async (name) => {
      const lock = await lockQuery(name);
      if (!lock) return null;
      const recorded: QueryLock = {
        get held() {
          return lock.held;
        },
        saveCheckpoint: async (position) => {
          saved.push(position);
          return lock.saveCheckpoint(position);
        },
        release: () => lock.release(),
      };
      return recorded;
    };
  }
  return new Proxy(store, {
    get(target, property) {
      if (property in overrides) return overrides[property as keyof EventStore];
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The position of the last event of the store's log. */
async function lastPosition(store: EventStore): Promise<bigint | undefined> {
  return (await store.readAll(0n, 10_000)).at(-1)?.position;
}

forEachStore("a named query's batches", (kind) => {
  const systems = useSystems(kind);

  it("are one batch of 3 for a 3-event commit with a page size of 2", async () => {
    const created = await systems.store();
    await commit(created.store, "acc", 3);
    const seen = recorder();
    await systems.bank({
      store: created.store,
      queries: [{ name: "ledger", handle: seen.query }],
      namedQueries: { pageSize: 2, pollMs: 10 },
    });
    await seen.waitFor(1);
    const last = await lastPosition(created.store);
    await until(async () => (await created.store.loadCheckpoint("ledger")) === last);
    expect(seen.calls.map((call) => call.events.map((event) => event.sequence))).toEqual([[1, 2, 3]]);
  });

  it("are 300 and 300 for two 300-event commits written before it starts, with the default page", async () => {
    const created = await systems.store();
    await commit(created.store, "a", 300);
    await commit(created.store, "b", 300);
    const seen = recorder();
    await systems.bank({ store: created.store, queries: [{ name: "ledger", handle: seen.query }] });
    await seen.waitFor(2);
    expect(seen.calls.map((call) => [call.aggregateId, call.events.length])).toEqual([
      ["a", 300],
      ["b", 300],
    ]);
  });

  it("are exactly the commits, with every checkpoint at a commit's last position, for any page size", async () => {
    const created = await systems.store();
    const sizes = [3, 1, 4, 1, 5, 9, 2, 6, 2, 2];
    for (const [i, size] of sizes.entries()) await commit(created.store, i % 3 === 0 ? "x" : `y${i}`, size);
    // Positions are the store's (not always consecutive numbers): each commit's last one, from the log.
    const log = await created.store.readAll(0n, 1_000);
    const commitEnds = new Set<bigint>();
    let offset = 0;
    for (const size of sizes) {
      offset += size;
      commitEnds.add((log[offset - 1] as StoredEvent).position);
    }
    const end = (log.at(-1) as StoredEvent).position;
    for (const pageSize of [1, 2, 3, 7]) {
      const saved: bigint[] = [];
      const seen = recorder();
      const name = `ledger-${pageSize}`;
      const system = systems.track(
        await systems.bank({
          store: recordingCheckpoints(created.store, saved),
          queries: [{ name, handle: seen.query }],
          namedQueries: { pageSize, pollMs: 10 },
        }),
      );
      await seen.waitFor(sizes.length);
      await until(async () => (await created.store.loadCheckpoint(name)) === end);
      await system.stop();
      expect(seen.calls.map((call) => call.events.length)).toEqual(sizes);
      for (const call of seen.calls) {
        const commitStart = call.events[0]?.sequence ?? 0;
        expect(call.events.map((event) => event.sequence)).toEqual(
          call.events.map((_, i) => commitStart + i),
        );
      }
      expect(saved.length).toBeGreaterThan(0);
      expect(saved.filter((position) => !commitEnds.has(position))).toEqual([]);
    }
  });

  it("resume after a restart with the commit after the checkpoint, whole", async () => {
    const created = await systems.store();
    await commit(created.store, "a", 5);
    await commit(created.store, "b", 5);
    const first = recorder();
    const reader = await systems.bank({
      store: created.store,
      queries: [{ name: "ledger", handle: first.query }],
      namedQueries: { pageSize: 3, pollMs: 10 },
    });
    await first.waitFor(2);
    const last = await lastPosition(created.store);
    await until(async () => (await created.store.loadCheckpoint("ledger")) === last);
    await reader.stop();
    await commit(created.store, "a", 4);
    const second = recorder();
    await systems.bank({
      store: created.store,
      queries: [{ name: "ledger", handle: second.query }],
      namedQueries: { pageSize: 3, pollMs: 10 },
    });
    await second.waitFor(1);
    expect(second.calls.map((call) => [call.aggregateId, call.events.map((e) => e.sequence)])).toEqual([
      ["a", [6, 7, 8, 9]],
    ]);
  });
});
