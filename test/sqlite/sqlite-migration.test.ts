/**
 * A SQLite file written by schema version 1 (the code before aggregate types; the fixture was made by
 * that code, see test/fixtures/schema-v1/make-fixtures.sh) opens with this code and keeps everything.
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, expect, it } from "vitest";
import { apply, type BankAccountEvent, emptyState, handle } from "../../examples/bank-account/domain.js";
import { start } from "../../src/index.js";
import { type SqliteStore, sqliteStore } from "../../src/stores/sqlite/index.js";
import { expectOk, quiet, recorder } from "../support/system.js";

const fixture = join(import.meta.dirname, "../fixtures/schema-v1/bank-v1.db");
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function copyOfFixture(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "eventsourcing-migration-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  const path = join(directory, "bank.db");
  await copyFile(fixture, path);
  return path;
}

function open(path: string): SqliteStore {
  const store = sqliteStore({ path });
  cleanups.push(() => store.close());
  return store;
}

it("migrates a version-1 file in place once, with three handles opening it at once, keeping every event, snapshot and checkpoint", async () => {
  const path = await copyOfFixture();
  const before = new Database(path, { readonly: true });
  const oldRows = before.prepare("SELECT * FROM eventsourcing_events ORDER BY position").all() as {
    position: number;
    recorded_at: number;
    payload: string;
  }[];
  before.close();
  expect(oldRows).toHaveLength(5);

  const stores = [open(path), open(path), open(path)];
  await Promise.all(stores.map((store) => store.init()));
  const [store] = stores as [SqliteStore];

  const database = new Database(path, { readonly: true });
  expect(database.prepare("SELECT version FROM eventsourcing_schema_version").all()).toEqual([
    { version: 4 },
  ]);
  database.close();

  const log = await store.readAll(0n, 100);
  expect(
    log.map((e) => [e.position, e.aggregateType, e.aggregateId, e.sequence, e.eventType, e.eventVersion]),
  ).toEqual([
    [1n, "default", "acc-1", 1, "AccountOpened", 1],
    [2n, "default", "acc-1", 2, "CustomerDepositedCash", 1],
    [3n, "default", "acc-1", 3, "CustomerWithdrewCash", 1],
    [4n, "default", "acc-2", 1, "AccountOpened", 1],
    [5n, "default", "acc-2", 2, "CustomerDepositedCash", 1],
  ]);
  expect(log.map((e) => e.payload)).toEqual(oldRows.map((row) => row.payload));
  expect(log.map((e) => e.recordedAt.getTime())).toEqual(oldRows.map((row) => row.recorded_at));
  expect(log[0]?.metadata).toEqual({ user: "u-1" });
  for (const event of log) expect(event.eventId).toMatch(UUID_V7);
  expect(new Set(log.map((e) => e.eventId)).size).toBe(5);
  // The id's time is the event's recorded time.
  expect(Number.parseInt((log[0]?.eventId ?? "").replace("-", "").slice(0, 12), 16)).toBe(
    oldRows[0]?.recorded_at,
  );
  expect(await store.loadSnapshot("default", "acc-1")).toMatchObject({
    sequence: 2,
    version: 1,
    state: '{"type":"BankAccount","balance":100}',
  });
  expect(await store.loadCheckpoint("balances")).toBe(5n);

  // A system of the default type carries on: states rebuilt, positions going on after the old ones,
  // and the named query resuming from its checkpoint.
  const balances = recorder<BankAccountEvent>();
  const bank = await start({
    store,
    handle,
    apply,
    emptyState,
    logger: quiet,
    snapshot: { frequency: 2 },
    queries: [{ name: "balances", handle: balances.query }],
  });
  cleanups.push(() => bank.stop());
  expect(expectOk(await bank.loadAggregate("acc-1"))).toMatchObject({ sequence: 3, state: { balance: 70 } });
  const deposited = expectOk(await bank.execute("acc-2", { type: "DepositMoney", amount: 1 }));
  expect(deposited.events.map((e) => [e.sequence, e.position])).toEqual([[3, 6n]]);
  await balances.waitFor(1);
  expect(balances.calls.map((call) => [call.aggregateId, call.events[0]?.sequence])).toEqual([["acc-2", 3]]);
});

it("migrates a version-1 file only once: opening it again changes nothing", async () => {
  const path = await copyOfFixture();
  const first = open(path);
  await first.init();
  const ids = (await first.readAll(0n, 100)).map((e) => e.eventId);
  await first.close();
  const second = open(path);
  await second.init();
  expect(ids).toHaveLength(5);
  for (const id of ids) expect(id).toMatch(UUID_V7);
  expect((await second.readAll(0n, 100)).map((e) => e.eventId)).toEqual(ids);
  const database = new Database(path, { readonly: true });
  expect(database.prepare("SELECT version FROM eventsourcing_schema_version").all()).toEqual([
    { version: 4 },
  ]);
  database.close();
});

const fixtureV2 = join(import.meta.dirname, "../fixtures/schema-v2/bank-v2.db");

it("migrates a version-2 file (before command ids, see test/fixtures/schema-v2) in place: old events have none, a command id then works and is indexed", async () => {
  const directory = await mkdtemp(join(tmpdir(), "eventsourcing-migration-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  const path = join(directory, "bank.db");
  await copyFile(fixtureV2, path);
  const before = new Database(path, { readonly: true });
  const oldIds = before.prepare("SELECT event_id FROM eventsourcing_events ORDER BY position").all();
  expect(before.prepare("SELECT version FROM eventsourcing_schema_version").all()).toEqual([{ version: 2 }]);
  before.close();

  const stores = [open(path), open(path)];
  await Promise.all(stores.map((store) => store.init()));
  const [store] = stores as [SqliteStore];
  const log = await store.readAll(0n, 100);
  expect(log.map((e) => ({ eventId: e.eventId }))).toEqual(
    oldIds.map((row) => ({ eventId: (row as { event_id: string }).event_id })),
  );
  expect(log.map((e) => e.commandId)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  expect(await store.readCommand("default", "acc-1", "anything")).toEqual([]);

  const bank = await start({ store, handle, apply, emptyState, logger: quiet, snapshot: { frequency: 2 } });
  cleanups.push(() => bank.stop());
  const first = expectOk(
    await bank.execute("acc-1", { type: "DepositMoney", amount: 5 }, { commandId: "c-1" }),
  );
  const again = expectOk(
    await bank.execute("acc-1", { type: "DepositMoney", amount: 5 }, { commandId: "c-1" }),
  );
  expect(again.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
  expect(again.aggregate).toMatchObject({ sequence: 4, state: { balance: 75 } });

  const database = new Database(path, { readonly: true });
  expect(database.prepare("SELECT version FROM eventsourcing_schema_version").all()).toEqual([
    { version: 4 },
  ]);
  const plan = database
    .prepare(
      "EXPLAIN QUERY PLAN SELECT * FROM eventsourcing_events WHERE aggregate_type = ? AND aggregate_id = ? AND command_id = ?",
    )
    .all("default", "acc-1", "c-1") as { detail: string }[];
  database.close();
  expect(plan.map((row) => row.detail).join("; ")).toMatch(/eventsourcing_events_command/);
});
