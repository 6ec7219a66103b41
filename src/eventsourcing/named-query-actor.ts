import type { QueryCheckpoint, QueryLock, StoredEvent } from "../core/event-store.js";
import type { ChildSpec, RunningChild } from "../runtime/child-spec.js";
import { nextTurn, yieldDue } from "../runtime/cooperative.js";
import type { BackoffCheck, QueryDelivery } from "./query-delivery.js";
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

/** What a named query does besides delivering: its `reset()`, and whom it tells of saved checkpoints. */
export interface NamedQueryHooks {
  /** The query's own `reset()`, called before a replay that a recorded reset asks for. */
  readonly reset: (() => void | Promise<void>) | undefined;
  /** A checkpoint was saved: the query has processed everything up to `position`. */
  readonly saved: (name: string, position: bigint) => void;
  /** Counts an event skipped on an operator's request. */
  readonly skippedEvent: () => void;
}

/** A store without recorded resets and skips: the checkpoint alone, generation 0. */
const NO_CONTROL = { generation: 0, resetPending: false, skipped: Object.freeze([]) as readonly bigint[] };

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
  /** Events this process skipped on an operator's request. */
  skippedEvents = 0;
  /** Whether the query declared `consistency: "strong"`. */
  readonly strong: boolean;
  readonly #gateway: StoreGateway<unknown, TEvent>;
  readonly #timing: NamedQueryTiming;
  readonly #logger: SystemLogger;
  readonly #hooks: NamedQueryHooks;
  #running: Promise<void> | undefined;
  #gaveUp = false;
  #holding = false;
  /** The reset generation this runner delivers for. */
  #generation = 0;
  /** Positions to skip, as last read from the store. */
  #skipped: ReadonlySet<bigint> = new Set();
  /** Skipped positions already logged and counted. */
  readonly #skipsDone = new Set<bigint>();
  /** Asked while a failed batch backs off: one per actor, it reads `#delivering`. */
  readonly #backoff: BackoffCheck;
  /** The batch in delivery, and the lock it is delivered under. */
  readonly #delivering: { batch: readonly StoredEvent[]; lock: QueryLock | null } = { batch: [], lock: null };
  /** Set by {@link NamedQueryActor.recorded} in this process: re-read the store before the next batch. */
  #recorded = false;

  constructor(
    delivery: QueryDelivery<TEvent>,
    gateway: StoreGateway<unknown, TEvent>,
    timing: NamedQueryTiming,
    logger: SystemLogger,
    hooks: NamedQueryHooks,
    strong: boolean,
  ) {
    this.strong = strong;
    this.delivery = delivery;
    this.id = `query:${delivery.name}`;
    this.#gateway = gateway;
    this.#timing = timing;
    this.#logger = logger;
    this.#hooks = hooks;
    this.#backoff = { sliceMs: timing.pollMs, recheck: () => this.#recheck() };
  }

  /**
   * A reset or a skip of this query was just recorded in the store by this process: stop handing out
   * the current page, and cut a backoff or a poll short, so that the runner reads it at once.
   */
  recorded(): void {
    this.#recorded = true;
    this.delivery.nudge();
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
   * Catches up from the checkpoint, then follows, while this process holds the lock. Before every page
   * it reads the checkpoint's record: a reset recorded meanwhile (by any process) stops the delivery,
   * calls the query's `reset()`, saves the start of the new generation and replays; skipped positions
   * are taken up. `healthy` is called whenever a read of the log succeeded.
   */
  async #follow(lock: QueryLock | null, healthy: () => void): Promise<void> {
    const store = this.#gateway.store;
    const initial = await this.#sync(lock, true);
    if (initial === null || initial === undefined) return this.#lost();
    let checkpoint = initial;
    this.#logger.info(
      `named query ${this.delivery.name} runs in this process${lock ? " (it holds the lock)" : ""}: ` +
        `catching up from position ${checkpoint}`,
      { position: checkpoint },
    );
    let caughtUp = false;
    let fresh = true;
    while (this.delivery.active) {
      if (lock && !lock.held) return this.#lost();
      if (!fresh) {
        const synced = await this.#sync(lock, false);
        if (synced === null) return this.#lost();
        if (synced !== undefined) checkpoint = synced;
      }
      fresh = false;
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
        // A reset or skip recorded by this process: read it before the next batch.
        if (this.#recorded) break;
        const outcome = await this.#deliver(batch, lock);
        if (outcome === "cancelled") break;
        if (outcome === "stopped") {
          this.#gaveUp = true;
          break;
        }
        checkpoint = (batch[batch.length - 1] as StoredEvent).position;
      }
      if (checkpoint !== this.checkpoint) {
        if (lock) {
          if (!(await lock.saveCheckpoint(checkpoint, this.#fence()))) {
            // Refused while still held: a reset was recorded; the next page's read takes it up.
            if (lock.held) continue;
            return this.#lost();
          }
        } else await store.saveCheckpoint(this.delivery.name, checkpoint);
        this.checkpoint = checkpoint;
        this.#hooks.saved(this.delivery.name, checkpoint);
      }
      if (lost) return this.#lost();
    }
  }

  /** The generation a fenced save states, on stores that record resets. */
  #fence(): number | undefined {
    return this.#gateway.store.loadQueryCheckpoint ? this.#generation : undefined;
  }

  /**
   * Reads the checkpoint's record and acts on it: a pending reset or a new generation resets the query.
   * Resolves the position to read after when it changed (always on `first`), `undefined` when it did
   * not, or `null` when the lock was lost.
   */
  async #sync(lock: QueryLock | null, first: boolean): Promise<bigint | null | undefined> {
    const store = this.#gateway.store;
    this.#recorded = false;
    if (!store.loadQueryCheckpoint) {
      if (!first) return undefined;
      const position = (await store.loadCheckpoint(this.delivery.name)) ?? 0n;
      this.checkpoint = position;
      return position;
    }
    for (;;) {
      const record = (await store.loadQueryCheckpoint(this.delivery.name)) ?? { position: 0n, ...NO_CONTROL };
      this.#skipped = new Set(record.skipped);
      const reset = record.resetPending || (!first && record.generation !== this.#generation);
      if (!reset) {
        this.#generation = record.generation;
        if (!first) return undefined;
        this.checkpoint = record.position;
        return record.position;
      }
      const done = await this.#reset(lock, record);
      if (done === "lost") return null;
      if (done === "saved") return 0n;
      // Another reset was recorded while this one ran: take that one up too.
    }
  }

  /**
   * Calls the query's `reset()`, then saves the start of the record's generation (which marks the reset
   * done). A `reset()` that throws fails the run like a store failure: retried with backoff, and the
   * reset stays pending meanwhile.
   */
  async #reset(lock: QueryLock | null, record: QueryCheckpoint): Promise<"saved" | "again" | "lost"> {
    const name = this.delivery.name;
    this.#logger.warn(
      `named query ${name}: a reset was recorded (generation ${record.generation}); ` +
        "calling its reset() and replaying the log from the start",
    );
    this.checkpoint = null;
    await this.#hooks.reset?.();
    if (lock) {
      if (!(await lock.saveCheckpoint(0n, record.generation))) return lock.held ? "again" : "lost";
    } else await this.#gateway.store.saveCheckpoint(name, 0n);
    this.#generation = record.generation;
    this.#skipsDone.clear();
    this.checkpoint = 0n;
    return "saved";
  }

  /**
   * While the batch in delivery backs off: a reset recorded (or the lock lost) cancels it, a new skip
   * among its events retries it at once.
   */
  async #recheck(): Promise<"wait" | "retry" | "cancel"> {
    const lock = this.#delivering.lock;
    if (lock && !lock.held) return "cancel";
    const store = this.#gateway.store;
    this.#recorded = false;
    const record = await store.loadQueryCheckpoint?.(this.delivery.name);
    if (!record) return "wait";
    if (record.resetPending || record.generation !== this.#generation) return "cancel";
    const before = this.#skipped;
    this.#skipped = new Set(record.skipped);
    return this.#delivering.batch.some((row) => this.#skipped.has(row.position) && !before.has(row.position))
      ? "retry"
      : "wait";
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

  #deliver(batch: readonly StoredEvent[], lock: QueryLock | null) {
    const first = batch[0] as StoredEvent;
    let at = first;
    this.#delivering.batch = batch;
    this.#delivering.lock = lock;
    return this.delivery.deliver(
      first.aggregateId,
      () => {
        const envelopes = [];
        const skipping = this.#skipped.size > 0;
        for (const row of batch) {
          if (skipping && this.#skipped.has(row.position)) {
            this.#skippedOne(row);
            continue;
          }
          at = row;
          envelopes.push(Object.freeze(this.#gateway.envelope(row)));
          at = first;
        }
        return envelopes;
      },
      () => ({ sequence: at.sequence, position: at.position, events: batch.length }),
      this.#backoff,
    );
  }

  /** Logs and counts an event skipped on an operator's request, once per event. */
  #skippedOne(row: StoredEvent): void {
    if (this.#skipsDone.has(row.position)) return;
    this.#skipsDone.add(row.position);
    this.skippedEvents++;
    this.#hooks.skippedEvent();
    this.#logger.warn(
      `named query ${this.delivery.name}: skipped the event at position ${row.position} ` +
        `(${JSON.stringify(row.aggregateId)} sequence ${row.sequence}, ${row.eventType}) as an operator asked`,
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
