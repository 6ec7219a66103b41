/**
 * Guarantee 11 on SQLite: a named query's runner whose lease ran out while its handler blocked (longer
 * than the lease, so that it could not renew) hands over no further batch once it resumes, and cannot
 * move the checkpoint of the runner that took over.
 */
import { afterEach, expect, it } from "vitest";
import { apply, emptyState, handle } from "../../examples/bank-account/domain.js";
import type { EventStore } from "../../src/core/event-store.js";
import type { EventEnvelope } from "../../src/index.js";
import { start } from "../../src/index.js";
import { manualClock } from "../../src/runtime/clock.js";
import { sqliteStore } from "../../src/stores/sqlite/index.js";
import { createSqliteTestStore, type SqliteTestStore } from "../support/sqlite.js";
import { quiet, until } from "../support/system.js";
import { spawnFixture } from "./fixtures/spawn-fixture.js";

const leaseMs = 60_000;
const opened: SqliteTestStore[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const created of opened.splice(0)) await created.cleanup();
});

/** One commit of one event for each of `count` aggregates. */
async function seed(store: EventStore, count: number): Promise<void> {
  await store.append(
    Array.from({ length: count }, (_, i) => ({
      aggregateType: "default",
      aggregateId: `acc-${i}`,
      expectedSequence: 0,
      events: [
        {
          eventType: "AccountOpened",
          payload: JSON.stringify({ type: "AccountOpened", accountId: `acc-${i}` }),
          metadata: {},
        },
      ],
    })),
  );
}

it("hands no batch to a runner whose lease ran out while it was blocked, and refuses its checkpoint", async () => {
  const created = await createSqliteTestStore();
  opened.push(created);
  await seed(created.store, 200);
  const wall = { now: Date.now() };
  // The first runner's timers never fire: it cannot renew, as when its event loop is blocked.
  const stuck = sqliteStore({
    path: created.path,
    queryLeaseMs: leaseMs,
    now: () => wall.now,
    clock: manualClock(),
  });
  const other = sqliteStore({ path: created.path, queryLeaseMs: leaseMs, now: () => wall.now });
  cleanups.push(
    () => stuck.close(),
    () => other.close(),
  );

  const deliveries: { runner: "a" | "b"; position: bigint; afterTakeover: boolean }[] = [];
  let tookOver = false;
  let secondSystem: { stop(): Promise<void> } | undefined;
  const startSecond = async () => {
    secondSystem = await start({
      store: other,
      handle,
      apply,
      emptyState,
      logger: quiet,
      id: "b",
      namedQueries: { lockRetryMs: 10, pollMs: 10 },
      queries: [
        {
          name: "ledger",
          handle: (_id: string, events: readonly EventEnvelope<unknown>[]) => {
            tookOver = true;
            for (const event of events)
              deliveries.push({ runner: "b", position: event.position, afterTakeover: true });
          },
        },
      ],
    });
    cleanups.push(() => (secondSystem as { stop(): Promise<void> }).stop());
  };
  let batches = 0;
  const first = await start({
    store: stuck,
    handle,
    apply,
    emptyState,
    logger: quiet,
    id: "a",
    namedQueries: { pollMs: 10 },
    queries: [
      {
        name: "ledger",
        handle: async (_id: string, events: readonly EventEnvelope<unknown>[]) => {
          for (const event of events)
            deliveries.push({ runner: "a", position: event.position, afterTakeover: tookOver });
          if (++batches === 10) {
            // Blocked past the lease: the other handle takes the query over and delivers meanwhile.
            wall.now += leaseMs + 1;
            await startSecond();
            await until(() => tookOver);
          }
        },
      },
    ],
  });
  cleanups.push(() => first.stop());

  await until(async () => (await other.loadCheckpoint("ledger")) === 200n);
  await until(async () => (await first.systemStats()).queries[0]?.status === "waiting-for-lock");
  expect(deliveries.filter((d) => d.runner === "a" && d.afterTakeover)).toEqual([]);
  expect(deliveries.filter((d) => d.runner === "a")).toHaveLength(10);
  expect(await created.store.loadCheckpoint("ledger")).toBe(200n);
});

it("hands no batch to a process whose event loop was blocked past its lease, once another process took over", async () => {
  const created = await createSqliteTestStore();
  opened.push(created);
  await seed(created.store, 200);
  const blocked = spawnFixture("blocking-query-holder", [created.path, "600", "10"]);
  let other: ReturnType<typeof spawnFixture> | undefined;
  try {
    await blocked.waitFor(/^blocked$/);
    other = spawnFixture("named-query-holder", [created.path, "600"]);
    await other.waitFor(/^seen 200$/);
    await blocked.waitFor(/^resumed$/);
    // Once it knows another process runs the query, it must not have delivered anything past its block.
    await blocked.waitFor(/^waiting$/);
    const afterResuming = blocked.lines.slice(blocked.lines.indexOf("resumed") + 1);
    expect(afterResuming.filter((line) => line.startsWith("seen "))).toEqual([]);
    expect(blocked.lines.filter((line) => line.startsWith("seen "))).toHaveLength(10);
    await until(async () => (await created.store.loadCheckpoint("ledger")) === 200n);
  } finally {
    blocked.process.kill("SIGKILL");
    other?.process.kill("SIGKILL");
  }
});
