import type { Clock, TimerHandle } from "./clock.js";

/** Something that expires unless settled first. */
export interface Expiring {
  /** True once settled (answered); an expired or settled entry is never expired again. */
  settled: boolean;
  /** When it expires, on the clock: set by {@link Deadlines.add}. */
  expiresAt: number;
  /** Called once when the deadline passes while not settled. */
  expire(): void;
}

/**
 * Many deadlines of a few distinct durations, for far less than a timer each: per duration a FIFO queue
 * (deadlines of one duration expire in the order they were set) and a single clock timer for its head.
 * Settled items are dropped from the head as the queue is visited, so the queues hold about as many
 * entries as there are unsettled items.
 */
export class Deadlines {
  readonly #clock: Clock;
  readonly #queues = new Map<number, { entries: Expiring[]; head: number; timer: TimerHandle | undefined }>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Expires `item` after `ms` unless it is settled by then. */
  add(ms: number, item: Expiring): void {
    let queue = this.#queues.get(ms);
    if (!queue) {
      queue = { entries: [], head: 0, timer: undefined };
      this.#queues.set(ms, queue);
    }
    this.#dropSettled(queue);
    item.expiresAt = this.#clock.now() + ms;
    queue.entries.push(item);
    if (queue.timer === undefined) this.#arm(ms, queue);
  }

  /** Cancels every timer; pending items never expire. */
  clear(): void {
    for (const queue of this.#queues.values())
      if (queue.timer !== undefined) this.#clock.clearTimeout(queue.timer);
    this.#queues.clear();
  }

  #arm(ms: number, queue: { entries: Expiring[]; head: number; timer: TimerHandle | undefined }): void {
    const first = queue.entries[queue.head];
    if (!first) {
      queue.timer = undefined;
      return;
    }
    queue.timer = this.#clock.setTimeout(
      () => {
        const now = this.#clock.now();
        for (
          let item = queue.entries[queue.head];
          item && item.expiresAt <= now;
          item = queue.entries[queue.head]
        ) {
          queue.head++;
          if (!item.settled) item.expire();
        }
        this.#dropSettled(queue);
        this.#arm(ms, queue);
      },
      Math.max(0, first.expiresAt - this.#clock.now()),
    );
  }

  #dropSettled(queue: { entries: Expiring[]; head: number }): void {
    while (queue.head < queue.entries.length && queue.entries[queue.head]?.settled) queue.head++;
    if (queue.head === queue.entries.length) {
      queue.entries = [];
      queue.head = 0;
    } else if (queue.head >= 1_024 && queue.head * 2 >= queue.entries.length) {
      queue.entries = queue.entries.slice(queue.head);
      queue.head = 0;
    }
  }
}
