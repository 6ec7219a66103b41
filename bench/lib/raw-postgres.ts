/**
 * The PostgreSQL limit: the workload's rows inserted directly with pg into a table shaped like our
 * store's, one INSERT per command awaited one by one (sequential) or multi-row INSERTs of
 * {@link PG_BATCH_ROWS} rows, up to {@link PG_PARALLEL_BATCHES} at a time (concurrent).
 */
import pg from "pg";
import type { BankAccountEvent } from "../../examples/bank-account/domain.js";
import type { Contender } from "./contender.js";
import { allCompleted, commandRows, type EventRow } from "./raw-rows.js";
import { addToStream, type ReadBackEvent } from "./workload.js";

/** Rows per INSERT in the concurrent (batched) mode. */
export const PG_BATCH_ROWS = 500;
/** INSERTs in flight at once in the concurrent mode: the size of our store's default pool. */
export const PG_PARALLEL_BATCHES = 10;

/**
 * The raw pg contender, each run in a fresh schema made by `freshSchema`.
 *
 * @example
 * ```ts
 * const contender = rawPostgres(url, () => freshSchema("raw"));
 * ```
 */
export function rawPostgres(connectionString: string, freshSchema: () => Promise<string>): Contender {
  return {
    name: "raw pg",
    modes: ["sequential", "concurrent"],
    open: async () => {
      const schema = await freshSchema();
      const pool = new pg.Pool({ connectionString, max: PG_PARALLEL_BATCHES });
      pool.on("error", () => {});
      await pool.query(`CREATE TABLE ${schema}.events (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        aggregate_id text NOT NULL,
        sequence integer NOT NULL CHECK (sequence > 0),
        commit_start integer NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (aggregate_id, sequence))`);
      const insert = (rows: readonly EventRow[]) =>
        pool.query({
          name: `raw_insert_${schema}`,
          text:
            `INSERT INTO ${schema}.events (aggregate_id, sequence, commit_start, event_type, payload, metadata) ` +
            "SELECT id, seq, seq, type, payload::jsonb, '{}'::jsonb " +
            "FROM unnest($1::text[], $2::int[], $3::text[], $4::text[]) AS r(id, seq, type, payload)",
          values: [
            rows.map((row) => row.aggregateId),
            rows.map((row) => row.sequence),
            rows.map((row) => row.eventType),
            rows.map((row) => row.payload),
          ],
        });
      return {
        run: async (plan, mode) => {
          if (mode === "sequential") {
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
            if (batch.length >= PG_BATCH_ROWS) await flush();
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
