/**
 * The right to run a named query, across processes sharing one SQLite file: a lease row (name, owner,
 * expires_at) taken and renewed in write transactions. The holder renews it on a timer well before it
 * expires; a holder that dies stops renewing, so its lease runs out and another process takes over.
 */
import type { QueryLock } from "../../core/event-store.js";
import type { Clock, TimerHandle } from "../../runtime/clock.js";

/** What a lease needs from its store. */
export interface LeaseHost {
  readonly clock: Clock;
  /** Wall-clock milliseconds since the epoch, comparable across processes. */
  now(): number;
  readonly leaseMs: number;
  /** Extends the lease to `expiresAt` if this store still owns it; false when it does not. */
  renew(name: string, expiresAt: number): Promise<boolean>;
  /**
   * Writes the query's checkpoint if this store still owns an unexpired lease (and, with `generation`,
   * if the stored generation is that one), checked in the same transaction: `"lost"` or `"stale"`,
   * writing nothing, otherwise.
   */
  saveCheckpoint(name: string, position: bigint, generation?: number): Promise<"saved" | "lost" | "stale">;
  /** Deletes the lease row if this store owns it. */
  release(name: string): Promise<void>;
  /** The lock has ended, released or lost: the store may take it again. */
  ended(name: string): void;
}

/** A named query's lease held by one store handle. */
export class SqliteQueryLock implements QueryLock {
  readonly #name: string;
  readonly #host: LeaseHost;
  #expiresAt: number;
  #held = true;
  #timer: TimerHandle | undefined;

  constructor(name: string, host: LeaseHost, expiresAt: number) {
    this.#name = name;
    this.#host = host;
    this.#expiresAt = expiresAt;
    this.#schedule();
  }

  get held(): boolean {
    // A process paused past its lease (a blocked event loop, a stopped debugger) has lost it: judged by
    // the clock against the expiry of the last successful renewal, so it needs no timer to have run.
    if (this.#held && this.#host.now() >= this.#expiresAt) this.#end();
    return this.#held;
  }

  async saveCheckpoint(position: bigint, generation?: number): Promise<boolean> {
    if (!this.held) return false;
    const saved = await this.#host.saveCheckpoint(this.#name, position, generation);
    if (saved === "lost" && this.#held) this.#end();
    return saved === "saved";
  }

  async release(): Promise<void> {
    if (!this.#held) return;
    this.#end();
    await this.#host.release(this.#name);
  }

  /** Ends the lock without touching the file: the store is closing and deletes its leases itself. */
  abandon(): void {
    if (this.#held) this.#end();
  }

  #schedule(): void {
    // Renewing at a third of the lease leaves two more attempts before it can run out.
    this.#timer = this.#host.clock.setTimeout(() => void this.#renew(), Math.max(1, this.#host.leaseMs / 3));
  }

  async #renew(): Promise<void> {
    this.#timer = undefined;
    if (!this.held) return;
    const expiresAt = this.#host.now() + this.#host.leaseMs;
    try {
      const stillOurs = await this.#host.renew(this.#name, expiresAt);
      if (!this.#held) return;
      if (!stillOurs) {
        this.#end();
        return;
      }
      this.#expiresAt = expiresAt;
    } catch {
      // A failed renewal (the file stayed locked) is tried again; the lease ends when it expires.
    }
    if (this.#held) this.#schedule();
  }

  #end(): void {
    this.#held = false;
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#host.ended(this.#name);
  }
}
