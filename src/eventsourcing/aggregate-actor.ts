import { type EventSourcingError, eventStoreError } from "../core/errors.js";
import type { StoredEvent } from "../core/event-store.js";
import { deepFreeze } from "../core/freeze.js";
import { err, ok, type Result } from "../core/result.js";
import type { Aggregate, EventEnvelope, ExecuteResult, Metadata } from "../core/types.js";
import type { Expiring } from "../runtime/deadlines.js";
import { Mailbox } from "../runtime/mailbox.js";
import type { SystemContext } from "./system-context.js";

/**
 * A request waiting in an aggregate's mailbox, answered once: by its reply, or by `expire()` when its
 * timeout passes first. A request settled while still queued is skipped.
 */
abstract class Request<T, TDomainError> implements Expiring {
  settled = false;
  expiresAt = 0;
  readonly #resolve: (result: Result<T, EventSourcingError<TDomainError>>) => void;
  readonly #operation: string;
  readonly #timeoutMs: number;

  constructor(
    resolve: (result: Result<T, EventSourcingError<TDomainError>>) => void,
    operation: string,
    timeoutMs: number,
  ) {
    this.#resolve = resolve;
    this.#operation = operation;
    this.#timeoutMs = timeoutMs;
  }

  reply(result: Result<T, EventSourcingError<TDomainError>>): void {
    if (this.settled) return;
    this.settled = true;
    this.#resolve(result);
  }

  expire(): void {
    this.reply(err({ type: "ActorTimeout", operation: this.#operation, timeoutMs: this.#timeoutMs }));
  }
}

/** A command for the aggregate. */
export class CommandMessage<TState, TCommand, TEvent, TDomainError> extends Request<
  ExecuteResult<TState, TEvent>,
  TDomainError
> {
  readonly kind = "command";
  readonly command: TCommand;
  readonly metadata: Metadata;

  constructor(
    command: TCommand,
    metadata: Metadata,
    resolve: (result: Result<ExecuteResult<TState, TEvent>, EventSourcingError<TDomainError>>) => void,
    timeoutMs: number,
  ) {
    super(resolve, "execute", timeoutMs);
    this.command = command;
    this.metadata = metadata;
  }
}

/** A request for the aggregate's current state, answered in mailbox order. */
export class LoadMessage<TState, TDomainError> extends Request<Aggregate<TState>, TDomainError> {
  readonly kind = "load";
}

export type AggregateMessage<TState, TCommand, TEvent, TDomainError> =
  | CommandMessage<TState, TCommand, TEvent, TDomainError>
  | LoadMessage<TState, TDomainError>;

/**
 * One live aggregate: its state in memory and its own mailbox, so its commands run strictly in arrival
 * order while other aggregates run concurrently. If `handle` or `apply` throws, or the store fails in a
 * way that leaves the outcome unknown, the state is dropped and rebuilt from the store (latest snapshot
 * plus the events after it) by the next message: a crash never escalates.
 */
export class AggregateActor<TState, TCommand, TEvent, TDomainError> extends Mailbox<
  AggregateMessage<TState, TCommand, TEvent, TDomainError>
> {
  readonly aggregateId: string;
  lastActive: number;
  /** Set on each use, cleared when the registry's clock hand passes the actor. */
  recentlyUsed = true;
  /** Set once the registry has let go of the actor. */
  passivated = false;
  readonly #context: SystemContext<TState, TCommand, TEvent, TDomainError>;
  #state: TState;
  #sequence = 0;
  #loaded = false;

  constructor(aggregateId: string, context: SystemContext<TState, TCommand, TEvent, TDomainError>) {
    // The actor is its own mailbox: no mailbox object and no handler closures per live aggregate.
    super();
    this.aggregateId = aggregateId;
    this.#context = context;
    this.#state = context.config.emptyState;
    this.lastActive = context.clock.now();
  }

  /** The actor's mailbox: the actor itself. */
  get mailbox(): Mailbox<AggregateMessage<TState, TCommand, TEvent, TDomainError>> {
    return this;
  }

  protected override receive(
    message: AggregateMessage<TState, TCommand, TEvent, TDomainError>,
  ): Promise<void> | undefined {
    if (message.settled) return undefined;
    return message.kind === "command" ? this.#execute(message) : this.#load(message);
  }

  protected override failed(
    error: unknown,
    message: AggregateMessage<TState, TCommand, TEvent, TDomainError>,
  ): void {
    message.reply(err({ type: "ActorCrashed", operation: message.kind, cause: error }));
  }

  async #load(message: LoadMessage<TState, TDomainError>): Promise<void> {
    const loaded = await this.#ensureLoaded(true);
    if (!loaded.ok) return message.reply(loaded);
    if (this.#sequence === 0)
      return message.reply(err({ type: "EntityNotFound", aggregateId: this.aggregateId }));
    message.reply(ok(this.#aggregate()));
  }

  async #execute(message: CommandMessage<TState, TCommand, TEvent, TDomainError>): Promise<void> {
    const { config, counters, gateway } = this.#context;
    if (!this.#loaded) {
      const loaded = await this.#ensureLoaded(false);
      if (!loaded.ok) return message.reply(loaded);
    }
    for (let attempt = 0; ; attempt++) {
      let decision: Result<readonly TEvent[], TDomainError>;
      try {
        decision = config.handle(this.#state, message.command);
      } catch (cause) {
        return message.reply(this.#crash("handle", cause));
      }
      if (!isDecision(decision)) return message.reply(this.#crash("handle", notADecision(decision)));
      if (!decision.ok) {
        counters.commandsProcessed++;
        counters.domainErrors++;
        return message.reply(err({ type: "DomainError", error: decision.error }));
      }
      if (decision.value.length === 0) {
        counters.commandsProcessed++;
        return message.reply(ok({ aggregate: this.#aggregate(), events: [] }));
      }
      const encoded = gateway.encode(decision.value, message.metadata);
      if (!encoded.ok) return message.reply(encoded);
      let next = this.#state;
      try {
        for (const event of encoded.value.decoded) next = config.apply(next, event);
      } catch (cause) {
        return message.reply(this.#crash("apply", cause));
      }
      const expectedSequence = this.#sequence;
      let outcome: Awaited<ReturnType<typeof gateway.append>>;
      try {
        outcome = await gateway.append({
          aggregateType: gateway.aggregateType,
          aggregateId: this.aggregateId,
          expectedSequence,
          events: encoded.value.encoded,
        });
      } catch (cause) {
        this.#loaded = false; // the outcome is unknown: rebuild from the store next time
        return message.reply(err(eventStoreError("the store failed to append the events", cause)));
      }
      if (outcome.ok) {
        counters.commandsProcessed++;
        return message.reply(ok(this.#commit(outcome.value, encoded.value.decoded, next)));
      }
      if (attempt >= config.conflictRetries) {
        counters.commandsProcessed++;
        this.#loaded = false;
        return message.reply(
          err({
            type: "ConcurrencyConflict",
            aggregateId: this.aggregateId,
            expectedSequence,
            actualSequence: outcome.error.actualSequence,
          }),
        );
      }
      counters.conflictsRetried++;
      const caughtUp = await this.#ensureLoaded(true);
      if (!caughtUp.ok) return message.reply(caughtUp);
    }
  }

  /** Takes a committed command's events into the state, tells the queries, and snapshots if due. */
  #commit(
    rows: readonly StoredEvent[],
    events: readonly TEvent[],
    next: TState,
  ): ExecuteResult<TState, TEvent> {
    const { gateway, counters, config } = this.#context;
    const previous = this.#sequence;
    const envelopes: EventEnvelope<TEvent>[] = rows.map((row, i) =>
      Object.freeze(gateway.envelope(row, events[i] as TEvent)),
    );
    this.#state = deepFreeze(next);
    this.#sequence = rows[rows.length - 1]?.sequence ?? previous;
    counters.eventsCommitted += rows.length;
    this.#context.publish(this.aggregateId, envelopes);
    const frequency = config.snapshot?.frequency;
    if (frequency && Math.floor(previous / frequency) < Math.floor(this.#sequence / frequency)) {
      this.#context.snapshot(this.aggregateId, next, this.#sequence);
    }
    return { aggregate: this.#aggregate(), events: envelopes };
  }

  /**
   * Brings the state up to date with the store. A loaded actor reads only the events after its sequence
   * when `catchUp` is asked (another writer may have appended); an unloaded one rebuilds from the latest
   * snapshot, or from the start when the snapshot cannot be read.
   */
  async #ensureLoaded(catchUp: boolean): Promise<Result<void, EventSourcingError<TDomainError>>> {
    if (this.#loaded && !catchUp) return ok(undefined);
    const { gateway, config, counters, logger } = this.#context;
    let state = this.#loaded ? this.#state : config.emptyState;
    let sequence = this.#loaded ? this.#sequence : 0;
    if (!this.#loaded && config.snapshot) {
      try {
        const snapshot = await gateway.loadCurrentSnapshot(this.aggregateId);
        if (snapshot) ({ state, sequence } = snapshot);
      } catch (cause) {
        counters.snapshotFailures++;
        logger.warn(
          `snapshot of ${JSON.stringify(this.aggregateId)} unreadable, replaying all events`,
          cause,
        );
      }
    }
    let rows: readonly StoredEvent[];
    try {
      rows = await gateway.readRows(this.aggregateId, sequence);
    } catch (cause) {
      this.#loaded = false;
      return err(eventStoreError(`cannot read the events of ${JSON.stringify(this.aggregateId)}`, cause));
    }
    for (const row of rows) {
      let event: TEvent;
      try {
        event = gateway.decodeEvent(row);
      } catch (cause) {
        this.#loaded = false;
        return err(eventStoreError(cause instanceof Error ? cause.message : "corrupt event", cause));
      }
      try {
        state = config.apply(state, event);
      } catch (cause) {
        return this.#crash("apply", cause);
      }
      sequence = row.sequence;
    }
    this.#state = deepFreeze(state);
    this.#sequence = sequence;
    this.#loaded = true;
    return ok(undefined);
  }

  #crash(operation: "handle" | "apply", cause: unknown): Result<never, EventSourcingError<TDomainError>> {
    this.#loaded = false;
    this.#state = this.#context.config.emptyState;
    this.#sequence = 0;
    this.#context.counters.aggregateCrashes++;
    return err({ type: "ActorCrashed", operation, cause });
  }

  #aggregate(): Aggregate<TState> {
    return { aggregateId: this.aggregateId, state: this.#state, sequence: this.#sequence };
  }
}

/** Whether `handle` kept its contract: `ok(events)` with an array, or `err(error)`. */
function isDecision(value: unknown): value is Result<readonly unknown[], unknown> {
  if (typeof value !== "object" || value === null) return false;
  const ok = (value as { ok?: unknown }).ok;
  return ok === true ? Array.isArray((value as { value?: unknown }).value) : ok === false && "error" in value;
}

function notADecision(value: unknown): TypeError {
  const shown =
    value === undefined
      ? "undefined (a missing return?)"
      : value instanceof Promise
        ? "a Promise (handle must be synchronous: load what it needs before execute)"
        : typeof value === "object" && value !== null && (value as { ok?: unknown }).ok === true
          ? "ok(...) of something that is not an array of events"
          : typeof value === "object" && value !== null
            ? "an object that is not a Result"
            : `${typeof value} ${String(value)}`;
  return new TypeError(`handle must return ok(events) or err(error), it returned ${shown}`);
}
