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
  /** Waiting requests, oldest first, from `#head` on. */
  #pending: PendingAppend[] = [];
  #head = 0;
  /** Requests held back from a batch that already had their aggregate; they go first next time. */
  #deferred: PendingAppend[] = [];
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
    for (let batch = this.#takeBatch(); batch.length > 0; batch = this.#takeBatch()) {
      try {
        const outcomes = await this.#store.append(batch.map((p) => p.request));
        if (outcomes.length !== batch.length)
          throw new Error(`the store answered ${outcomes.length} outcomes for ${batch.length} requests`);
        for (const [i, pending] of batch.entries()) pending.resolve(outcomes[i] as AppendOutcome);
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.#busy = false;
  }

  /**
   * Up to MAX_BATCH waiting requests with distinct aggregate ids, oldest first. A request whose aggregate
   * is already in the batch waits for the next one, ahead of anything newer for that aggregate.
   */
  #takeBatch(): PendingAppend[] {
    const seen = new Set<string>();
    const batch: PendingAppend[] = [];
    const deferred: PendingAppend[] = [];
    const take = (pending: PendingAppend) => {
      const id = pending.request.aggregateId;
      if (seen.has(id)) deferred.push(pending);
      else {
        seen.add(id);
        batch.push(pending);
      }
    };
    const earlier = this.#deferred;
    let i = 0;
    for (; i < earlier.length && batch.length < MAX_BATCH; i++) take(earlier[i] as PendingAppend);
    for (; i < earlier.length; i++) deferred.push(earlier[i] as PendingAppend);
    while (batch.length < MAX_BATCH && this.#head < this.#pending.length)
      take(this.#pending[this.#head++] as PendingAppend);
    if (this.#head === this.#pending.length) {
      this.#pending = [];
      this.#head = 0;
    } else if (this.#head >= 1_024 && this.#head * 2 >= this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
    this.#deferred = deferred;
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
