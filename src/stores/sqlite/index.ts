/**
 * @module eventsourcing/sqlite
 * The SQLite event store: `sqliteStore({ path })` or `sqliteStore({ database })`, on better-sqlite3 12.x.
 */
export type { SqliteDatabase, SqliteStatement } from "./sqlite-database.js";
export type { SqliteStoreOptions } from "./sqlite-options.js";
export { type SqliteStore, sqliteStore } from "./sqlite-store.js";
