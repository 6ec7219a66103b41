/**
 * @module eventsourcing/sqlite
 *
 * The SQLite event store, the embedded default: one file in WAL mode, on better-sqlite3 12.x (an optional
 * peer dependency, loaded when the store opens). Several processes may share the file.
 *
 * @example
 * ```ts
 * import { start } from "eventsourcing";
 * import { sqliteStore } from "eventsourcing/sqlite";
 * const system = await start({ store: sqliteStore({ path: "./bank.db" }), handle, apply, emptyState });
 * ```
 */
export type { SqliteDatabase, SqliteStatement } from "./sqlite-database.js";
export type { SqliteStoreOptions } from "./sqlite-options.js";
export { type SqliteStore, sqliteStore } from "./sqlite-store.js";
