import type { EventEnvelope, QueryStats } from "../core/types.js";
import type { ChildSpec, RunningChild } from "../runtime/child-spec.js";
import { nextTurn, yieldDue } from "../runtime/cooperative.js";
import type { BackoffCheck, QueryDelivery } from "./query-delivery.js";
import type { SystemCounters } from "./system-counters.js";
import type { SystemLogger } from "./system-logger.js";

/** How many batches a plain query may hold, and where to say that it dropped some. */
export interface PlainQueryBound {
  readonly maxPending: number;
  readonly counters: SystemCounters;
  readonly logger: SystemLogger;
  /** How often a failed batch's backoff looks for a skip of one of its events, in ms. */
  readonly sliceMs: number;
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
  /** Events skipped on an operator's request. */
  skippedEvents = 0;
  /** Positions an operator asked this query to skip (this process only: a plain query has no checkpoint). */
  readonly #skipped = new Set<bigint>();
  /** Skipped positions already logged and counted. */
  readonly #skipsDone = new Set<bigint>();
  /** Grows with every skip: a backoff retries at once only for a skip newer than it has seen. */
  #skipVersion = 0;
  #seenSkips = 0;
  /** The batch in delivery. */
  #delivering: Batch<TEvent> | undefined;
  /** Asked while a failed batch backs off: a new skip of one of its events retries it at once. */
  readonly #backoff: BackoffCheck;

  constructor(delivery: QueryDelivery<TEvent>, bound: PlainQueryBound) {
    this.delivery = delivery;
    this.#bound = bound;
    this.id = `query:${delivery.name}`;
    this.#backoff = {
      sliceMs: bound.sliceMs,
      recheck: async () => {
        if (this.#seenSkips === this.#skipVersion) return "wait";
        this.#seenSkips = this.#skipVersion;
        const envelopes = this.#delivering?.envelopes ?? [];
        return envelopes.some((envelope) => this.#skipped.has(envelope.position)) ? "retry" : "wait";
      },
    };
  }

  get pendingBatches(): number {
    return this.#queue.length - this.#head;
  }

  /** The delivery's status, or `"overflowed"` while commits are being dropped. */
  get status(): QueryStats["status"] {
    return this.#overflowed && this.delivery.status !== "stopped" ? "overflowed" : this.delivery.status;
  }

  /** Events waiting in the queue. */
  get pendingEvents(): number {
    let events = 0;
    for (let i = this.#head; i < this.#queue.length; i++)
      events += (this.#queue[i] as Batch<TEvent>).envelopes.length;
    return events;
  }

  /**
   * An operator skips the event at `position`: never delivered to this query, a batch in its backoff
   * included (retried at once without it).
   */
  skip(position: bigint): void {
    this.#skipped.add(position);
    this.#skipVersion++;
    this.delivery.nudge();
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
      this.#delivering = batch;
      this.#seenSkips = this.#skipVersion;
      const outcome = await this.delivery.deliver(
        batch.aggregateId,
        () => (this.#skipped.size === 0 ? batch.envelopes : this.#withoutSkipped(batch.envelopes)),
        () => placeOf(batch.envelopes),
        this.#backoff,
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

  #withoutSkipped(envelopes: readonly EventEnvelope<TEvent>[]): readonly EventEnvelope<TEvent>[] {
    const kept = envelopes.filter((envelope) => !this.#skipped.has(envelope.position));
    for (const envelope of envelopes) {
      if (!this.#skipped.has(envelope.position) || this.#skipsDone.has(envelope.position)) continue;
      this.#skipsDone.add(envelope.position);
      this.skippedEvents++;
      this.#bound.counters.queryEventsSkipped++;
      this.#bound.logger.warn(
        `query ${this.delivery.name}: skipped the event at position ${envelope.position} ` +
          `(${JSON.stringify(envelope.aggregateId)} sequence ${envelope.sequence}, ${envelope.eventType}) as an operator asked`,
      );
    }
    return kept;
  }
}

function placeOf(envelopes: readonly EventEnvelope<unknown>[]) {
  const first = envelopes[0];
  return { sequence: first?.sequence ?? 0, position: first?.position ?? 0n, events: envelopes.length };
}
