/**
 * Every statement of the SQLite store, prepared once per connection after the schema exists.
 * Statements that read integers that may pass 2^53 (positions) run with safe integers.
 */
import type { SqliteDatabase, SqliteStatement } from "./sqlite-database.js";
import { tables } from "./sqlite-schema.js";

/** The values of one event row in an insert, in {@link insertColumns} order. */
export const EVENT_PARAMETERS = 11;
/** Rows per multi-row INSERT of an append (the rest of a batch goes in one more statement). */
export const INSERT_CHUNK = 64;

const insertColumns =
  "(aggregate_type, aggregate_id, sequence, commit_start, event_id, event_type, event_version, " +
  "payload, metadata, recorded_at, command_id)";

const eventColumns =
  "position, aggregate_type, aggregate_id, sequence, commit_start, event_id, event_type, event_version, " +
  "payload, metadata, recorded_at, command_id";

/** The prepared statements of one connection. */
export interface SqliteStatements {
  readonly begin: SqliteStatement;
  readonly commit: SqliteStatement;
  readonly rollback: SqliteStatement;
  readonly currentSequence: SqliteStatement;
  /**
   * The INSERT of `rows` event rows (1 to {@link INSERT_CHUNK}), prepared on first use; its parameters
   * are the rows' {@link EVENT_PARAMETERS} values one row after another. Runs with safe integers, so
   * that its `lastInsertRowid` is a bigint.
   */
  insertEvents(rows: number): SqliteStatement;
  /** The event id at a position (none: undefined): checks an append's positions. */
  readonly eventIdAt: SqliteStatement;
  readonly readAggregate: SqliteStatement;
  /** A stream's events with one command id, through the partial command index. */
  readonly readCommand: SqliteStatement;
  readonly readAll: SqliteStatement;
  /** The global log of one aggregate type. */
  readonly readAllOfType: SqliteStatement;
  readonly loadSnapshot: SqliteStatement;
  readonly saveSnapshot: SqliteStatement;
  readonly loadCheckpoint: SqliteStatement;
  readonly saveCheckpoint: SqliteStatement;
  readonly saveLeasedCheckpoint: SqliteStatement;
  /** Upserts a checkpoint only at the generation given (a new row gets it), clearing a pending reset. */
  readonly saveGenerationCheckpoint: SqliteStatement;
  readonly loadQueryCheckpoint: SqliteStatement;
  readonly requestQueryReset: SqliteStatement;
  readonly saveSkipped: SqliteStatement;
  readonly headPosition: SqliteStatement;
  readonly readLease: SqliteStatement;
  readonly writeLease: SqliteStatement;
  readonly renewLease: SqliteStatement;
  readonly deleteLease: SqliteStatement;
  readonly dataVersion: SqliteStatement;
}

/** Prepares the statements on `database`, whose schema must exist. */
export function prepareStatements(database: SqliteDatabase): SqliteStatements {
  // Explicit both ways: a given database may have made safe integers its default.
  const prepare = (sql: string) => database.prepare(sql).safeIntegers(false);
  const safe = (sql: string) => database.prepare(sql).safeIntegers(true);
  const inserts: (SqliteStatement | undefined)[] = [];
  const row = `(${Array.from({ length: EVENT_PARAMETERS }, () => "?").join(", ")})`;
  return Object.freeze({
    insertEvents: (rows: number) => {
      if (!Number.isInteger(rows) || rows < 1 || rows > INSERT_CHUNK)
        throw new RangeError(`insertEvents: rows must be 1 to ${INSERT_CHUNK}, got ${rows}`);
      let statement = inserts[rows];
      if (statement === undefined) {
        statement = safe(
          `INSERT INTO ${tables.events} ${insertColumns} VALUES ${Array(rows).fill(row).join(", ")}`,
        );
        inserts[rows] = statement;
      }
      return statement;
    },
    // IMMEDIATE takes the write lock at once: a transaction never reads, then fails to upgrade.
    begin: prepare("BEGIN IMMEDIATE"),
    commit: prepare("COMMIT"),
    rollback: prepare("ROLLBACK"),
    currentSequence: prepare(
      `SELECT COALESCE(MAX(sequence), 0) AS sequence FROM ${tables.events} WHERE aggregate_type = ? AND aggregate_id = ?`,
    ),
    eventIdAt: prepare(`SELECT event_id FROM ${tables.events} WHERE position = ?`),
    readAggregate: safe(
      `SELECT ${eventColumns} FROM ${tables.events} WHERE aggregate_type = ? AND aggregate_id = ? AND sequence > ? ` +
        "ORDER BY sequence",
    ),
    readCommand: safe(
      `SELECT ${eventColumns} FROM ${tables.events} ` +
        "WHERE aggregate_type = ? AND aggregate_id = ? AND command_id = ? ORDER BY sequence",
    ),
    readAll: safe(
      `SELECT ${eventColumns} FROM ${tables.events} WHERE position > ? ORDER BY position LIMIT ?`,
    ),
    // The (aggregate_type, position) index gives one type's events in position order.
    readAllOfType: safe(
      `SELECT ${eventColumns} FROM ${tables.events} ` +
        "WHERE aggregate_type = ? AND position > ? ORDER BY position LIMIT ?",
    ),
    loadSnapshot: safe(
      `SELECT aggregate_type, aggregate_id, sequence, version, state, timestamp FROM ${tables.snapshots} ` +
        "WHERE aggregate_type = ? AND aggregate_id = ?",
    ),
    saveSnapshot: prepare(
      `INSERT INTO ${tables.snapshots} (aggregate_type, aggregate_id, sequence, version, state, timestamp) ` +
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET " +
        "sequence = excluded.sequence, version = excluded.version, state = excluded.state, " +
        "timestamp = excluded.timestamp " +
        `WHERE excluded.sequence > ${tables.snapshots}.sequence OR excluded.version <> ${tables.snapshots}.version`,
    ),
    loadCheckpoint: safe(`SELECT position FROM ${tables.checkpoints} WHERE name = ?`),
    saveCheckpoint: prepare(
      `INSERT INTO ${tables.checkpoints} (name, position) VALUES (?, ?) ` +
        "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
    ),
    // The fencing check: written only while the lease row is this owner's and unexpired, in one statement.
    // (The WHERE clause also keeps SQLite from reading ON CONFLICT as a join constraint.)
    saveLeasedCheckpoint: prepare(
      `INSERT INTO ${tables.checkpoints} (name, position) SELECT ?, ? WHERE EXISTS ` +
        `(SELECT 1 FROM ${tables.leases} WHERE name = ? AND owner = ? AND expires_at > ?) ` +
        "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
    ),
    saveGenerationCheckpoint: prepare(
      `INSERT INTO ${tables.checkpoints} (name, position, generation) VALUES (?, ?, ?) ` +
        "ON CONFLICT (name) DO UPDATE SET position = excluded.position, reset_pending = 0 " +
        `WHERE ${tables.checkpoints}.generation = excluded.generation`,
    ),
    loadQueryCheckpoint: safe(
      `SELECT position, generation, reset_pending, skipped FROM ${tables.checkpoints} WHERE name = ?`,
    ),
    requestQueryReset: prepare(
      `INSERT INTO ${tables.checkpoints} (name, position, generation, reset_pending, skipped) ` +
        "VALUES (?, 0, 1, 1, '') ON CONFLICT (name) DO UPDATE SET position = 0, " +
        `generation = ${tables.checkpoints}.generation + 1, reset_pending = 1, skipped = ''`,
    ),
    saveSkipped: prepare(
      `INSERT INTO ${tables.checkpoints} (name, position, skipped) VALUES (?, 0, ?) ` +
        "ON CONFLICT (name) DO UPDATE SET skipped = excluded.skipped",
    ),
    headPosition: safe(`SELECT COALESCE(MAX(position), 0) AS position FROM ${tables.events}`),
    readLease: prepare(`SELECT owner, expires_at FROM ${tables.leases} WHERE name = ?`),
    writeLease: prepare(
      `INSERT INTO ${tables.leases} (name, owner, expires_at) VALUES (?, ?, ?) ` +
        "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at",
    ),
    renewLease: prepare(`UPDATE ${tables.leases} SET expires_at = ? WHERE name = ? AND owner = ?`),
    deleteLease: prepare(`DELETE FROM ${tables.leases} WHERE name = ? AND owner = ?`),
    dataVersion: prepare("PRAGMA data_version"),
  });
}
