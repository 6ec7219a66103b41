/**
 * Wakes readers when events may have been appended: at once for this store's own commits, and for
 * other connections' commits (another store handle, another process) by watching SQLite's
 * `data_version`, which changes whenever another connection commits to the file.
 */
import type { Clock, TimerHandle } from "../../runtime/clock.js";

/** Listeners of one store, and the watch on other connections' commits while there are any. */
export class SqliteAppendSignal {
  readonly #listeners = new Set<() => void>();
  readonly #clock: Clock;
  readonly #pollMs: number;
  readonly #dataVersion: () => number | undefined;
  #lastVersion: number | undefined;
  #timer: TimerHandle | undefined;

  /** `dataVersion` reads `PRAGMA data_version`, or gives undefined while the store is not open. */
  constructor(clock: Clock, pollMs: number, dataVersion: () => number | undefined) {
    this.#clock = clock;
    this.#pollMs = pollMs;
    this.#dataVersion = dataVersion;
  }

  subscribe(listener: () => void): () => void {
    // A wrapper per call, so that subscribing one function twice needs two unsubscribes.
    const entry = () => listener();
    this.#listeners.add(entry);
    if (this.#timer === undefined) {
      this.#lastVersion = this.#read();
      this.#watch();
    }
    return () => {
      this.#listeners.delete(entry);
      if (this.#listeners.size === 0) this.stop();
    };
  }

  /** Tells every listener; one that throws does not keep the others from hearing. */
  notify(): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch {
        // A wake-up is a hint; a listener's failure is its own business.
      }
    }
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#lastVersion = undefined;
  }

  #read(): number | undefined {
    try {
      return this.#dataVersion();
    } catch {
      return undefined; // locked or closed: look again next time
    }
  }

  #watch(): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      const version = this.#read();
      // Without a first reading (the store opened after subscribing), a commit may have been missed:
      // one spurious wake-up is harmless, a lost one is not.
      const changed = version !== undefined && version !== this.#lastVersion;
      if (version !== undefined) this.#lastVersion = version;
      if (this.#listeners.size > 0) this.#watch();
      if (changed) this.notify();
    }, this.#pollMs);
  }
}
