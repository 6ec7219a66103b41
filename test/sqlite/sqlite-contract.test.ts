import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventStore } from "../../src/core/event-store.js";
import { sqliteStore } from "../../src/stores/sqlite/index.js";
import { describeEventStoreContract } from "../../src/testing/index.js";

const pathOf = new WeakMap<EventStore, string>();
const directories = new Set<string>();

describeEventStoreContract("sqliteStore", {
  async create() {
    const directory = await mkdtemp(join(tmpdir(), "eventsourcing-sqlite-contract-"));
    directories.add(directory);
    const path = join(directory, "events.db");
    const store = sqliteStore({ path });
    pathOf.set(store, path);
    return store;
  },
  async openAnother(store) {
    const path = pathOf.get(store) as string;
    const other = sqliteStore({ path });
    pathOf.set(other, path);
    return other;
  },
  async dispose(stores) {
    await Promise.all(stores.map((store) => store.close()));
    const done = [...directories];
    directories.clear();
    await Promise.all(done.map((directory) => rm(directory, { recursive: true, force: true })));
  },
});
