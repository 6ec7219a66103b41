/** The original library's own scenarios, in this library's API, against every store. */
import { expect, it } from "vitest";
import { frequency } from "../../src/index.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, recorder, useSystems, withdraw } from "../support/system.js";

forEachStore("the original's scenarios", (kind) => {
  const systems = useSystems(kind);

  it("gives a query one envelope per command", async () => {
    const seen = recorder();
    const bank = await systems.bank({ queries: [seen.query] });
    expectOk(await bank.execute("acc-1", open("acc-1")));
    expectOk(await bank.execute("acc-1", deposit(10)));
    await seen.waitFor(2);
    expect(seen.calls.map((call) => call.events.length)).toEqual([1, 1]);
    expect(seen.calls.map((call) => call.events[0]?.sequence)).toEqual([1, 2]);
  });

  it("answers EntityNotFound before the account is opened, and sequence 1 after", async () => {
    const bank = await systems.bank();
    expect(await bank.loadAggregate("acc-1")).toEqual({
      ok: false,
      error: { type: "EntityNotFound", aggregateId: "acc-1" },
    });
    expectOk(await bank.execute("acc-1", open("acc-1")));
    const aggregate = expectOk(await bank.loadAggregate("acc-1"));
    expect(aggregate).toEqual({
      aggregateId: "acc-1",
      sequence: 1,
      state: { type: "BankAccount", balance: 0 },
    });
  });

  it("loads the one event after sequence 2 of three", async () => {
    const bank = await systems.bank();
    expectOk(await bank.execute("acc-1", open("acc-1")));
    expectOk(await bank.execute("acc-1", deposit(10)));
    expectOk(await bank.execute("acc-1", withdraw(4)));
    const events = expectOk(await bank.loadEventsFrom("acc-1", 2));
    expect(events.map((e) => [e.sequence, e.event])).toEqual([
      [3, { type: "CustomerWithdrewCash", amount: 4, balance: 6 }],
    ]);
  });

  it("loads an empty list for an unknown id", async () => {
    const bank = await systems.bank();
    expect(await bank.loadEvents("nobody")).toEqual({ ok: true, value: [] });
  });

  it("has no snapshot before any was taken", async () => {
    const every = frequency(5);
    if (!every.ok) throw new Error("frequency(5) refused");
    const bank = await systems.bank({ snapshot: { frequency: every.value } });
    expectOk(await bank.execute("acc-1", open("acc-1")));
    expect(await bank.latestSnapshot("acc-1")).toEqual({ ok: true, value: null });
  });

  it("gives every batch to each of three queries", async () => {
    const queries = [recorder(), recorder(), recorder()];
    const bank = await systems.bank({ queries: queries.map((q) => q.query) });
    expectOk(await bank.execute("acc-1", open("acc-1")));
    expectOk(await bank.execute("acc-1", deposit(5)));
    expectOk(await bank.execute("acc-2", open("acc-2")));
    for (const q of queries) {
      await q.waitFor(3);
      expect(q.calls.map((c) => [c.aggregateId, c.events[0]?.eventType])).toEqual([
        ["acc-1", "AccountOpened"],
        ["acc-1", "CustomerDepositedCash"],
        ["acc-2", "AccountOpened"],
      ]);
    }
  });

  it("returns domain errors as values and keeps serving", async () => {
    const bank = await systems.bank();
    expect(await bank.execute("acc-1", deposit(10))).toEqual({
      ok: false,
      error: { type: "DomainError", error: "CantOperateOnUnopenedAccount" },
    });
    expectOk(await bank.execute("acc-1", open("acc-1")));
    expect(await bank.execute("acc-1", deposit(-5))).toEqual({
      ok: false,
      error: { type: "DomainError", error: "CantDepositNegativeAmount" },
    });
    expect(await bank.execute("acc-1", withdraw(1))).toEqual({
      ok: false,
      error: { type: "DomainError", error: "CantWithdrawMoreThanCurrentBalance" },
    });
    const done = expectOk(await bank.execute("acc-1", deposit(3)));
    expect(done.aggregate).toEqual({
      aggregateId: "acc-1",
      sequence: 2,
      state: { type: "BankAccount", balance: 3 },
    });
  });

  it("delivers five aggregates' commits to a query in each aggregate's order", async () => {
    const seen = recorder();
    const bank = await systems.bank({ queries: [seen.query] });
    const ids = ["a", "b", "c", "d", "e"];
    await Promise.all(
      ids.map(async (id) => {
        expectOk(await bank.execute(id, open(id)));
        for (let amount = 1; amount <= 4; amount++) expectOk(await bank.execute(id, deposit(amount)));
      }),
    );
    await seen.waitFor(25);
    for (const id of ids) {
      const sequences = seen.calls
        .filter((c) => c.aggregateId === id)
        .flatMap((c) => c.events.map((e) => e.sequence));
      expect(sequences).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it("reports aggregate figures: two events, sequence 2, no snapshot", async () => {
    const bank = await systems.bank();
    expectOk(await bank.execute("acc-1", open("acc-1")));
    expectOk(await bank.execute("acc-1", deposit(1)));
    expect(await bank.aggregateStats("acc-1")).toEqual({
      ok: true,
      value: {
        aggregateId: "acc-1",
        eventCount: 2,
        currentSequence: 2,
        hasSnapshot: false,
        snapshotSequence: null,
        snapshotVersion: null,
      },
    });
    expect(await bank.aggregateStats("unknown")).toEqual({
      ok: true,
      value: {
        aggregateId: "unknown",
        eventCount: 0,
        currentSequence: 0,
        hasSnapshot: false,
        snapshotSequence: null,
        snapshotVersion: null,
      },
    });
  });

  it("computes 1000 + 500 + 250 - 300 - 200 = 1250 at sequence 6", async () => {
    const bank = await systems.bank();
    expectOk(await bank.execute("acc-1", open("acc-1")));
    for (const amount of [1000, 500, 250]) expectOk(await bank.execute("acc-1", deposit(amount)));
    for (const amount of [300, 200]) expectOk(await bank.execute("acc-1", withdraw(amount)));
    expect(expectOk(await bank.loadAggregate("acc-1"))).toEqual({
      aggregateId: "acc-1",
      sequence: 6,
      state: { type: "BankAccount", balance: 1250 },
    });
  });

  it("counts commands and queries in systemStats", async () => {
    const bank = await systems.bank({ queries: [recorder().query, recorder().query] });
    expectOk(await bank.execute("acc-1", open("acc-1")));
    await bank.execute("acc-1", withdraw(50));
    expectOk(await bank.execute("acc-1", deposit(50)));
    expectOk(await bank.execute("acc-1", deposit(50), {}));
    const stats = await bank.systemStats();
    expect(stats.queryActorsCount).toBe(2);
    expect(stats.totalCommandsProcessed).toBe(4);
    expect(stats.domainErrors).toBe(1);
    expect(stats.eventsCommitted).toBe(3);
    expect(stats.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it("gives a query ten events for ten accounts opened concurrently", async () => {
    const seen = recorder();
    const bank = await systems.bank({ queries: [seen.query] });
    const ids = Array.from({ length: 10 }, (_, i) => `acc-${i}`);
    const results = await Promise.all(ids.map((id) => bank.execute(id, open(id))));
    for (const result of results) expectOk(result);
    await seen.waitFor(10);
    expect(seen.calls.flatMap((c) => c.events.map((e) => e.aggregateId)).sort()).toEqual([...ids].sort());
  });
});
