import type { AppendOutcome, AppendRequest, EventStore } from "../core/event-store.js";
import { deferToEventLoop, yieldDue } from "../runtime/cooperative.js";
import { activeTelemetry } from "../telemetry/telemetry.js";

/**
 * Told the outcome of one append, once: `appended` with the store's outcome, or `appendFailed` when the
 * store call failed. Called from the committer's loop over a batch; neither may throw.
 */
export interface AppendWaiter {
  appended(outcome: AppendOutcome): void;
  appendFailed(error: unknown): void;
}

interface PendingAppend {
  readonly request: AppendRequest;
  readonly waiter: AppendWaiter;
}

/** The waiter of a promise-based {@link GroupCommitter.append}. */
class PromiseWaiter implements AppendWaiter {
  readonly appended: (outcome: AppendOutcome) => void;
  readonly appendFailed: (error: unknown) => void;

  constructor(resolve: (outcome: AppendOutcome) => void, reject: (error: unknown) => void) {
    this.appended = resolve;
    this.appendFailed = reject;
  }
}

/** The most requests one store call carries. */
const MAX_BATCH = 1_000;

/**
 * The most store calls spent isolating the requests a store refuses in one failed batch: enough to
 * single out a few in a full batch (about 2 log2 n calls each), bounded when the whole store is down.
 */
const ISOLATION_CALLS = 64;

/** Aggregate types whose emptied id sets the committer keeps between batches, at most. */
const MAX_KEPT_TYPES = 16;

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
  /** The streams of the batch being taken, by type then id (see `#takeBatch`). */
  readonly #seen = new Map<string, Set<string>>();

  constructor(store: EventStore) {
    this.#store = store;
    const concurrency = store.appendConcurrency;
    this.#concurrency =
      Number.isSafeInteger(concurrency) && (concurrency as number) > 0 ? (concurrency as number) : 1;
  }

  /** Appends one aggregate's events, in the next batch. Rejects if the store call fails. */
  append(request: AppendRequest): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => this.enqueue(request, new PromiseWaiter(resolve, reject)));
  }

  /**
   * Appends one aggregate's events, in the next batch, and tells `waiter` the outcome: the hot path's
   * way, with no promise per request.
   */
  enqueue(request: AppendRequest, waiter: AppendWaiter): void {
    this.#pending.push({ request, waiter });
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
      this.#send(batch);
    }
  }

  /** A store call has ended and every request of it has its outcome. */
  #callEnded(): void {
    this.#inFlight--;
    this.#afterCall();
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

  /** Sends one batch; every request of it is told its outcome, then the next pump may run. */
  #send(batch: readonly PendingAppend[]): void {
    this.#call(batch).then(
      (outcomes) => {
        // Checked here rather than in a `then` of its own: one promise less per store call.
        if (outcomes?.length === batch.length) {
          this.#settle(batch, outcomes);
          this.#callEnded();
        } else this.#callFailed(batch, wrongCount(outcomes, batch.length));
      },
      (error: unknown) => this.#callFailed(batch, error),
    );
  }

  /** A batch's store call failed: the requests it refuses alone fail, or all of them (see `#isolate`). */
  #callFailed(batch: readonly PendingAppend[], error: unknown): void {
    if (batch.length === 1 || !this.#mayIsolate(error)) {
      for (const pending of batch) failWaiter(pending, error);
      this.#callEnded();
      return;
    }
    this.#isolate(batch, error, { calls: ISOLATION_CALLS }).then(
      () => this.#callEnded(),
      (isolationError: unknown) => {
        for (const pending of batch) failWaiter(pending, isolationError);
        this.#callEnded();
      },
    );
  }

  /** The store call for a batch: its answer as the store gives it (see {@link #callChecked}). */
  #call(batch: readonly PendingAppend[]): Promise<readonly AppendOutcome[]> {
    const requests: AppendRequest[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) requests[i] = (batch[i] as PendingAppend).request;
    try {
      activeTelemetry?.appendBatch(requests);
      return this.#store.append(requests);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The store call for a batch: its outcomes, one per request, or a rejection. */
  async #callChecked(batch: readonly PendingAppend[]): Promise<readonly AppendOutcome[]> {
    const outcomes = await this.#call(batch);
    if (outcomes?.length !== batch.length) throw wrongCount(outcomes, batch.length);
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
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i] as PendingAppend;
      try {
        pending.waiter.appended(outcomes[i] as AppendOutcome);
      } catch (error) {
        reportWaiterError(error);
      }
    }
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
      for (const pending of batch) failWaiter(pending, error);
      return;
    }
    const middle = Math.ceil(batch.length / 2);
    for (const half of [batch.slice(0, middle), batch.slice(middle)]) {
      if (budget.calls <= 0) {
        for (const pending of half) failWaiter(pending, error);
        continue;
      }
      budget.calls--;
      let outcomes: readonly AppendOutcome[];
      try {
        outcomes = await this.#callChecked(half);
      } catch (halfError) {
        if (this.#mayIsolate(halfError)) await this.#isolate(half, halfError, budget);
        else {
          budget.calls = 0; // the whole store failed: the rest fail with it, at once
          for (const pending of half) failWaiter(pending, halfError);
        }
        continue;
      }
      for (let i = 0; i < half.length; i++) {
        const pending = half[i] as PendingAppend;
        const outcome = outcomes[i] as AppendOutcome;
        if (!outcome.ok) failWaiter(pending, error);
        else
          try {
            pending.waiter.appended(outcome);
          } catch (waiterError) {
            reportWaiterError(waiterError);
          }
      }
    }
  }

  /**
   * Up to `limit` waiting requests with distinct aggregate ids, oldest first. A request whose aggregate
   * is already in the batch waits for the next one, ahead of anything newer for that aggregate.
   */
  #takeBatch(limit: number): PendingAppend[] {
    if (this.#deferred.length === 0 && this.#pending.length - this.#head === 1) {
      // One request waiting (one command at a time): nothing to keep apart.
      const batch = [this.#pending[this.#head] as PendingAppend];
      this.#pending = [];
      this.#head = 0;
      return batch;
    }
    // Streams by type, then id: no key is built per request (a system has one type). The sets are
    // kept from batch to batch, emptied after each.
    const seen = this.#seen;
    const batch: PendingAppend[] = [];
    const deferred: PendingAppend[] = [];
    const earlier = this.#deferred;
    let i = 0;
    for (; i < earlier.length && batch.length < limit; i++)
      this.#take(earlier[i] as PendingAppend, batch, deferred);
    for (; i < earlier.length; i++) deferred.push(earlier[i] as PendingAppend);
    while (batch.length < limit && this.#head < this.#pending.length)
      this.#take(this.#pending[this.#head++] as PendingAppend, batch, deferred);
    if (this.#head === this.#pending.length) {
      this.#pending = [];
      this.#head = 0;
    } else if (this.#head >= 1_024 && this.#head * 2 >= this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
    this.#deferred = deferred;
    if (seen.size > MAX_KEPT_TYPES) seen.clear();
    else for (const ids of seen.values()) ids.clear();
    return batch;
  }

  /** Puts `pending` in the batch, or among the deferred when its stream is in the batch already. */
  #take(pending: PendingAppend, batch: PendingAppend[], deferred: PendingAppend[]): void {
    const { aggregateType, aggregateId } = pending.request;
    let ids = this.#seen.get(aggregateType);
    if (ids === undefined) {
      ids = new Set();
      this.#seen.set(aggregateType, ids);
    }
    if (ids.has(aggregateId)) deferred.push(pending);
    else {
      ids.add(aggregateId);
      batch.push(pending);
    }
  }
}

function wrongCount(outcomes: readonly AppendOutcome[] | undefined, requests: number): Error {
  return new Error(`the store answered ${outcomes?.length} outcomes for ${requests} requests`);
}

function failWaiter(pending: PendingAppend, error: unknown): void {
  try {
    pending.waiter.appendFailed(error);
  } catch (waiterError) {
    reportWaiterError(waiterError);
  }
}

/** A waiter broke its promise not to throw: the other requests of the batch still get their outcome. */
function reportWaiterError(error: unknown): void {
  console.error("group commit: a waiter threw on its outcome", error);
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
