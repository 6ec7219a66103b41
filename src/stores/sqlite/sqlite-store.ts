import type { EventStore } from "../../core/event-store.js";
import { SqliteEventStore } from "./sqlite-event-store.js";
import type { SqliteStoreOptions } from "./sqlite-options.js";

/**
 * The SQLite store: an {@link EventStore} with the optional `lockQuery`, `onAppend`, `readCommand`,
 * recorded query resets and skips, and `headPosition` always there.
 *
 * @example
 * ```ts
 * const store: SqliteStore = sqliteStore({ path: "./bank.db" });
 * const lock = await store.lockQuery("balances");
 * ```
 */
export type SqliteStore = EventStore &
  Required<
    Pick<
      EventStore,
      | "lockQuery"
      | "onAppend"
      | "readCommand"
      | "loadQueryCheckpoint"
      | "requestQueryReset"
      | "skipQueryEvent"
      | "headPosition"
    >
  >;

/**
 * An event store in a SQLite file, on better-sqlite3 12.x (an optional peer dependency). Synchronous and
 * lazy: the file is opened, switched to WAL and given its schema by `init()` (which `start()` calls),
 * and `init()` rejects with a clear message for a missing or read-only directory. Several store
 * handles, in one process or several, may share one file. `close()` closes a file the store opened and
 * leaves a `database` you passed open.
 *
 * @example
 * ```ts
 * import { start } from "eventsourcing";
 * import { sqliteStore } from "eventsourcing/sqlite";
 *
 * const store = sqliteStore({ path: "./bank.db" });
 * const bank = await start({ store, handle, apply, emptyState });
 * ```
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteEventStore(options);
}
