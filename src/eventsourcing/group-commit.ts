import type { AppendOutcome, AppendRequest, EventStore } from "../core/event-store.js";

interface PendingAppend {
  readonly request: AppendRequest;
  readonly resolve: (outcome: AppendOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** The most requests one store call carries. */
const MAX_BATCH = 1_000;

/**
 * Group commit: appends that arrive while the store is busy are written together in its next call, one
 * transaction for many aggregates. One call is in flight at a time per store, so a store never sees two
 * of our transactions interleave, and a batch never holds two requests for the same aggregate.
 */
export class GroupCommitter {
  readonly #store: EventStore;
  #pending: PendingAppend[] = [];
  #busy = false;

  constructor(store: EventStore) {
    this.#store = store;
  }

  /** Appends one aggregate's events, in the next batch. Rejects if the store call fails. */
  append(request: AppendRequest): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      if (!this.#busy) {
        this.#busy = true;
        queueMicrotask(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#takeBatch();
      try {
        const outcomes = await this.#store.append(batch.map((p) => p.request));
        if (outcomes.length !== batch.length)
          throw new Error(`the store answered ${outcomes.length} outcomes for ${batch.length} requests`);
        for (const [i, pending] of batch.entries()) pending.resolve(outcomes[i] as AppendOutcome);
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.#busy = false;
  }

  /** Up to MAX_BATCH pending requests with distinct aggregate ids; the rest wait for the next call. */
  #takeBatch(): PendingAppend[] {
    const seen = new Set<string>();
    const batch: PendingAppend[] = [];
    const later: PendingAppend[] = [];
    for (const pending of this.#pending) {
      const id = pending.request.aggregateId;
      if (batch.length < MAX_BATCH && !seen.has(id)) {
        seen.add(id);
        batch.push(pending);
      } else later.push(pending);
    }
    this.#pending = later;
    return batch;
  }
}

const committers = new WeakMap<EventStore, GroupCommitter>();

/** The one committer of a store, shared by every system that writes to it in this process. */
export function groupCommitterFor(store: EventStore): GroupCommitter {
  let committer = committers.get(store);
  if (!committer) {
    committer = new GroupCommitter(store);
    committers.set(store, committer);
  }
  return committer;
}
