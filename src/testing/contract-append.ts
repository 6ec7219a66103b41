import type { ContractContext } from "./contract-context.js";
import { appended, conflictOf, encoded, readLog, summary } from "./contract-helpers.js";

/**
 * The contract of `append`, `readAggregate` and `currentSequence`: numbering, conflicts, and
 * multi-aggregate calls.
 *
 * @example
 * ```ts
 * describeAppendContract(new ContractContext(harness, tools, 25));
 * ```
 */
export function describeAppendContract(context: ContractContext): void {
  const { it, expect } = context.tools;

  it("gives an unknown aggregate no events, sequence 0 and no snapshot, and an unknown query no checkpoint", async () => {
    const store = await context.fresh();
    expect(await store.readAggregate("default", "nobody", 0)).toEqual([]);
    expect(await store.currentSequence("default", "nobody")).toBe(0);
    expect(await store.loadSnapshot("default", "nobody")).toBeNull();
    expect(await store.loadCheckpoint("nobody")).toBeNull();
    expect(await store.readAll(0n, 10)).toEqual([]);
  });

  it("numbers a first append from sequence 1 and keeps every field of every event", async () => {
    const store = await context.fresh();
    const sent = [
      encoded({ amount: 10 }, { userId: "u-1" }, "Deposited"),
      encoded({ amount: 3 }, { userId: "u-1" }, "Withdrawn"),
      encoded({ note: "third" }, {}, "Noted"),
    ];
    const stored = appended(
      (
        await store.append([
          { aggregateType: "default", aggregateId: "a-1", expectedSequence: 0, events: sent },
        ])
      )[0],
    );

    expect(stored.map((event) => event.sequence)).toEqual([1, 2, 3]);
    expect(stored.map((event) => event.commitStart)).toEqual([1, 1, 1]);
    expect(stored.map((event) => event.aggregateId)).toEqual(["a-1", "a-1", "a-1"]);
    expect(stored.map((event) => event.eventType)).toEqual(["Deposited", "Withdrawn", "Noted"]);
    expect(stored.map((event) => JSON.parse(event.payload))).toEqual([
      { amount: 10 },
      { amount: 3 },
      { note: "third" },
    ]);
    expect(stored.map((event) => event.metadata)).toEqual([{ userId: "u-1" }, { userId: "u-1" }, {}]);
    for (const [i, event] of stored.entries()) {
      expect(typeof event.position).toBe("bigint");
      expect(event.recordedAt).toBeInstanceOf(Date);
      expect(Number.isNaN(event.recordedAt.getTime())).toBe(false);
      if (i > 0) expect(event.position).toBeGreaterThan((stored[i - 1] ?? event).position);
    }
    const read = await store.readAggregate("default", "a-1", 0);
    expect(read.map(summary)).toEqual(stored.map(summary));
    expect(read.every((event) => event.recordedAt instanceof Date)).toBe(true);
    expect(await store.currentSequence("default", "a-1")).toBe(3);
  });

  it("refuses a stale expected sequence with the actual sequence and writes nothing", async () => {
    const store = await context.fresh();
    appended(
      (
        await store.append([
          {
            aggregateType: "default",
            aggregateId: "a",
            expectedSequence: 0,
            events: [encoded(1), encoded(2)],
          },
        ])
      )[0],
    );
    const logBefore = (await readLog(store)).map(summary);

    const [outcome] = await store.append([
      { aggregateType: "default", aggregateId: "a", expectedSequence: 1, events: [encoded("late")] },
    ]);

    expect(conflictOf(outcome)).toEqual({
      aggregateType: "default",
      aggregateId: "a",
      expectedSequence: 1,
      actualSequence: 2,
    });
    expect((await store.readAggregate("default", "a", 0)).map((event) => JSON.parse(event.payload))).toEqual([
      1, 2,
    ]);
    expect(await store.currentSequence("default", "a")).toBe(2);
    expect((await readLog(store)).map(summary)).toEqual(logBefore);
  });

  it("refuses an expected sequence ahead of the stream, so that no gap can appear", async () => {
    const store = await context.fresh();
    appended(
      (
        await store.append([
          {
            aggregateType: "default",
            aggregateId: "a",
            expectedSequence: 0,
            events: [encoded(1), encoded(2)],
          },
        ])
      )[0],
    );

    const [ahead] = await store.append([
      { aggregateType: "default", aggregateId: "a", expectedSequence: 5, events: [encoded("x")] },
    ]);
    const [unknown] = await store.append([
      { aggregateType: "default", aggregateId: "b", expectedSequence: 1, events: [encoded("y")] },
    ]);

    expect(conflictOf(ahead)).toEqual({
      aggregateType: "default",
      aggregateId: "a",
      expectedSequence: 5,
      actualSequence: 2,
    });
    expect(conflictOf(unknown)).toEqual({
      aggregateType: "default",
      aggregateId: "b",
      expectedSequence: 1,
      actualSequence: 0,
    });
    expect(await store.currentSequence("default", "a")).toBe(2);
    expect(await store.readAggregate("default", "b", 0)).toEqual([]);
    expect(await readLog(store)).toHaveLength(2);
  });

  it("writes the other requests of a multi-aggregate append and reports a conflict to its own request only", async () => {
    const store = await context.fresh();
    appended(
      (
        await store.append([
          { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [encoded("a1")] },
        ])
      )[0],
    );

    const outcomes = await store.append([
      {
        aggregateType: "default",
        aggregateId: "b",
        expectedSequence: 0,
        events: [encoded("b1"), encoded("b2")],
      },
      { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [encoded("stale")] },
      { aggregateType: "default", aggregateId: "c", expectedSequence: 0, events: [encoded("c1")] },
    ]);

    expect(outcomes).toHaveLength(3);
    expect(appended(outcomes[0]).map((event) => [event.aggregateId, event.sequence])).toEqual([
      ["b", 1],
      ["b", 2],
    ]);
    expect(conflictOf(outcomes[1])).toEqual({
      aggregateType: "default",
      aggregateId: "a",
      expectedSequence: 0,
      actualSequence: 1,
    });
    expect(appended(outcomes[2]).map((event) => [event.aggregateId, event.sequence])).toEqual([["c", 1]]);
    expect((await store.readAggregate("default", "a", 0)).map((event) => JSON.parse(event.payload))).toEqual([
      "a1",
    ]);
    expect(await store.currentSequence("default", "b")).toBe(2);
    expect(await store.currentSequence("default", "c")).toBe(1);
    expect(await readLog(store)).toHaveLength(4);
  });

  it("reads an aggregate after sequence n as only the events with a greater sequence", async () => {
    const store = await context.fresh();
    appended(
      (
        await store.append([
          {
            aggregateType: "default",
            aggregateId: "a",
            expectedSequence: 0,
            events: [encoded(1), encoded(2)],
          },
        ])
      )[0],
    );
    appended(
      (
        await store.append([
          {
            aggregateType: "default",
            aggregateId: "a",
            expectedSequence: 2,
            events: [encoded(3), encoded(4), encoded(5)],
          },
        ])
      )[0],
    );
    appended(
      (
        await store.append([
          { aggregateType: "default", aggregateId: "other", expectedSequence: 0, events: [encoded("o")] },
        ])
      )[0],
    );

    const sequencesAfter = async (n: number) =>
      (await store.readAggregate("default", "a", n)).map((event) => event.sequence);
    expect(await sequencesAfter(0)).toEqual([1, 2, 3, 4, 5]);
    expect(await sequencesAfter(2)).toEqual([3, 4, 5]);
    expect(await sequencesAfter(4)).toEqual([5]);
    expect(await sequencesAfter(5)).toEqual([]);
    expect(await sequencesAfter(9)).toEqual([]);
  });

  it("marks each event of a later commit with the first sequence of that commit", async () => {
    const store = await context.fresh();
    appended(
      (
        await store.append([
          {
            aggregateType: "default",
            aggregateId: "a",
            expectedSequence: 0,
            events: [encoded(1), encoded(2)],
          },
        ])
      )[0],
    );
    const second = appended(
      (
        await store.append([
          {
            aggregateType: "default",
            aggregateId: "a",
            expectedSequence: 2,
            events: [encoded(3), encoded(4), encoded(5)],
          },
        ])
      )[0],
    );
    const third = appended(
      (
        await store.append([
          { aggregateType: "default", aggregateId: "a", expectedSequence: 5, events: [encoded(6)] },
        ])
      )[0],
    );

    expect(second.map((event) => event.commitStart)).toEqual([3, 3, 3]);
    expect(third.map((event) => event.commitStart)).toEqual([6]);
    expect((await store.readAggregate("default", "a", 0)).map((event) => event.commitStart)).toEqual([
      1, 1, 3, 3, 3, 6,
    ]);
    expect((await readLog(store)).map((event) => event.commitStart)).toEqual([1, 1, 3, 3, 3, 6]);
  });
}
