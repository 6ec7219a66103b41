import type { AggregateRead, EventStore, StoredEvent, StoredSnapshot } from "../core/event-store.js";

/** The most reads one store call carries. */
const MAX_BATCH = 500;
/** Batched store calls in flight at once, per kind of read. */
const CONCURRENCY = 2;

interface Pending<TRequest, TResult> {
  readonly request: TRequest;
  readonly resolve: (result: TResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Reads of many streams, asked for one by one, sent to the store together: what is asked while a turn
 * of the event loop runs (a burst of commands to aggregates not in memory, each actor loading its own)
 * goes out as one call on the next macrotask, and what is asked while calls are in flight goes in the
 * next. A failed call fails each read in it, as separate calls would have.
 */
class Batcher<TRequest, TResult> {
  readonly #call: (requests: readonly TRequest[]) => Promise<readonly TResult[]>;
  #pending: Pending<TRequest, TResult>[] = [];
  #inFlight = 0;
  #scheduled = false;
  readonly #scheduledPump = (): void => {
    this.#scheduled = false;
    this.#pump();
  };

  constructor(call: (requests: readonly TRequest[]) => Promise<readonly TResult[]>) {
    this.#call = call;
  }

  read(request: TRequest): Promise<TResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      if (!this.#scheduled && this.#inFlight < CONCURRENCY) {
        this.#scheduled = true;
        setImmediate(this.#scheduledPump);
      }
    });
  }

  #pump(): void {
    while (this.#inFlight < CONCURRENCY && this.#pending.length > 0) {
      const batch = this.#pending.splice(0, MAX_BATCH);
      this.#inFlight++;
      void this.#send(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #send(batch: readonly Pending<TRequest, TResult>[]): Promise<void> {
    let results: readonly TResult[];
    try {
      results = await this.#call(batch.map((pending) => pending.request));
      if (results.length !== batch.length)
        throw new Error(`the store answered ${results.length} reads for ${batch.length} requests`);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++)
      (batch[i] as Pending<TRequest, TResult>).resolve(results[i] as TResult);
  }
}

/** A stream, as `loadSnapshots` takes it. */
type Stream = { readonly aggregateType: string; readonly aggregateId: string };

/**
 * The reads of one store, batched when the store offers `readAggregates` / `loadSnapshots`, otherwise
 * passed straight through.
 */
export class StoreReads {
  readonly #store: EventStore;
  readonly #events: Batcher<AggregateRead, readonly StoredEvent[]> | undefined;
  readonly #snapshots: Batcher<Stream, StoredSnapshot | null> | undefined;

  constructor(store: EventStore) {
    this.#store = store;
    const readAggregates = store.readAggregates?.bind(store);
    this.#events = readAggregates ? new Batcher(readAggregates) : undefined;
    const loadSnapshots = store.loadSnapshots?.bind(store);
    this.#snapshots = loadSnapshots ? new Batcher(loadSnapshots) : undefined;
  }

  /** As the store's `readAggregate`. */
  readAggregate(
    aggregateType: string,
    aggregateId: string,
    afterSequence: number,
  ): Promise<readonly StoredEvent[]> {
    return this.#events
      ? this.#events.read({ aggregateType, aggregateId, afterSequence })
      : this.#store.readAggregate(aggregateType, aggregateId, afterSequence);
  }

  /** As the store's `loadSnapshot`. */
  loadSnapshot(aggregateType: string, aggregateId: string): Promise<StoredSnapshot | null> {
    return this.#snapshots
      ? this.#snapshots.read({ aggregateType, aggregateId })
      : this.#store.loadSnapshot(aggregateType, aggregateId);
  }
}

const readers = new WeakMap<EventStore, StoreReads>();

/** The one batching reader of a store, shared by every system that reads it in this process. */
export function storeReadsFor(store: EventStore): StoreReads {
  let reads = readers.get(store);
  if (!reads) {
    reads = new StoreReads(store);
    readers.set(store, reads);
  }
  return reads;
}
