/**
 * The PostgreSQL limit: the workload's rows inserted directly with pg into a table shaped like our
 * store's: one INSERT per command awaited one by one (sequential), or multi-row INSERTs, up to
 * {@link PG_PARALLEL_BATCHES} at a time (concurrent), either as multi-VALUES statements or as `unnest`
 * of arrays.
 */
import pg from "pg";
import type { BankAccountEvent } from "../../examples/bank-account/domain.js";
import { newEventId } from "../../src/core/event-id.js";
import type { Contender } from "./contender.js";
import { allCompleted, commandRows, type EventRow } from "./raw-rows.js";
import { addToStream, type ReadBackEvent } from "./workload.js";

/** INSERTs in flight at once in the concurrent mode: the size of our store's default pool. */
export const PG_PARALLEL_BATCHES = 10;

/**
 * How a raw pg contender inserts: `per-command` (sequential mode only: one `unnest` INSERT per command),
 * or, concurrent mode only, INSERTs of `rows` rows written as one multi-VALUES statement (`values`) or
 * as `unnest` of one array per column (`unnest`).
 */
export type RawPostgresInsert =
  | { readonly kind: "per-command" }
  | { readonly kind: "values" | "unnest"; readonly rows: number };

/**
 * A raw pg contender named `name`, each run in a fresh schema made by `freshSchema`.
 *
 * @example
 * ```ts
 * const contender = rawPostgres("raw pg 100-row VALUES", url, () => freshSchema("raw"), { kind: "values", rows: 100 });
 * ```
 */
export function rawPostgres(
  name: string,
  connectionString: string,
  freshSchema: () => Promise<string>,
  how: RawPostgresInsert,
): Contender {
  return {
    name,
    modes: how.kind === "per-command" ? ["sequential"] : ["concurrent"],
    open: async () => {
      const schema = await freshSchema();
      const pool = new pg.Pool({ connectionString, max: PG_PARALLEL_BATCHES });
      pool.on("error", () => {});
      // The table of our store's current schema: its columns, constraints and indexes (json columns,
      // a unique UUID event id, the stream key, the type index), so that both write the same rows.
      await pool.query(`CREATE TABLE ${schema}.events (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        aggregate_id text NOT NULL,
        sequence integer NOT NULL CHECK (sequence > 0),
        commit_start integer NOT NULL,
        event_type text NOT NULL,
        payload json NOT NULL,
        metadata json NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        aggregate_type text NOT NULL,
        event_id uuid NOT NULL,
        event_version integer NOT NULL CHECK (event_version > 0),
        command_id text,
        UNIQUE (aggregate_type, aggregate_id, sequence));
        CREATE UNIQUE INDEX ON ${schema}.events (event_id);
        CREATE INDEX ON ${schema}.events (aggregate_type, position);
        CREATE INDEX ON ${schema}.events (aggregate_type, md5(aggregate_id), command_id) WHERE command_id IS NOT NULL`);
      const columns =
        "aggregate_type, aggregate_id, sequence, commit_start, event_id, event_type, event_version, payload, metadata";
      const insertValues = (rows: readonly EventRow[]) =>
        pool.query({
          name: `raw_values_${schema}_${rows.length}`,
          text:
            `INSERT INTO ${schema}.events (${columns}) VALUES ` +
            rows
              .map(
                (_, i) =>
                  `('default', $${5 * i + 1}, $${5 * i + 2}, $${5 * i + 2}, $${5 * i + 3}::uuid, $${5 * i + 4}, 1, $${5 * i + 5}::json, '{}'::json)`,
              )
              .join(", "),
          values: rows.flatMap((row) => [
            row.aggregateId,
            row.sequence,
            newEventId(),
            row.eventType,
            row.payload,
          ]),
        });
      const insertUnnest = (rows: readonly EventRow[]) =>
        pool.query({
          name: `raw_insert_${schema}`,
          text:
            `INSERT INTO ${schema}.events (${columns}) ` +
            "SELECT 'default', id, seq, seq, event_id::uuid, type, 1, payload::json, '{}'::json " +
            "FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[]) AS r(id, seq, event_id, type, payload)",
          values: [
            rows.map((row) => row.aggregateId),
            rows.map((row) => row.sequence),
            rows.map(() => newEventId()),
            rows.map((row) => row.eventType),
            rows.map((row) => row.payload),
          ],
        });
      const insert = how.kind === "values" ? insertValues : insertUnnest;
      return {
        run: async (plan, mode) => {
          if (how.kind === "per-command") {
            for (const rows of commandRows(plan, mode)) await insert(rows);
            return allCompleted(plan);
          }
          const inFlight = new Set<Promise<unknown>>();
          let batch: EventRow[] = [];
          const flush = async () => {
            const sent: Promise<unknown> = insert(batch).then((): boolean => inFlight.delete(sent));
            inFlight.add(sent);
            batch = [];
            if (inFlight.size >= PG_PARALLEL_BATCHES) await Promise.race(inFlight);
          };
          for (const rows of commandRows(plan, mode)) {
            batch.push(...rows);
            if (batch.length >= how.rows) await flush();
          }
          if (batch.length > 0) await flush();
          await Promise.all(inFlight);
          return allCompleted(plan);
        },
        readBack: async () => {
          const streams = new Map<string, ReadBackEvent[]>();
          const { rows } = await pool.query(
            `SELECT aggregate_id, sequence, payload FROM ${schema}.events ORDER BY aggregate_id, sequence`,
          );
          for (const row of rows as { aggregate_id: string; sequence: number; payload: BankAccountEvent }[]) {
            addToStream(streams, row.aggregate_id, { sequence: row.sequence, event: row.payload });
          }
          return streams;
        },
        close: () => pool.end(),
      };
    },
  };
}
