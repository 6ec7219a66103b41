import type { TimerHandle } from "../runtime/clock.js";
import { AggregateActor } from "./aggregate-actor.js";
import type { SystemContext } from "./system-context.js";

/** How many of the least recently used actors one lookup examines when the live bound is exceeded. */
const EVICTION_SCAN = 64;

/**
 * The live aggregate actors of one system, at most one per id. Actors idle for `idleMs` are passivated
 * by a periodic sweep; past `maxLive`, the least recently used idle actors are passivated at once. A
 * passivated aggregate is rebuilt from the store (snapshot plus tail) by its next command.
 */
export class AggregateRegistry<TState, TCommand, TEvent, TDomainError> {
  readonly #context: SystemContext<TState, TCommand, TEvent, TDomainError>;
  /** In least-recently-used-first order: a lookup moves its actor to the end. */
  readonly #live = new Map<string, AggregateActor<TState, TCommand, TEvent, TDomainError>>();
  #sweepTimer: TimerHandle | undefined;

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
    if (actor) {
      this.#live.delete(aggregateId);
    } else {
      actor = new AggregateActor(aggregateId, this.#context);
      if (this.#live.size >= this.#context.config.maxLive)
        this.#evictIdle(this.#live.size + 1 - this.#context.config.maxLive);
    }
    actor.lastActive = this.#context.clock.now();
    this.#live.set(aggregateId, actor);
    return actor;
  }

  /** Waits for every message in every mailbox, then forgets all actors and stops sweeping. */
  async stop(): Promise<void> {
    if (this.#sweepTimer) this.#context.clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
    while (this.#live.size > 0) {
      const actors = [...this.#live.values()];
      this.#live.clear();
      await Promise.all(actors.map((actor) => actor.mailbox.whenIdle()));
    }
  }

  #evictIdle(count: number): void {
    let scanned = 0;
    for (const [id, actor] of this.#live) {
      if (count <= 0 || scanned++ >= EVICTION_SCAN) return;
      if (actor.mailbox.idle) {
        this.#live.delete(id);
        this.#context.counters.passivations++;
        count--;
      }
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
    for (const [id, actor] of this.#live) {
      if (actor.lastActive <= cutoff && actor.mailbox.idle) {
        this.#live.delete(id);
        this.#context.counters.passivations++;
      }
    }
  }
}
