/**
 * The SQLite limit: the workload's rows inserted directly with better-sqlite3 into a WAL file, into a
 * table of our store's current schema (every column, a UUID v7 event id per row as ours makes, the same indexes): one transaction per command (sequential), or transactions of a fixed
 * number of rows (concurrent: 100 and 1,000 rows, one contender each).
 */
import Database from "better-sqlite3";
import type { BankAccountEvent } from "../../examples/bank-account/domain.js";
import { newEventId } from "../../src/core/event-id.js";
import type { Contender } from "./contender.js";
import { allCompleted, commandRows, type EventRow } from "./raw-rows.js";
import { addToStream, type ReadBackEvent } from "./workload.js";

/**
 * A raw better-sqlite3 contender named `name`. `synchronous` is the `PRAGMA synchronous` level, the same
 * as our store's default so that both pay the same durability. `batchRows` is the rows per transaction
 * of its concurrent mode; `"per-command"`: it runs the sequential mode only, one transaction per command.
 *
 * @example
 * ```ts
 * const contender = rawSqlite("raw better-sqlite3 100/tx", fileIn(dir, "raw"), "FULL", 100);
 * ```
 */
export function rawSqlite(
  name: string,
  freshFile: () => string,
  synchronous: "NORMAL" | "FULL",
  batchRows: number | "per-command",
): Contender {
  return {
    name,
    modes: batchRows === "per-command" ? ["sequential"] : ["concurrent"],
    open: async () => {
      const db = new Database(freshFile());
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${synchronous}`);
      // The table of our store's current schema: its columns, constraints and indexes, so that both
      // write the same rows with the same index work (a stream key, a unique event id, the type index).
      db.exec(`CREATE TABLE events (
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
        command_id TEXT,
        UNIQUE (aggregate_type, aggregate_id, sequence));
        CREATE UNIQUE INDEX events_event_id ON events (event_id);
        CREATE INDEX events_type_position ON events (aggregate_type, position);
        CREATE INDEX events_command ON events (aggregate_type, aggregate_id, command_id) WHERE command_id IS NOT NULL`);
      const insert = db.prepare(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, commit_start, event_id, event_type, " +
          "event_version, payload, metadata, recorded_at) VALUES ('default', ?, ?, ?, ?, ?, 1, ?, '{}', ?)",
      );
      const write = db.transaction((rows: readonly EventRow[]) => {
        const now = Date.now();
        for (const row of rows)
          insert.run(
            row.aggregateId,
            row.sequence,
            row.sequence,
            newEventId(),
            row.eventType,
            row.payload,
            now,
          );
      });
      return {
        run: async (plan, mode) => {
          if (batchRows === "per-command") {
            for (const rows of commandRows(plan, mode)) write(rows);
          } else {
            let batch: EventRow[] = [];
            for (const rows of commandRows(plan, mode)) {
              batch.push(...rows);
              if (batch.length >= batchRows) {
                write(batch);
                batch = [];
              }
            }
            if (batch.length > 0) write(batch);
          }
          return allCompleted(plan);
        },
        readBack: async () => {
          const streams = new Map<string, ReadBackEvent[]>();
          const rows = db
            .prepare("SELECT aggregate_id, sequence, payload FROM events ORDER BY aggregate_id, sequence")
            .all() as { aggregate_id: string; sequence: number; payload: string }[];
          for (const row of rows) {
            addToStream(streams, row.aggregate_id, {
              sequence: row.sequence,
              event: JSON.parse(row.payload) as BankAccountEvent,
            });
          }
          return streams;
        },
        close: async () => {
          db.close();
        },
      };
    },
  };
}
