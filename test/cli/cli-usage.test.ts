/**
 * The bin's failures as a script sees them: a usage error (bad flag, missing --db, bad value) exits 2,
 * a failure (missing file, unreachable server, missing schema) exits 1, each with one line on stderr
 * saying what to do; --help exits 0.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqliteStore } from "../../src/stores/sqlite/index.js";
import { postgresUrl } from "../support/postgres.js";
import { runCli } from "./run-cli.js";

const oneLine = (text: string) => {
  const lines = text.split("\n").filter((line) => line !== "");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^eventsourcing: /);
  return lines[0] as string;
};

describe("the bin's errors and exit codes", { timeout: 120_000 }, () => {
  let directory: string;
  let db: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "eventsourcing-cli-usage-"));
    db = join(directory, "events.db");
    const store = sqliteStore({ path: db });
    await store.init();
    await store.close();
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("exits 2 with one line for an unknown flag, naming it", async () => {
    const result = await runCli(["streams", "--db", db, "--colour"]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toContain("--colour");
    expect(result.stdout).toBe("");
  });

  it("refuses a bad EVENTSOURCING_BATCH_EVENTS only where batches are made, in one line", async () => {
    const env = { EVENTSOURCING_BATCH_EVENTS: "0" };
    expect((await runCli(["--help"], env)).code).toBe(0);
    const streams = await runCli(["streams", "--db", db], env);
    expect(streams.code).toBe(0);
    expect(streams.stderr).toBe("");
    const exported = await runCli(["export", "--db", db], env);
    expect(exported.code).toBe(2);
    expect(oneLine(exported.stderr)).toContain("EVENTSOURCING_BATCH_EVENTS must be an integer from 1");
  });

  it("exits 2 for tail with both --from and --limit, which counts only the last events", async () => {
    const result = await runCli(["tail", "--db", db, "--from", "3", "--limit", "2"]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toContain("--limit counts the last events, without --from");
    expect(result.stdout).toBe("");
  });

  it("exits 2 for a position or sequence past what a store holds, naming the bound", async () => {
    const tail = await runCli(["tail", "--db", db, "--from", "9223372036854775808"]);
    expect(tail.code).toBe(2);
    expect(oneLine(tail.stderr)).toContain(
      "--from must be a position, an integer from 0 to 9223372036854775807",
    );
    expect((await runCli(["tail", "--db", db, "--from", "9223372036854775807"])).code).toBe(0);
    const events = await runCli(["events", "x", "--type", "t", "--db", db, "--from", "99999999999999999999"]);
    expect(events.code).toBe(2);
    expect(oneLine(events.stderr)).toContain("--from must be an integer from 0 to 2147483647");
    const limit = await runCli(["streams", "--db", db, "--limit", "2147483648"]);
    expect(limit.code).toBe(2);
    expect(oneLine(limit.stderr)).toContain("--limit must be an integer from 1 to 2147483647");
  });

  it("exits 2 for an unknown command and for no command", async () => {
    const unknown = await runCli(["stream", "--db", db]);
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown.stderr)).toMatch(/unknown command 'stream'.*streams/);
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Usage: eventsourcing");
  });

  it("exits 2 without a store, saying how to give one", async () => {
    const result = await runCli(["streams"]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toContain(
      "pass --db <sqlite-path | postgres://url> or set EVENTSOURCING_DB",
    );
  });

  it("exits 2 for a bad value and for a missing argument", async () => {
    const limit = await runCli(["streams", "--db", db, "--limit", "lots"]);
    expect(limit.code).toBe(2);
    expect(oneLine(limit.stderr)).toContain("--limit must be an integer");
    const missing = await runCli(["events", "--db", db]);
    expect(missing.code).toBe(2);
    expect(oneLine(missing.stderr)).toContain("missing required argument 'aggregateId'");
    const migrate = await runCli(["migrate", "--from", db]);
    expect(migrate.code).toBe(2);
    expect(oneLine(migrate.stderr)).toContain("--to <db>");
  });

  it("exits 1 for a SQLite file that does not exist, and creates nothing", async () => {
    const path = join(directory, "missing.db");
    const result = await runCli(["stats", "--db", path]);
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toBe(
      `eventsourcing: no SQLite file at "${path}": check the path given with --db`,
    );
    const imported = await runCli(["import", join(directory, "missing.ndjson"), "--db", db]);
    expect(imported.code).toBe(1);
    expect(oneLine(imported.stderr)).toContain("no file");
  });

  it("exits 1 for a file that holds no store, read-only", async () => {
    const path = join(directory, "other.db");
    const Database = (await import("better-sqlite3")).default;
    const other = new Database(path);
    other.exec("CREATE TABLE t (x)");
    other.close();
    const result = await runCli(["streams", "--db", path]);
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toContain("holds no eventsourcing store");
  });

  it("exits 1 for a server that does not answer, in one line", async () => {
    const result = await runCli(["streams", "--db", "postgres://postgres@127.0.0.1:1/test"]);
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(
      /cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/test: .*ECONNREFUSED/,
    );
  });

  it("takes the store from EVENTSOURCING_DB, hides a URL's password, and refuses a schema without a store", async () => {
    const fromEnv = await runCli(["stats", "--json"], { EVENTSOURCING_DB: db });
    expect(fromEnv.code).toBe(0);
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ events: 0, streams: 0 });
    const withPassword = postgresUrl.replace("postgres://postgres@", "postgres://postgres:secret@");
    const result = await runCli(["streams", "--db", withPassword, "--schema", "no_such_schema_for_cli"]);
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toContain('schema "no_such_schema_for_cli"');
    expect(result.stderr).not.toContain("secret");
  });

  it("prints help for every command with exit 0", async () => {
    const result = await runCli(["migrate", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--from <db>");
    expect(result.stdout).toContain("--to <db>");
  });
});
