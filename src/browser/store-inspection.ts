/**
 * The reads of a store: the store inspector of this package when the store is one of its own
 * (indexed listings, checkpoints with their holders, the log read backwards, events by id), else the
 * `EventStore` methods alone.
 */
import type { EventStore } from "../core/event-store.js";
import { inspectStore } from "../inspect/index.js";
import { eventStoreReads, type StoreReads } from "./store-reads.js";

/** The best reads `store` offers. */
export function storeReads(store: EventStore): StoreReads {
  try {
    return inspectStore(store);
  } catch (error) {
    // Another store implementation: only the EventStore interface is known.
    if (error instanceof TypeError) return eventStoreReads(store);
    throw error;
  }
}
