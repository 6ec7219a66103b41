import type { AppendRequest, EventStore } from "../core/event-store.js";
import type { ContractContext } from "./contract-context.js";
import {
  appended,
  byCall,
  commitsOf,
  consecutiveFrom,
  encoded,
  readLog,
  summary,
} from "./contract-helpers.js";

/**
 * The contract of `readAll`, the global log: positions, paging, and commits kept whole and in order.
 *
 * @example
 * ```ts
 * describeReadAllContract(new ContractContext(harness, tools, 25));
 * ```
 */
export function describeReadAllContract(context: ContractContext): void {
  const { it, expect } = context.tools;

  it("reads the global log after a position, at most limit events", async () => {
    const store = await context.fresh();
    await appendAll(store, [
      [{ aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [encoded(1), encoded(2)] }],
      [{ aggregateType: "default", aggregateId: "b", expectedSequence: 0, events: [encoded(3)] }],
      [{ aggregateType: "default", aggregateId: "a", expectedSequence: 2, events: [encoded(4), encoded(5)] }],
    ]);
    const all = await store.readAll(0n, 100);
    const position = (i: number) => (all[i] ?? all[0])?.position ?? 0n;

    expect(all.map((event) => JSON.parse(event.payload))).toEqual([1, 2, 3, 4, 5]);
    expect((await store.readAll(0n, 2)).map(summary)).toEqual(all.slice(0, 2).map(summary));
    expect((await store.readAll(position(1), 2)).map(summary)).toEqual(all.slice(2, 4).map(summary));
    expect((await store.readAll(position(2), 100)).map(summary)).toEqual(all.slice(3).map(summary));
    expect(await store.readAll(position(4), 100)).toEqual([]);
    expect(await store.readAll(position(4) + 1_000n, 100)).toEqual([]);
  });

  it("pages through the global log giving every event once, in commit order, each commit whole", async () => {
    const store = await context.fresh();
    const calls: AppendRequest[][] = [
      [
        {
          aggregateType: "default",
          aggregateId: "a",
          expectedSequence: 0,
          events: [encoded("a1"), encoded("a2")],
        },
      ],
      [
        {
          aggregateType: "default",
          aggregateId: "b",
          expectedSequence: 0,
          events: [encoded("b1"), encoded("b2"), encoded("b3")],
        },
        { aggregateType: "default", aggregateId: "c", expectedSequence: 0, events: [encoded("c1")] },
      ],
      [{ aggregateType: "default", aggregateId: "a", expectedSequence: 2, events: [encoded("a3")] }],
      [
        {
          aggregateType: "default",
          aggregateId: "c",
          expectedSequence: 1,
          events: [encoded("c2"), encoded("c3")],
        },
        {
          aggregateType: "default",
          aggregateId: "a",
          expectedSequence: 3,
          events: [encoded("a4"), encoded("a5")],
        },
      ],
    ];
    await appendAll(store, calls);

    const log = await readLog(store, 3);

    expect(log).toHaveLength(11);
    expect(new Set(log.map((event) => `${event.aggregateId}#${event.sequence}`)).size).toBe(11);
    const commits = commitsOf(log);
    for (const commit of commits) expect(commit.sequences).toEqual(consecutiveFrom(commit));
    // Commits of one call may be in any order among themselves, but after those of earlier calls.
    expect(byCall(commits, [1, 2, 1, 2])).toEqual([
      [{ aggregateId: "a", commitStart: 1, sequences: [1, 2] }],
      [
        { aggregateId: "b", commitStart: 1, sequences: [1, 2, 3] },
        { aggregateId: "c", commitStart: 1, sequences: [1] },
      ],
      [{ aggregateId: "a", commitStart: 3, sequences: [3] }],
      [
        { aggregateId: "a", commitStart: 4, sequences: [4, 5] },
        { aggregateId: "c", commitStart: 2, sequences: [2, 3] },
      ],
    ]);
    expect(log.map((event) => JSON.parse(event.payload)).filter((p: string) => p.startsWith("a"))).toEqual([
      "a1",
      "a2",
      "a3",
      "a4",
      "a5",
    ]);
  });
}

async function appendAll(store: EventStore, calls: readonly (readonly AppendRequest[])[]): Promise<void> {
  for (const call of calls) for (const outcome of await store.append(call)) appended(outcome);
}
