import type { AppendRequest } from "../core/event-store.js";
import type { ContractContext } from "./contract-context.js";
import {
  appended,
  byCall,
  commitsOf,
  conflictOf,
  encoded,
  type LoggedCommit,
  readLog,
  summary,
} from "./contract-helpers.js";

const aggregateIds = ["a", "b", "c"] as const;

interface PlannedRequest {
  readonly aggregateId: string;
  /** Added to the stream's true last sequence: 0 states it correctly, anything else is a conflict. */
  readonly offset: number;
  readonly eventCount: number;
}

/**
 * The property-based contract: random appends, right or wrong, alone or several per call, compared
 * with a model of streams and of the global log.
 *
 * @example
 * ```ts
 * describeModelContract(new ContractContext(harness, tools, 25));
 * ```
 */
export function describeModelContract(context: ContractContext): void {
  const { it, expect, fc } = context.tools;

  const planned = fc.record({
    aggregateId: fc.constantFrom(...aggregateIds),
    offset: fc.oneof(
      { weight: 3, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 }) },
    ),
    eventCount: fc.integer({ min: 1, max: 3 }),
  });
  const call = fc.oneof(
    { weight: 3, arbitrary: planned.map((request) => [request]) },
    {
      weight: 1,
      arbitrary: fc.uniqueArray(planned, {
        minLength: 2,
        maxLength: 3,
        selector: (request) => request.aggregateId,
      }),
    },
  );

  const run = async (calls: readonly (readonly PlannedRequest[])[]) => {
    const store = await context.fresh();
    const model = new Map<string, Record<string, unknown>[]>(aggregateIds.map((id) => [id, []]));
    const expectedCalls: LoggedCommit[][] = [];
    const positions = new Map<string, bigint>();
    let counter = 0;

    for (const plan of calls) {
      const requests: AppendRequest[] = plan.map(({ aggregateId, offset, eventCount }) => ({
        aggregateType: "default",
        aggregateId,
        expectedSequence: Math.max(0, (model.get(aggregateId)?.length ?? 0) + offset),
        events: Array.from({ length: eventCount }, () =>
          encoded({ n: counter++ }, { by: "model" }, `E${counter % 3}`),
        ),
      }));
      const outcomes = await store.append(requests);
      expect(outcomes).toHaveLength(requests.length);

      const committed: LoggedCommit[] = [];
      for (const [i, request] of requests.entries()) {
        const stream = model.get(request.aggregateId) ?? [];
        const actualSequence = stream.length;
        if (request.expectedSequence !== actualSequence) {
          expect(conflictOf(outcomes[i])).toEqual({
            aggregateType: "default",
            aggregateId: request.aggregateId,
            expectedSequence: request.expectedSequence,
            actualSequence,
          });
          continue;
        }
        const commitStart = actualSequence + 1;
        const expected = request.events.map((event, j) => ({
          aggregateType: "default",
          aggregateId: request.aggregateId,
          sequence: commitStart + j,
          commitStart,
          eventType: event.eventType,
          eventVersion: 1,
          payload: JSON.parse(event.payload),
          metadata: { ...event.metadata },
        }));
        const stored = appended(outcomes[i]);
        expect(stored.map(summary).map(({ position: _, eventId: __, ...rest }) => rest)).toEqual(expected);
        for (const event of stored) positions.set(`${event.aggregateId}#${event.sequence}`, event.position);
        stream.push(...expected);
        committed.push({
          aggregateId: request.aggregateId,
          commitStart,
          sequences: expected.map((event) => event.sequence),
        });
      }
      expectedCalls.push(committed.sort((x, y) => (x.aggregateId < y.aggregateId ? -1 : 1)));
    }

    for (const aggregateId of aggregateIds) {
      const stream = model.get(aggregateId) ?? [];
      const read = (await store.readAggregate("default", aggregateId, 0)).map(summary);
      expect(read.map(({ position: _, eventId: __, ...rest }) => rest)).toEqual(stream);
      expect(await store.currentSequence("default", aggregateId)).toBe(stream.length);
    }
    const log = await readLog(store, 4);
    expect(log.map((event) => positions.get(`${event.aggregateId}#${event.sequence}`))).toEqual(
      log.map((event) => event.position),
    );
    expect(
      byCall(
        commitsOf(log),
        expectedCalls.map((commits) => commits.length),
      ),
    ).toEqual(expectedCalls);
  };

  it("matches a model of streams and of the global log over random appends, right or wrong, one or several per call", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 12 }), async (calls) => {
        try {
          await run(calls);
        } finally {
          await context.dispose();
        }
      }),
      { numRuns: context.numRuns },
    );
  }, 120_000);
}
