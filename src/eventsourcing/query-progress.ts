import type { EventStore } from "../core/event-store.js";
import type { Clock, TimerHandle } from "../runtime/clock.js";

interface Waiter {
  readonly position: bigint;
  /** The names whose checkpoint has not been seen at or past `position` yet. */
  readonly behind: Set<string>;
  readonly done: (behind: readonly string[]) => void;
}

/**
 * Waits for named queries' checkpoints to reach a position, whichever process runs them. One poller
 * serves every waiter: it reads each checkpoint still awaited from the store once per round (every
 * `pollMs`, and at once for a new waiter), and a query of this process that saves a checkpoint
 * reports it here, so an in-process wait needs no further read. Appends do not wake it: another
 * process's checkpoint moves after its query ran, not when the events land. Nothing runs while nobody
 * waits.
 */
export class QueryProgress {
  readonly #store: EventStore;
  readonly #clock: Clock;
  readonly #pollMs: number;
  readonly #waiters = new Set<Waiter>();
  #polling = false;
  #sleep: { readonly timer: TimerHandle; readonly wake: () => void } | undefined;
  /** Set when woken during a round: the next round starts at once. */
  #again = false;

  constructor(store: EventStore, clock: Clock, pollMs: number) {
    this.#store = store;
    this.#clock = clock;
    this.#pollMs = pollMs;
  }

  /**
   * Resolves with the names still behind `position` when `timeoutMs` passed first, or `[]` once every
   * name's checkpoint is at or past it.
   */
  wait(names: readonly string[], position: bigint, timeoutMs: number): Promise<readonly string[]> {
    // Position 0 is before every event: every query has processed it, with a checkpoint or without.
    if (names.length === 0 || position <= 0n) return Promise.resolve([]);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        position,
        behind: new Set(names),
        done: (behind) => {
          this.#clock.clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(behind);
        },
      };
      const timer = this.#clock.setTimeout(() => waiter.done([...waiter.behind]), timeoutMs);
      this.#waiters.add(waiter);
      this.#poll();
    });
  }

  /** A query of this process saved `position` as its checkpoint. */
  saved(name: string, position: bigint): void {
    for (const waiter of [...this.#waiters]) this.#seen(waiter, name, position);
  }

  /** A new waiter: read the checkpoints now rather than at the next poll. */
  wake(): void {
    if (this.#waiters.size === 0) return;
    this.#again = true;
    this.#sleep?.wake();
  }

  /** Answers every waiter at once with the names it still waits for (the system stops). */
  stop(): void {
    for (const waiter of [...this.#waiters]) waiter.done([...waiter.behind]);
    this.#sleep?.wake();
  }

  #seen(waiter: Waiter, name: string, position: bigint): void {
    if (position < waiter.position || !waiter.behind.delete(name)) return;
    if (waiter.behind.size === 0) waiter.done([]);
  }

  #poll(): void {
    if (this.#polling) {
      this.wake();
      return;
    }
    this.#polling = true;
    void this.#rounds().finally(() => {
      this.#polling = false;
      // A waiter added after the last round saw none left.
      if (this.#waiters.size > 0) this.#poll();
    });
  }

  async #rounds(): Promise<void> {
    while (this.#waiters.size > 0) {
      this.#again = false;
      const names = new Set<string>();
      for (const waiter of this.#waiters) for (const name of waiter.behind) names.add(name);
      await Promise.all(
        [...names].map(async (name) => {
          let position: bigint | null;
          try {
            position = await this.#store.loadCheckpoint(name);
          } catch {
            // The store may come back: the next round asks again, and the waiter's timeout bounds it.
            return;
          }
          if (position !== null) this.saved(name, position);
        }),
      );
      if (this.#waiters.size === 0 || this.#again) continue;
      await new Promise<void>((resolve) => {
        const wake = () => {
          if (this.#sleep?.wake !== wake) return;
          this.#clock.clearTimeout(this.#sleep.timer);
          this.#sleep = undefined;
          resolve();
        };
        this.#sleep = { timer: this.#clock.setTimeout(wake, this.#pollMs), wake };
      });
    }
  }
}
