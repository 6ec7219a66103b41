import type { QueryLock, StoredEvent } from "../core/event-store.js";
import type { Logger } from "../core/types.js";
import type { ChildSpec, RunningChild } from "../runtime/child-spec.js";
import type { QueryDelivery } from "./query-delivery.js";
import { retryDelay } from "./query-delivery.js";
import type { StoreGateway } from "./store-gateway.js";

/** Splits a page of the global log into batches: one commit of one aggregate each. */
export function commitBatches(rows: readonly StoredEvent[]): StoredEvent[][] {
  const batches: StoredEvent[][] = [];
  let current: StoredEvent[] = [];
  for (const row of rows) {
    const last = current[current.length - 1];
    if (last && (last.aggregateId !== row.aggregateId || last.commitStart !== row.commitStart)) {
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
}

/**
 * A named query: a follower of the store's global log with a checkpoint in the store. It runs in one
 * process at a time (the store's query lock, when it has one), catches up from its checkpoint, then
 * follows new commits, woken by `wake()` and polling. Batches are delivered at least once: the
 * checkpoint is saved after each page, so a crash replays at most the page in progress.
 */
export class NamedQueryActor<TEvent> implements ChildSpec {
  readonly id: string;
  readonly restart = "permanent";
  readonly delivery: QueryDelivery<TEvent>;
  checkpoint: bigint | null = null;
  readonly #gateway: StoreGateway<unknown, TEvent>;
  readonly #timing: NamedQueryTiming;
  readonly #logger: Logger;
  #running: Promise<void> | undefined;
  #gaveUp = false;

  constructor(
    delivery: QueryDelivery<TEvent>,
    gateway: StoreGateway<unknown, TEvent>,
    timing: NamedQueryTiming,
    logger: Logger,
  ) {
    this.delivery = delivery;
    this.id = `query:${delivery.name}`;
    this.#gateway = gateway;
    this.#timing = timing;
    this.#logger = logger;
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
        this.delivery.status = "waiting-for-lock";
        const store = this.#gateway.store;
        if (store.lockQuery) {
          lock = await store.lockQuery(this.delivery.name);
          if (!lock) {
            await this.delivery.sleep(this.#timing.lockRetryMs, false);
            continue;
          }
        }
        this.delivery.status = "running";
        await this.#follow(lock);
        failures = 0;
      } catch (error) {
        failures++;
        this.#logger.warn(`named query ${this.delivery.name}: store failure, retrying`, error);
        await this.delivery.sleep(retryDelay(failures, this.#timing.initialMs, this.#timing.maxMs), false);
      } finally {
        if (lock)
          await lock
            .release()
            .catch((error: unknown) => this.#logger.warn("releasing a query lock failed", error));
      }
    }
    if (this.delivery.status !== "stopped") this.delivery.status = "stopped";
  }

  /** Catches up from the checkpoint, then follows, while this process holds the lock. */
  async #follow(lock: QueryLock | null): Promise<void> {
    const store = this.#gateway.store;
    let checkpoint = (await store.loadCheckpoint(this.delivery.name)) ?? 0n;
    this.checkpoint = checkpoint;
    while (this.delivery.active && (!lock || lock.held)) {
      const rows = await store.readAll(checkpoint, this.#timing.pageSize);
      if (rows.length === 0) {
        await this.delivery.sleep(this.#timing.pollMs, true);
        continue;
      }
      for (const batch of commitBatches(rows)) {
        const first = batch[0] as StoredEvent;
        const outcome = await this.delivery.deliver(first.aggregateId, () =>
          batch.map((row) => Object.freeze(this.#gateway.envelope(row))),
        );
        if (outcome === "cancelled") break;
        if (outcome === "stopped") {
          this.#gaveUp = true;
          break;
        }
        checkpoint = (batch[batch.length - 1] as StoredEvent).position;
      }
      if (checkpoint !== this.checkpoint) {
        await store.saveCheckpoint(this.delivery.name, checkpoint);
        this.checkpoint = checkpoint;
      }
    }
  }
}
