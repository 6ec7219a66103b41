import type { EventStore, StoredEvent } from "../core/event-store.js";
import type { ContractContext } from "./contract-context.js";
import { appended, appendWithRetry, conflictOf, encoded, readLog } from "./contract-helpers.js";

const noSecondHandle = "the harness has no openAnother, so one storage cannot be shared by two handles";

/**
 * The contract under concurrency: optimistic appends from one handle or two, and a reader following
 * positions while writers commit.
 *
 * @example
 * ```ts
 * describeConcurrencyContract(new ContractContext(harness, tools, 25));
 * ```
 */
export function describeConcurrencyContract(context: ContractContext): void {
  const { it, expect } = context.tools;

  const raceTwoAppends = async (first: EventStore, second: EventStore) => {
    appended(
      (
        await first.append([
          { aggregateType: "default", aggregateId: "race", expectedSequence: 0, events: [encoded("seed")] },
        ])
      )[0],
    );
    for (let round = 1; round <= 5; round++) {
      const outcomes = await Promise.all(
        [first, second].map(async (store, writer) => {
          const [outcome] = await store.append([
            {
              aggregateType: "default",
              aggregateId: "race",
              expectedSequence: round,
              events: [encoded({ round, writer })],
            },
          ]);
          return outcome;
        }),
      );
      const winners = outcomes.filter((outcome) => outcome?.ok);
      expect(winners).toHaveLength(1);
      const loser = outcomes.find((outcome) => !outcome?.ok);
      expect(conflictOf(loser)).toEqual({
        aggregateType: "default",
        aggregateId: "race",
        expectedSequence: round,
        actualSequence: round + 1,
      });
    }
    const stream = await first.readAggregate("default", "race", 0);
    expect(stream.map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await second.currentSequence("default", "race")).toBe(6);
    expect(await readLog(second)).toHaveLength(6);
  };

  it("lets exactly one of two concurrent appends at the same expected sequence win", async () => {
    const store = await context.fresh();
    await raceTwoAppends(store, store);
  });

  it("lets exactly one of two concurrent appends at the same expected sequence win across two handles", async ({
    skip,
  }) => {
    if (!context.canOpenAnother) skip(noSecondHandle);
    const store = await context.fresh();
    await raceTwoAppends(store, await context.another(store));
  });

  const twentyWriters = async (handles: readonly EventStore[]) => {
    const writers = Array.from({ length: 20 }, (_, writer) => writer);
    await Promise.all(
      writers.map((writer) =>
        appendWithRetry(handles[writer % handles.length] as EventStore, "contended", encoded({ writer })),
      ),
    );
    const stream = await (handles[0] as EventStore).readAggregate("default", "contended", 0);
    expect(stream.map((event) => event.sequence)).toEqual(writers.map((writer) => writer + 1));
    expect(
      stream.map((event) => JSON.parse(event.payload).writer).sort((x: number, y: number) => x - y),
    ).toEqual(writers);
  };

  it("ends twenty writers that read, append and retry on conflict with a gapless stream holding each event once", async () => {
    await twentyWriters([await context.fresh()]);
  });

  it("ends twenty retrying writers on two handles with a gapless stream holding each event once", async ({
    skip,
  }) => {
    if (!context.canOpenAnother) skip(noSecondHandle);
    const store = await context.fresh();
    await twentyWriters([store, await context.another(store)]);
  });

  it("gives a reader following positions every event exactly once while writers commit", async () => {
    const store = await context.fresh();
    const handles = context.canOpenAnother ? [store, await context.another(store)] : [store];
    let writing = true;
    const writes = Promise.all(
      Array.from({ length: 12 }, async (_, writer) => {
        const handle = handles[writer % handles.length] as EventStore;
        for (let i = 0; i < 4; i++)
          await appendWithRetry(handle, `stream-${writer % 4}`, encoded({ writer, i }));
      }),
    ).finally(() => {
      writing = false;
    });

    const seen: StoredEvent[] = [];
    let after = 0n;
    const reader = handles.at(-1) as EventStore;
    for (let idle = 0; writing || idle < 2; ) {
      const page = await reader.readAll(after, 5);
      for (const event of page) {
        expect(event.position).toBeGreaterThan(after);
        after = event.position;
        seen.push(event);
      }
      if (page.length > 0) idle = 0;
      else {
        if (!writing) idle++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await writes;
    for (const event of await reader.readAll(after, 100)) seen.push(event);

    const key = (event: StoredEvent) => `${event.aggregateId}#${event.sequence}`;
    expect(seen).toHaveLength(48);
    expect(seen.map(key)).toEqual((await readLog(store)).map(key));
  });
}
