import type { ContractContext } from "./contract-context.js";
import { appended, encoded, readLog } from "./contract-helpers.js";

/** Aggregate ids that break naive quoting, encoding, collation or column sizes. */
const awkwardIds = [
  'say "hello"',
  "it's",
  "back\\slash\\",
  "percent % and _underscore",
  "ünïcødé 日本語 ελληνικά",
  "emoji 🧾🚀👩‍👩‍👧",
  "Case",
  "case",
  " padded ",
  "x".repeat(1_000),
];

/**
 * The contract that what goes in comes out: awkward ids, large and unicode payloads, metadata, and
 * wide appends.
 *
 * @example
 * ```ts
 * describeRoundTripContract(new ContractContext(harness, tools, 25));
 * ```
 */
export function describeRoundTripContract(context: ContractContext): void {
  const { it, expect } = context.tools;

  it("keeps aggregate ids with quotes, backslashes, unicode, emoji and 1,000 characters apart and intact", async () => {
    const store = await context.fresh();
    for (const [i, aggregateId] of awkwardIds.entries()) {
      const events = Array.from({ length: i + 1 }, (_, n) => encoded({ id: aggregateId, n }));
      appended(
        (await store.append([{ aggregateType: "default", aggregateId, expectedSequence: 0, events }]))[0],
      );
      await store.saveSnapshot({
        aggregateType: "default",
        aggregateId,
        sequence: i + 1,
        version: 1,
        state: JSON.stringify(i),
        timestamp: new Date(),
      });
    }
    for (const [i, aggregateId] of awkwardIds.entries()) {
      const read = await store.readAggregate("default", aggregateId, 0);
      expect(read.map((event) => event.aggregateId)).toEqual(Array(i + 1).fill(aggregateId));
      expect(read.map((event) => JSON.parse(event.payload).id)).toEqual(Array(i + 1).fill(aggregateId));
      expect(await store.currentSequence("default", aggregateId)).toBe(i + 1);
      expect((await store.loadSnapshot("default", aggregateId))?.aggregateId).toBe(aggregateId);
    }
    const logged = new Set((await readLog(store)).map((event) => event.aggregateId));
    expect([...logged].sort()).toEqual([...awkwardIds].sort());
  });

  it("keeps unicode payloads and a payload of 100 KB intact", async () => {
    const store = await context.fresh();
    const unicode = {
      text: 'ünïcødé 日本語 🧾 "quoted" \\ back\nline\ttab',
      nested: { ключ: ["значение", 1.5, -2] },
    };
    const large = { digits: "0123456789".repeat(10_000), wide: "日本語🧾".repeat(1_000), list: [1, 2, 3] };
    expect(JSON.stringify(large).length).toBeGreaterThan(100_000);

    appended(
      (
        await store.append([
          {
            aggregateType: "default",
            aggregateId: "p",
            expectedSequence: 0,
            events: [encoded(unicode), encoded(large)],
          },
        ])
      )[0],
    );

    const read = await store.readAggregate("default", "p", 0);
    expect(read.map((event) => JSON.parse(event.payload))).toEqual([unicode, large]);
    expect((await readLog(store)).map((event) => JSON.parse(event.payload))).toEqual([unicode, large]);
  });

  it("keeps metadata with several keys, and empty metadata, intact", async () => {
    const store = await context.fresh();
    const metadata = { userId: "u-1", traceId: "00-4bf92f-01", source: 'api "v2" ü', empty: "" };
    appended(
      (
        await store.append([
          {
            aggregateType: "default",
            aggregateId: "m",
            expectedSequence: 0,
            events: [encoded(1, metadata), encoded(2, {}), encoded(3, { one: "1" })],
          },
        ])
      )[0],
    );

    const read = await store.readAggregate("default", "m", 0);
    expect(read.map((event) => ({ ...event.metadata }))).toEqual([metadata, {}, { one: "1" }]);
    expect((await readLog(store)).map((event) => ({ ...event.metadata }))).toEqual([
      metadata,
      {},
      { one: "1" },
    ]);
  });

  it("appends to 1,000 aggregates in one call", async () => {
    const store = await context.fresh();
    const ids = Array.from({ length: 1_000 }, (_, i) => `wide-${i}`);

    const outcomes = await store.append(
      ids.map((aggregateId) => ({
        aggregateType: "default",
        aggregateId,
        expectedSequence: 0,
        events: [encoded({ aggregateId })],
      })),
    );

    expect(outcomes).toHaveLength(1_000);
    expect(outcomes.map((outcome) => appended(outcome)[0]?.aggregateId)).toEqual(ids);
    const log = await readLog(store, 250);
    expect(log.map((event) => event.aggregateId).sort()).toEqual([...ids].sort());
    expect(await store.currentSequence("default", "wide-0")).toBe(1);
    expect(await store.currentSequence("default", "wide-999")).toBe(1);
  });
}
