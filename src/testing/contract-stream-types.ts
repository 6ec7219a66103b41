import type { ContractContext } from "./contract-context.js";
import { appended, conflictOf, encoded, readLog, request, summary } from "./contract-helpers.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The contract of aggregate types, event ids and event versions: a stream is (aggregateType,
 * aggregateId), so two types with one id are independent streams; `readAll` filters by type; every
 * event gets a unique UUID and keeps the version it was written at.
 *
 * @example
 * ```ts
 * describeStreamTypesContract(new ContractContext(harness, tools, 25));
 * ```
 */
export function describeStreamTypesContract(context: ContractContext): void {
  const { it, expect } = context.tools;

  it("keeps two aggregate types with the same id as independent streams", async () => {
    const store = await context.fresh();
    appended((await store.append([request("cart", "1", 0, [encoded("c1"), encoded("c2")])]))[0]);
    // The order stream "1" is new, whatever the cart stream "1" holds.
    const [order] = await store.append([request("order", "1", 0, [encoded("o1")])]);
    expect(appended(order).map((event) => [event.aggregateType, event.sequence])).toEqual([["order", 1]]);
    expect(await store.currentSequence("cart", "1")).toBe(2);
    expect(await store.currentSequence("order", "1")).toBe(1);
    expect(await store.currentSequence("default", "1")).toBe(0);
    const carts = await store.readAggregate("cart", "1", 0);
    expect(carts.map((event) => [event.aggregateType, JSON.parse(event.payload)])).toEqual([
      ["cart", "c1"],
      ["cart", "c2"],
    ]);
    expect((await store.readAggregate("order", "1", 0)).map((event) => JSON.parse(event.payload))).toEqual([
      "o1",
    ]);
    expect(await store.readAggregate("default", "1", 0)).toEqual([]);
  });

  it("checks a conflict against the stream of the request's own type", async () => {
    const store = await context.fresh();
    appended((await store.append([request("cart", "1", 0, [encoded(1), encoded(2), encoded(3)])]))[0]);
    const outcomes = await store.append([
      request("order", "1", 3, [encoded("stale")]),
      request("cart", "1", 3, [encoded(4)]),
    ]);
    expect(conflictOf(outcomes[0])).toEqual({
      aggregateType: "order",
      aggregateId: "1",
      expectedSequence: 3,
      actualSequence: 0,
    });
    expect(appended(outcomes[1]).map((event) => event.sequence)).toEqual([4]);
  });

  it("takes one id of two types in one append call", async () => {
    const store = await context.fresh();
    const outcomes = await store.append([
      request("cart", "1", 0, [encoded("c")]),
      request("order", "1", 0, [encoded("o")]),
    ]);
    expect(outcomes.map((outcome) => appended(outcome)[0]?.aggregateType)).toEqual(["cart", "order"]);
  });

  it("reads the global log of some aggregate types only, in position order, with limit counting them", async () => {
    const store = await context.fresh();
    const types = ["cart", "order", "invoice", "cart", "order", "cart", "invoice"];
    for (const [i, type] of types.entries()) {
      const expected = await store.currentSequence(type, "x");
      appended((await store.append([request(type, "x", expected, [encoded(i)])]))[0]);
    }
    const log = await readLog(store);
    const only = (wanted: readonly string[]) =>
      log.filter((event) => wanted.includes(event.aggregateType)).map(summary);

    const carts = await store.readAll(0n, 100, { aggregateTypes: ["cart"] });
    expect(carts.map(summary)).toEqual(only(["cart"]));
    const some = await store.readAll(0n, 100, { aggregateTypes: ["order", "cart"] });
    expect(some.map(summary)).toEqual(only(["cart", "order"]));
    // Paging: limit counts the events of the types asked for, and positions go on from the page.
    const firstPage = await store.readAll(0n, 2, { aggregateTypes: ["cart", "invoice"] });
    expect(firstPage.map(summary)).toEqual(only(["cart", "invoice"]).slice(0, 2));
    const last = firstPage[firstPage.length - 1]?.position ?? 0n;
    const nextPage = await store.readAll(last, 2, { aggregateTypes: ["cart", "invoice"] });
    expect(nextPage.map(summary)).toEqual(only(["cart", "invoice"]).slice(2, 4));
    expect(await store.readAll(0n, 10, { aggregateTypes: ["unknown"] })).toEqual([]);
    expect((await store.readAll(0n, 100)).map(summary)).toEqual(log.map(summary));
  });

  it("gives every event a distinct UUID, the same on every read path", async () => {
    const store = await context.fresh();
    const written = [
      ...appended((await store.append([request("cart", "1", 0, [encoded(1), encoded(2)])]))[0]),
      ...appended((await store.append([request("order", "1", 0, [encoded(3)])]))[0]),
    ];
    const ids = written.map((event) => event.eventId);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(3);
    const read = [
      ...(await store.readAggregate("cart", "1", 0)),
      ...(await store.readAggregate("order", "1", 0)),
    ];
    expect(read.map((event) => event.eventId)).toEqual(ids);
    expect((await readLog(store)).map((event) => event.eventId)).toEqual(ids);
  });

  it("keeps the version each event was written at, 1 when none was given", async () => {
    const store = await context.fresh();
    const events = [encoded("old"), { ...encoded("new"), eventVersion: 3 }];
    const written = appended((await store.append([request("cart", "1", 0, events)]))[0]);
    expect(written.map((event) => event.eventVersion)).toEqual([1, 3]);
    expect((await store.readAggregate("cart", "1", 0)).map((event) => event.eventVersion)).toEqual([1, 3]);
    expect((await readLog(store)).map((event) => event.eventVersion)).toEqual([1, 3]);
  });
}
