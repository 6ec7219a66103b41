/**
 * The inspection layer: a typed read API over any store of this package ({@link StoreInspector}), the
 * administrative writes of import and migrate ({@link StoreAdmin}), and {@link openStore}, which opens
 * a store from a command-line argument. Shared by the command line and the event browser.
 */
import type { EventStore } from "../core/event-store.js";
import { memoryAccessOf, memoryInspector } from "../stores/memory/memory-inspect.js";
import { postgresAccessOf, postgresInspector } from "../stores/postgres/postgres-inspect.js";
import { sqliteHandleOf, sqliteInspector } from "../stores/sqlite/sqlite-inspect.js";
import type { StoreAdmin } from "./inspector.js";

export type {
  CheckpointRecord,
  CheckpointSummary,
  EventTypeSummary,
  ImportedEvent,
  ImportOutcome,
  ListStreamsOptions,
  SnapshotCursor,
  StoreAdmin,
  StoreCounts,
  StoreInspector,
  StreamCursor,
  StreamSummary,
} from "./inspector.js";
export { ImportRefused } from "./inspector.js";
export { type OpenedStore, type OpenStoreOptions, openStore } from "./open-store.js";

/**
 * The inspector of a store made by this package (memory, SQLite or PostgreSQL), on the store's own
 * connection: it lives as long as the store, and its `close()` leaves the store open. Throws a
 * `TypeError` for any other store.
 */
export function inspectStore(store: EventStore): StoreAdmin {
  const memory = memoryAccessOf(store);
  if (memory !== null) return memoryInspector(memory);
  const sqlite = sqliteHandleOf(store);
  if (sqlite !== null) return sqliteInspector(sqlite);
  const postgres = postgresAccessOf(store);
  if (postgres !== null) return postgresInspector(postgres);
  throw new TypeError(
    "inspectStore: only the memory, SQLite and PostgreSQL stores of eventsourcing can be inspected",
  );
}
