import Database from "better-sqlite3";
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
import { type EventEnvelope, type EventSourcingConfig, frequency, start } from "../../src/index.js";
import { type SqliteDatabase, type SqliteStatement, sqliteStore } from "../../src/stores/sqlite/index.js";
import { createSqliteTestStore, type SqliteTestStore } from "../support/sqlite.js";
import { spawnFixture } from "./fixtures/spawn-fixture.js";

type BankConfig = Pick<
  EventSourcingConfig<BankAccount, BankAccountCommand, BankAccountEvent, BankAccountError>,
  "queries" | "snapshot" | "logger" | "namedQueries"
>;

const opened: SqliteTestStore[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(opened.splice(0).map((created) => created.cleanup()));
});

async function freshFile(): Promise<string> {
  const created = await createSqliteTestStore();
  opened.push(created);
  await created.store.close();
  return created.path;
}

/** A bank system on its own store handle on `path`, stopped and closed after the test. */
async function bankOn(path: string, config: BankConfig = {}) {
  const store = sqliteStore({ path });
  const bank = await start({ ...config, handle, apply, emptyState, store });
  const stop = async () => {
    await bank.stop();
    await store.close();
  };
  cleanups.push(stop);
  return { bank, store, stop };
}

const open = (accountId: string): BankAccountCommand => ({ type: "OpenAccount", accountId });
const deposit = (amount: number): BankAccountCommand => ({ type: "DepositMoney", amount });

async function eventually(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

it("a named query resumes after a restart from its checkpoint in the file: every new event, no old one", async () => {
  const path = await freshFile();
  const first: EventEnvelope<BankAccountEvent>[] = [];
  const before = await bankOn(path, {
    queries: [{ name: "ledger", handle: (_id, events) => void first.push(...events) }],
  });
  for (const id of ["a", "b", "c"]) expect((await before.bank.execute(id, open(id))).ok).toBe(true);
  expect((await before.bank.execute("a", deposit(5))).ok).toBe(true);
  await eventually(async () => (await before.store.loadCheckpoint("ledger")) === 4n);
  await before.stop();
  expect(first.map((e) => e.position)).toEqual([1n, 2n, 3n, 4n]);

  // While the query's process is down, another one keeps writing.
  const meanwhile = await bankOn(path);
  expect((await meanwhile.bank.execute("b", deposit(7))).ok).toBe(true);
  expect((await meanwhile.bank.execute("d", open("d"))).ok).toBe(true);
  await meanwhile.stop();

  const second: EventEnvelope<BankAccountEvent>[] = [];
  const after = await bankOn(path, {
    queries: [{ name: "ledger", handle: (_id, events) => void second.push(...events) }],
  });
  expect((await after.bank.execute("c", deposit(9))).ok).toBe(true);
  await eventually(async () => second.length >= 3);
  expect(second.map((e) => [e.position, e.aggregateId, e.sequence])).toEqual([
    [5n, "b", 2],
    [6n, "d", 1],
    [7n, "c", 2],
  ]);
});

it("a row whose payload cannot be decoded fails that aggregate with an EventStoreError naming it, not the others", async () => {
  const path = await freshFile();
  const before = await bankOn(path);
  for (const id of ["broken", "fine"]) expect((await before.bank.execute(id, open(id))).ok).toBe(true);
  expect((await before.bank.execute("broken", deposit(3))).ok).toBe(true);
  await before.stop();
  const database = new Database(path);
  database.exec(
    "UPDATE eventsourcing_events SET payload = '{not json' WHERE aggregate_id = 'broken' AND sequence = 2",
  );
  database.close();

  const { bank } = await bankOn(path);
  const broken = await bank.execute("broken", deposit(1));
  expect(broken.ok).toBe(false);
  if (!broken.ok) {
    expect(broken.error.type).toBe("EventStoreError");
    expect(broken.error.type === "EventStoreError" && broken.error.message).toMatch(
      /2.*"broken"|"broken".*2/,
    );
  }
  const fine = await bank.execute("fine", deposit(1));
  expect(fine.ok && fine.value.aggregate.sequence).toBe(2);
});

it("with the snapshot table dropped, latestSnapshot gives an error and commands are still served", async () => {
  const path = await freshFile();
  const every = frequency(2);
  if (!every.ok) throw new Error("frequency(2) is valid");
  const warnings: string[] = [];
  const logger = { warn: (message: string) => void warnings.push(message), error: () => undefined };
  const { bank } = await bankOn(path, { snapshot: { frequency: every.value }, logger });
  expect((await bank.execute("a", open("a"))).ok).toBe(true);
  const database = new Database(path);
  database.exec("DROP TABLE eventsourcing_snapshots");
  database.close();

  const snapshot = await bank.latestSnapshot("a");
  expect(snapshot.ok === false && snapshot.error.type).toBe("EventStoreError");
  for (let n = 1; n <= 4; n++) expect((await bank.execute("a", deposit(n))).ok).toBe(true);
  const loaded = await bank.loadAggregate("a");
  expect(loaded.ok && loaded.value).toEqual({
    aggregateId: "a",
    sequence: 5,
    state: { type: "BankAccount", balance: 10 },
  });
  expect(warnings.some((warning) => /snapshot/.test(warning))).toBe(true);
});

/** A connection that counts the write transactions the store begins on it. */
function countingTransactions(path: string) {
  const database = new Database(path);
  const counter = { begins: 0 };
  const counting: SqliteDatabase = {
    prepare(source) {
      const statement = database.prepare(source);
      if (source !== "BEGIN IMMEDIATE") return statement;
      const counted: SqliteStatement = {
        run: (...params) => {
          counter.begins++;
          return statement.run(...params);
        },
        get: (...params) => statement.get(...params),
        all: (...params) => statement.all(...params),
        safeIntegers(toggle) {
          statement.safeIntegers(toggle);
          return this;
        },
      };
      return counted;
    },
    exec: (source) => database.exec(source),
    close: () => database.close(),
    get inTransaction() {
      return database.inTransaction;
    },
    get memory() {
      return database.memory;
    },
  };
  cleanups.push(async () => void database.close());
  return { counting, counter };
}

it("commits commands to many aggregates that arrive together in few transactions, a stale one retried alone", async () => {
  const path = await freshFile();
  const { counting, counter } = countingTransactions(path);
  const store = sqliteStore({ database: counting });
  const bank = await start({ handle, apply, emptyState, store });
  cleanups.push(async () => {
    await bank.stop();
    await store.close();
  });
  expect((await bank.execute("stale", open("stale"))).ok).toBe(true);
  // Another writer appends to "stale" behind the live actor's back.
  const other = sqliteStore({ path });
  await other.append([
    {
      aggregateType: "default",
      aggregateId: "stale",
      expectedSequence: 1,
      events: [
        {
          eventType: "CustomerDepositedCash",
          payload: JSON.stringify({ type: "CustomerDepositedCash", amount: 5, balance: 5 }),
          metadata: {},
        },
      ],
    },
  ]);
  await other.close();

  const beginsBefore = counter.begins;
  const ids = Array.from({ length: 300 }, (_, i) => `account-${i}`);
  const results = await Promise.all([
    ...ids.map((id) => bank.execute(id, open(id))),
    bank.execute("stale", deposit(10)),
  ]);
  expect(results.filter((result) => !result.ok)).toEqual([]);
  const stale = results.at(-1);
  expect(stale?.ok && stale.value.aggregate).toEqual({
    aggregateId: "stale",
    sequence: 3,
    state: { type: "BankAccount", balance: 15 },
  });
  expect((await bank.systemStats()).conflictsRetried).toBeGreaterThanOrEqual(1);
  // 301 commands: grouped, they need far fewer transactions than one each.
  expect(counter.begins - beginsBefore).toBeLessThan(30);
});

it("another process takes a named query over from its checkpoint when the process running it is killed", async () => {
  const path = await freshFile();
  const holder = spawnFixture("named-query-holder", [path, "1000"]);
  await holder.waitFor(/^running$/);
  const writer = await bankOn(path);
  for (const id of ["a", "b", "c"]) expect((await writer.bank.execute(id, open(id))).ok).toBe(true);
  await holder.waitFor(/^seen 3$/);
  holder.process.kill("SIGKILL");
  await holder.exited;
  const checkpoint = (await writer.store.loadCheckpoint("ledger")) ?? 0n;
  for (const id of ["a", "b"]) expect((await writer.bank.execute(id, deposit(1))).ok).toBe(true);

  const seen: bigint[] = [];
  await bankOn(path, {
    namedQueries: { pollMs: 50, lockRetryMs: 100 },
    queries: [{ name: "ledger", handle: (_id, events) => void seen.push(...events.map((e) => e.position)) }],
  });
  await eventually(async () => seen.includes(5n));
  // At least once: what the killed process handled without checkpointing comes again, nothing before.
  expect(seen).toEqual(Array.from({ length: 5 - Number(checkpoint) }, (_, i) => checkpoint + BigInt(i) + 1n));
});

it("serves aggregate ids with quotes, unicode and a thousand characters, and finds them again after a restart", async () => {
  const path = await freshFile();
  const ids = [`o'brien "the" account; --`, "ünïcødé 账户 🏦", "x".repeat(1_000)];
  const before = await bankOn(path);
  for (const id of ids) {
    expect((await before.bank.execute(id, open(id))).ok).toBe(true);
    expect((await before.bank.execute(id, deposit(4))).ok).toBe(true);
  }
  await before.stop();
  const { bank } = await bankOn(path);
  for (const id of ids) {
    const loaded = await bank.loadAggregate(id);
    expect(loaded.ok && loaded.value).toEqual({
      aggregateId: id,
      sequence: 2,
      state: { type: "BankAccount", balance: 4 },
    });
  }
});
