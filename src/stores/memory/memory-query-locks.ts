import type { QueryLock } from "../../core/event-store.js";

/**
 * The named-query locks of one memory store: exclusive per name within the process, lost when the
 * store closes.
 *
 * @example
 * ```ts
 * const locks = new MemoryQueryLocks();
 * const lock = locks.acquire("balances", (position) => (checkpoints.set("balances", position), true));
 * locks.acquire("balances", () => {}); // null until lock.release()
 * ```
 */
export class MemoryQueryLocks {
  readonly #holders = new Map<string, MemoryQueryLock>();

  /**
   * The lock on `name`, or `null` if it is held. `save` records the query's checkpoint (false when the
   * generation given is not the stored one); the lock calls it only while held.
   */
  acquire(name: string, save: (position: bigint, generation?: number) => boolean): QueryLock | null {
    if (this.#holders.has(name)) return null;
    const lock = new MemoryQueryLock(save, () => {
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
  readonly #save: (position: bigint, generation?: number) => boolean;
  readonly #onRelease: () => void;
  #held = true;

  constructor(save: (position: bigint, generation?: number) => boolean, onRelease: () => void) {
    this.#save = save;
    this.#onRelease = onRelease;
  }

  get held(): boolean {
    return this.#held;
  }

  /** Checked and written in one synchronous step: nothing can take the lock in between. */
  async saveCheckpoint(position: bigint, generation?: number): Promise<boolean> {
    if (typeof position !== "bigint") throw new TypeError("saveCheckpoint: position must be a bigint");
    if (!this.#held) return false;
    return this.#save(position, generation);
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
