/**
 * Loads of many aggregates at once go to PostgreSQL together: `readAggregates` and `loadSnapshots`
 * answer exactly what the one-stream reads answer, in request order, and a burst of commands to
 * aggregates not in memory makes a few batched reads, not one per aggregate.
 */
import { afterEach, expect, it } from "vitest";
import {
  apply,
  type BankAccount,
  type BankAccountCommand,
  type BankAccountError,
  type BankAccountEvent,
  emptyState,
  handle,
} from "../../examples/bank-account/domain.js";
import type { AggregateRead, EventStore } from "../../src/core/event-store.js";
import { start } from "../../src/index.js";
import { createPostgresTestStore, describePostgres } from "../support/postgres.js";

const stores: EventStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function fresh(): Promise<EventStore> {
  const store = await createPostgresTestStore();
  stores.push(store);
  return store;
}

const counted = (n: number) => ({
  eventType: "Counted",
  payload: JSON.stringify({ type: "Counted", n }),
  metadata: { n: String(n) },
});

describePostgres("PostgreSQL batched reads", () => {
  it("answers readAggregates and loadSnapshots as the one-stream reads do, in request order", async () => {
    const store = await fresh();
    const outcomes = await store.append([
      {
        aggregateType: "a",
        aggregateId: "x",
        expectedSequence: 0,
        events: [counted(1), counted(2), counted(3)],
      },
      { aggregateType: "b", aggregateId: "x", expectedSequence: 0, events: [counted(4)] },
      { aggregateType: "a", aggregateId: "y", expectedSequence: 0, events: [counted(5), counted(6)] },
    ]);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    await store.saveSnapshot({
      aggregateType: "a",
      aggregateId: "y",
      sequence: 2,
      version: 3,
      state: '{"z":1,"a":2}',
      timestamp: new Date("2026-01-02T03:04:05.678Z"),
    });
    const reads: AggregateRead[] = [
      { aggregateType: "a", aggregateId: "y", afterSequence: 0 },
      { aggregateType: "a", aggregateId: "x", afterSequence: 1 },
      { aggregateType: "a", aggregateId: "missing", afterSequence: 0 },
      { aggregateType: "b", aggregateId: "x", afterSequence: 0 },
      { aggregateType: "a", aggregateId: "x", afterSequence: 3 },
      { aggregateType: "a", aggregateId: "y", afterSequence: 0 },
    ];
    const batched = await store.readAggregates?.(reads);
    const single = await Promise.all(
      reads.map((r) => store.readAggregate(r.aggregateType, r.aggregateId, r.afterSequence)),
    );
    expect(batched).toEqual(single);
    expect(batched?.map((events) => events.length)).toEqual([2, 2, 0, 1, 0, 2]);
    const streams = [
      { aggregateType: "a", aggregateId: "x" },
      { aggregateType: "a", aggregateId: "y" },
      { aggregateType: "b", aggregateId: "y" },
    ];
    const snapshots = await store.loadSnapshots?.(streams);
    expect(snapshots).toEqual(
      await Promise.all(streams.map((s) => store.loadSnapshot(s.aggregateType, s.aggregateId))),
    );
    expect(snapshots?.map((snapshot) => snapshot?.state ?? null)).toEqual([null, '{"z":1,"a":2}', null]);
  });

  it("loads a burst of aggregates not in memory with a few batched reads, not one each", async () => {
    const store = await fresh();
    let batchedCalls = 0;
    let singleCalls = 0;
    const readAggregates = store.readAggregates?.bind(store);
    const readAggregate = store.readAggregate.bind(store);
    // Every other member is the store's own, called on the store.
    const watched = new Proxy(store, {
      get(target, key) {
        if (key === "readAggregates")
          return (requests: readonly AggregateRead[]) => {
            batchedCalls++;
            return readAggregates?.(requests) ?? Promise.resolve([]);
          };
        if (key === "readAggregate")
          return (type: string, id: string, after: number) => {
            singleCalls++;
            return readAggregate(type, id, after);
          };
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const bank = await start<BankAccount, BankAccountCommand, BankAccountEvent, BankAccountError>({
      store: watched,
      handle,
      apply,
      emptyState,
    });
    try {
      const ids = Array.from({ length: 300 }, (_, i) => `acc-${i}`);
      const answers = await Promise.all(
        ids.map((id) => bank.execute(id, { type: "OpenAccount", accountId: id })),
      );
      expect(answers.every((answer) => answer.ok)).toBe(true);
      expect(singleCalls).toBe(0);
      expect(batchedCalls).toBeGreaterThan(0);
      expect(batchedCalls).toBeLessThanOrEqual(10);
    } finally {
      await bank.stop();
    }
  });
});
