import type { EventStore, StoredSnapshot } from "../core/event-store.js";
import type { ContractContext } from "./contract-context.js";

/**
 * The contract of snapshots (the newer one wins, per aggregate) and of checkpoints (per name, any
 * `bigint` position).
 *
 * @example
 * ```ts
 * describeSnapshotContract(new ContractContext(harness, tools, 25));
 * ```
 */
export function describeSnapshotContract(context: ContractContext): void {
  const { it, expect } = context.tools;

  const snapshot = (
    aggregateId: string,
    sequence: number,
    aggregateType = "default",
    version = 1,
  ): StoredSnapshot => ({
    aggregateType,
    aggregateId,
    sequence,
    version,
    state: JSON.stringify({ aggregateId, balance: sequence * 10 }),
    timestamp: new Date(Date.UTC(2026, 0, 1, 12, 0, sequence)),
  });
  const loaded = async (store: EventStore, id: string, aggregateType = "default") => {
    const found = await store.loadSnapshot(aggregateType, id);
    return found === null
      ? null
      : {
          aggregateType: found.aggregateType,
          aggregateId: found.aggregateId,
          sequence: found.sequence,
          version: found.version,
          state: JSON.parse(found.state),
          timestamp: found.timestamp.getTime(),
        };
  };
  const expected = (aggregateId: string, sequence: number, aggregateType = "default", version = 1) => {
    const { state, timestamp } = snapshot(aggregateId, sequence, aggregateType, version);
    return {
      aggregateType,
      aggregateId,
      sequence,
      version,
      state: JSON.parse(state),
      timestamp: timestamp.getTime(),
    };
  };

  it("loads back a saved snapshot with its sequence, state and timestamp", async () => {
    const store = await context.fresh();
    await store.saveSnapshot(snapshot("a", 3));
    const found = await store.loadSnapshot("default", "a");
    expect(found?.timestamp).toBeInstanceOf(Date);
    expect(await loaded(store, "a")).toEqual(expected("a", 3));
  });

  it("replaces a snapshot with a newer one and ignores an older one", async () => {
    const store = await context.fresh();
    await store.saveSnapshot(snapshot("a", 3));
    await store.saveSnapshot(snapshot("a", 5));
    expect(await loaded(store, "a")).toEqual(expected("a", 5));
    await store.saveSnapshot(snapshot("a", 4));
    expect(await loaded(store, "a")).toEqual(expected("a", 5));
  });

  it("keeps snapshots per aggregate", async () => {
    const store = await context.fresh();
    await store.saveSnapshot(snapshot("a", 7));
    await store.saveSnapshot(snapshot("b", 2));
    expect(await loaded(store, "a")).toEqual(expected("a", 7));
    expect(await loaded(store, "b")).toEqual(expected("b", 2));
    expect(await store.loadSnapshot("default", "c")).toBeNull();
  });

  it("keeps the snapshots of two aggregate types with the same id apart", async () => {
    const store = await context.fresh();
    await store.saveSnapshot(snapshot("a", 7, "cart"));
    await store.saveSnapshot(snapshot("a", 2, "order"));
    expect(await loaded(store, "a", "cart")).toEqual(expected("a", 7, "cart"));
    expect(await loaded(store, "a", "order")).toEqual(expected("a", 2, "order"));
    expect(await store.loadSnapshot("default", "a")).toBeNull();
  });

  it("replaces a snapshot of another version, whatever its sequence, and keeps its version", async () => {
    const store = await context.fresh();
    await store.saveSnapshot(snapshot("a", 9, "default", 1));
    await store.saveSnapshot(snapshot("a", 4, "default", 2));
    expect(await loaded(store, "a")).toEqual(expected("a", 4, "default", 2));
    await store.saveSnapshot(snapshot("a", 3, "default", 2));
    expect(await loaded(store, "a")).toEqual(expected("a", 4, "default", 2));
  });

  it("saves, loads and overwrites checkpoints per name", async () => {
    const store = await context.fresh();
    await store.saveCheckpoint("balances", 10n);
    expect(await store.loadCheckpoint("balances")).toBe(10n);
    expect(await store.loadCheckpoint("statements")).toBeNull();
    await store.saveCheckpoint("statements", 3n);
    await store.saveCheckpoint("balances", 12n);
    expect(await store.loadCheckpoint("balances")).toBe(12n);
    expect(await store.loadCheckpoint("statements")).toBe(3n);
  });

  it("keeps a checkpoint above 2^53 exactly", async () => {
    const store = await context.fresh();
    const large = 2n ** 60n + 1n;
    await store.saveCheckpoint("far", large);
    expect(await store.loadCheckpoint("far")).toBe(large);
  });
}
