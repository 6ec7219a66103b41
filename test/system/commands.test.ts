/**
 * Guarantees 2, 3, 8 and 10: acknowledged means durable, domain errors are values, EntityNotFound means
 * no events, and bad input gets a clear error with nothing lost.
 */
import { expect, it } from "vitest";
import { type Codec, jsonCodec, MAX_AGGREGATE_ID_LENGTH, ok, start, timeout } from "../../src/index.js";
import { faultyStore } from "../support/faulty-store.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, useSystems, withdraw } from "../support/system.js";

forEachStore("commands", (kind) => {
  const systems = useSystems(kind);

  it("resolves ok only once the events can be read back through another handle", async () => {
    const created = await systems.store();
    const bank = await systems.bank({ store: created.store });
    const other = await created.openAnother();
    for (let i = 1; i <= 5; i++) {
      const done = expectOk(await bank.execute("acc", i === 1 ? open("acc") : deposit(i)));
      const stored = await other.readAggregate("default", "acc", 0);
      expect(stored.map((row) => row.sequence)).toEqual(Array.from({ length: i }, (_, j) => j + 1));
      expect(done.events.map((e) => e.sequence)).toEqual([i]);
    }
  });

  it("never rejects: a failing store gives EventStoreError, and the next command after it heals succeeds", async () => {
    const created = await systems.store();
    const store = faultyStore(created.store);
    const bank = await systems.bank({ store });
    expectOk(await bank.execute("acc", open("acc")));
    store.fail("append", new Error("disk on fire"));
    const failed = await bank.execute("acc", deposit(5));
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.error.type).toBe("EventStoreError");
      expect(failed.error.type === "EventStoreError" && failed.error.message).toContain("disk on fire");
    }
    store.fail("readAggregate");
    expect((await bank.execute("acc", deposit(5))).ok).toBe(false);
    store.heal("append");
    store.heal("readAggregate");
    const done = expectOk(await bank.execute("acc", deposit(7)));
    expect(done.aggregate).toEqual({
      aggregateId: "acc",
      sequence: 2,
      state: { type: "BankAccount", balance: 7 },
    });
  });

  it("persists nothing for a domain error and goes on", async () => {
    const created = await systems.store();
    const bank = await systems.bank({ store: created.store });
    expectOk(await bank.execute("acc", open("acc")));
    const refused = await bank.execute("acc", withdraw(10));
    expect(refused).toEqual({
      ok: false,
      error: { type: "DomainError", error: "CantWithdrawMoreThanCurrentBalance" },
    });
    expect(await created.store.currentSequence("default", "acc")).toBe(1);
    expectOk(await bank.execute("acc", deposit(10)));
    expect(await created.store.currentSequence("default", "acc")).toBe(2);
  });

  it("treats ok([]) as a no-op: nothing stored, and a new id stays EntityNotFound", async () => {
    const { store } = await systems.store();
    const system = systems.track(
      await start({
        store,
        emptyState: 0,
        handle: (_count: number, by: number) => ok(by === 0 ? [] : [{ type: "Added", by }]),
        apply: (count: number, event: { by: number }) => count + event.by,
      }),
    );
    const nothing = expectOk(await system.execute("c", 0));
    expect(nothing).toEqual({ aggregate: { aggregateId: "c", state: 0, sequence: 0 }, events: [] });
    expect(await system.loadAggregate("c")).toEqual({
      ok: false,
      error: { type: "EntityNotFound", aggregateId: "c" },
    });
    expect((await system.systemStats()).totalCommandsProcessed).toBe(1);
  });

  it("finds an aggregate whose state equals the empty state after its events", async () => {
    const { store } = await systems.store();
    const system = systems.track(
      await start({
        store,
        emptyState: 0,
        handle: (_count: number, by: number) => ok([{ type: "Added", by }]),
        apply: (count: number, event: { by: number }) => count + event.by,
      }),
    );
    expectOk(await system.execute("c", 1));
    expectOk(await system.execute("c", -1));
    expect(await system.loadAggregate("c")).toEqual({
      ok: true,
      value: { aggregateId: "c", state: 0, sequence: 2 },
    });
  });

  it("refuses empty and oversized aggregate ids, and accepts one of exactly the limit", async () => {
    const bank = await systems.bank();
    const tooLong = "x".repeat(MAX_AGGREGATE_ID_LENGTH + 1);
    for (const id of ["", tooLong]) {
      for (const result of [
        await bank.execute(id, open(id)),
        await bank.loadAggregate(id),
        await bank.loadEvents(id),
      ]) {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.type).toBe("InvalidAggregateId");
      }
    }
    const longest = "y".repeat(MAX_AGGREGATE_ID_LENGTH);
    expectOk(await bank.execute(longest, open(longest)));
    expect(expectOk(await bank.loadAggregate(longest)).sequence).toBe(1);
  });

  it("round-trips ids with quotes, unicode and emoji, and metadata", async () => {
    const bank = await systems.bank();
    const id = `it's "quoted" \\ ünïcødé 账户 🏦`;
    expectOk(await bank.executeWithMetadata(id, open(id), { user: "zoë", trace: "🧭" }));
    const [event] = expectOk(await bank.loadEvents(id));
    expect(event?.aggregateId).toBe(id);
    expect(event?.metadata).toEqual({ user: "zoë", trace: "🧭" });
    expect(event?.event).toEqual({ type: "AccountOpened", accountId: id });
    expect(event?.recordedAt).toBeInstanceOf(Date);
  });

  it("refuses an unserializable event with EventStoreError and stores nothing", async () => {
    const created = await systems.store();
    const system = systems.track(
      await start({
        store: created.store,
        emptyState: 0n,
        handle: (_total: bigint, by: bigint) => ok([{ type: "Added", by }]),
        apply: (total: bigint, event: { by: bigint }) => total + event.by,
      }),
    );
    const result = await system.execute("big", 1n);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.type).toBe("EventStoreError");
    expect(await created.store.currentSequence("default", "big")).toBe(0);
  });

  it("names the aggregate and sequence of an event that cannot be decoded, and serves other aggregates", async () => {
    const created = await systems.store();
    const picky: Codec = {
      ...jsonCodec,
      decodeEvent: (type, payload) => {
        if (payload.includes("666")) throw new Error("unknown event version");
        return jsonCodec.decodeEvent(type, payload);
      },
      encodeEvent: (event) => jsonCodec.encodeEvent(event),
    };
    const writer = await systems.bank({ store: created.store });
    expectOk(await writer.execute("bad", open("bad")));
    expectOk(await writer.execute("bad", deposit(1)));
    // Written through the default codec, it is a valid row that this codec cannot read.
    await created.store.append([
      {
        aggregateType: "default",
        aggregateId: "bad",
        expectedSequence: 2,
        events: [
          {
            eventType: "CustomerDepositedCash",
            payload: '{"type":"CustomerDepositedCash","amount":666,"balance":667}',
            metadata: {},
          },
        ],
      },
    ]);
    const reader = await systems.bank({ store: created.store, codec: picky });
    const result = await reader.loadAggregate("bad");
    expect(result.ok).toBe(false);
    if (!result.ok && result.error.type === "EventStoreError") {
      expect(result.error.message).toContain('"bad"');
      expect(result.error.message).toContain("event 3");
    } else expect.fail(`expected EventStoreError, got ${JSON.stringify(result)}`);
    expect((await reader.loadEvents("bad")).ok).toBe(false);
    expectOk(await reader.execute("good", open("good")));
  });

  it("gives ActorTimeout when the store does not answer in time, and may still commit", async () => {
    const created = await systems.store();
    const store = faultyStore(created.store);
    const bank = await systems.bank({ store });
    expectOk(await bank.execute("acc", open("acc")));
    const release = store.hold("append");
    const short = timeout(50);
    if (!short.ok) throw new Error("timeout(50) refused");
    const result = await bank.execute("acc", deposit(1), { timeout: short.value });
    expect(result).toEqual({
      ok: false,
      error: { type: "ActorTimeout", operation: "execute", timeoutMs: 50 },
    });
    release();
    const next = expectOk(await bank.execute("acc", deposit(1)));
    expect(next.aggregate.sequence).toBe(3);
  });

  it("refuses a non-positive per-call timeout", async () => {
    const bank = await systems.bank();
    const result = await bank.execute("acc", open("acc"), { timeout: 0 as never });
    expect(result).toEqual({
      ok: false,
      error: { type: "NonPositiveArgument", argument: "timeout", value: 0 },
    });
  });
});
