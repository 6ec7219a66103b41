/**
 * One store handle's connection: opened (or taken from the user), switched to WAL, given the chosen
 * synchronous level, its schema and its prepared statements; and the write transaction it runs.
 */
import { retryWhileBusy, SYNCHRONOUS_BUSY_WAIT_MS } from "./sqlite-busy.js";
import { openSqliteFile, type SqliteDatabase } from "./sqlite-database.js";
import type { SqliteStoreSettings } from "./sqlite-options.js";
import { ensureSchema } from "./sqlite-schema.js";
import { prepareStatements, type SqliteStatements } from "./sqlite-statements.js";

/** A configured connection and its statements. */
export interface Connection {
  readonly database: SqliteDatabase;
  readonly statements: SqliteStatements;
  /**
   * Runs `operation` with SQLite's own busy wait kept short, since that wait blocks the event loop
   * (longer waits are asynchronous retries). A database the user gave gets its own setting back after.
   */
  guard<T>(operation: () => T): T;
}

/** Opens and configures the connection; rejects with a message naming the file and the cause. */
export async function openConnection(settings: SqliteStoreSettings): Promise<Connection> {
  const { path, database: given, synchronous, busyTimeoutMs } = settings;
  const database = given ?? (await openSqliteFile(path as string));
  try {
    const guard = busyGuard(database, given !== undefined, Math.min(SYNCHRONOUS_BUSY_WAIT_MS, busyTimeoutMs));
    const mode = await retryWhileBusy(
      () =>
        guard(() => database.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode: string })
          .journal_mode,
      busyTimeoutMs,
    );
    if (mode.toLowerCase() !== "wal" && !database.memory) {
      throw new Error(`SQLite refused WAL mode (journal_mode is ${mode})`);
    }
    if (synchronous !== undefined) database.exec(`PRAGMA synchronous = ${synchronous}`);
    await retryWhileBusy(() => guard(() => ensureSchema(database)), busyTimeoutMs);
    return { database, statements: prepareStatements(database), guard };
  } catch (cause) {
    if (given === undefined) database.close();
    throw new Error(`cannot open the SQLite store at "${path ?? "(given database)"}": ${describe(cause)}`, {
      cause,
    });
  }
}

/** Why opening failed, said so that the reader knows what to change. */
function describe(cause: unknown): string {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("SQLITE_READONLY")) {
    return (
      `the database is read-only for this process (${detail}): make the file writable (its mode, ` +
      "owner, immutable flag or mount), or pass a connection not opened read-only"
    );
  }
  return detail;
}

/**
 * The store's own connection keeps a short busy wait for good. On a given one, the store shortens the
 * user's wait around its own statements only, and restores the value the connection had when opened.
 */
function busyGuard(database: SqliteDatabase, given: boolean, shortMs: number): Connection["guard"] {
  // exec, not a prepared statement: SQLite applies this pragma when it compiles it, not when it runs.
  const shorten = `PRAGMA busy_timeout = ${shortMs}`;
  if (!given) {
    database.exec(shorten);
    return (operation) => operation();
  }
  const row = database.prepare("PRAGMA busy_timeout").safeIntegers(false).get() as { timeout: number };
  if (row.timeout <= shortMs) return (operation) => operation();
  const restore = `PRAGMA busy_timeout = ${Math.trunc(row.timeout)}`;
  return (operation) => {
    database.exec(shorten);
    try {
      return operation();
    } finally {
      database.exec(restore);
    }
  };
}

/** Closes the connection if the store opened it; a database the user gave stays open. */
export function closeConnection(connection: Connection, settings: SqliteStoreSettings): void {
  if (settings.database === undefined) connection.database.close();
}

/**
 * Runs `work` in one `BEGIN IMMEDIATE` transaction: committed if it returns, rolled back if it throws.
 * `work` is synchronous, so nothing else runs on the connection until the transaction ends.
 */
export function inTransaction<T>(connection: Connection, work: (statements: SqliteStatements) => T): T {
  return connection.guard(() => transaction(connection, work));
}

function transaction<T>(connection: Connection, work: (statements: SqliteStatements) => T): T {
  const { database, statements } = connection;
  statements.begin.run();
  try {
    const result = work(statements);
    statements.commit.run();
    return result;
  } catch (error) {
    if (database.inTransaction) statements.rollback.run();
    throw error;
  }
}
