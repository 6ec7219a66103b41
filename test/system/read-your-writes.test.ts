/**
 * Read-your-writes: `waitForQueries` and `execute(..., { consistency: "strong" })` wait for named
 * queries' checkpoints in the store, whichever process runs them.
 */
import { expect, it } from "vitest";
import type { BankAccountEvent } from "../../examples/bank-account/domain.js";
import type { EventEnvelope } from "../../src/index.js";
import { manualClock } from "../../src/runtime/clock.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, until, useSystems } from "../support/system.js";

/** A named query that keeps balances, and can be held up (its handler waits until released). */
function balances(name = "balances") {
  const seen = new Map<string, number>();
  let gate: Promise<void> | undefined;
  let release = () => {};
  return {
    seen,
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
    query: {
      name,
      handle: async (id: string, events: readonly EventEnvelope<BankAccountEvent>[]) => {
        if (gate) await gate;
        for (const { event } of events) seen.set(id, event.type === "AccountOpened" ? 0 : event.balance);
      },
    },
  };
}

forEachStore("read-your-writes", (kind) => {
  const systems = useSystems(kind);

  it("waitForQueries resolves once the named queries processed the position, and at once for a position already passed", async () => {
    const model = balances();
    const bank = await systems.bank({ queries: [model.query] });
    const opened = expectOk(await bank.execute("a", open("a")));
    const done = expectOk(await bank.execute("a", deposit(30)));
    const position = done.events[0]?.position as bigint;
    expectOk(await bank.waitForQueries(position));
    expect(model.seen.get("a")).toBe(30);
    expectOk(await bank.waitForQueries(opened.events[0]?.position as bigint, { queries: ["balances"] }));
    expectOk(await bank.waitForQueries(0n, { queries: [] }));
    const misspelt = { timout: 10 } as unknown as { timeout: number };
    expect(await bank.waitForQueries(position, misspelt)).toMatchObject({
      ok: false,
      error: { type: "ActorCrashed", operation: "waitForQueries" },
    });
  });

  it("waitForQueries of position 0 resolves at once on an empty store, before any query has a checkpoint", async () => {
    const clock = manualClock();
    const model = balances();
    model.hold();
    const bank = await systems.bank({ clock, queries: [model.query] });
    // Nothing has been processed and no checkpoint exists; position 0 is before every event.
    expect((await bank.systemStats()).queries[0]?.checkpoint ?? null).toBeNull();
    expect(await bank.waitForQueries(0n, { timeout: 1_000 })).toEqual({ ok: true, value: undefined });
    model.release();
  });

  it("waitForQueries answers ActorTimeout, naming the query, when its checkpoint does not get there in time", async () => {
    const clock = manualClock();
    const model = balances();
    const bank = await systems.bank({ clock, queries: [model.query] });
    model.hold();
    const done = expectOk(await bank.execute("a", open("a")));
    const waiting = bank.waitForQueries(done.events[0]?.position as bigint, { timeout: 1_000 });
    await clock.advance(1_000);
    const answer = await waiting;
    expect(answer.ok).toBe(false);
    if (!answer.ok) {
      expect(answer.error).toMatchObject({ type: "ActorTimeout", timeoutMs: 1_000 });
      expect(answer.error.type === "ActorTimeout" && answer.error.operation).toContain('"balances"');
    }
    model.release();
  });

  it("waitForQueries answers Stopped when the system stops while it waits, and after", async () => {
    const model = balances();
    const bank = await systems.bank({ queries: [model.query] });
    expectOk(await bank.execute("a", open("a")));
    // A position no event has yet: only the stop can end this wait.
    const waiting = bank.waitForQueries(1_000_000n, { timeout: 60_000 });
    await bank.stop();
    expect(await waiting).toEqual({ ok: false, error: { type: "Stopped" } });
    expect(await bank.waitForQueries(1n)).toEqual({ ok: false, error: { type: "Stopped" } });
  });

  it("waitForQueries refuses a negative position and a bad timeout, and names of no checkpoint", async () => {
    const bank = await systems.bank();
    expect(await bank.waitForQueries(-1n)).toMatchObject({
      ok: false,
      error: { type: "NonPositiveArgument", argument: "position" },
    });
    expect(await bank.waitForQueries(1n, { timeout: 0 })).toMatchObject({
      ok: false,
      error: { type: "NonPositiveArgument" },
    });
    expect(await bank.waitForQueries(1n, { queries: [""] })).toMatchObject({
      ok: false,
      error: { type: "ActorCrashed", operation: "waitForQueries" },
    });
  });

  it("waitForQueries waits for a query that another system on the store runs", async () => {
    const created = await systems.store();
    const model = balances("ledger");
    await systems.bank({ store: created.store, queries: [model.query] });
    const other = await systems.bank({ store: await created.openAnother() });
    const done = expectOk(await other.execute("b", open("b")));
    expectOk(await other.execute("b", deposit(7)));
    const last = expectOk(await other.execute("b", deposit(1))).events[0]?.position as bigint;
    expect(done.events[0]?.position).toBeLessThan(last);
    expectOk(await other.waitForQueries(last, { queries: ["ledger"], timeout: 30_000 }));
    expect(model.seen.get("b")).toBe(8);
  });

  it('execute with consistency "strong" resolves after the named queries processed the commit', async () => {
    const model = balances();
    const bank = await systems.bank({ queries: [model.query] });
    const opened = expectOk(await bank.execute("a", open("a"), { consistency: "strong" }));
    expect(opened.queriesBehind).toEqual([]);
    expect(model.seen.get("a")).toBe(0);
    for (let i = 1; i <= 5; i++) {
      expectOk(await bank.execute("a", deposit(10), { consistency: "strong" }));
      expect(model.seen.get("a")).toBe(i * 10);
    }
    // Without it, execute resolves at commit and says nothing of the queries.
    model.hold();
    const eventual = expectOk(await bank.execute("a", deposit(1)));
    expect(eventual.queriesBehind).toBeUndefined();
    model.release();
  });

  it('a strong execute waits only for the queries declaring "strong" when some do', async () => {
    const strong = balances("strong-balances");
    const slow = balances("slow-balances");
    const bank = await systems.bank({
      queries: [{ ...strong.query, consistency: "strong" }, slow.query],
    });
    slow.hold();
    expectOk(await bank.execute("a", open("a"), { consistency: "strong" }));
    expect(strong.seen.get("a")).toBe(0);
    expect(slow.seen.has("a")).toBe(false);
    slow.release();
  });

  it("a strong execute whose queries do not catch up in time is still ok, committed, and names the queries behind", async () => {
    const clock = manualClock();
    const model = balances();
    const bank = await systems.bank({ clock, queries: [model.query], commandTimeout: 1_000 });
    model.hold();
    const executing = bank.execute("a", open("a"), { consistency: "strong" });
    await until(async () => {
      const stats = await bank.aggregateStats("a");
      return stats.ok && stats.value.currentSequence === 1;
    });
    await clock.advance(1_000);
    const answer = expectOk(await executing);
    expect(answer.queriesBehind).toEqual(["balances"]);
    expect(answer.events).toHaveLength(1);
    expect(expectOk(await bank.loadEvents("a"))).toHaveLength(1);
    model.release();
  });
});
