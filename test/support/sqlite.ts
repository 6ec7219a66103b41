import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SqliteStore, type SqliteStoreOptions, sqliteStore } from "../../src/stores/sqlite/index.js";

/** A fresh SQLite store on a file of its own in a temporary directory. */
export interface SqliteTestStore {
  readonly store: SqliteStore;
  /** The database file, for opening more handles or child processes on it. */
  readonly path: string;
  /** Closes the store and deletes its directory. */
  cleanup(): Promise<void>;
}

type ExtraOptions = Omit<SqliteStoreOptions, "path" | "database">;

/**
 * Creates an initialized SQLite store on a new file, for tests that run against every store.
 *
 * @example
 * ```ts
 * const { store, cleanup } = await createSqliteTestStore();
 * try { await store.append([...]); } finally { await cleanup(); }
 * ```
 */
export async function createSqliteTestStore(options: ExtraOptions = {}): Promise<SqliteTestStore> {
  const directory = await mkdtemp(join(tmpdir(), "eventsourcing-sqlite-"));
  const path = join(directory, "events.db");
  const store = sqliteStore({ ...options, path });
  await store.init();
  return {
    store,
    path,
    async cleanup() {
      await store.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
