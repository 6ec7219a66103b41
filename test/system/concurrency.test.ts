/** Guarantee 5: optimistic concurrency in every store, with reload and bounded retry. */
import { expect, it } from "vitest";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, useSystems } from "../support/system.js";

forEachStore("optimistic concurrency", (kind) => {
  const systems = useSystems(kind);

  it("reloads and retries a command whose aggregate another writer moved on", async () => {
    const created = await systems.store();
    const first = await systems.bank({ store: created.store });
    const second = await systems.bank({ store: await created.openAnother() });
    expectOk(await first.execute("acc", open("acc")));
    expectOk(await first.execute("acc", deposit(10)));
    expectOk(await second.execute("acc", deposit(5)));
    const retried = expectOk(await first.execute("acc", deposit(1)));
    expect(retried.aggregate).toEqual({
      aggregateId: "acc",
      sequence: 4,
      state: { type: "BankAccount", balance: 16 },
    });
    expect((await first.systemStats()).conflictsRetried).toBe(1);
  });

  it("gives ConcurrencyConflict once the retries are spent", async () => {
    const created = await systems.store();
    const first = await systems.bank({ store: created.store, conflictRetries: 0 });
    const second = await systems.bank({ store: await created.openAnother() });
    expectOk(await first.execute("acc", open("acc")));
    expectOk(await second.execute("acc", deposit(5)));
    expect(await first.execute("acc", deposit(1))).toEqual({
      ok: false,
      error: {
        type: "ConcurrencyConflict",
        aggregateId: "acc",
        expectedSequence: 1,
        actualSequence: 2,
      },
    });
    expect(expectOk(await first.execute("acc", deposit(1))).aggregate.sequence).toBe(3);
  });

  it("never duplicates or skips a sequence when two systems write the same accounts at once", async () => {
    const created = await systems.store();
    const first = await systems.bank({ store: created.store, conflictRetries: 50 });
    const second = await systems.bank({ store: await created.openAnother(), conflictRetries: 50 });
    const writers = [first, second];
    const accounts = ["x", "y", "z"];
    for (const id of accounts) expectOk(await first.execute(id, open(id)));
    const results = await Promise.all(
      writers.flatMap((writer, w) =>
        accounts.map(async (id) => {
          for (let i = 1; i <= 15; i++) expectOk(await writer.execute(id, deposit(w * 100 + i)));
        }),
      ),
    );
    expect(results).toHaveLength(6);
    for (const id of accounts) {
      const events = expectOk(await second.loadEvents(id));
      expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
      const amounts = events.slice(1).map((e) => (e.event as { amount: number }).amount);
      expect([...amounts].sort((a, b) => a - b)).toEqual([
        ...Array.from({ length: 15 }, (_, i) => i + 1),
        ...Array.from({ length: 15 }, (_, i) => 101 + i),
      ]);
      const balance = amounts.reduce((sum, amount) => sum + amount, 0);
      expect(expectOk(await first.loadAggregate(id)).state).toEqual({ type: "BankAccount", balance });
    }
  });
});
