/**
 * The stores every system-level guarantee is tested against: memory, SQLite and PostgreSQL. Each
 * factory gives a fresh, initialized store, a way to open a second handle on the same storage (another
 * process's view), and a cleanup.
 */
import { describe } from "vitest";
import type { EventStore } from "../../src/core/event-store.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { sqliteStore } from "../../src/stores/sqlite/index.js";
import { describePostgres, dropSchema, freshSchemaName, postgresUrl } from "./postgres.js";
import { createSqliteTestStore } from "./sqlite.js";

export interface TestStore {
  readonly store: EventStore;
  /** Another handle on the same storage; the memory store has one handle, so it returns itself. */
  openAnother(): Promise<EventStore>;
  /** Closes every handle and removes the storage. */
  cleanup(): Promise<void>;
}

export interface StoreKind {
  readonly name: string;
  create(): Promise<TestStore>;
  /** `describe`, or the store's own variant that skips with a reason when its server is missing. */
  readonly describe: (name: string, body: () => void) => void;
}

const memory: StoreKind = {
  name: "memory",
  describe: (name, body) => describe(name, body),
  async create() {
    const store = memoryStore();
    return { store, openAnother: async () => store, cleanup: () => store.close() };
  },
};

const sqlite: StoreKind = {
  name: "sqlite",
  describe: (name, body) => describe(name, body),
  async create() {
    const created = await createSqliteTestStore();
    const others: EventStore[] = [];
    return {
      store: created.store,
      async openAnother() {
        const other = sqliteStore({ path: created.path });
        await other.init();
        others.push(other);
        return other;
      },
      async cleanup() {
        for (const other of others) await other.close();
        await created.cleanup();
      },
    };
  },
};

const postgres: StoreKind = {
  name: "postgres",
  describe: describePostgres,
  async create() {
    const schema = freshSchemaName("es_system");
    const open = async () => {
      const store = postgresStore({ connectionString: postgresUrl, schema, max: 4 });
      await store.init();
      handles.push(store);
      return store;
    };
    const handles: EventStore[] = [];
    const store = await open();
    return {
      store,
      openAnother: open,
      async cleanup() {
        for (const handle of handles) await handle.close();
        await dropSchema(schema);
      },
    };
  },
};

/** Every store kind, in the order tests run them. */
export const storeKinds: readonly StoreKind[] = [memory, sqlite, postgres];

/**
 * Runs `body` once per store kind, inside a `describe` named after it. `body` gets a function that
 * creates a fresh store for one test and cleans it up after.
 */
export function forEachStore(name: string, body: (kind: StoreKind) => void): void {
  for (const kind of storeKinds) kind.describe(`${name} [${kind.name}]`, () => body(kind));
}
