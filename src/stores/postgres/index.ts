/**
 * @module eventsourcing/postgres
 *
 * The PostgreSQL event store, for many Node processes on one database.
 *
 * @example
 * ```ts
 * import { start } from "eventsourcing";
 * import { postgresStore } from "eventsourcing/postgres";
 * const system = await start({ store: postgresStore({ connectionString }), handle, apply, emptyState });
 * ```
 */
import { PostgresEventStore } from "./postgres-event-store.js";
import type { PostgresStoreOptions } from "./postgres-options.js";

export type { PostgresEventStore } from "./postgres-event-store.js";
export type {
  PostgresClient,
  PostgresCommonOptions,
  PostgresConnectionOptions,
  PostgresPool,
  PostgresPoolClient,
  PostgresPoolOptions,
  PostgresQuery,
  PostgresResult,
  PostgresStoreOptions,
} from "./postgres-options.js";

/**
 * An event store on PostgreSQL (the `pg` 8.x package, an optional peer dependency loaded on first use).
 *
 * Synchronous and lazy: nothing connects until `init()` (called by `start()`), which creates the schema
 * if missing (idempotent, safe when many processes start at once) and rejects with a clear message
 * when the server cannot be reached. Pass a connection string and the store owns a small pool (10
 * connections by default), or pass your own `pg.Pool`, which the store never ends.
 *
 * Several processes may run the same system on one database: appends use optimistic concurrency
 * (`UNIQUE (aggregate_id, sequence)`, never a table lock), the global log is handed out in commit order
 * so readers never skip a late commit, LISTEN/NOTIFY wakes readers in every process, and an advisory
 * lock runs each named query in one process at a time.
 *
 * @example
 * ```ts
 * import { start } from "eventsourcing";
 * import { postgresStore } from "eventsourcing/postgres";
 *
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL ?? "", schema: "bank" });
 * const bank = await start({ store, handle, apply, emptyState });
 * // ...
 * await bank.stop();
 * await store.close();
 * ```
 */
export function postgresStore(options: PostgresStoreOptions): PostgresEventStore {
  return new PostgresEventStore(options);
}
