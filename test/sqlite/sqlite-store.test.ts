import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { AppendRequest, EncodedEvent } from "../../src/core/event-store.js";
import { sqliteStore } from "../../src/stores/sqlite/index.js";
import { expectEveryCallRefusedAfterClose } from "../support/closed-store.js";
import { createSqliteTestStore, type SqliteTestStore } from "../support/sqlite.js";

const event = (n: number, metadata: Record<string, string> = {}): EncodedEvent => ({
  eventType: "Counted",
  payload: JSON.stringify({ type: "Counted", n }),
  metadata,
});

const request = (aggregateId: string, expectedSequence: number, count = 1): AppendRequest => ({
  aggregateType: "default",
  aggregateId,
  expectedSequence,
  events: Array.from({ length: count }, (_, i) => event(expectedSequence + i + 1)),
});

const opened: SqliteTestStore[] = [];
const fresh = async (options?: Parameters<typeof createSqliteTestStore>[0]) => {
  const created = await createSqliteTestStore(options);
  opened.push(created);
  return created;
};
afterEach(async () => {
  await Promise.all(opened.splice(0).map((created) => created.cleanup()));
});

describe("the SQLite store's options", () => {
  it("refuses options it cannot use, saying what to change", () => {
    expect(() => sqliteStore({} as never)).toThrow(/exactly one of `path`/);
    expect(() => sqliteStore({ path: "a.db", database: new Database(":memory:") } as never)).toThrow(
      /exactly one/,
    );
    expect(() => sqliteStore({ path: " " })).toThrow(/non-empty file name/);
    expect(() => sqliteStore({ database: {} as never })).toThrow(/better-sqlite3 Database/);
    expect(() => sqliteStore({ path: "a.db", synchronous: "off" as never })).toThrow(/"full" or "normal"/);
    expect(() => sqliteStore({ path: "a.db", busyTimeoutMs: 0 })).toThrow(/busyTimeoutMs/);
    expect(() => sqliteStore({ path: "a.db", queryLeaseMs: 1.5 })).toThrow(/queryLeaseMs/);
  });

  it("refuses a misspelt or unknown option, naming the nearest known one", () => {
    expect(() => sqliteStore({ pathh: "x.db" } as never)).toThrow(
      /sqliteStore: unknown option `pathh`; did you mean `path`\?/,
    );
    expect(() => sqliteStore({ path: "x.db", busyTimeout: 10 } as never)).toThrow(
      /did you mean `busyTimeoutMs`/,
    );
  });

  it("opens nothing until it is used", async () => {
    const directory = await mkdtemp(join(tmpdir(), "eventsourcing-sqlite-"));
    try {
      const store = sqliteStore({ path: join(directory, "missing", "events.db") });
      await store.close();
      await expect(store.init()).rejects.toThrow(/closed/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe("opening the SQLite store", () => {
  it("rejects at init, naming the directory, when the directory does not exist", async () => {
    const store = sqliteStore({ path: join(tmpdir(), "eventsourcing-no-such-dir", "deeper", "events.db") });
    await expect(store.init()).rejects.toThrow(/directory ".*deeper" does not exist; create it first/);
    await store.close();
  });

  it("rejects at init with a clear message when the file cannot be created there", async () => {
    // /proc accepts no new files, even for root, for whom permission bits do not apply.
    const store = sqliteStore({ path: "/proc/eventsourcing-test.db" });
    await expect(store.init()).rejects.toThrow(
      /cannot open the SQLite store at "\/proc\/eventsourcing-test.db"/,
    );
    await store.close();
  });

  const root = process.getuid?.() === 0;
  it.skipIf(root)(
    "rejects at init, saying so, when the directory is read-only (skipped as root: it may write anywhere)",
    async () => {
      const directory = await mkdtemp(join(tmpdir(), "eventsourcing-sqlite-"));
      await chmod(directory, 0o555);
      try {
        const store = sqliteStore({ path: join(directory, "events.db") });
        await expect(store.init()).rejects.toThrow(/directory ".*" is not writable/);
        await store.close();
      } finally {
        await chmod(directory, 0o755);
        await rm(directory, { recursive: true, force: true });
      }
    },
  );

  /** Makes `path` immutable with `chattr +i` (which binds root too); false where the platform cannot. */
  const makeImmutable = (path: string, on: boolean): boolean => {
    try {
      execFileSync("chattr", [on ? "+i" : "-i", path], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };

  it("rejects at init, saying so, when the file is read-only in a writable directory", async (context) => {
    const { path, store } = await fresh();
    await store.close();
    if (!makeImmutable(path, true)) {
      console.warn(
        "skipped: `chattr +i` is not available here, and root may write any file whatever its mode",
      );
      context.skip();
    }
    try {
      const again = sqliteStore({ path });
      await expect(again.init()).rejects.toThrow(/cannot open the SQLite store at ".*": .*read-only/);
      await again.close();
    } finally {
      makeImmutable(path, false);
    }
  });

  it("rejects at init, saying so, a given database opened read-only", async () => {
    const { path, store } = await fresh();
    await store.close();
    const database = new Database(path, { readonly: true });
    try {
      const given = sqliteStore({ database });
      await expect(given.init()).rejects.toThrow(/read-only/);
      await given.close();
    } finally {
      database.close();
    }
  });

  it("rejects a file that is not a SQLite database", async () => {
    const { path } = await fresh();
    const garbage = `${path}.garbage`;
    await writeFile(garbage, "this is not a database, ".repeat(100));
    const store = sqliteStore({ path: garbage });
    await expect(store.init()).rejects.toThrow(/cannot open the SQLite store.*not a database/);
    await store.close();
  });

  it("creates a versioned schema in WAL mode, and a second init is a no-op", async () => {
    const { store, path } = await fresh();
    await store.init();
    const database = new Database(path, { readonly: true });
    try {
      const tables = database
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'eventsourcing%' ORDER BY name",
        )
        .all()
        .map((row) => (row as { name: string }).name);
      expect(tables).toEqual([
        "eventsourcing_checkpoints",
        "eventsourcing_events",
        "eventsourcing_query_leases",
        "eventsourcing_schema_version",
        "eventsourcing_snapshots",
      ]);
      expect(database.prepare("SELECT version FROM eventsourcing_schema_version").all()).toEqual([
        { version: 4 },
      ]);
      expect(database.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      database.close();
    }
  });

  it("refuses a file written by a newer schema version, saying to upgrade", async () => {
    const { path } = await fresh();
    const database = new Database(path);
    database.exec("UPDATE eventsourcing_schema_version SET version = 99");
    database.close();
    const store = sqliteStore({ path });
    await expect(store.init()).rejects.toThrow(/schema version 99.*upgrade eventsourcing/);
    await store.close();
  });

  it("uses a database it is given and leaves it open after close", async () => {
    const { path } = await fresh();
    const database = new Database(path);
    const store = sqliteStore({ database });
    await store.append([request("given", 0)]);
    await store.close();
    expect(database.open).toBe(true);
    expect(database.prepare("SELECT COUNT(*) AS n FROM eventsourcing_events").get()).toEqual({ n: 1 });
    database.close();
  });

  it("works on a given database that reads integers as bigints by default", async () => {
    const { path } = await fresh();
    const database = new Database(path);
    database.defaultSafeIntegers(true);
    const store = sqliteStore({ database });
    try {
      await store.append([request("big", 0, 2)]);
      const [next] = await store.append([request("big", 2)]);
      expect(next?.ok && next.value[0]?.sequence).toBe(3);
      expect(await store.currentSequence("default", "big")).toBe(3);
      expect(await store.lockQuery("q")).not.toBeNull();
    } finally {
      await store.close();
      database.close();
    }
  });

  it("leaves a given database's busy timeout and synchronous level as they were", async () => {
    const { path } = await fresh();
    const database = new Database(path, { timeout: 5_000 });
    database.pragma("synchronous = NORMAL");
    const store = sqliteStore({ database });
    try {
      await store.append([request("settings", 0)]);
      await store.readAggregate("default", "settings", 0);
      expect(database.pragma("busy_timeout", { simple: true })).toBe(5_000);
      expect(database.pragma("synchronous", { simple: true })).toBe(1);
    } finally {
      await store.close();
      database.close();
    }
  });

  it("sets the synchronous level of a given database when asked to", async () => {
    const { path } = await fresh();
    const database = new Database(path);
    database.pragma("synchronous = NORMAL");
    const store = sqliteStore({ database, synchronous: "full" });
    try {
      await store.init();
      expect(database.pragma("synchronous", { simple: true })).toBe(2);
    } finally {
      await store.close();
      database.close();
    }
  });

  it("never writes inside a transaction the application left open on a given database", async () => {
    const { path } = await fresh();
    const database = new Database(path);
    const store = sqliteStore({ database });
    try {
      await store.init();
      database.exec("BEGIN");
      await expect(store.append([request("inside", 0)])).rejects.toThrow(/within a transaction/);
      database.exec("ROLLBACK");
      const [outcome] = await store.append([request("inside", 0)]);
      expect(outcome?.ok).toBe(true);
    } finally {
      await store.close();
      database.close();
    }
  });

  it("rejects every call after close, saying the store is closed", async () => {
    const { store } = await fresh();
    await store.close();
    await store.close();
    await expectEveryCallRefusedAfterClose(store, /SQLite store is closed/);
  });
});

describe("appending to the SQLite store", () => {
  it("keeps events, positions, commit starts, metadata and times across a reopen", async () => {
    const { store, path } = await fresh({ now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
    const [first] = await store.append([
      {
        aggregateType: "default",
        aggregateId: "a",
        expectedSequence: 0,
        events: [event(1, { user: "ann" }), event(2)],
      },
    ]);
    expect(first?.ok && first.value.map((e) => [e.sequence, e.position, e.commitStart])).toEqual([
      [1, 1n, 1],
      [2, 2n, 1],
    ]);
    await store.close();
    const again = sqliteStore({ path });
    try {
      const events = await again.readAggregate("default", "a", 0);
      expect(events).toEqual(first?.ok ? first.value : undefined);
      expect(events[0]?.metadata).toEqual({ user: "ann" });
      expect(events[0]?.recordedAt.toISOString()).toBe("2026-01-02T03:04:05.000Z");
      expect(await again.currentSequence("default", "a")).toBe(2);
    } finally {
      await again.close();
    }
  });

  it("writes a batch in one call and refuses only the request whose expected sequence is stale", async () => {
    const { store } = await fresh();
    await store.append([request("b", 0, 2)]);
    const outcomes = await store.append([request("a", 0), request("b", 1), request("c", 0, 3)]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toEqual({
      ok: false,
      error: { aggregateType: "default", aggregateId: "b", expectedSequence: 1, actualSequence: 2 },
    });
    const all = await store.readAll(0n, 100);
    expect(all.map((e) => `${e.aggregateId}${e.sequence}`)).toEqual(["b1", "b2", "a1", "c1", "c2", "c3"]);
    expect(all.map((e) => e.position)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
  });

  it("round-trips aggregate ids with quotes, unicode and a thousand characters", async () => {
    const { store } = await fresh();
    const ids = [`it's "quoted"; DROP TABLE x; --`, "ünïcødé 账户 🏦", "x".repeat(1_000), "a\u0000b"];
    const outcomes = await store.append(ids.map((id) => request(id, 0)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    for (const id of ids) {
      const events = await store.readAggregate("default", id, 0);
      expect(events.map((e) => e.aggregateId)).toEqual([id]);
    }
  });

  it("sees another handle's commit and reports the conflict to the stale writer", async () => {
    const { store, path } = await fresh();
    const other = sqliteStore({ path });
    try {
      await store.append([request("shared", 0)]);
      const [stale] = await other.append([request("shared", 0)]);
      expect(stale).toEqual({
        ok: false,
        error: { aggregateType: "default", aggregateId: "shared", expectedSequence: 0, actualSequence: 1 },
      });
      const [fine] = await other.append([request("shared", 1)]);
      expect(fine?.ok && fine.value[0]?.position).toBe(2n);
    } finally {
      await other.close();
    }
  });
});

describe("faults in the SQLite file", () => {
  it("refuses a row with corrupt metadata, naming the aggregate and sequence", async () => {
    const { store, path } = await fresh();
    await store.append([request("broken", 0, 2), request("fine", 0)]);
    const database = new Database(path);
    database.exec(
      "UPDATE eventsourcing_events SET metadata = '{oops' WHERE aggregate_id = 'broken' AND sequence = 2",
    );
    database.close();
    await expect(store.readAggregate("default", "broken", 0)).rejects.toThrow(
      /aggregate "broken" sequence 2/,
    );
    expect(await store.readAggregate("default", "fine", 0)).toHaveLength(1);
  });

  it("refuses metadata rows that are JSON but not an object of strings, as every store does", async () => {
    const { store, path } = await fresh();
    const cases = ['"x"', "[1,2]", "42", "null", '{"user":1}'];
    await store.append([...cases.map((_, i) => request(`bad-${i}`, 0)), request("fine", 0)]);
    const database = new Database(path);
    const update = database.prepare("UPDATE eventsourcing_events SET metadata = ? WHERE aggregate_id = ?");
    for (const [i, text] of cases.entries()) update.run(text, `bad-${i}`);
    database.close();
    for (const [i] of cases.entries())
      await expect(store.readAggregate("default", `bad-${i}`, 0)).rejects.toThrow(
        new RegExp(`corrupt event row at aggregate "bad-${i}" sequence 1: (the )?metadata`),
      );
    expect(await store.readAggregate("default", "fine", 0)).toHaveLength(1);
  });

  it("rejects loading snapshots when their table is gone, and still appends", async () => {
    const { store, path } = await fresh();
    await store.saveSnapshot({
      aggregateType: "default",
      aggregateId: "a",
      sequence: 1,
      version: 1,
      state: "{}",
      timestamp: new Date(),
    });
    const database = new Database(path);
    database.exec("DROP TABLE eventsourcing_snapshots");
    database.close();
    await expect(store.loadSnapshot("default", "a")).rejects.toThrow(/no such table/);
    const [outcome] = await store.append([request("a", 0)]);
    expect(outcome?.ok).toBe(true);
  });
});

describe("snapshots and checkpoints in the SQLite store", () => {
  it("keeps the newer snapshot and ignores an older one", async () => {
    const { store } = await fresh();
    const at = new Date(Date.UTC(2026, 0, 1));
    await store.saveSnapshot({
      aggregateType: "default",
      aggregateId: "a",
      sequence: 4,
      version: 1,
      state: '{"n":4}',
      timestamp: at,
    });
    await store.saveSnapshot({
      aggregateType: "default",
      aggregateId: "a",
      sequence: 2,
      version: 1,
      state: '{"n":2}',
      timestamp: at,
    });
    expect(await store.loadSnapshot("default", "a")).toEqual({
      aggregateType: "default",
      aggregateId: "a",
      sequence: 4,
      version: 1,
      state: '{"n":4}',
      timestamp: at,
    });
    await store.saveSnapshot({
      aggregateType: "default",
      aggregateId: "a",
      sequence: 8,
      version: 1,
      state: '{"n":8}',
      timestamp: at,
    });
    expect((await store.loadSnapshot("default", "a"))?.sequence).toBe(8);
    expect(await store.loadSnapshot("default", "none")).toBeNull();
  });

  it("keeps checkpoints beyond 2^53 exactly", async () => {
    const { store } = await fresh();
    expect(await store.loadCheckpoint("q")).toBeNull();
    const far = 2n ** 60n + 1n;
    await store.saveCheckpoint("q", far);
    expect(await store.loadCheckpoint("q")).toBe(far);
  });
});

describe("another connection holding the write lock", () => {
  it("makes writes wait, without failing, until the lock is released", async () => {
    const { store, path } = await fresh();
    const holder = new Database(path);
    holder.exec("BEGIN IMMEDIATE");
    setTimeout(() => holder.exec("COMMIT"), 150);
    const [outcome] = await store.append([request("waited", 0)]);
    holder.close();
    expect(outcome?.ok).toBe(true);
    expect(await store.currentSequence("default", "waited")).toBe(1);
  });

  it("makes writes on a given database wait for the lock too, and succeed once it is released", async () => {
    const { path } = await fresh();
    const database = new Database(path, { timeout: 5_000 });
    const store = sqliteStore({ database });
    const holder = new Database(path);
    try {
      await store.init();
      holder.exec("BEGIN IMMEDIATE");
      setTimeout(() => holder.exec("COMMIT"), 100);
      const [outcome] = await store.append([request("waited", 0)]);
      expect(outcome?.ok).toBe(true);
    } finally {
      holder.close();
      await store.close();
      database.close();
    }
  });

  it("fails a write with a clear error, and the store goes on, when the lock outlasts busyTimeoutMs", async () => {
    const { store, path } = await fresh({ busyTimeoutMs: 100 });
    const holder = new Database(path);
    holder.exec("BEGIN IMMEDIATE");
    try {
      await expect(store.append([request("blocked", 0)])).rejects.toThrow(
        /stayed locked by another connection .*raise busyTimeoutMs/,
      );
    } finally {
      holder.exec("COMMIT");
      holder.close();
    }
    const [outcome] = await store.append([request("blocked", 0)]);
    expect(outcome?.ok).toBe(true);
  });
});
