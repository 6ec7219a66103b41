import type { EventEnvelope } from "../core/types.js";
import type { ChildSpec, RunningChild } from "../runtime/child-spec.js";
import type { QueryDelivery } from "./query-delivery.js";

interface Batch<TEvent> {
  readonly aggregateId: string;
  readonly envelopes: readonly EventEnvelope<TEvent>[];
}

/**
 * A plain query: its own mailbox of commit batches, fed after each commit of this system, delivered one
 * at a time in commit order. The queue belongs to the query, not to one run of its actor, so batches
 * waiting when the actor is restarted are delivered by the next run: nothing is lost.
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

  constructor(delivery: QueryDelivery<TEvent>) {
    this.delivery = delivery;
    this.id = `query:${delivery.name}`;
  }

  get pendingBatches(): number {
    return this.#queue.length - this.#head;
  }

  post(aggregateId: string, envelopes: readonly EventEnvelope<TEvent>[]): void {
    if (this.#gaveUp) return;
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
      const batch = this.#queue[this.#head] as Batch<TEvent>;
      const outcome = await this.delivery.deliver(batch.aggregateId, () => batch.envelopes);
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
    }
    this.#pumping = undefined;
  }
}
