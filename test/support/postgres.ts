/**
 * What every PostgreSQL test uses: the server's URL, whether it answers, a `describe` that skips (or,
 * under `CI=true`, fails) without it, fresh schemas, and a test store for the system-wide suites.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { describe, it } from "vitest";
import type { EventStore } from "../../src/core/event-store.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { advisoryKey } from "../../src/stores/postgres/postgres-schema.js";

/** The repository root, where child processes run. */
const repositoryRoot = fileURLToPath(new URL("../..", import.meta.url));

/** `EVENTSOURCING_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`. */
export const postgresUrl: string =
  process.env.EVENTSOURCING_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** The server's URL without its password, for messages. */
export const postgresUrlForDisplay: string = postgresUrl.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");

/** `null` when the server answers, else why not. */
export async function checkPostgres(url: string = postgresUrl): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const unavailable = await checkPostgres();
const inCi = process.env.CI === "true";
if (unavailable !== null && !inCi) {
  console.warn(
    `PostgreSQL tests skipped: no server answers at ${postgresUrlForDisplay} (${unavailable}). ` +
      "Start one or set EVENTSOURCING_PG_URL.",
  );
}

/** True when the server answers. */
export const postgresAvailable: boolean = unavailable === null;

/**
 * `describe` for tests that need the server: runs them when it answers; otherwise skips them with a
 * printed reason, except under `CI=true`, where a missing server is a failing test.
 */
export function describePostgres(name: string, body: () => void): void {
  if (unavailable === null) {
    describe(name, body);
  } else if (inCi) {
    describe(name, () => {
      it("needs a PostgreSQL server, and CI=true requires one", () => {
        throw new Error(`no PostgreSQL server answers at ${postgresUrlForDisplay}: ${unavailable}`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: no PostgreSQL server at ${postgresUrlForDisplay})`, body);
  }
}

/** A schema name no other test run uses. */
export function freshSchemaName(prefix = "es_test"): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

/** Runs one statement on a short-lived connection of its own. */
export async function withPostgres<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops a schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await withPostgres((client) =>
    client.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`),
  );
}

/**
 * A PostgreSQL store in a fresh schema, initialized; its `close()` also drops that schema. Small pool,
 * so that many tests fit the server together.
 */
export async function createPostgresTestStore(options: { max?: number } = {}): Promise<EventStore> {
  const schema = freshSchemaName();
  const store = postgresStore({ connectionString: postgresUrl, schema, max: options.max ?? 4 });
  await store.init();
  const close = store.close.bind(store);
  return Object.assign(store, {
    close: async () => {
      await close();
      await dropSchema(schema);
    },
  });
}

/** A TypeScript child process started with tsx from the repository root, and what it printed so far. */
export interface FixtureProcess {
  readonly child: ChildProcess;
  /** Resolves with the first whole stdout line that matches, rejects if the process exits first. */
  line(match: RegExp): Promise<string>;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
  readonly stderr: () => string;
  /** Writes one line to the process's stdin. */
  send(line: string): void;
}

/** Starts `fixture` (a path from the repository root) as a child process running under tsx. */
export function spawnFixture(
  fixture: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): FixtureProcess {
  const child = spawn(process.execPath, ["--import", "tsx", fixture, ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, EVENTSOURCING_PG_URL: postgresUrl, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buffer = "";
  let err = "";
  let ended = false;
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts);
    for (const wake of [...waiters]) wake();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  child.stdin?.on("error", () => undefined);
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => {
      ended = true;
      for (const wake of [...waiters]) wake();
      resolve(code ?? signal ?? "unknown");
    });
  });
  return {
    child,
    exited,
    stderr: () => err,
    send: (line) => {
      child.stdin?.write(`${line}\n`);
    },
    line: (match) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const found = lines.find((line) => match.test(line));
          if (found !== undefined) {
            waiters.delete(check);
            resolve(found);
          } else if (ended) {
            waiters.delete(check);
            reject(new Error(`${fixture} exited before printing ${match}: ${err.slice(-2_000)}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

/** The two halves under which pg_locks shows the store's advisory key for `purpose` in `schema`. */
export function advisoryLockIds(schema: string, purpose: string): { classid: number; objid: number } {
  const unsigned = BigInt.asUintN(64, BigInt(advisoryKey(schema, purpose)));
  return { classid: Number(unsigned >> 32n), objid: Number(unsigned & 0xffffffffn) };
}
