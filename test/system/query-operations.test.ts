/**
 * Operating queries while the system runs: rebuilding a read model with `resetQuery`, skipping a poison
 * event with `skipQueryEvent`, and the figures of `systemStats().queries` (lag, holder, last error).
 */
import { expect, it } from "vitest";
import type { BankAccountEvent } from "../../examples/bank-account/domain.js";
import type { EventEnvelope, NamedQuery } from "../../src/index.js";
import { statsToJson } from "../../src/index.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, until, useSystems } from "../support/system.js";

/** A balances read model with a `reset()`, counting what it was handed. */
function balancesModel(name = "balances") {
  const balances = new Map<string, number>();
  const delivered: bigint[] = [];
  let resets = 0;
  const query: NamedQuery<BankAccountEvent> = {
    name,
    handle: (id, events) => {
      for (const { event, position } of events) {
        delivered.push(position);
        balances.set(id, event.type === "AccountOpened" ? 0 : event.balance);
      }
    },
    reset: () => {
      resets++;
      balances.clear();
    },
  };
  return { balances, delivered, query, resets: () => resets };
}

/** The last position in the store, or a failure of the test. */
async function head(store: { headPosition?: () => Promise<bigint> }): Promise<bigint> {
  if (!store.headPosition) throw new Error("the store has no headPosition");
  return store.headPosition();
}

forEachStore("query operations", (kind) => {
  const systems = useSystems(kind);

  it("resetQuery calls the query's reset() and replays the whole log into it, awaited with waitForQueries", async () => {
    const { store } = await systems.store();
    const model = balancesModel();
    const bank = await systems.bank({ store, queries: [model.query] });
    expectOk(await bank.execute("a", open("a")));
    expectOk(await bank.execute("a", deposit(10)));
    expectOk(await bank.execute("b", open("b")));
    expectOk(await bank.waitForQueries(await head(store)));
    expect(model.delivered).toHaveLength(3);
    model.balances.set("a", -1); // a corrupted read model, to be rebuilt

    expectOk(await bank.resetQuery("balances"));
    expectOk(await bank.waitForQueries(await head(store), { timeout: 30_000 }));
    expect(model.resets()).toBe(1);
    expect(model.balances).toEqual(
      new Map([
        ["a", 10],
        ["b", 0],
      ]),
    );
    expect(model.delivered.slice(3)).toEqual(model.delivered.slice(0, 3));
    // It follows live commits after the replay.
    expectOk(await bank.execute("a", deposit(5), { consistency: "strong" }));
    expect(model.balances.get("a")).toBe(15);
  });

  it("resetQuery recorded by another process: the process holding the query resets and replays it, the other never delivers", async () => {
    const created = await systems.store();
    const holder = balancesModel("ledger");
    const waiting = balancesModel("ledger");
    const a = await systems.bank({ store: created.store, queries: [holder.query] });
    expectOk(await a.execute("x", open("x")));
    expectOk(await a.execute("x", deposit(3)));
    expectOk(await a.waitForQueries(await head(created.store)));
    const other = await created.openAnother();
    const b = await systems.bank({ store: other, queries: [waiting.query] });
    await until(async () => (await b.systemStats()).queries[0]?.status === "waiting-for-lock");

    expectOk(await b.resetQuery("ledger"));
    expectOk(await b.waitForQueries(await head(other), { queries: ["ledger"], timeout: 30_000 }));
    await until(() => holder.resets() === 1);
    expect(holder.delivered).toHaveLength(4);
    expect(holder.balances.get("x")).toBe(3);
    expect(waiting.resets()).toBe(0);
    expect(waiting.delivered).toEqual([]);
    const stats = await b.systemStats();
    expect(stats.queries[0]).toMatchObject({ name: "ledger", holder: false, checkpoint: await head(other) });
    expect((await a.systemStats()).queries[0]?.holder).toBe(true);
  });

  it("resetQuery refuses a plain query and a name that cannot be a checkpoint", async () => {
    const bank = await systems.bank({ queries: [function plain() {}] });
    const stats = await bank.systemStats();
    const plainName = stats.queries[0]?.name as string;
    expect(await bank.resetQuery(plainName)).toMatchObject({
      ok: false,
      error: { type: "ActorCrashed", operation: "resetQuery" },
    });
    expect(await bank.resetQuery("")).toMatchObject({ ok: false, error: { type: "ActorCrashed" } });
  });

  it("skipQueryEvent lets a named query stuck on a poison event go on at once, past exactly that event, counted", async () => {
    const { store } = await systems.store();
    const seen: bigint[] = [];
    const bank = await systems.bank({
      store,
      // A backoff far longer than any test: the skip must not wait for it.
      queryRetry: { initialMs: 600_000, maxMs: 600_000 },
      queries: [
        {
          name: "ledger",
          handle: (id, events) => {
            if (events.some((e) => e.event.type === "CustomerDepositedCash" && e.event.amount === 13))
              throw new Error(`poison in ${id}`);
            for (const e of events) seen.push(e.position);
          },
        },
      ],
    });
    const opened = expectOk(await bank.execute("a", open("a"))).events[0]?.position as bigint;
    const poison = expectOk(await bank.execute("a", deposit(13))).events[0]?.position as bigint;
    const after = expectOk(await bank.execute("a", deposit(1))).events[0]?.position as bigint;
    await until(async () => (await bank.systemStats()).queries[0]?.status === "retrying");
    const stuck = (await bank.systemStats()).queries[0];
    expect(stuck?.lastError).toMatchObject({ message: "poison in a", aggregateId: "a", position: poison });

    expectOk(await bank.skipQueryEvent("ledger", stuck?.lastError?.position as bigint));
    expectOk(await bank.waitForQueries(after));
    expect(seen).toEqual([opened, after]);
    const stats = await bank.systemStats();
    expect(stats.queryEventsSkipped).toBe(1);
    expect(stats.queries[0]).toMatchObject({ skippedEvents: 1, status: "running", lag: 0 });
  });

  it("skipQueryEvent recorded by another process reaches the process running the query during its backoff", async () => {
    const created = await systems.store();
    const seen: bigint[] = [];
    const ledger: NamedQuery<BankAccountEvent> = {
      name: "ledger",
      handle: (_id, events) => {
        if (events.some((e) => e.event.type === "CustomerDepositedCash" && e.event.amount === 13))
          throw new Error("poison");
        for (const e of events) seen.push(e.position);
      },
    };
    const a = await systems.bank({
      store: created.store,
      queryRetry: { initialMs: 600_000, maxMs: 600_000 },
      namedQueries: { pollMs: 20 },
      queries: [ledger],
    });
    const opened = expectOk(await a.execute("a", open("a"))).events[0]?.position as bigint;
    const poison = expectOk(await a.execute("a", deposit(13))).events[0]?.position as bigint;
    await until(async () => (await a.systemStats()).queries[0]?.status === "retrying");
    const b = await systems.bank({ store: await created.openAnother() });
    expectOk(await b.skipQueryEvent("ledger", poison));
    expectOk(await b.waitForQueries(poison, { queries: ["ledger"], timeout: 30_000 }));
    expect((await a.systemStats()).queries[0]?.skippedEvents).toBe(1);
    expect(seen).toEqual([opened]);
  });

  it("skipQueryEvent skips an event for a plain query of this process, and refuses a position that is not positive", async () => {
    const seen: number[] = [];
    let failing = true;
    const bank = await systems.bank({
      queryRetry: { initialMs: 600_000, maxMs: 600_000 },
      queries: [
        function plain(_id: string, events: readonly EventEnvelope<BankAccountEvent>[]) {
          if (
            failing &&
            events.some((e) => e.event.type === "CustomerDepositedCash" && e.event.amount === 13)
          )
            throw new Error("poison");
          for (const e of events) seen.push(e.sequence);
        },
      ],
    });
    expectOk(await bank.execute("a", open("a")));
    const poison = expectOk(await bank.execute("a", deposit(13))).events[0]?.position as bigint;
    expectOk(await bank.execute("a", deposit(1)));
    await until(async () => (await bank.systemStats()).queries[0]?.status === "retrying");
    const name = (await bank.systemStats()).queries[0]?.name as string;
    expect(await bank.skipQueryEvent(name, 0n)).toMatchObject({
      ok: false,
      error: { type: "NonPositiveArgument", argument: "position" },
    });
    expectOk(await bank.skipQueryEvent(name, poison));
    await until(() => seen.length === 2);
    failing = false;
    expect(seen).toEqual([1, 3]);
    expect((await bank.systemStats()).queries[0]).toMatchObject({
      skippedEvents: 1,
      pendingBatches: 0,
      lag: 0,
    });
  });

  it("a plain query whose only failing batch is skipped is running again, without waiting for another commit", async () => {
    const bank = await systems.bank({
      queryRetry: { initialMs: 600_000, maxMs: 600_000 },
      queries: [
        function poisoned(_id: string, events: readonly EventEnvelope<BankAccountEvent>[]) {
          if (events.some((e) => e.event.type === "CustomerDepositedCash" && e.event.amount === 13))
            throw new Error("poison");
        },
      ],
    });
    expectOk(await bank.execute("a", open("a")));
    const poison = expectOk(await bank.execute("a", deposit(13))).events[0]?.position as bigint;
    await until(async () => (await bank.systemStats()).queries[0]?.status === "retrying");
    const name = (await bank.systemStats()).queries[0]?.name as string;
    expectOk(await bank.skipQueryEvent(name, poison));
    await until(async () => (await bank.systemStats()).queries[0]?.skippedEvents === 1);
    expect((await bank.systemStats()).queries[0]).toMatchObject({ status: "running", pendingBatches: 0 });
  });

  it("systemStats shows a named query's lag from the store's head, whether this process holds it, and serializes to JSON exactly", async () => {
    const created = await systems.store();
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const a = await systems.bank({
      store: created.store,
      queries: [{ name: "slow", handle: () => gate }],
    });
    expectOk(await a.execute("a", open("a")));
    expectOk(await a.execute("a", deposit(1)));
    expectOk(await a.execute("a", deposit(2)));
    const headPosition = await head(created.store);
    const b = await systems.bank({
      store: await created.openAnother(),
      queries: [{ name: "slow", handle: () => undefined }],
    });
    await until(async () => (await a.systemStats()).queries[0]?.holder === true);
    const held = (await a.systemStats()).queries[0];
    expect(held).toMatchObject({ name: "slow", named: true, holder: true });
    // The lag is the events of the log after the checkpoint.
    const behind = (await created.store.readAll(held?.checkpoint ?? 0n, 100)).length;
    expect(held?.lag).toBe(behind);
    expect(held?.lag).toBeGreaterThan(0);
    expect((await b.systemStats()).queries[0]).toMatchObject({ holder: false });

    release();
    expectOk(await a.waitForQueries(headPosition, { timeout: 30_000 }));
    const caughtUp = await b.systemStats();
    expect(caughtUp.queries[0]).toMatchObject({ checkpoint: headPosition, lag: 0, holder: false });
    const json = JSON.parse(JSON.stringify(statsToJson(caughtUp)));
    expect(json.queries[0]).toMatchObject({ name: "slow", checkpoint: headPosition.toString(), lag: 0 });
    expect(BigInt(json.queries[0].checkpoint)).toBe(headPosition);
  });
});
