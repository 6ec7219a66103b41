import type { QueryLock, StoredEvent } from "../core/event-store.js";
import type { ChildSpec, RunningChild } from "../runtime/child-spec.js";
import { nextTurn, yieldDue } from "../runtime/cooperative.js";
import type { QueryDelivery } from "./query-delivery.js";
import { retryDelay } from "./query-delivery.js";
import type { StoreGateway } from "./store-gateway.js";
import type { SystemLogger } from "./system-logger.js";

/** Splits a page of the global log into batches: one commit of one aggregate each. */
export function commitBatches(rows: readonly StoredEvent[]): StoredEvent[][] {
  const batches: StoredEvent[][] = [];
  let current: StoredEvent[] = [];
  for (const row of rows) {
    const last = current[current.length - 1];
    if (last && !sameCommit(last, row)) {
      batches.push(current);
      current = [];
    }
    current.push(row);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Timing of a named query: poll interval, page size, and how often to try to take the lock. */
export interface NamedQueryTiming {
  readonly pollMs: number;
  readonly pageSize: number;
  readonly lockRetryMs: number;
  readonly initialMs: number;
  readonly maxMs: number;
  /** The aggregate types the query reads, or `undefined` for every type in the store. */
  readonly aggregateTypes: readonly string[] | undefined;
}

/** Whether two rows of the log belong to one commit (one append request of one aggregate). */
function sameCommit(a: StoredEvent, b: StoredEvent): boolean {
  return (
    a.aggregateId === b.aggregateId && a.commitStart === b.commitStart && a.aggregateType === b.aggregateType
  );
}

/**
 * A named query: a follower of the store's global log with a checkpoint in the store. It runs in one
 * process at a time (the store's query lock, when it has one), catches up from its checkpoint, then
 * follows new commits, woken by `wake()` and polling. Every batch is one whole commit, whatever the page
 * size, and the checkpoint is only ever a commit's last position. It checks that it still holds the
 * lock before every batch, and saves its checkpoint through the lock, which a stale runner cannot do.
 * Batches are delivered at least once: the checkpoint is saved after each page, so a crash replays at
 * most the page in progress.
 */
export class NamedQueryActor<TEvent> implements ChildSpec {
  readonly id: string;
  readonly restart = "permanent";
  readonly delivery: QueryDelivery<TEvent>;
  checkpoint: bigint | null = null;
  readonly #gateway: StoreGateway<unknown, TEvent>;
  readonly #timing: NamedQueryTiming;
  readonly #logger: SystemLogger;
  #running: Promise<void> | undefined;
  #gaveUp = false;
  #holding = false;

  constructor(
    delivery: QueryDelivery<TEvent>,
    gateway: StoreGateway<unknown, TEvent>,
    timing: NamedQueryTiming,
    logger: SystemLogger,
  ) {
    this.delivery = delivery;
    this.id = `query:${delivery.name}`;
    this.#gateway = gateway;
    this.#timing = timing;
    this.#logger = logger;
  }

  /** Whether this process runs the query now (holds its lock, or the store has no locks). */
  get holder(): boolean {
    return this.#holding;
  }

  async start(): Promise<RunningChild> {
    if (!this.#gaveUp) {
      this.delivery.active = true;
      this.#running = this.#run();
    }
    return { stop: () => this.#stop() };
  }

  /** New events may be in the log. */
  wake(): void {
    this.delivery.wake();
  }

  async #stop(): Promise<void> {
    this.delivery.active = false;
    this.delivery.interrupt();
    await this.#running;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (this.delivery.active) {
      let lock: QueryLock | null = null;
      try {
        if (this.delivery.status !== "failing") this.delivery.status = "waiting-for-lock";
        const store = this.#gateway.store;
        if (store.lockQuery) {
          lock = await store.lockQuery(this.delivery.name);
          if (!lock) {
            this.delivery.status = "waiting-for-lock";
            failures = 0;
            await this.delivery.sleep(this.#timing.lockRetryMs, false);
            continue;
          }
        }
        this.#holding = true;
        if (this.delivery.status !== "failing") this.delivery.status = "running";
        await this.#follow(lock, () => {
          failures = 0;
        });
      } catch (error) {
        failures++;
        this.delivery.storeFailed(error, failures);
        this.#logger.warn(
          `named query ${this.delivery.name}: store failure (attempt ${failures}), retrying`,
          error,
        );
        await this.delivery.sleep(retryDelay(failures, this.#timing.initialMs, this.#timing.maxMs), false);
      } finally {
        this.#holding = false;
        if (lock)
          await lock
            .release()
            .catch((error: unknown) => this.#logger.warn("releasing a query lock failed", error));
      }
    }
    if (this.delivery.status !== "stopped") this.delivery.status = "stopped";
  }

  /**
   * Catches up from the checkpoint, then follows, while this process holds the lock. `healthy` is
   * called whenever a read of the log succeeded.
   */
  async #follow(lock: QueryLock | null, healthy: () => void): Promise<void> {
    const store = this.#gateway.store;
    let checkpoint = (await store.loadCheckpoint(this.delivery.name)) ?? 0n;
    this.checkpoint = checkpoint;
    this.#logger.info(
      `named query ${this.delivery.name} runs in this process${lock ? " (it holds the lock)" : ""}: ` +
        `catching up from position ${checkpoint}`,
      { position: checkpoint },
    );
    let caughtUp = false;
    while (this.delivery.active) {
      if (lock && !lock.held) return this.#lost();
      const rows = await this.#readPage(checkpoint);
      healthy();
      if (this.delivery.status === "failing") this.delivery.status = "running";
      if (rows.length === 0) {
        if (!caughtUp) {
          caughtUp = true;
          this.#logger.info(`named query ${this.delivery.name} caught up at position ${checkpoint}`, {
            position: checkpoint,
          });
        }
        this.delivery.status = "running";
        await this.delivery.sleep(this.#timing.pollMs, true);
        continue;
      }
      let lost = false;
      for (const batch of commitBatches(rows)) {
        // A catch-up on a store that answers without I/O runs in microtasks alone: hand over to the
        // event loop now and then, so timers and I/O are not starved.
        if (yieldDue()) await nextTurn();
        // The lock may have been lost while the previous batch ran: never hand over another.
        if (lock && !lock.held) {
          lost = true;
          break;
        }
        const outcome = await this.#deliver(batch);
        if (outcome === "cancelled") break;
        if (outcome === "stopped") {
          this.#gaveUp = true;
          break;
        }
        checkpoint = (batch[batch.length - 1] as StoredEvent).position;
      }
      if (checkpoint !== this.checkpoint) {
        if (lock) {
          if (!(await lock.saveCheckpoint(checkpoint))) return this.#lost();
        } else await store.saveCheckpoint(this.delivery.name, checkpoint);
        this.checkpoint = checkpoint;
      }
      if (lost) return this.#lost();
    }
  }

  /**
   * Up to a page of the log after `after`, ending at a commit boundary. A full page may end inside a
   * commit: its last commit is left for the next page, unless that commit fills the whole page, which
   * is then read on to the commit's end, however large it is.
   */
  async #readPage(after: bigint): Promise<StoredEvent[]> {
    const store = this.#gateway.store;
    const size = this.#timing.pageSize;
    const filter =
      this.#timing.aggregateTypes === undefined ? undefined : { aggregateTypes: this.#timing.aggregateTypes };
    const rows = [...(await store.readAll(after, size, filter))];
    if (rows.length < size) return rows;
    const last = rows[rows.length - 1] as StoredEvent;
    let end = rows.length;
    while (end > 0 && sameCommit(rows[end - 1] as StoredEvent, last)) end--;
    if (end > 0) return rows.slice(0, end);
    for (;;) {
      const more = await store.readAll((rows[rows.length - 1] as StoredEvent).position, size, filter);
      let taken = 0;
      while (taken < more.length && sameCommit(more[taken] as StoredEvent, last)) {
        rows.push(more[taken] as StoredEvent);
        taken++;
      }
      // A commit is visible whole or not at all: a short read, or another commit's row, ends it.
      if (taken < more.length || more.length < size) return rows;
    }
  }

  #deliver(batch: readonly StoredEvent[]) {
    const first = batch[0] as StoredEvent;
    let at = first;
    return this.delivery.deliver(
      first.aggregateId,
      () =>
        batch.map((row) => {
          at = row;
          const envelope = Object.freeze(this.#gateway.envelope(row));
          at = first;
          return envelope;
        }),
      () => ({ sequence: at.sequence, position: at.position, events: batch.length }),
    );
  }

  #lost(): void {
    this.#logger.warn(
      `named query ${this.delivery.name}: lost its lock; another process may run it now`,
      undefined,
    );
    this.delivery.status = "waiting-for-lock";
  }
}
