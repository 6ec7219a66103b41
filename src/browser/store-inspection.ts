/**
 * The reads of a store: the store inspector of this package when the store is one of its own
 * (indexed listings, checkpoints, reading the log backwards), else the `EventStore` methods alone.
 */
import type { EventStore } from "../core/event-store.js";
import { eventStoreReads, type StoreReads } from "./store-reads.js";

/** The best reads `store` offers. */
export function storeReads(store: EventStore): StoreReads {
  return eventStoreReads(store);
}
