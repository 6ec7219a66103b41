/**
 * Guarantee 14 for queries: a plain query that keeps failing holds at most `queryRetry.maxPending`
 * batches; past it, new commits are not queued for it (counted, logged, status "overflowed"), commands
 * go on, and once it has delivered what it holds it takes commits again.
 */
import { expect, it } from "vitest";
import type { BankAccountEvent } from "../../examples/bank-account/domain.js";
import type { EventEnvelope } from "../../src/index.js";
import { supervised } from "../../src/index.js";
import { manualClock } from "../../src/runtime/clock.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, until, useSystems } from "../support/system.js";

it("refuses a maxPending that is not a positive integer, naming the option", () => {
  for (const maxPending of [0, -1, 1.5, Number.NaN]) {
    expect(() =>
      supervised({
        store: memoryStore(),
        handle: () => ({ ok: true, value: [] }),
        apply: (state: number) => state,
        emptyState: 0,
        queryRetry: { maxPending },
      }),
    ).toThrow(/queryRetry\.maxPending/);
  }
});

forEachStore("a failing plain query", (kind) => {
  const systems = useSystems(kind);

  it("holds at most maxPending batches, drops the commits past it, says so, and recovers", async () => {
    const clock = manualClock();
    const errors: string[] = [];
    let failing = true;
    const delivered: string[] = [];
    const bank = await systems.bank({
      clock,
      logger: { warn() {}, error: (message) => errors.push(message) },
      queryRetry: { maxPending: 3 },
      queries: [
        (id: string, events: readonly EventEnvelope<BankAccountEvent>[]) => {
          if (failing) throw new Error("read model offline");
          delivered.push(`${id}#${events[0]?.sequence}`);
        },
      ],
    });
    expectOk(await bank.execute("acc", open("acc")));
    for (let i = 1; i <= 9; i++) expectOk(await bank.execute("acc", deposit(i)));
    await until(async () => (await bank.systemStats()).queries[0]?.failures === 1);

    const full = await bank.systemStats();
    expect(full.totalCommandsProcessed).toBe(10);
    expect(full.queries[0]).toMatchObject({ status: "overflowed", pendingBatches: 3, droppedBatches: 7 });
    expect(full.queryBatchesDropped).toBe(7);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/maxPending/);

    failing = false;
    await clock.advance(100);
    await until(() => delivered.length === 3);
    expect(delivered).toEqual(["acc#1", "acc#2", "acc#3"]);
    await until(async () => (await bank.systemStats()).queries[0]?.status === "running");
    expectOk(await bank.execute("acc", deposit(10)));
    await until(() => delivered.length === 4);
    expect(delivered[3]).toBe("acc#11");
    const after = await bank.systemStats();
    expect(after.queries[0]).toMatchObject({ pendingBatches: 0, droppedBatches: 7 });
  });
});
