/**
 * The part of a better-sqlite3 connection the store uses, declared structurally so that the driver stays
 * an optional peer dependency: importing `eventsourcing/sqlite` never loads it by itself.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * A prepared statement, as better-sqlite3 12.x gives it.
 *
 * @example
 * ```ts
 * const statement: SqliteStatement = database.prepare("SELECT 1 AS one");
 * statement.get(); // => { one: 1 }
 * ```
 */
export interface SqliteStatement {
  run(...params: unknown[]): { readonly changes: number; readonly lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  safeIntegers(toggleState?: boolean): this;
}

/**
 * A SQLite connection, as better-sqlite3 12.x gives it: pass your own `Database` to `sqliteStore`.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * const database: SqliteDatabase = new Database("app.db");
 * ```
 */
export interface SqliteDatabase {
  prepare(source: string): SqliteStatement;
  exec(source: string): unknown;
  close(): unknown;
  readonly inTransaction: boolean;
  readonly memory: boolean;
}

type DatabaseConstructor = new (path: string) => SqliteDatabase;

/** Loads better-sqlite3 on first use, with a message saying how to install it when it is missing. */
async function loadDriver(): Promise<DatabaseConstructor> {
  try {
    const module = (await import("better-sqlite3")) as unknown as { default: DatabaseConstructor };
    return module.default;
  } catch (cause) {
    throw new Error(
      "eventsourcing/sqlite needs the better-sqlite3 package (12.x, an optional peer dependency): " +
        "run `npm install better-sqlite3@12`",
      { cause },
    );
  }
}

/**
 * Opens (creating if missing) the SQLite file at `path`, or rejects with a message naming the path and
 * what to change: a missing directory, a directory the process cannot write, a file SQLite cannot open.
 */
export async function openSqliteFile(path: string): Promise<SqliteDatabase> {
  const Database = await loadDriver();
  const where = `cannot open the SQLite store at "${path}"`;
  if (path !== ":memory:") {
    const directory = dirname(resolve(path));
    if (!existsSync(directory)) {
      throw new Error(`${where}: the directory "${directory}" does not exist; create it first`);
    }
    try {
      // WAL mode creates "-wal" and "-shm" files next to the database: the directory must be writable.
      accessSync(directory, constants.W_OK);
    } catch (cause) {
      throw new Error(`${where}: the directory "${directory}" is not writable`, { cause });
    }
  }
  try {
    return new Database(path);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new Error(
      `${where}: ${detail} (check that the directory is writable and the file is a SQLite database)`,
      { cause },
    );
  }
}
