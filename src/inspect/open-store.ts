/**
 * Opening a store from a command-line argument: a SQLite file path or a `postgres://` URL. Read-only
 * unless asked to write: a SQLite file is then opened read-only (never created or migrated), and a
 * PostgreSQL schema must already hold a store.
 */
import { existsSync } from "node:fs";
import type { EventStore } from "../core/event-store.js";
import { postgresStore } from "../stores/postgres/index.js";
import { postgresAccessOf, postgresInspector } from "../stores/postgres/postgres-inspect.js";
import { sqliteStore } from "../stores/sqlite/index.js";
import { openSqliteReadOnly, sqliteHandleOf, sqliteInspector } from "../stores/sqlite/sqlite-inspect.js";
import type { StoreAdmin } from "./inspector.js";

/** How {@link openStore} opens the store. */
export interface OpenStoreOptions {
  /** The PostgreSQL schema (default `"eventsourcing"`); ignored for SQLite. */
  readonly schema?: string;
  /** Open without writing anything: a SQLite file read-only, a PostgreSQL schema only if it exists. */
  readonly readOnly: boolean;
  /**
   * With `readOnly: false`: open for writing only a store that already exists (a SQLite file or a
   * PostgreSQL schema that holds one), rejecting before anything is created. Implied by `readOnly`.
   */
  readonly mustExist?: boolean;
}

/** A store opened from an argument, with its inspector. */
export interface OpenedStore {
  readonly kind: "sqlite" | "postgres";
  /** The path, or the URL without its password and the schema: for messages. */
  readonly description: string;
  /** The SQLite file's path as given; absent for PostgreSQL. */
  readonly path?: string;
  /** The store itself; `null` for a SQLite file opened read-only (use the inspector). */
  readonly store: EventStore | null;
  readonly inspector: StoreAdmin;
  /** Closes the inspector and the store. */
  close(): Promise<void>;
}

/** Whether `db` names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/** A URL with its password hidden, for messages. */
export function hidePassword(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

/**
 * Opens the store `db` names. Rejects with a one-line message saying what to change: a missing file,
 * a file or schema without a store, a server that does not answer.
 */
export async function openStore(db: string, options: OpenStoreOptions): Promise<OpenedStore> {
  if (isPostgresUrl(db)) return openPostgres(db, options);
  if (options.readOnly) {
    if (!existsSync(db)) throw new Error(`no SQLite file at "${db}": check the path given with --db`);
    const handle = await openSqliteReadOnly(db);
    const inspector = sqliteInspector(handle);
    return {
      kind: "sqlite",
      description: db,
      path: db,
      store: null,
      inspector,
      close: () => inspector.close(),
    };
  }
  if (options.mustExist) {
    if (!existsSync(db)) throw new Error(`no SQLite file at "${db}": check the path given with --db`);
    // Checks that the file holds a store without writing to it (an older schema is migrated below).
    await (await openSqliteReadOnly(db, 200, { anyVersion: true })).close();
  }
  const store = sqliteStore({ path: db });
  await store.init();
  const handle = sqliteHandleOf(store);
  if (handle === null) throw new Error("the SQLite store gave no inspection access");
  const inspector = sqliteInspector(handle);
  return { kind: "sqlite", description: db, path: db, store, inspector, close: () => store.close() };
}

async function openPostgres(url: string, options: OpenStoreOptions): Promise<OpenedStore> {
  const schema = options.schema ?? "eventsourcing";
  const description = `${hidePassword(url)} schema ${schema}`;
  await checkServer(url, schema, options.readOnly || options.mustExist === true);
  const store = postgresStore({ connectionString: url, schema, max: 4 });
  try {
    await store.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  const access = postgresAccessOf(store);
  if (access === null) throw new Error("the PostgreSQL store gave no inspection access");
  return {
    kind: "postgres",
    description,
    store,
    inspector: postgresInspector(access),
    close: () => store.close(),
  };
}

/** Connects once to say clearly when the server does not answer, or (when it must) holds no store. */
async function checkServer(url: string, schema: string, mustExist: boolean): Promise<void> {
  const pg = await import("pg").then(
    (module) => (module as unknown as { default: typeof import("pg") }).default ?? module,
    (cause: unknown) => {
      throw new Error("PostgreSQL needs the pg package: `npm install pg@8`", { cause });
    },
  );
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (cause) {
    throw new Error(`cannot connect to PostgreSQL at ${hidePassword(url)}: ${describe(cause)}`, { cause });
  }
  try {
    if (!mustExist) return;
    const { rows } = await client.query("SELECT to_regclass($1) IS NOT NULL AS present", [
      `"${schema.replaceAll('"', '""')}".schema_version`,
    ]);
    if (rows[0]?.present !== true) {
      throw new Error(
        `schema "${schema}" at ${hidePassword(url)} holds no eventsourcing store: check --schema`,
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

function describe(cause: unknown): string {
  if (cause instanceof AggregateError && cause.message === "") {
    return cause.errors.map((error) => describe(error)).join("; ");
  }
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return cause.message || (typeof code === "string" ? code : cause.name);
  }
  return String(cause);
}
