/**
 * The tables of the SQLite store and their version. The version lives in the file, so a later release
 * can migrate an existing file step by step, and an older release refuses a file it does not know.
 */
import type { SqliteDatabase } from "./sqlite-database.js";

/** The schema version this release writes and reads. */
export const SQLITE_SCHEMA_VERSION = 1;

/** Table names, prefixed so that the store can share a database with the application's own tables. */
export const tables = Object.freeze({
  version: "eventsourcing_schema_version",
  events: "eventsourcing_events",
  snapshots: "eventsourcing_snapshots",
  checkpoints: "eventsourcing_checkpoints",
  leases: "eventsourcing_query_leases",
});

/**
 * Each entry moves a file from version `index` to `index + 1`. Times are milliseconds since the epoch;
 * `position` is assigned inside the write transaction, and SQLite serializes write transactions, so
 * positions follow commit order and a reader of the global log never sees a later one before an earlier.
 */
const migrations: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS ${tables.events} (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    aggregate_id TEXT NOT NULL,
    sequence INTEGER NOT NULL CHECK (sequence > 0),
    commit_start INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    metadata TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (aggregate_id, sequence)
  );
  CREATE TABLE IF NOT EXISTS ${tables.snapshots} (
    aggregate_id TEXT PRIMARY KEY,
    sequence INTEGER NOT NULL,
    state TEXT NOT NULL,
    timestamp INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS ${tables.checkpoints} (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS ${tables.leases} (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  `,
];

/**
 * Creates or migrates the schema inside one write transaction, so that processes starting together on
 * a new file see either nothing or all of it. Throws for a file written by a newer release.
 */
export function ensureSchema(database: SqliteDatabase): void {
  database.exec("BEGIN IMMEDIATE");
  try {
    database.exec(`CREATE TABLE IF NOT EXISTS ${tables.version} (version INTEGER NOT NULL)`);
    const row = database.prepare(`SELECT MAX(version) AS version FROM ${tables.version}`).get() as {
      version: number | bigint | null;
    };
    const found = row.version === null ? 0 : Number(row.version);
    if (found > SQLITE_SCHEMA_VERSION) {
      throw new Error(
        `the SQLite file has schema version ${found}, newer than this release of eventsourcing supports ` +
          `(${SQLITE_SCHEMA_VERSION}): upgrade eventsourcing`,
      );
    }
    for (let version = found; version < SQLITE_SCHEMA_VERSION; version++) {
      database.exec(migrations[version] as string);
    }
    if (found === 0) {
      database.exec(`INSERT INTO ${tables.version} (version) VALUES (${SQLITE_SCHEMA_VERSION})`);
    } else if (found < SQLITE_SCHEMA_VERSION) {
      database.exec(`UPDATE ${tables.version} SET version = ${SQLITE_SCHEMA_VERSION}`);
    } else {
      // Nothing to write, yet the store will write: a statement that may write (and changes nothing)
      // makes SQLite take the write lock now, so a file it can only read (file mode, an immutable file,
      // a read-only mount or connection) is refused here rather than by every command.
      database.exec(`UPDATE ${tables.version} SET version = version WHERE version < 0`);
    }
    database.exec("COMMIT");
  } catch (error) {
    if (database.inTransaction) database.exec("ROLLBACK");
    throw error;
  }
}
