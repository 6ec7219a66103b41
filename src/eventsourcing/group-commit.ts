import type { AppendOutcome, AppendRequest, EventStore } from "../core/event-store.js";
import { deferToEventLoop, yieldDue } from "../runtime/cooperative.js";
import { activeTelemetry } from "../telemetry/telemetry.js";

interface PendingAppend {
  readonly request: AppendRequest;
  readonly resolve: (outcome: AppendOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** The most requests one store call carries. */
const MAX_BATCH = 1_000;

/**
 * The most store calls spent isolating the requests a store refuses in one failed batch: enough to
 * single out a few in a full batch (about 2 log2 n calls each), bounded when the whole store is down.
 */
const ISOLATION_CALLS = 64;

/**
 * Group commit: appends that arrive while the store is busy are written together in its next call, one
 * transaction for many aggregates, and a batch never holds two requests for the same aggregate. By
 * default one call is in flight at a time per store, so a store never sees two of our transactions
 * interleave; a store with `appendConcurrency` above 1 gets up to that many calls at once, the waiting
 * requests shared out among them. When a store refuses one request of a batch, only that request fails:
 * see `#isolate`.
 */
export class GroupCommitter {
  readonly #store: EventStore;
  readonly #concurrency: number;
  /** Waiting requests, oldest first, from `#head` on. */
  #pending: PendingAppend[] = [];
  #head = 0;
  /** Requests held back from a batch that already had their aggregate; they go first next time. */
  #deferred: PendingAppend[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(store: EventStore) {
    this.#store = store;
    const concurrency = store.appendConcurrency;
    this.#concurrency =
      Number.isSafeInteger(concurrency) && (concurrency as number) > 0 ? (concurrency as number) : 1;
  }

  /** Appends one aggregate's events, in the next batch. Rejects if the store call fails. */
  append(request: AppendRequest): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      if (!this.#scheduled && this.#inFlight < this.#concurrency) {
        this.#scheduled = true;
        // For a store that takes several calls at once (a networked one), on a macrotask: the actors
        // woken by one store answer (each a chain of microtasks: the reply, the caller's next command,
        // its handle) all append before the pump runs, so they share the next batch instead of the
        // first of them going alone (PostgreSQL, 1,000 x 10 concurrent: median batch 1 before). A store
        // without I/O per call (memory, SQLite) keeps the microtask: one command at a time would pay a
        // turn of the event loop each (0.63x on the memory store, sequential).
        if (this.#concurrency > 1) setImmediate(this.#scheduledPump);
        else queueMicrotask(this.#scheduledPump);
      }
    });
  }

  /** After a store call: the next pump, on a macrotask for a networked store (see `append`). */
  #afterCall(): void {
    if (this.#concurrency === 1) {
      this.#pumpInTurn();
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#scheduledPump);
  }

  readonly #scheduledPump = (): void => {
    this.#scheduled = false;
    this.#pumpInTurn();
  };

  #waiting(): number {
    return this.#deferred.length + this.#pending.length - this.#head;
  }

  /** Starts store calls while there are requests waiting and room in flight. */
  #pump(): void {
    while (this.#inFlight < this.#concurrency && this.#waiting() > 0) {
      const share = Math.ceil(this.#waiting() / (this.#concurrency - this.#inFlight));
      const batch = this.#takeBatch(Math.min(MAX_BATCH, share));
      if (batch.length === 0) return;
      this.#inFlight++;
      void this.#send(batch).finally(() => {
        this.#inFlight--;
        this.#afterCall();
      });
    }
  }

  /**
   * Pumps now, or after the event loop's next turn when this process has been busy for a while: a store
   * that answers without I/O (memory, SQLite) would otherwise chain batch after batch in microtasks and
   * starve every timer, command timeouts included.
   */
  #pumpInTurn(): void {
    if (!yieldDue()) {
      this.#pump();
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    deferToEventLoop(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  async #send(batch: readonly PendingAppend[]): Promise<void> {
    try {
      this.#settle(batch, await this.#call(batch));
    } catch (error) {
      if (batch.length === 1 || !this.#mayIsolate(error)) for (const pending of batch) pending.reject(error);
      else await this.#isolate(batch, error, { calls: ISOLATION_CALLS });
    }
  }

  async #call(batch: readonly PendingAppend[]): Promise<readonly AppendOutcome[]> {
    const requests = batch.map((p) => p.request);
    activeTelemetry?.appendBatch(requests);
    const outcomes = await this.#store.append(requests);
    if (outcomes.length !== batch.length)
      throw new Error(`the store answered ${outcomes.length} outcomes for ${batch.length} requests`);
    return outcomes;
  }

  /** Unless the store says the failure is its own as a whole, some request may be refused alone. */
  #mayIsolate(error: unknown): boolean {
    try {
      return this.#store.isRequestError?.(error) !== false;
    } catch {
      return false;
    }
  }

  #settle(batch: readonly PendingAppend[], outcomes: readonly AppendOutcome[]): void {
    for (const [i, pending] of batch.entries()) pending.resolve(outcomes[i] as AppendOutcome);
  }

  /**
   * A store call for several requests failed, and nothing of it was written: the store may refuse one
   * request alone (text it cannot hold, a key too large for an index, a constraint), so the halves are
   * sent again, and so on, until the requests it refuses are alone and only they get the error.
   *
   * A failure the store reports as its own as a whole (`isRequestError` false: a lost connection, a lock
   * that timed out) is not sent again; other failures of the whole store would make every half fail too,
   * and a budget of store calls bounds that case, past which the rest get the error at once. And since a
   * failed call's outcome may be unknown (the connection dropped around COMMIT), a request that
   * conflicts when sent again gets the failure rather than a conflict: it may be its own first write that
   * it conflicts with, and a conflict would make its actor decide the command again.
   */
  async #isolate(batch: readonly PendingAppend[], error: unknown, budget: { calls: number }): Promise<void> {
    if (batch.length === 1) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    const middle = Math.ceil(batch.length / 2);
    for (const half of [batch.slice(0, middle), batch.slice(middle)]) {
      if (budget.calls <= 0) {
        for (const pending of half) pending.reject(error);
        continue;
      }
      budget.calls--;
      let outcomes: readonly AppendOutcome[];
      try {
        outcomes = await this.#call(half);
      } catch (halfError) {
        if (this.#mayIsolate(halfError)) await this.#isolate(half, halfError, budget);
        else {
          budget.calls = 0; // the whole store failed: the rest fail with it, at once
          for (const pending of half) pending.reject(halfError);
        }
        continue;
      }
      for (const [i, pending] of half.entries()) {
        const outcome = outcomes[i] as AppendOutcome;
        if (outcome.ok) pending.resolve(outcome);
        else pending.reject(error);
      }
    }
  }

  /**
   * Up to `limit` waiting requests with distinct aggregate ids, oldest first. A request whose aggregate
   * is already in the batch waits for the next one, ahead of anything newer for that aggregate.
   */
  #takeBatch(limit: number): PendingAppend[] {
    // Streams by type, then id: no key is built per request (a system has one type).
    const seen = new Map<string, Set<string>>();
    const batch: PendingAppend[] = [];
    const deferred: PendingAppend[] = [];
    const take = (pending: PendingAppend) => {
      const { aggregateType, aggregateId } = pending.request;
      let ids = seen.get(aggregateType);
      if (ids === undefined) {
        ids = new Set();
        seen.set(aggregateType, ids);
      }
      if (ids.has(aggregateId)) deferred.push(pending);
      else {
        ids.add(aggregateId);
        batch.push(pending);
      }
    };
    const earlier = this.#deferred;
    let i = 0;
    for (; i < earlier.length && batch.length < limit; i++) take(earlier[i] as PendingAppend);
    for (; i < earlier.length; i++) deferred.push(earlier[i] as PendingAppend);
    while (batch.length < limit && this.#head < this.#pending.length)
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
