import type { ChildSpec } from "../runtime/child-spec.js";
import type { Supervisor } from "../runtime/supervisor.js";
import { createSupervisor } from "../runtime/supervisor.js";
import { AggregateRegistry } from "./aggregate-registry.js";
import type { SystemContext } from "./system-context.js";

/** The keep-alive timer's period: it does nothing, it only exists (the longest Node accepts). */
const KEEP_ALIVE_MS = 2 ** 31 - 1;

/**
 * One run of a system, from a start by its supervisor to the matching stop: the live aggregate actors
 * and a one-for-one supervisor of the query actors. A restart replaces the run; the stable handle, the
 * query registrations (with their waiting batches) and the counters outlive it.
 */
export class SystemRun<TState, TCommand, TEvent, TDomainError> {
  readonly registry: AggregateRegistry<TState, TCommand, TEvent, TDomainError>;
  readonly #queries: Supervisor;
  /**
   * Keeps the process alive while the system runs: the runtime's timers are unref'd (they must never
   * hold a process), and a store may hold nothing open (SQLite), so a worker whose only work is a named
   * query would otherwise exit once caught up. Cleared by `stop()`.
   */
  readonly #keepAlive: NodeJS.Timeout;

  private constructor(
    registry: AggregateRegistry<TState, TCommand, TEvent, TDomainError>,
    queries: Supervisor,
  ) {
    this.registry = registry;
    this.#queries = queries;
    this.#keepAlive = setInterval(() => undefined, KEEP_ALIVE_MS);
  }

  /** Starts the query actors; `onCrash` is called if their supervisor gives up. */
  static async start<TState, TCommand, TEvent, TDomainError>(
    context: SystemContext<TState, TCommand, TEvent, TDomainError>,
    queryActors: readonly ChildSpec[],
    onCrash: (reason: unknown) => void,
  ): Promise<SystemRun<TState, TCommand, TEvent, TDomainError>> {
    const builder = createSupervisor({
      strategy: "one-for-one",
      id: `${context.config.id}:queries`,
      clock: context.clock,
      logger: context.logger.forSupervisor(),
    });
    for (const actor of queryActors) builder.add(actor);
    const queries = await builder.start({ exit: (reason) => onCrash(reason) });
    return new SystemRun(new AggregateRegistry(context), queries);
  }

  /** Starts a query registered while the system runs. */
  addQuery(actor: ChildSpec): Promise<void> {
    return this.#queries.startChild(actor);
  }

  /** Lets every accepted command finish, then stops the query actors. */
  async stop(): Promise<void> {
    try {
      await this.registry.stop();
      await this.#queries.stop();
    } finally {
      clearInterval(this.#keepAlive);
    }
  }
}
