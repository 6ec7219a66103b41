import { afterEach, expect, it } from "vitest";
import { manualClock } from "../../src/runtime/clock.js";
import { type SqliteStore, sqliteStore } from "../../src/stores/sqlite/index.js";
import { createSqliteTestStore, type SqliteTestStore } from "../support/sqlite.js";
import { spawnFixture } from "./fixtures/spawn-fixture.js";

const opened: SqliteTestStore[] = [];
const handles: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((store) => store.close()));
  await Promise.all(opened.splice(0).map((created) => created.cleanup()));
});

/** Two handles on one file, each with its own manual clock and wall time. */
async function twoHandles(leaseMs = 3_000) {
  const created = await createSqliteTestStore();
  opened.push(created);
  const open = () => {
    const clock = manualClock();
    const wall = { now: 1_000_000 };
    const store = sqliteStore({ path: created.path, clock, now: () => wall.now, queryLeaseMs: leaseMs });
    handles.push(store);
    return { store, clock, wall };
  };
  return { a: open(), b: open(), path: created.path };
}

it("gives a named query to one handle at a time, and to another once released", async () => {
  const { a, b } = await twoHandles();
  const lock = await a.store.lockQuery("balances");
  expect(lock?.held).toBe(true);
  expect(await b.store.lockQuery("balances")).toBeNull();
  expect(await a.store.lockQuery("balances")).toBeNull();
  expect(await b.store.lockQuery("other")).not.toBeNull();
  await lock?.release();
  expect(lock?.held).toBe(false);
  expect((await b.store.lockQuery("balances"))?.held).toBe(true);
});

it("keeps the lease renewed while its holder runs", async () => {
  const { a, b } = await twoHandles(3_000);
  const lock = await a.store.lockQuery("balances");
  for (let step = 0; step < 5; step++) {
    a.wall.now += 1_000;
    b.wall.now += 1_000;
    await a.clock.advance(1_000);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(lock?.held).toBe(true);
  expect(await b.store.lockQuery("balances")).toBeNull();
});

it("lets another handle take over a lease that ran out, and the old holder learns it lost it", async () => {
  const { a, b } = await twoHandles(3_000);
  const stale = await a.store.lockQuery("balances");
  // The holder stops renewing (its timers never fire), as a killed process would.
  b.wall.now += 3_001;
  const taken = await b.store.lockQuery("balances");
  expect(taken?.held).toBe(true);
  a.wall.now += 3_001;
  expect(stale?.held).toBe(false);
  await stale?.release();
  expect(taken?.held).toBe(true);
  expect(await a.store.lockQuery("balances")).toBeNull();
});

it("learns at renewal that the lease was taken while its holder was paused", async () => {
  const { a, b } = await twoHandles(3_000);
  const stale = await a.store.lockQuery("balances");
  b.wall.now += 3_001;
  expect(await b.store.lockQuery("balances")).not.toBeNull();
  // The renewal finds another owner in the row.
  await a.clock.advance(1_000);
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(stale?.held).toBe(false);
});

it("gives a named query back when its store closes", async () => {
  const { a, b } = await twoHandles();
  const lock = await a.store.lockQuery("balances");
  await a.store.close();
  expect(lock?.held).toBe(false);
  expect(await b.store.lockQuery("balances")).not.toBeNull();
});

it("hands a named query over when its holder process is killed", async () => {
  const created = await createSqliteTestStore({ queryLeaseMs: 600 });
  opened.push(created);
  const holder = spawnFixture("lock-holder", [created.path, "balances", "600"]);
  await holder.waitFor(/^locked$/);
  expect(await created.store.lockQuery("balances")).toBeNull();
  holder.process.kill("SIGKILL");
  await holder.exited;
  let lock = null;
  for (let attempt = 0; attempt < 100 && lock === null; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    lock = await created.store.lockQuery("balances");
  }
  expect(lock?.held).toBe(true);
});

it("wakes listeners after its own appends and after another handle's", async () => {
  const { a, b } = await twoHandles();
  await a.store.init();
  let wakes = 0;
  const unsubscribe = a.store.onAppend(() => wakes++);
  await a.store.append([
    {
      aggregateType: "default",
      aggregateId: "x",
      expectedSequence: 0,
      events: [{ eventType: "E", payload: "{}", metadata: {} }],
    },
  ]);
  expect(wakes).toBe(1);
  await b.store.append([
    {
      aggregateType: "default",
      aggregateId: "y",
      expectedSequence: 0,
      events: [{ eventType: "E", payload: "{}", metadata: {} }],
    },
  ]);
  expect(wakes).toBe(1);
  await a.clock.advance(100);
  expect(wakes).toBe(2);
  await a.clock.advance(100);
  expect(wakes).toBe(2);
  unsubscribe();
  await a.store.append([
    {
      aggregateType: "default",
      aggregateId: "x",
      expectedSequence: 1,
      events: [{ eventType: "E", payload: "{}", metadata: {} }],
    },
  ]);
  expect(wakes).toBe(2);
  expect(a.clock.pendingTimers).toBe(0);
});

it("refuses, in the write itself, the checkpoint of a holder whose lease another handle took over", async () => {
  const { a, b } = await twoHandles(3_000);
  const stale = await a.store.lockQuery("balances");
  expect(await stale?.saveCheckpoint(3n)).toBe(true);
  // The holder's own clock has not moved (its event loop was blocked): it still believes it holds.
  b.wall.now += 3_001;
  const taken = await b.store.lockQuery("balances");
  expect(taken?.held).toBe(true);
  expect(await taken?.saveCheckpoint(5n)).toBe(true);
  expect(stale?.held).toBe(true);
  expect(await stale?.saveCheckpoint(9n)).toBe(false);
  expect(stale?.held).toBe(false);
  expect(await a.store.loadCheckpoint("balances")).toBe(5n);
});

it("refuses the checkpoint of a holder whose lease ran out by its own clock, before writing", async () => {
  const { a } = await twoHandles(3_000);
  const lock = await a.store.lockQuery("balances");
  a.wall.now += 3_000;
  expect(await lock?.saveCheckpoint(9n)).toBe(false);
  expect(await a.store.loadCheckpoint("balances")).toBeNull();
});
