import { type EventSourcingError, eventStoreError } from "../core/errors.js";
import type { AppendOutcome, AppendRequest, StoredEvent } from "../core/event-store.js";
import { deepFreeze } from "../core/freeze.js";
import { err, ok, type Result } from "../core/result.js";
import type { Aggregate, EventEnvelope, ExecuteResult, Metadata } from "../core/types.js";
import type { Expiring } from "../runtime/deadlines.js";
import { Mailbox, SUSPENDED } from "../runtime/mailbox.js";
import type { CommandTrace } from "../telemetry/telemetry.js";
import type { AppendWaiter } from "./group-commit.js";
import type { SystemContext } from "./system-context.js";

/** Counts admitted requests until they are answered (the aggregate registry). */
export interface Admission {
  answered(actor: { waiting: number } | undefined): void;
}

/**
 * A request waiting in an aggregate's mailbox, answered once: by its reply, or by `expire()` when its
 * timeout passes first. A request settled while still queued is skipped.
 */
abstract class Request<T, TDomainError> implements Expiring {
  settled = false;
  expiresAt = 0;
  /** Who admitted the request, told once it is answered; and the actor it was posted to. */
  admission: Admission | undefined = undefined;
  actor: { waiting: number } | undefined = undefined;
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
    this.admission?.answered(this.actor);
    this.#resolve(result);
  }

  expire(): void {
    this.reply(err({ type: "ActorTimeout", operation: this.#operation, timeoutMs: this.#timeoutMs }));
  }
}

/** A command for the aggregate. */
export class CommandMessage<TState, TCommand, TEvent, TDomainError>
  extends Request<ExecuteResult<TState, TEvent>, TDomainError>
  implements AppendWaiter
{
  readonly kind = "command";
  readonly command: TCommand;
  readonly metadata: Metadata;
  /** The command's idempotency id, checked already; `undefined` for none. */
  readonly commandId: string | undefined;
  /** Set when OpenTelemetry records this command: the actor reports its load and appends to it. */
  trace: CommandTrace | undefined = undefined;
  /** The append of the attempt being committed, the events decided (decoded) and the state after them. */
  request: AppendRequest | undefined = undefined;
  events: readonly TEvent[] = NO_EVENTS as readonly TEvent[];
  next: TState | undefined = undefined;
  /** Conflicts retried so far. */
  attempt = 0;
  /** The actor running this command (set when it sends the append the committer answers). */
  runner: AggregateActor<TState, TCommand, TEvent, TDomainError> | undefined = undefined;

  constructor(
    command: TCommand,
    metadata: Metadata,
    resolve: (result: Result<ExecuteResult<TState, TEvent>, EventSourcingError<TDomainError>>) => void,
    timeoutMs: number,
    commandId?: string,
  ) {
    super(resolve, "execute", timeoutMs);
    this.command = command;
    this.metadata = metadata;
    this.commandId = commandId;
  }

  appended(outcome: AppendOutcome): void {
    this.runner?.appended(this, outcome);
  }

  /**
   * Lets go of the committed attempt (its encoded and decoded events, the state after them): an
   * answered message may stay referenced until its deadline is swept.
   */
  release(): void {
    this.request = undefined;
    this.events = NO_EVENTS as readonly TEvent[];
    this.next = undefined;
  }

  appendFailed(error: unknown): void {
    this.runner?.appendFailed(this, error);
  }
}

const NO_EVENTS: readonly unknown[] = Object.freeze([]);

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
  /** Requests posted to this actor and not yet answered (what `maxQueuedPerAggregate` bounds). */
  waiting = 0;
  readonly #context: SystemContext<TState, TCommand, TEvent, TDomainError>;
  #state: TState;
  #sequence = 0;
  #loaded = false;
  /**
   * True while this actor has seen every event of its stream up to `#sequence`, with its command id
   * (it replayed from the start, not from a snapshot, and took every commit since): then a command id
   * not in `#commandIds` was never committed up to `#sequence`, and a commit made since by another
   * writer shows as a conflict on append. False: the store is asked.
   */
  #commandIdsKnown = false;
  /** The command ids of this stream's commits, made on the first one (most aggregates have none). */
  #commandIds: Set<string> | undefined;

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
  ): Promise<void> | undefined | typeof SUSPENDED {
    if (message.settled) return undefined;
    if (message.kind !== "command") return this.#load(message);
    const { commandId } = message;
    if (
      !this.#loaded ||
      (commandId !== undefined && !(this.#commandIdsKnown && !this.#commandIds?.has(commandId)))
    )
      return this.#execute(message);
    // The hot path: decided in this stack, then the append in the next group commit, whose answer
    // (`appended`) finishes the command and resumes the mailbox: no promise of the actor's own.
    if (!this.#decide(message)) return undefined;
    message.runner = this;
    this.#context.gateway.enqueue(message.request as AppendRequest, message);
    return SUSPENDED;
  }

  /** The committer's answer to the hot path's append (through the message). */
  appended(message: CommandMessage<TState, TCommand, TEvent, TDomainError>, outcome: AppendOutcome): void {
    message.runner = undefined;
    message.trace?.appendEnded(outcome);
    if (!outcome.ok) {
      this.#resumeAfter(message, this.#retryAfterConflict(message, outcome));
      return;
    }
    try {
      this.#context.counters.commandsProcessed++;
      message.reply(ok(this.#commit(outcome.value, message.events, message.next as TState)));
    } catch (error) {
      this.#failSafely(error, message);
    }
    message.release();
    this.resume();
  }

  /** The committer's answer when the hot path's store call failed. */
  appendFailed(message: CommandMessage<TState, TCommand, TEvent, TDomainError>, cause: unknown): void {
    message.runner = undefined;
    message.trace?.appendEnded(undefined, cause);
    this.#resumeAfter(message, this.#afterAppendFailure(message, cause));
  }

  /** Resumes the mailbox once `work` for `message` is done; a throw answers `ActorCrashed`, as any handler's. */
  #resumeAfter(message: AggregateMessage<TState, TCommand, TEvent, TDomainError>, work: Promise<void>): void {
    work.then(
      () => this.resume(),
      (error: unknown) => {
        this.#failSafely(error, message);
        this.resume();
      },
    );
  }

  #failSafely(error: unknown, message: AggregateMessage<TState, TCommand, TEvent, TDomainError>): void {
    try {
      this.failed(error, message);
    } catch (reportError) {
      try {
        this.report("answering a failed command threw", reportError);
      } catch {
        // Nowhere left to report to.
      }
    }
  }

  protected override failed(
    error: unknown,
    message: AggregateMessage<TState, TCommand, TEvent, TDomainError>,
  ): void {
    message.reply(err({ type: "ActorCrashed", operation: message.kind, cause: error }));
  }

  protected override report(text: string, error: unknown): void {
    this.#context.logger.error(`aggregate ${JSON.stringify(this.aggregateId)}: ${text}`, error, {
      aggregateId: this.aggregateId,
    });
  }

  async #load(message: LoadMessage<TState, TDomainError>): Promise<void> {
    const loaded = await this.#ensureLoaded(true);
    if (!loaded.ok) return message.reply(loaded);
    if (this.#sequence === 0)
      return message.reply(err({ type: "EntityNotFound", aggregateId: this.aggregateId }));
    message.reply(ok(this.#aggregate()));
  }

  /** A command on the slow path: the actor must load first, or the command has an id to look up. */
  async #execute(message: CommandMessage<TState, TCommand, TEvent, TDomainError>): Promise<void> {
    const { commandId } = message;
    if (!this.#loaded) {
      message.trace?.loadStarted("rebuild");
      const loaded = await this.#ensureLoaded(false);
      message.trace?.loadEnded(loaded.ok ? undefined : loaded.error, this.#sequence);
      if (!loaded.ok) return message.reply(loaded);
    }
    if (commandId !== undefined && !(this.#commandIdsKnown && !this.#commandIds?.has(commandId))) {
      // Only a command with an id this actor cannot rule out pays this read (an id it has seen, or a
      // stream it loaded from a snapshot); a command without one costs the hot path nothing.
      const earlier = await this.#earlierCommit(commandId);
      if (!earlier.ok) return message.reply(earlier);
      if (earlier.value !== null) return message.reply(ok(earlier.value));
    }
    if (!this.#decide(message)) return;
    await this.#attempts(message);
  }

  /**
   * Decides a command on the current state, in this stack: handle, encode, apply. False when that
   * answered it (a domain error, a no-op, a crash, an event the codec refuses); true when its append is
   * ready in `message.request`, with the decoded events and the state after them.
   */
  #decide(message: CommandMessage<TState, TCommand, TEvent, TDomainError>): boolean {
    const { config, counters, gateway } = this.#context;
    let decision: Result<readonly TEvent[], TDomainError>;
    try {
      decision = config.handle(this.#state, message.command);
    } catch (cause) {
      message.reply(this.#crash("handle", cause));
      return false;
    }
    if (!isDecision(decision)) {
      message.reply(this.#crash("handle", notADecision(decision)));
      return false;
    }
    if (!decision.ok) {
      counters.commandsProcessed++;
      counters.domainErrors++;
      message.reply(err({ type: "DomainError", error: decision.error }));
      return false;
    }
    if (decision.value.length === 0) {
      counters.commandsProcessed++;
      message.reply(ok({ aggregate: this.#aggregate(), events: [] }));
      return false;
    }
    const encoded = gateway.encode(decision.value, message.metadata);
    if (!encoded.ok) {
      message.reply(encoded);
      return false;
    }
    const events = encoded.value.decoded;
    let next = this.#state;
    try {
      for (let i = 0; i < events.length; i++) next = config.apply(next, events[i] as TEvent);
    } catch (cause) {
      message.reply(this.#crash("apply", cause));
      return false;
    }
    const request: AppendRequest = {
      aggregateType: gateway.aggregateType,
      aggregateId: this.aggregateId,
      expectedSequence: this.#sequence,
      events: encoded.value.encoded,
      commandId: message.commandId,
    };
    message.request = request;
    message.events = events;
    message.next = next;
    message.trace?.appendStarted(request);
    return true;
  }

  /** The appends of a decided command through promises (the slow path), until it is answered. */
  async #attempts(message: CommandMessage<TState, TCommand, TEvent, TDomainError>): Promise<void> {
    const { counters, gateway } = this.#context;
    for (;;) {
      let outcome: AppendOutcome;
      try {
        outcome = await gateway.append(message.request as AppendRequest);
        message.trace?.appendEnded(outcome);
      } catch (cause) {
        message.trace?.appendEnded(undefined, cause);
        return this.#afterAppendFailure(message, cause);
      }
      if (outcome.ok) {
        counters.commandsProcessed++;
        message.reply(ok(this.#commit(outcome.value, message.events, message.next as TState)));
        return message.release();
      }
      if (!(await this.#afterConflict(message, outcome))) return;
      if (!this.#decide(message)) return;
    }
  }

  /** After the hot path's append conflicted: the retries, on the slow path. */
  async #retryAfterConflict(
    message: CommandMessage<TState, TCommand, TEvent, TDomainError>,
    outcome: AppendOutcome & { ok: false },
  ): Promise<void> {
    if (!(await this.#afterConflict(message, outcome))) return;
    if (!this.#decide(message)) return;
    await this.#attempts(message);
  }

  /**
   * A store call that failed leaves the outcome unknown: the actor rebuilds from the store next time,
   * and a command with an id is answered with its commit if the store holds it.
   */
  async #afterAppendFailure(
    message: CommandMessage<TState, TCommand, TEvent, TDomainError>,
    cause: unknown,
  ): Promise<void> {
    const { commandId } = message;
    this.#loaded = false; // the outcome is unknown: rebuild from the store next time
    const failed = err(eventStoreError("the store failed to append the events", cause));
    if (commandId === undefined) return message.reply(failed);
    // The commit may have happened (the connection dropped around COMMIT): if the store holds it,
    // it is the answer; if it cannot tell, the failure stands, and a retry with the id is safe.
    const earlier = await this.#earlierCommit(commandId);
    message.reply(earlier.ok && earlier.value !== null ? ok(earlier.value) : failed);
  }

  /**
   * After an append that conflicted: true when the command is to be decided again (caught up, one
   * more attempt counted), false when it is answered (its own earlier commit, a failed catch-up, or
   * `ConcurrencyConflict` once the retries are spent).
   */
  async #afterConflict(
    message: CommandMessage<TState, TCommand, TEvent, TDomainError>,
    outcome: AppendOutcome & { ok: false },
  ): Promise<boolean> {
    const { config, counters } = this.#context;
    const { commandId } = message;
    if (commandId !== undefined) {
      // The writer that got there first may have been this same command sent by another process (or
      // resent after an unknown outcome): its commit is among the events it appended.
      const wasLoaded = this.#loaded;
      const caughtUp = await this.#ensureLoaded(true);
      if (!caughtUp.ok) {
        message.reply(caughtUp);
        return false;
      }
      const theirs = wasLoaded
        ? this.#repeat(firstCommitWith(caughtUp.value, commandId))
        : await this.#earlierCommit(commandId);
      if (!theirs.ok) {
        message.reply(theirs);
        return false;
      }
      if (theirs.value !== null) {
        message.reply(ok(theirs.value));
        return false;
      }
    }
    if (message.attempt >= config.conflictRetries) {
      counters.commandsProcessed++;
      this.#loaded = false;
      message.reply(
        err({
          type: "ConcurrencyConflict",
          aggregateId: this.aggregateId,
          expectedSequence: (message.request as AppendRequest).expectedSequence,
          actualSequence: outcome.error.actualSequence,
        }),
      );
      return false;
    }
    counters.conflictsRetried++;
    message.attempt++;
    if (commandId === undefined) {
      message.trace?.loadStarted("catch_up");
      const caughtUp = await this.#ensureLoaded(true);
      message.trace?.loadEnded(caughtUp.ok ? undefined : caughtUp.error, this.#sequence);
      if (!caughtUp.ok) {
        message.reply(caughtUp);
        return false;
      }
    }
    return true;
  }

  /**
   * The answer to a command whose id this aggregate has committed before: that commit's events and the
   * aggregate as it is now (caught up when the commit is newer than the state, made by another
   * process); `null` when the id was never committed here. Asked of the store, which keeps the id with
   * the commit: the events may be long gone from memory (passivation, a restart, a snapshot).
   */
  async #earlierCommit(
    commandId: string,
  ): Promise<Result<ExecuteResult<TState, TEvent> | null, EventSourcingError<TDomainError>>> {
    let rows: readonly StoredEvent[];
    try {
      rows = firstCommitWith(await this.#context.gateway.readCommand(this.aggregateId, commandId), commandId);
    } catch (cause) {
      return err(eventStoreError(`cannot look up command id ${JSON.stringify(commandId)}`, cause));
    }
    const last = rows[rows.length - 1];
    if (last !== undefined && last.sequence > this.#sequence) {
      const caughtUp = await this.#ensureLoaded(true);
      if (!caughtUp.ok) return caughtUp;
    }
    return this.#repeat(rows);
  }

  /** The answer made of an earlier commit's rows, or `null` for none. */
  #repeat(
    rows: readonly StoredEvent[],
  ): Result<ExecuteResult<TState, TEvent> | null, EventSourcingError<TDomainError>> {
    if (rows.length === 0) return ok(null);
    const { gateway, counters, logger } = this.#context;
    let envelopes: EventEnvelope<TEvent>[];
    try {
      envelopes = rows.map((row) => Object.freeze(gateway.envelope(row)));
    } catch (cause) {
      return err(eventStoreError(cause instanceof Error ? cause.message : "corrupt event", cause));
    }
    counters.commandsProcessed++;
    const first = rows[0] as StoredEvent;
    if (logger.debugging)
      logger.debug(
        `aggregate ${JSON.stringify(this.aggregateId)}: command id ${JSON.stringify(first.commandId)} ` +
          `was committed at sequence ${first.sequence}: answering that commit, deciding nothing`,
        { aggregateId: this.aggregateId, sequence: first.sequence, position: first.position },
      );
    return ok({ aggregate: this.#aggregate(), events: envelopes });
  }

  /** Takes a committed command's events into the state, tells the queries, and snapshots if due. */
  #commit(
    rows: readonly StoredEvent[],
    events: readonly TEvent[],
    next: TState,
  ): ExecuteResult<TState, TEvent> {
    const { gateway, counters, config } = this.#context;
    const previous = this.#sequence;
    const envelopes: EventEnvelope<TEvent>[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++)
      envelopes[i] = Object.freeze(gateway.envelope(rows[i] as StoredEvent, events[i] as TEvent));
    this.#state = deepFreeze(next);
    this.#sequence = rows[rows.length - 1]?.sequence ?? previous;
    this.#rememberCommandIds(rows);
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
  async #ensureLoaded(
    catchUp: boolean,
  ): Promise<Result<readonly StoredEvent[], EventSourcingError<TDomainError>>> {
    if (this.#loaded && !catchUp) return ok([]);
    const { gateway, config, counters, logger } = this.#context;
    const rebuilding = !this.#loaded;
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
          { aggregateId: this.aggregateId },
        );
      }
    }
    const fromSnapshot = sequence;
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
    if (rebuilding) {
      this.#commandIdsKnown = fromSnapshot === 0;
      this.#commandIds = undefined;
    }
    this.#rememberCommandIds(rows);
    if (rebuilding && logger.debugging)
      logger.debug(
        `aggregate ${JSON.stringify(this.aggregateId)} loaded at sequence ${sequence} ` +
          `(${fromSnapshot > 0 ? `snapshot at ${fromSnapshot}, then ` : ""}${rows.length} events replayed)`,
        { aggregateId: this.aggregateId, sequence },
      );
    return ok(rows);
  }

  /** Takes the command ids of events this actor applied; past a bound it asks the store instead. */
  #rememberCommandIds(rows: readonly StoredEvent[]): void {
    if (!this.#commandIdsKnown) return;
    for (const row of rows) {
      if (row.commandId === undefined) continue;
      this.#commandIds ??= new Set();
      this.#commandIds.add(row.commandId);
    }
    if (this.#commandIds !== undefined && this.#commandIds.size > MAX_REMEMBERED_COMMAND_IDS) {
      this.#commandIdsKnown = false;
      this.#commandIds = undefined;
    }
  }

  #crash(operation: "handle" | "apply", cause: unknown): Result<never, EventSourcingError<TDomainError>> {
    // The caller is told (ActorCrashed): an operator may want to know, but it is no warning.
    this.#context.logger.info(
      `aggregate ${JSON.stringify(this.aggregateId)}: ${operation} threw at sequence ${this.#sequence}; ` +
        "the caller gets ActorCrashed and the next message rebuilds it from the store",
      { aggregateId: this.aggregateId, sequence: this.#sequence, err: cause },
    );
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

/**
 * Command ids a live aggregate keeps in memory to answer a new id without a store read: a bound on
 * what an aggregate with many commands holds (about 100 bytes each); past it, every id is looked up.
 */
const MAX_REMEMBERED_COMMAND_IDS = 1_024;

/** The events of the first commit among `rows` that carries `commandId` (in sequence order). */
function firstCommitWith(rows: readonly StoredEvent[], commandId: string): readonly StoredEvent[] {
  let start = -1;
  let end = rows.length;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as StoredEvent;
    if (start < 0) {
      if (row.commandId === commandId) start = i;
    } else if (row.commitStart !== (rows[start] as StoredEvent).commitStart) {
      end = i;
      break;
    }
  }
  return start < 0 ? [] : rows.slice(start, end);
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
