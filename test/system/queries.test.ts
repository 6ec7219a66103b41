/** Guarantee 6: queries see only committed events, each batch once per attempt, in commit order. */
import { expect, it } from "vitest";
import type { BankAccountEvent } from "../../examples/bank-account/domain.js";
import type { EventEnvelope } from "../../src/index.js";
import { manualClock } from "../../src/runtime/clock.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, recorder, until, useSystems } from "../support/system.js";

forEachStore("queries", (kind) => {
  const systems = useSystems(kind);

  it("are called only after the batch is committed in the store", async () => {
    const created = await systems.store();
    const seenInStore: [number, number][] = [];
    const bank = await systems.bank({
      store: created.store,
      queries: [
        async (id, events) => {
          seenInStore.push([
            events[events.length - 1]?.sequence ?? -1,
            await created.store.currentSequence("default", id),
          ]);
        },
      ],
    });
    expectOk(await bank.execute("acc", open("acc")));
    expectOk(await bank.execute("acc", deposit(1)));
    await until(() => seenInStore.length === 2);
    for (const [sequence, inStore] of seenInStore) expect(inStore).toBeGreaterThanOrEqual(sequence);
  });

  it("give a throwing query the same batch again after a backoff, without blocking commands", async () => {
    const clock = manualClock();
    const attempts: EventEnvelope<BankAccountEvent>[][] = [];
    let failuresLeft = 2;
    const bank = await systems.bank({
      clock,
      queries: [
        (_id, events) => {
          attempts.push([...events]);
          if (failuresLeft-- > 0) throw new Error("read model offline");
        },
      ],
    });
    expectOk(await bank.execute("acc", open("acc")));
    await until(() => attempts.length === 1);
    expectOk(await bank.execute("acc", deposit(5)));
    expectOk(await bank.execute("other", open("other")));
    await clock.advance(99);
    expect(attempts).toHaveLength(1);
    await clock.advance(1);
    expect(attempts).toHaveLength(2);
    await clock.advance(200);
    await until(() => attempts.length === 5);
    expect(attempts[1]).toEqual(attempts[0]);
    expect(attempts[2]).toEqual(attempts[0]);
    expect(attempts.map((batch) => [batch[0]?.aggregateId, batch[0]?.sequence])).toEqual([
      ["acc", 1],
      ["acc", 1],
      ["acc", 1],
      ["acc", 2],
      ["other", 1],
    ]);
    const stats = await bank.systemStats();
    expect(stats.queryFailures).toBe(2);
    expect(stats.queries[0]).toMatchObject({ failures: 2, batchesProcessed: 3, pendingBatches: 0 });
  });

  it("skip a failing batch or stop the query when the error policy says so", async () => {
    const skipped = recorder();
    const stopped = recorder();
    const bank = await systems.bank({
      queryRetry: { onError: (error) => ((error as Error).message === "skip me" ? "skip" : "stop") },
      queries: [
        (id, events) => {
          if (events[0]?.sequence === 1 && id === "acc") throw new Error("skip me");
          skipped.query(id, events);
        },
        (id, events) => {
          if (events[0]?.sequence === 2) throw new Error("stop me");
          stopped.query(id, events);
        },
      ],
    });
    expectOk(await bank.execute("acc", open("acc")));
    expectOk(await bank.execute("acc", deposit(1)));
    expectOk(await bank.execute("acc", deposit(2)));
    await skipped.waitFor(2);
    expect(skipped.calls.map((c) => c.events[0]?.sequence)).toEqual([2, 3]);
    await until(async () => (await bank.systemStats()).queries[1]?.status === "stopped");
    expect(stopped.calls.map((c) => c.events[0]?.sequence)).toEqual([1]);
    expectOk(await bank.execute("acc", deposit(3)));
  });

  it("give an async query its next batch only after the previous promise settles", async () => {
    const events: string[] = [];
    let releaseFirst: () => void = () => {};
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const bank = await systems.bank({
      queries: [
        async (id, batch) => {
          events.push(`start ${id}#${batch[0]?.sequence}`);
          if (batch[0]?.sequence === 1 && id === "acc") await firstHeld;
          events.push(`end ${id}#${batch[0]?.sequence}`);
        },
      ],
    });
    expectOk(await bank.execute("acc", open("acc")));
    expectOk(await bank.execute("acc", deposit(1)));
    expectOk(await bank.execute("other", open("other")));
    await until(() => events.length === 1);
    expect(events).toEqual(["start acc#1"]);
    releaseFirst();
    await until(() => events.length === 6);
    expect(events).toEqual([
      "start acc#1",
      "end acc#1",
      "start acc#2",
      "end acc#2",
      "start other#1",
      "end other#1",
    ]);
  });

  it("give a query registered at run time the commits after its registration", async () => {
    const bank = await systems.bank();
    expectOk(await bank.execute("acc", open("acc")));
    const late = recorder();
    expectOk(await bank.registerQuery(late.query));
    expectOk(await bank.execute("acc", deposit(1)));
    await late.waitFor(1);
    expect(late.calls.map((c) => c.events.map((e) => e.sequence))).toEqual([[2]]);
    expect((await bank.systemStats()).queryActorsCount).toBe(1);
  });

  it("let a named query catch up from the log, then resume from its checkpoint after a restart", async () => {
    const created = await systems.store();
    const writer = await systems.bank({ store: created.store });
    expectOk(await writer.execute("a", open("a")));
    expectOk(await writer.execute("b", open("b")));
    expectOk(await writer.execute("a", deposit(1)));
    const first = recorder();
    const reader = await systems.bank({
      store: created.store,
      queries: [{ name: "balances", handle: first.query }],
      namedQueries: { pollMs: 10 },
    });
    await first.waitFor(3);
    expect(first.calls.map((c) => [c.aggregateId, c.events.map((e) => e.sequence)])).toEqual([
      ["a", [1]],
      ["b", [1]],
      ["a", [2]],
    ]);
    await until(async () => (await reader.systemStats()).queries[0]?.checkpoint !== 0n);
    await reader.stop();
    expectOk(await writer.execute("b", deposit(2)));
    const second = recorder();
    await systems.bank({
      store: await created.openAnother(),
      queries: [{ name: "balances", handle: second.query }],
      namedQueries: { pollMs: 10 },
    });
    await second.waitFor(1);
    expectOk(await writer.execute("a", deposit(3)));
    await second.waitFor(2);
    expect(second.calls.map((c) => [c.aggregateId, c.events.map((e) => e.sequence)])).toEqual([
      ["b", [2]],
      ["a", [3]],
    ]);
  });

  it("run a named query in one system at a time, and hand it over when that system stops", async () => {
    const created = await systems.store();
    const calls: string[] = [];
    const named = (who: string) => ({
      name: "audit",
      handle: (id: string, events: readonly EventEnvelope<BankAccountEvent>[]) => {
        for (const e of events) calls.push(`${who}:${id}:${e.sequence}`);
      },
    });
    const one = await systems.bank({
      store: created.store,
      queries: [named("one")],
      namedQueries: { pollMs: 10, lockRetryMs: 20 },
    });
    const two = await systems.bank({
      store: await created.openAnother(),
      queries: [named("two")],
      namedQueries: { pollMs: 10, lockRetryMs: 20 },
    });
    expectOk(await one.execute("a", open("a")));
    expectOk(await two.execute("b", open("b")));
    await until(() => calls.length === 2);
    const firstRunner = calls[0]?.split(":")[0];
    expect(calls.every((c) => c.startsWith(`${firstRunner}:`))).toBe(true);
    await (firstRunner === "one" ? one : two).stop();
    const survivor = firstRunner === "one" ? two : one;
    expectOk(await survivor.execute("a", deposit(1)));
    await until(() => calls.length === 3);
    expect(calls[2]).toBe(`${firstRunner === "one" ? "two" : "one"}:a:2`);
  });
});
