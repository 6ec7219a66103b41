/** The stores the command line opens by argument: a SQLite file, a fresh PostgreSQL schema. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe } from "vitest";
import type { EventStore } from "../../src/core/event-store.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { sqliteStore } from "../../src/stores/sqlite/index.js";
import { describePostgres, dropSchema, freshSchemaName, postgresUrl } from "../support/postgres.js";

/** A store and the arguments that name it on the command line. */
export interface CliStore {
  readonly store: EventStore;
  /** `--db ...` and, for PostgreSQL, `--schema ...`. */
  readonly args: readonly string[];
  cleanup(): Promise<void>;
}

/** One kind of store the command line opens. */
export interface CliStoreKind {
  readonly name: "sqlite" | "postgres";
  create(): Promise<CliStore>;
  readonly describe: (name: string, body: () => void) => void;
}

/** A SQLite file in a directory of its own. */
export const sqliteKind: CliStoreKind = {
  name: "sqlite",
  describe: (name, body) => describe(name, { timeout: 180_000 }, body),
  async create() {
    const directory = await mkdtemp(join(tmpdir(), "eventsourcing-cli-"));
    const path = join(directory, "events.db");
    const store = sqliteStore({ path });
    await store.init();
    return {
      store,
      args: ["--db", path],
      async cleanup() {
        await store.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  },
};

/** A fresh schema, dropped at cleanup. */
export const postgresKind: CliStoreKind = {
  name: "postgres",
  describe: (name, body) => describePostgres(name, () => describe("", { timeout: 180_000 }, body)),
  async create() {
    const schema = freshSchemaName("es_cli");
    const store = postgresStore({ connectionString: postgresUrl, schema, max: 2 });
    await store.init();
    return {
      store,
      args: ["--db", postgresUrl, "--schema", schema],
      async cleanup() {
        await store.close();
        await dropSchema(schema);
      },
    };
  },
};

/** Runs `body` for SQLite and PostgreSQL. */
export function forEachCliStore(name: string, body: (kind: CliStoreKind) => void): void {
  for (const kind of [sqliteKind, postgresKind]) kind.describe(`${name} [${kind.name}]`, () => body(kind));
}
