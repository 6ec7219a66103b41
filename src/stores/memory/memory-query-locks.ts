import type { QueryLock } from "../../core/event-store.js";

/**
 * The named-query locks of one memory store: exclusive per name within the process, lost when the
 * store closes.
 *
 * @example
 * ```ts
 * const locks = new MemoryQueryLocks();
 * const lock = locks.acquire("balances"); // a QueryLock
 * locks.acquire("balances"); // null until lock.release()
 * ```
 */
export class MemoryQueryLocks {
  readonly #holders = new Map<string, MemoryQueryLock>();

  /** The lock on `name`, or `null` if it is held. */
  acquire(name: string): QueryLock | null {
    if (this.#holders.has(name)) return null;
    const lock = new MemoryQueryLock(() => {
      if (this.#holders.get(name) === lock) this.#holders.delete(name);
    });
    this.#holders.set(name, lock);
    return lock;
  }

  /** Every lock is lost: holders see `held === false` and must stop. */
  loseAll(): void {
    for (const lock of this.#holders.values()) lock.lose();
    this.#holders.clear();
  }
}

class MemoryQueryLock implements QueryLock {
  readonly #onRelease: () => void;
  #held = true;

  constructor(onRelease: () => void) {
    this.#onRelease = onRelease;
  }

  get held(): boolean {
    return this.#held;
  }

  /** Idempotent: releasing a released or lost lock does nothing. */
  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    this.#onRelease();
  }

  lose(): void {
    this.#held = false;
  }
}
