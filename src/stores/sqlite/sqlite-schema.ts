/**
 * The tables of the SQLite store and their version. The version lives in the file, so a later release
 * can migrate an existing file step by step, and an older release refuses a file it does not know.
 */
import type { SqliteDatabase } from "./sqlite-database.js";

/** The schema version this release writes and reads. */
export const SQLITE_SCHEMA_VERSION = 4;

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
  // 1 -> 2: aggregate types, event ids and versions, snapshot versions. A stream becomes
  // (aggregate_type, aggregate_id); SQLite cannot change a table's constraints, so both tables are
  // rebuilt, keeping every position (and the AUTOINCREMENT counter). Existing events get the type
  // "default", version 1 and a UUID v7 made from their recorded time; snapshots get version 1.
  `
  CREATE TABLE ${tables.events}_v2 (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    aggregate_type TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    sequence INTEGER NOT NULL CHECK (sequence > 0),
    commit_start INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    event_version INTEGER NOT NULL CHECK (event_version > 0),
    payload TEXT NOT NULL,
    metadata TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (aggregate_type, aggregate_id, sequence)
  );
  INSERT INTO ${tables.events}_v2 (position, aggregate_type, aggregate_id, sequence, commit_start, event_id,
      event_type, event_version, payload, metadata, recorded_at)
    SELECT position, 'default', aggregate_id, sequence, commit_start,
      printf('%08x-%04x-7%03x-%x%03x-%012x', recorded_at >> 16, recorded_at & 65535, abs(random()) % 4096,
        8 + abs(random()) % 4, abs(random()) % 4096, abs(random()) % 281474976710656),
      event_type, 1, payload, metadata, recorded_at
    FROM ${tables.events} ORDER BY position;
  UPDATE sqlite_sequence SET seq = (SELECT MAX(seq) FROM sqlite_sequence
    WHERE name IN ('${tables.events}', '${tables.events}_v2')) WHERE name = '${tables.events}_v2';
  DROP TABLE ${tables.events};
  ALTER TABLE ${tables.events}_v2 RENAME TO ${tables.events};
  CREATE UNIQUE INDEX ${tables.events}_event_id ON ${tables.events} (event_id);
  CREATE INDEX ${tables.events}_type_position ON ${tables.events} (aggregate_type, position);
  CREATE TABLE ${tables.snapshots}_v2 (
    aggregate_type TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    state TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id)
  );
  INSERT INTO ${tables.snapshots}_v2 (aggregate_type, aggregate_id, sequence, version, state, timestamp)
    SELECT 'default', aggregate_id, sequence, 1, state, timestamp FROM ${tables.snapshots};
  DROP TABLE ${tables.snapshots};
  ALTER TABLE ${tables.snapshots}_v2 RENAME TO ${tables.snapshots};
  `,
  // 2 -> 3: idempotent commands. Each event keeps the command id of its commit (NULL for none), and a
  // partial index finds a stream's command id without scanning the stream; events without one add
  // nothing to the index.
  `
  ALTER TABLE ${tables.events} ADD COLUMN command_id TEXT;
  CREATE INDEX ${tables.events}_command ON ${tables.events} (aggregate_type, aggregate_id, command_id)
    WHERE command_id IS NOT NULL;
  `,
  // 3 -> 4: what operators record beside a named query's checkpoint: resets (a generation that only
  // grows, and whether its reset still waits for the query's reset()) and positions to skip, as
  // ascending decimal numbers separated by commas.
  `
  ALTER TABLE ${tables.checkpoints} ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE ${tables.checkpoints} ADD COLUMN reset_pending INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE ${tables.checkpoints} ADD COLUMN skipped TEXT NOT NULL DEFAULT '';
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
      const step = migrations[version] as string;
      if (step !== "") database.exec(step);
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
