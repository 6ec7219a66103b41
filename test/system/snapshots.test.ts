/** Guarantee 7: snapshots at every multiple crossed, after the commit, never failing the command. */
import fc from "fast-check";
import { expect, it } from "vitest";
import { frequency, ok, start } from "../../src/index.js";
import { faultyStore } from "../support/faulty-store.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, until, useSystems } from "../support/system.js";

const every = (n: number) => {
  const made = frequency(n);
  if (!made.ok) throw new Error(`frequency(${n}) refused`);
  return made.value;
};

/** A counter whose command is how many events to emit, each adding its index: multi-event commits. */
const handleMany = (_total: number, count: number) =>
  ok(Array.from({ length: count }, (_, i) => ({ type: "Added", by: i + 1 })));
const applyAdded = (total: number, event: { by: number }) => total * 2 + event.by;

forEachStore("snapshots", (kind) => {
  const systems = useSystems(kind);

  it("are taken when a multi-event commit crosses a multiple of the frequency", async () => {
    const { store } = await systems.store();
    const counter = systems.track(
      await start({
        store,
        emptyState: 0,
        handle: handleMany,
        apply: applyAdded,
        snapshot: { frequency: every(3) },
      }),
    );
    expectOk(await counter.execute("c", 2));
    expect(expectOk(await counter.latestSnapshot("c"))).toBeNull();
    const crossed = expectOk(await counter.execute("c", 2));
    expect(crossed.aggregate.sequence).toBe(4);
    await until(async () => expectOk(await counter.latestSnapshot("c")) !== null);
    const snapshot = expectOk(await counter.latestSnapshot("c"));
    expect(snapshot).toMatchObject({
      aggregateId: "c",
      sequence: 4,
      version: 1,
      state: crossed.aggregate.state,
    });
    expect(snapshot?.timestamp).toBeInstanceOf(Date);
    expect(expectOk(await counter.aggregateStats("c"))).toMatchObject({
      hasSnapshot: true,
      snapshotSequence: 4,
    });
  });

  it("never fail the command when saving fails, and loading falls back to a full replay", async () => {
    const created = await systems.store();
    const store = faultyStore(created.store);
    store.fail("saveSnapshot");
    const bank = await systems.bank({ store, snapshot: { frequency: every(1) } });
    expectOk(await bank.execute("acc", open("acc")));
    expectOk(await bank.execute("acc", deposit(4)));
    await until(async () => (await bank.systemStats()).snapshotFailures === 2);
    store.heal("saveSnapshot");
    expectOk(await bank.execute("acc", deposit(1)));
    await until(async () => (await bank.systemStats()).snapshotsTaken === 1);
    store.fail("loadSnapshot", new Error("snapshot table dropped"));
    const reader = await systems.bank({ store, snapshot: { frequency: every(1) } });
    const loaded = expectOk(await reader.loadAggregate("acc"));
    expect(loaded).toEqual({
      aggregateId: "acc",
      sequence: 3,
      state: { type: "BankAccount", balance: 5 },
    });
    const snapshot = await reader.latestSnapshot("acc");
    expect(!snapshot.ok && snapshot.error.type).toBe("EventStoreError");
    expectOk(await reader.execute("acc", deposit(1)));
  });

  it("give the same state from snapshot plus tail as from a full replay", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 12 }),
        async (snapshotEvery, commands) => {
          const created = await systems.store();
          const config = { emptyState: 0, handle: handleMany, apply: applyAdded };
          const withSnapshots = systems.track(
            await start({ ...config, store: created.store, snapshot: { frequency: every(snapshotEvery) } }),
          );
          for (const count of commands) expectOk(await withSnapshots.execute("c", count));
          await withSnapshots.stop();
          const total = commands.reduce((sum, count) => sum + count, 0);
          if (total === 0) return;
          const fromSnapshot = systems.track(
            await start({ ...config, store: created.store, snapshot: { frequency: every(snapshotEvery) } }),
          );
          const replayed = systems.track(await start({ ...config, store: created.store }));
          const a = expectOk(await fromSnapshot.loadAggregate("c"));
          const b = expectOk(await replayed.loadAggregate("c"));
          expect(a).toEqual(b);
          expect(a.sequence).toBe(total);
          const snapshot = expectOk(await fromSnapshot.latestSnapshot("c"));
          const expectedAt = Math.floor(total / snapshotEvery) * snapshotEvery;
          if (expectedAt === 0) expect(snapshot).toBeNull();
          else expect(snapshot?.sequence).toBeGreaterThanOrEqual(expectedAt);
        },
      ),
      { numRuns: kind.name === "memory" ? 60 : 12 },
    );
  });
});
