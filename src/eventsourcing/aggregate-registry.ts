import type { EventSourcingError } from "../core/errors.js";
import type { TimerHandle } from "../runtime/clock.js";
import { type Admission, AggregateActor, type AggregateMessage } from "./aggregate-actor.js";
import type { SystemContext } from "./system-context.js";

/** How many actors the clock hand examines at most for one new actor when the live bound is exceeded. */
const EVICTION_SCAN = 64;

/**
 * The live aggregate actors of one system, at most one per id. Actors idle for `idleMs` are passivated
 * by a periodic sweep. Past `maxLive`, a new actor takes the place of an idle one not used since the
 * clock hand last passed it (the CLOCK approximation of least-recently-used: no reordering on every
 * command, constant work per eviction). While more than `maxLive` actors are live, each actor that goes
 * idle frees a place at once (an older idle one if the hand finds one, else itself), so the bound holds at
 * every moment except for actors with work queued. A passivated aggregate is rebuilt from the store
 * (snapshot plus tail) by its next command.
 */
export class AggregateRegistry<TState, TCommand, TEvent, TDomainError> implements Admission {
  readonly #context: SystemContext<TState, TCommand, TEvent, TDomainError>;
  readonly #live = new Map<string, AggregateActor<TState, TCommand, TEvent, TDomainError>>();
  /** Every live actor, and places of passivated ones that new actors reuse; the hand walks it. */
  #ring: AggregateActor<TState, TCommand, TEvent, TDomainError>[] = [];
  #hand = 0;
  #sweepTimer: TimerHandle | undefined;
  /** Requests admitted by {@link admit} and not yet answered. */
  #queued = 0;

  constructor(context: SystemContext<TState, TCommand, TEvent, TDomainError>) {
    this.#context = context;
    this.#scheduleSweep();
  }

  get size(): number {
    return this.#live.size;
  }

  /** The actor of `aggregateId`, created if it is not live. */
  actor(aggregateId: string): AggregateActor<TState, TCommand, TEvent, TDomainError> {
    let actor = this.#live.get(aggregateId);
    if (!actor) {
      actor = new AggregateActor(aggregateId, this.#context);
      this.#live.set(aggregateId, actor);
      this.#place(actor);
    }
    return this.#touch(actor);
  }

  #touch(
    actor: AggregateActor<TState, TCommand, TEvent, TDomainError>,
  ): AggregateActor<TState, TCommand, TEvent, TDomainError> {
    actor.lastActive = this.#context.clock.now();
    actor.recentlyUsed = true;
    return actor;
  }

  /**
   * Counts one more request waiting for its answer and gives the actor to post it to (made if it is not
   * live), or refuses it: `Overloaded` when `maxQueued` requests of the system are waiting, or
   * `maxQueuedPerAggregate` requests for `aggregateId` (queued or in progress, not yet answered). An
   * admitted request must be posted with {@link post}, which has it call {@link answered} once answered.
   */
  admit(
    aggregateId: string,
  ): AggregateActor<TState, TCommand, TEvent, TDomainError> | EventSourcingError<never> {
    const { maxQueued, maxQueuedPerAggregate } = this.#context.config;
    if (this.#queued >= maxQueued) return { type: "Overloaded", queued: this.#queued, limit: maxQueued };
    const live = this.#live.get(aggregateId);
    const waiting = live?.waiting ?? 0;
    if (waiting >= maxQueuedPerAggregate)
      return { type: "Overloaded", queued: waiting, limit: maxQueuedPerAggregate };
    this.#queued++;
    return live === undefined ? this.actor(aggregateId) : this.#touch(live);
  }

  /**
   * One request admitted by {@link admit} has its answer (the request calls this). Its actor is still
   * the live one: an actor is let go only once its mailbox is idle, when every request it held is answered.
   */
  answered(actor: { waiting: number } | undefined): void {
    this.#queued--;
    if (actor !== undefined && actor.waiting > 0) actor.waiting--;
  }

  /**
   * Posts an admitted `message` to `actor`. While the registry is over its bound, the actor is
   * checked again when its mailbox goes idle, so a burst of commands to many ids shrinks back to
   * `maxLive` as soon as each finishes, not at the next sweep.
   */
  post(
    actor: AggregateActor<TState, TCommand, TEvent, TDomainError>,
    message: AggregateMessage<TState, TCommand, TEvent, TDomainError>,
  ): void {
    message.admission = this;
    message.actor = actor;
    actor.waiting++;
    actor.mailbox.post(message);
    if (this.#live.size > this.#context.config.maxLive)
      void actor.mailbox.whenIdle().then(() => this.#trim(actor));
  }

  /**
   * Frees places while over the bound: idle actors the clock hand finds (the ones it passed before, not
   * used since), and, failing those, `finished` itself, which has just gone idle.
   */
  #trim(finished: AggregateActor<TState, TCommand, TEvent, TDomainError>): void {
    const { maxLive } = this.#context.config;
    const ring = this.#ring;
    let examined = 0;
    for (
      let step = 0;
      this.#live.size > maxLive && step < ring.length && examined < 2 * EVICTION_SCAN;
      step++
    ) {
      const slot = this.#hand;
      this.#hand = (slot + 1) % ring.length;
      const other = ring[slot] as AggregateActor<TState, TCommand, TEvent, TDomainError>;
      if (other.passivated) continue;
      examined++;
      if (other.mailbox.idle && !other.recentlyUsed) this.#passivate(other);
      else other.recentlyUsed = false;
    }
    if (this.#live.size > maxLive && !finished.passivated && finished.mailbox.idle) this.#passivate(finished);
  }

  /** Puts a new actor in the ring: in the place of a passivated or evictable one when over the bound. */
  #place(actor: AggregateActor<TState, TCommand, TEvent, TDomainError>): void {
    const ring = this.#ring;
    if (this.#live.size > this.#context.config.maxLive && ring.length > 0) {
      for (let scanned = 0; scanned < EVICTION_SCAN; scanned++) {
        const slot = this.#hand;
        this.#hand = (slot + 1) % ring.length;
        const other = ring[slot] as AggregateActor<TState, TCommand, TEvent, TDomainError>;
        if (other.passivated || (other.mailbox.idle && !other.recentlyUsed)) {
          if (!other.passivated) this.#passivate(other);
          ring[slot] = actor;
          return;
        }
        other.recentlyUsed = false;
      }
    }
    ring.push(actor);
    // Places of actors passivated by the sweep are reused by the hand; if they pile up, drop them.
    if (ring.length > 2 * this.#live.size + EVICTION_SCAN) {
      this.#ring = ring.filter((each) => !each.passivated);
      this.#hand = 0;
    }
  }

  #passivate(actor: AggregateActor<TState, TCommand, TEvent, TDomainError>): void {
    actor.passivated = true;
    this.#live.delete(actor.aggregateId);
    this.#context.counters.passivations++;
    const { logger } = this.#context;
    if (logger.debugging)
      logger.debug(`aggregate ${JSON.stringify(actor.aggregateId)} passivated (${this.#live.size} live)`, {
        aggregateId: actor.aggregateId,
      });
  }

  /** Waits for every message in every mailbox, then forgets all actors and stops sweeping. */
  async stop(): Promise<void> {
    if (this.#sweepTimer) this.#context.clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
    while (this.#live.size > 0) {
      const actors = [...this.#live.values()];
      this.#live.clear();
      this.#ring = [];
      await Promise.all(actors.map((actor) => actor.mailbox.whenIdle()));
    }
  }

  #scheduleSweep(): void {
    const { clock, config } = this.#context;
    this.#sweepTimer = clock.setTimeout(
      () => {
        this.#sweep();
        this.#scheduleSweep();
      },
      Math.max(1, Math.min(config.idleMs, 60_000) / 2),
    );
  }

  #sweep(): void {
    const cutoff = this.#context.clock.now() - this.#context.config.idleMs;
    for (const actor of this.#live.values()) {
      if (actor.lastActive <= cutoff && actor.mailbox.idle) this.#passivate(actor);
    }
  }
}
