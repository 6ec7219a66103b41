/** Several systems on one store: a stream is (aggregateType, aggregateId), and nothing crosses types. */
import { expect, it } from "vitest";
import type { BankAccountEvent } from "../../examples/bank-account/domain.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, recorder, until, useSystems } from "../support/system.js";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

forEachStore("two systems of different aggregate types on one store", (kind) => {
  const systems = useSystems(kind);

  it("keep their streams, sequences, snapshots and figures apart for the same id", async () => {
    const { store } = await systems.store();
    const carts = await systems.bank({ store, aggregateType: "cart", snapshot: { frequency: 2 } });
    const orders = await systems.bank({ store, aggregateType: "order", snapshot: { frequency: 1 } });
    expectOk(await carts.execute("1", open("1")));
    expectOk(await carts.execute("1", deposit(5)));
    // The order stream "1" is new: opening it is no domain error, and it starts at sequence 1.
    const opened = expectOk(await orders.execute("1", open("1")));
    expect(opened.aggregate).toEqual({
      aggregateId: "1",
      sequence: 1,
      state: { type: "BankAccount", balance: 0 },
    });
    expect(opened.events.map((e) => [e.aggregateType, e.sequence])).toEqual([["order", 1]]);

    const cartEvents = expectOk(await carts.loadEvents("1"));
    expect(cartEvents.map((e) => [e.aggregateType, e.sequence, e.eventType])).toEqual([
      ["cart", 1, "AccountOpened"],
      ["cart", 2, "CustomerDepositedCash"],
    ]);
    expect(expectOk(await orders.loadEventsFrom("1", 0)).map((e) => e.aggregateType)).toEqual(["order"]);
    await until(async () => expectOk(await carts.aggregateStats("1")).hasSnapshot);
    await until(async () => expectOk(await orders.aggregateStats("1")).hasSnapshot);
    expect(expectOk(await carts.aggregateStats("1"))).toMatchObject({ eventCount: 2, snapshotSequence: 2 });
    expect(expectOk(await orders.aggregateStats("1"))).toMatchObject({ eventCount: 1, snapshotSequence: 1 });
    expect(expectOk(await carts.latestSnapshot("1"))?.state).toEqual({ type: "BankAccount", balance: 5 });
    expect(expectOk(await orders.latestSnapshot("1"))?.state).toEqual({ type: "BankAccount", balance: 0 });

    // Rebuilt from the store by new systems (another process), each finds only its own stream.
    const otherCarts = await systems.bank({ store, aggregateType: "cart" });
    const ordersAgain = await systems.bank({ store, aggregateType: "order" });
    expect(expectOk(await otherCarts.loadAggregate("1"))).toMatchObject({
      sequence: 2,
      state: { balance: 5 },
    });
    expect(expectOk(await ordersAgain.loadAggregate("1"))).toMatchObject({
      sequence: 1,
      state: { balance: 0 },
    });
  });

  it("never see each other's conflicts, however their commands to one id interleave", async () => {
    const { store } = await systems.store();
    const carts = await systems.bank({ store, aggregateType: "cart" });
    const orders = await systems.bank({ store, aggregateType: "order" });
    expectOk(await carts.execute("1", open("1")));
    expectOk(await orders.execute("1", open("1")));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? carts : orders).execute("1", deposit(1))),
    );
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect((await carts.systemStats()).conflictsRetried + (await orders.systemStats()).conflictsRetried).toBe(
      0,
    );
    expect(expectOk(await carts.loadAggregate("1")).sequence).toBe(11);
    expect(expectOk(await orders.loadAggregate("1")).sequence).toBe(11);
  });

  it("give named queries their own type by default, the types they ask for, or all", async () => {
    const { store } = await systems.store();
    const own = recorder<BankAccountEvent>();
    const ordersOnly = recorder<BankAccountEvent>();
    const everything = recorder<BankAccountEvent>();
    const plain = recorder<BankAccountEvent>();
    const carts = await systems.bank({
      store,
      aggregateType: "cart",
      queries: [
        plain.query,
        { name: "cart-own", handle: own.query },
        { name: "cart-sees-orders", handle: ordersOnly.query, aggregateTypes: ["order"] },
        { name: "cart-sees-all", handle: everything.query, aggregateTypes: "all" },
      ],
    });
    const orders = await systems.bank({ store, aggregateType: "order" });
    expectOk(await carts.execute("1", open("1")));
    expectOk(await orders.execute("1", open("1")));
    expectOk(await orders.execute("2", open("2")));
    expectOk(await carts.execute("1", deposit(3)));
    await everything.waitFor(4);
    await own.waitFor(2);
    await ordersOnly.waitFor(2);
    await plain.waitFor(2);
    const seen = (calls: typeof own.calls) =>
      calls.map((call) => `${call.events[0]?.aggregateType}:${call.aggregateId}#${call.events[0]?.sequence}`);
    expect(seen(own.calls)).toEqual(["cart:1#1", "cart:1#2"]);
    expect(seen(plain.calls)).toEqual(["cart:1#1", "cart:1#2"]);
    expect(seen(ordersOnly.calls)).toEqual(["order:1#1", "order:2#1"]);
    expect(seen(everything.calls)).toEqual(["cart:1#1", "order:1#1", "order:2#1", "cart:1#2"]);
    // Every checkpoint is a position of the query's own types: its last batch's last event.
    const checkpoint = async (name: string) =>
      (await carts.systemStats()).queries.find((q) => q.name === name)?.checkpoint;
    await until(async () => (await checkpoint("cart-own")) === own.calls[1]?.events[0]?.position);
    await until(
      async () => (await checkpoint("cart-sees-orders")) === ordersOnly.calls[1]?.events[0]?.position,
    );
  });

  it("give every event an id, a UUID v7, the same in execute's answer and every read", async () => {
    const { store } = await systems.store();
    const carts = await systems.bank({ store, aggregateType: "cart" });
    const all = recorder<BankAccountEvent>();
    const orders = await systems.bank({
      store,
      aggregateType: "order",
      queries: [{ name: "ids", handle: all.query, aggregateTypes: "all" }],
    });
    const written = [
      ...expectOk(await carts.execute("1", open("1"))).events,
      ...expectOk(await orders.execute("1", open("1"))).events,
      ...expectOk(await carts.execute("1", deposit(2))).events,
    ];
    const ids = written.map((e) => e.eventId);
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(3);
    const read = [...expectOk(await carts.loadEvents("1")), ...expectOk(await orders.loadEvents("1"))];
    expect(read.map((e) => e.eventId).sort()).toEqual([...ids].sort());
    await all.waitFor(3);
    expect(all.calls.map((call) => call.events[0]?.eventId)).toEqual(ids);
  });
});
