import type { EventEnvelope, QueryErrorDecision, QueryFailure, QueryFn, QueryStats } from "../core/types.js";
import type { Clock, TimerHandle } from "../runtime/clock.js";
import { activeTelemetry, type QueryBatchTrace } from "../telemetry/telemetry.js";
import type { ResolvedConfig } from "./system-context.js";
import type { SystemCounters } from "./system-counters.js";
import type { SystemLogger } from "./system-logger.js";

/** Where in the log a failing batch is: the event that failed to decode, or the commit's first. */
export interface BatchPlace {
  readonly sequence: number;
  readonly position: bigint;
  readonly events: number;
}

/** What became of one batch. */
export type DeliveryOutcome = "delivered" | "skipped" | "stopped" | "cancelled";

/**
 * While a failed batch waits for its retry, asked every `sliceMs` (and when nudged): `"wait"` on,
 * `"retry"` the batch at once (an operator skipped one of its events), or `"cancel"` it (a reset was
 * recorded, the lock was lost).
 */
export interface BackoffCheck {
  readonly sliceMs: number;
  recheck(): Promise<"wait" | "retry" | "cancel">;
}

/** Backoff before the `attempt`th retry: `initialMs` doubling up to `maxMs`. */
export function retryDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * The part every query actor shares: running the user's query on one batch, and on failure asking the
 * error policy whether to retry the same batch after a backoff, skip it, or stop; a sleep that `stop()`
 * or a wake-up cuts short; and the actor's figures.
 */
export class QueryDelivery<TEvent> {
  readonly name: string;
  readonly named: boolean;
  status: QueryStats["status"] = "stopped";
  batchesProcessed = 0;
  failures = 0;
  lastError: QueryStats["lastError"] = null;
  active = false;
  readonly #handle: QueryFn<TEvent>;
  readonly #config: ResolvedConfig<unknown, unknown, TEvent, unknown>["queryRetry"];
  readonly #counters: SystemCounters;
  readonly #clock: Clock;
  readonly #logger: SystemLogger;
  readonly #stopGraceMs: number;
  /** Set while an async handler runs: gives up waiting for it (used once stopping outlasts the grace). */
  #abandon: (() => void) | undefined;
  #graceTimer: TimerHandle | undefined;
  /** A wake-up came while the actor was not sleeping: its next wakeable sleep returns at once. */
  #wokenAwake = false;
  #sleeping:
    | { readonly timer: TimerHandle; readonly wake: () => void; readonly wakeable: boolean }
    | undefined;

  constructor(
    name: string,
    named: boolean,
    handle: QueryFn<TEvent>,
    deps: {
      readonly retry: ResolvedConfig<unknown, unknown, TEvent, unknown>["queryRetry"];
      readonly counters: SystemCounters;
      readonly clock: Clock;
      readonly logger: SystemLogger;
      /** How long `stop()` waits for a handler in flight before it stops without it, in ms. */
      readonly stopGraceMs: number;
    },
  ) {
    this.#stopGraceMs = deps.stopGraceMs;
    this.name = name;
    this.named = named;
    this.#handle = handle;
    this.#config = deps.retry;
    this.#counters = deps.counters;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
  }

  /**
   * Runs the query on one batch until it succeeds, the policy skips or stops, or the actor is stopped.
   * `prepare` builds the envelopes (decoding may fail; that counts as a failure of the batch too);
   * `place` says, after a failure, which event of the log the batch failed on. A batch that `prepare`
   * leaves empty (every event skipped by an operator) is `"skipped"` without calling the query.
   */
  async deliver(
    aggregateId: string,
    prepare: () => readonly EventEnvelope<TEvent>[],
    place: () => BatchPlace,
    backoff?: BackoffCheck,
  ): Promise<DeliveryOutcome> {
    for (let attempt = 1; ; attempt++) {
      if (!this.active) return "cancelled";
      let trace: QueryBatchTrace | undefined;
      try {
        const events = prepare();
        if (events.length === 0) {
          // Every event of the batch skipped by an operator: the batch is done, the query goes on.
          if (this.status === "retrying") this.status = "running";
          return "skipped";
        }
        trace = activeTelemetry?.queryBatch(this.name, this.named, aggregateId, events, attempt);
        const pending = this.#handle(aggregateId, events);
        if (pending && (await this.#settledOrAbandoned(pending)) === "abandoned") {
          trace?.end();
          return "cancelled";
        }
        trace?.end();
        this.batchesProcessed++;
        this.status = "running";
        return "delivered";
      } catch (error) {
        trace?.end(error);
        const at = place();
        const failed: QueryFailure = Object.freeze({ query: this.name, aggregateId, ...at });
        this.#failed(error, attempt, failed);
        const decision = this.#decide(error, attempt, failed);
        this.#logger.warn(
          `query ${this.name} failed on ${JSON.stringify(aggregateId)} sequence ${at.sequence} ` +
            `(position ${at.position}, attempt ${attempt}): ${decision}`,
          error,
          { aggregateId, sequence: at.sequence, position: at.position },
        );
        if (decision === "skip") {
          this.status = "running";
          return "skipped";
        }
        if (decision === "stop") {
          this.status = "stopped";
          this.active = false;
          return "stopped";
        }
        this.status = "retrying";
        const delay = retryDelay(attempt, this.#config.initialMs, this.#config.maxMs);
        if (backoff === undefined) await this.sleep(delay, false);
        else if ((await this.#backOff(delay, backoff)) === "cancel") return "cancelled";
      }
    }
  }

  /** Waits out a backoff in slices, asking `check` after each whether to go on waiting. */
  async #backOff(delayMs: number, check: BackoffCheck): Promise<"retry" | "cancel"> {
    const until = this.#clock.now() + delayMs;
    for (;;) {
      const left = until - this.#clock.now();
      if (left <= 0 || !this.active) return "retry";
      await this.sleep(Math.min(left, check.sliceMs), false);
      if (!this.active) return "retry";
      let next: "wait" | "retry" | "cancel";
      try {
        next = await check.recheck();
      } catch {
        // The store could not be asked: the backoff goes on; the retry itself will meet the failure.
        next = "wait";
      }
      if (next !== "wait") return next;
    }
  }

  /**
   * A failure of the store under a named query (reading the log, the checkpoint, the lock): counted
   * and shown as status `"failing"` until the query runs again.
   */
  storeFailed(error: unknown, attempts: number): void {
    this.#failed(error, attempts, undefined);
    this.status = "failing";
  }

  #failed(error: unknown, attempts: number, failed: QueryFailure | undefined): void {
    this.failures++;
    this.#counters.queryFailures++;
    const message = error instanceof Error ? error.message || error.name : String(error);
    this.lastError = Object.freeze(
      failed
        ? {
            message,
            aggregateId: failed.aggregateId,
            sequence: failed.sequence,
            position: failed.position,
            attempts,
          }
        : { message, attempts },
    );
  }

  /** Waits `ms` on the clock, or less if stopped, or if `wakeable` and woken by new events. */
  sleep(ms: number, wakeable: boolean): Promise<void> {
    // Stopped while it was busy: `interrupt()` found no sleep to cut short.
    if (!this.active) return Promise.resolve();
    if (wakeable && this.#wokenAwake) {
      // Woken while it was busy: new events may have come after its last read.
      this.#wokenAwake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = () => {
        if (this.#sleeping?.wake !== wake) return;
        this.#clock.clearTimeout(this.#sleeping.timer);
        this.#sleeping = undefined;
        resolve();
      };
      this.#sleeping = { timer: this.#clock.setTimeout(wake, ms), wake, wakeable };
    });
  }

  /** New events: cuts a wakeable sleep short (never a backoff). */
  wake(): void {
    if (this.#sleeping?.wakeable) this.#sleeping.wake();
    else if (this.#sleeping === undefined) this.#wokenAwake = true;
  }

  /** An operator's request (a skip, a reset): cuts any sleep short, a backoff included. */
  nudge(): void {
    this.#sleeping?.wake();
  }

  /** Stopping: cuts any sleep short. */
  interrupt(): void {
    this.#sleeping?.wake();
    const abandon = this.#abandon;
    if (abandon && !this.#graceTimer)
      this.#graceTimer = this.#clock.setTimeout(() => {
        this.#logger.warn(
          `query ${this.name}: its handler did not settle within ${this.#stopGraceMs} ms of stop(); ` +
            "stopped without it (that batch counts as not delivered)",
        );
        abandon();
      }, this.#stopGraceMs);
  }

  /**
   * Waits for the handler's promise, unless the actor is stopping and the handler outlasts the grace
   * period: a handler that never settles must not hold `stop()` forever. A rejection after that is
   * ignored (the race has already settled), never an unhandled rejection.
   */
  async #settledOrAbandoned(pending: PromiseLike<void>): Promise<"settled" | "abandoned"> {
    const abandoned = new Promise<"abandoned">((resolve) => {
      this.#abandon = () => resolve("abandoned");
    });
    try {
      return await Promise.race([Promise.resolve(pending).then(() => "settled" as const), abandoned]);
    } finally {
      this.#abandon = undefined;
      if (this.#graceTimer) {
        this.#clock.clearTimeout(this.#graceTimer);
        this.#graceTimer = undefined;
      }
    }
  }

  #decide(error: unknown, attempt: number, failed: QueryFailure): QueryErrorDecision {
    try {
      const decision = this.#config.onError(error, attempt, failed);
      return decision === "skip" || decision === "stop" ? decision : "retry";
    } catch (policyError) {
      this.#logger.error(`the error policy of query ${this.name} threw; retrying`, policyError);
      return "retry";
    }
  }
}
