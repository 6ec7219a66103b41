/**
 * @module eventsourcing/memory
 *
 * The in-memory event store: the default for tests and demos, with the same contract as the SQLite and
 * PostgreSQL stores.
 *
 * @example
 * ```ts
 * import { start } from "eventsourcing";
 * import { memoryStore } from "eventsourcing/memory";
 * const system = await start({ store: memoryStore(), handle, apply, emptyState });
 * ```
 */
export { type MemoryEventStore, type MemoryStoreOptions, memoryStore } from "./memory-event-store.js";
