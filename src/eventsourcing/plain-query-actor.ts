import type { EventEnvelope, QueryStats } from "../core/types.js";
import type { ChildSpec, RunningChild } from "../runtime/child-spec.js";
import { nextTurn, yieldDue } from "../runtime/cooperative.js";
import type { QueryDelivery } from "./query-delivery.js";
import type { SystemCounters } from "./system-counters.js";
import type { SystemLogger } from "./system-logger.js";

/** How many batches a plain query may hold, and where to say that it dropped some. */
export interface PlainQueryBound {
  readonly maxPending: number;
  readonly counters: SystemCounters;
  readonly logger: SystemLogger;
}

interface Batch<TEvent> {
  readonly aggregateId: string;
  readonly envelopes: readonly EventEnvelope<TEvent>[];
}

/**
 * A plain query: its own mailbox of commit batches, fed after each commit of this system, delivered one
 * at a time in commit order. The queue belongs to the query, not to one run of its actor, so batches
 * waiting when the actor is restarted are delivered by the next run.
 *
 * The queue is bounded (`maxPending`): a query that keeps failing would otherwise hold every commit
 * in memory. Once full, the query takes no new commits (they are counted as dropped, logged, and the
 * status says `"overflowed"`) until it has delivered everything it holds; then it takes commits again.
 * A plain query is live-only, so the dropped commits are never delivered to it.
 */
export class PlainQueryActor<TEvent> implements ChildSpec {
  readonly id: string;
  readonly restart = "permanent";
  readonly delivery: QueryDelivery<TEvent>;
  #queue: Batch<TEvent>[] = [];
  #head = 0;
  #pumping: Promise<void> | undefined;
  /** Set when the error policy stopped the query: it takes no more batches. */
  #gaveUp = false;
  readonly #bound: PlainQueryBound;
  /** Set when the queue reached `maxPending`, until it has drained. */
  #overflowed = false;
  droppedBatches = 0;

  constructor(delivery: QueryDelivery<TEvent>, bound: PlainQueryBound) {
    this.delivery = delivery;
    this.#bound = bound;
    this.id = `query:${delivery.name}`;
  }

  get pendingBatches(): number {
    return this.#queue.length - this.#head;
  }

  /** The delivery's status, or `"overflowed"` while commits are being dropped. */
  get status(): QueryStats["status"] {
    return this.#overflowed && this.delivery.status !== "stopped" ? "overflowed" : this.delivery.status;
  }

  post(aggregateId: string, envelopes: readonly EventEnvelope<TEvent>[]): void {
    if (this.#gaveUp) return;
    if (!this.#overflowed && this.pendingBatches >= this.#bound.maxPending) {
      this.#overflowed = true;
      this.#bound.logger.error(
        `query ${this.delivery.name} holds ${this.pendingBatches} batches (queryRetry.maxPending): ` +
          "it takes no new commits until it has delivered them; those commits are not delivered to it",
      );
    }
    if (this.#overflowed) {
      this.droppedBatches++;
      this.#bound.counters.queryBatchesDropped++;
      return;
    }
    this.#queue.push({ aggregateId, envelopes });
    this.#kick();
  }

  async start(): Promise<RunningChild> {
    if (this.#gaveUp) return { stop: async () => {} };
    this.delivery.active = true;
    this.delivery.status = "running";
    this.#kick();
    return { stop: () => this.#stop() };
  }

  async #stop(): Promise<void> {
    this.delivery.active = false;
    this.delivery.interrupt();
    await this.#pumping;
    if (this.delivery.status !== "stopped") this.delivery.status = "stopped";
  }

  /** Starts delivering unless already delivering; with a batch waiting, `#pump` always awaits before ending. */
  #kick(): void {
    if (this.delivery.active && !this.#pumping && this.#head < this.#queue.length)
      this.#pumping = this.#pump();
  }

  async #pump(): Promise<void> {
    while (this.delivery.active && this.#head < this.#queue.length) {
      // A synchronous query over a long backlog would otherwise run in microtasks alone and starve
      // timers and I/O: hand over to the event loop now and then.
      if (yieldDue()) {
        await nextTurn();
        if (!this.delivery.active) break;
      }
      const batch = this.#queue[this.#head] as Batch<TEvent>;
      const outcome = await this.delivery.deliver(
        batch.aggregateId,
        () => batch.envelopes,
        () => placeOf(batch.envelopes),
      );
      if (outcome === "cancelled") break;
      this.#head++;
      if (outcome === "stopped") {
        this.#gaveUp = true;
        this.#queue = [];
        this.#head = 0;
        break;
      }
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
      if (this.#overflowed) {
        this.#overflowed = false;
        this.#bound.logger.warn(
          `query ${this.delivery.name} caught up and takes commits again; ${this.droppedBatches} ` +
            "commits in all were not delivered to it",
        );
      }
    }
    this.#pumping = undefined;
  }
}

function placeOf(envelopes: readonly EventEnvelope<unknown>[]) {
  const first = envelopes[0];
  return { sequence: first?.sequence ?? 0, position: first?.position ?? 0n, events: envelopes.length };
}
