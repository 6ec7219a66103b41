import type { EventSourcing, EventSourcingConfig } from "../core/types.js";
import type { ChildSpec } from "../runtime/child-spec.js";
import { createSupervisor, type Supervisor } from "../runtime/supervisor.js";
import { SupervisedEventSourcing } from "./supervised-event-sourcing.js";

/** A system's handle that is also the child spec a supervisor starts. */
export type SupervisedSystem<TState, TCommand, TEvent, TDomainError> = EventSourcing<
  TState,
  TCommand,
  TEvent,
  TDomainError
> &
  ChildSpec;

/**
 * Creates an event-sourcing system as a child spec for your own supervisor. The returned object is also
 * the system's stable handle: use it once the supervisor has started, and keep using it across restarts.
 * Before the start and after a stop, every call gives `Stopped`. Throws a TypeError for a bad config.
 *
 * @example
 * ```ts
 * import { createSupervisor, supervised } from "eventsourcing";
 * import { memoryStore } from "eventsourcing/memory";
 *
 * const accounts = supervised({ store: memoryStore(), handle, apply, emptyState });
 * const supervisor = await createSupervisor({ strategy: "one-for-one" }).add(accounts).start();
 * await accounts.execute("account-1", { type: "OpenAccount", accountId: "account-1" });
 * await supervisor.stop();
 * ```
 */
export function supervised<TState, TCommand, TEvent, TDomainError>(
  config: EventSourcingConfig<TState, TCommand, TEvent, TDomainError>,
): SupervisedSystem<TState, TCommand, TEvent, TDomainError> {
  return new SupervisedEventSourcing(config);
}

/**
 * Creates and starts an event-sourcing system under a one-for-one supervisor of its own: the store is
 * initialized and the query actors started. Rejects with a clear error when the store cannot be
 * reached; throws a TypeError for a bad config. `stop()` on the handle stops its supervisor.
 *
 * @example
 * ```ts
 * import { start } from "eventsourcing";
 * import { memoryStore } from "eventsourcing/memory";
 *
 * const accounts = await start({ store: memoryStore(), handle, apply, emptyState });
 * const opened = await accounts.execute("account-1", { type: "OpenAccount", accountId: "account-1" });
 * await accounts.stop();
 * ```
 */
export async function start<TState, TCommand, TEvent, TDomainError>(
  config: EventSourcingConfig<TState, TCommand, TEvent, TDomainError>,
): Promise<EventSourcing<TState, TCommand, TEvent, TDomainError>> {
  const system = new SupervisedEventSourcing(config);
  const builder = createSupervisor({
    strategy: "one-for-one",
    id: `${system.id}:supervisor`,
    clock: config.clock,
    logger: system.supervisorLogger,
  });
  let supervisor: Supervisor;
  try {
    supervisor = await builder.add(system).start();
  } catch (error) {
    // The system's own error says what is wrong (e.g. the store is unreachable): give it first-hand.
    throw error instanceof Error && error.cause instanceof Error ? error.cause : error;
  }
  system.adoptSupervisor(supervisor);
  return system;
}
