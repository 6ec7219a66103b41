/**
 * What an operator does to queries while the system runs: wait for checkpoints, record a reset, skip
 * an event. Checks of the arguments, and the store calls, apart from the system's handle.
 */
import { timeout } from "../core/arguments.js";
import type { EventSourcingError } from "../core/errors.js";
import { unknownKeyProblem } from "../core/option-keys.js";
import { err, ok, type Result } from "../core/result.js";
import type { WaitForQueriesOptions } from "../core/types.js";
import { keyProblem } from "./aggregate-id.js";
import { NamedQueryActor } from "./named-query-actor.js";
import type { QueryActors } from "./query-actors.js";
import type { QueryProgress } from "./query-progress.js";
import { attempt, type StoreGateway } from "./store-gateway.js";
import type { SystemLogger } from "./system-logger.js";

type Answer = Result<void, EventSourcingError<never>>;

const DONE: Answer = Object.freeze({ ok: true, value: undefined });

/** A `TypeError` about an argument, as the value `ActorCrashed` that the handle answers with. */
function refused(operation: string, message: string): Answer {
  return err({ type: "ActorCrashed", operation, cause: new TypeError(`${operation}: ${message}`) });
}

/** Why `name` is not a checkpoint name, or `null`. */
function nameProblem(name: unknown): string | null {
  if (typeof name !== "string" || name.length === 0) return "a query name must be a non-empty string";
  const problem = keyProblem(name);
  return problem === null ? null : `the query name cannot be a checkpoint name: ${problem}`;
}

/** The operations on one system's queries. */
export class QueryOperations<TEvent> {
  readonly #queries: QueryActors<TEvent>;
  readonly #progress: QueryProgress;
  readonly #gateway: StoreGateway<unknown, TEvent>;
  readonly #logger: SystemLogger;

  constructor(
    queries: QueryActors<TEvent>,
    progress: QueryProgress,
    gateway: StoreGateway<unknown, TEvent>,
    logger: SystemLogger,
  ) {
    this.#queries = queries;
    this.#progress = progress;
    this.#gateway = gateway;
    this.#logger = logger;
  }

  /** Checks `waitForQueries`'s arguments: the names and the timeout, or the error to answer. */
  checkWait(
    position: unknown,
    options: WaitForQueriesOptions | undefined,
    defaultTimeoutMs: number,
  ): Result<{ names: readonly string[]; position: bigint; timeoutMs: number }, EventSourcingError<never>> {
    if (typeof position !== "bigint" || position < 0n)
      return err({
        type: "NonPositiveArgument",
        argument: "position",
        value: typeof position === "bigint" || typeof position === "number" ? Number(position) : Number.NaN,
      });
    if (options !== undefined) {
      const problem =
        typeof options !== "object" || options === null
          ? "options must be an object"
          : unknownKeyProblem("unknown option", "", options, ["queries", "timeout"]);
      if (problem !== null) return refused("waitForQueries", problem) as never;
    }
    let timeoutMs = defaultTimeoutMs;
    if (options?.timeout !== undefined) {
      const checked = timeout(options.timeout);
      if (!checked.ok) return checked;
      timeoutMs = options.timeout;
    }
    const names = options?.queries ?? this.#queries.namedNames();
    if (!Array.isArray(names))
      return refused("waitForQueries", "`queries` must be an array of query names") as never;
    for (const name of names) {
      const problem = nameProblem(name);
      if (problem !== null) return refused("waitForQueries", problem) as never;
    }
    return ok({ names: [...new Set(names as string[])], position, timeoutMs });
  }

  /** Waits for `names` to reach `position`: ok, or `ActorTimeout` naming the queries still behind. */
  async waitFor(names: readonly string[], position: bigint, timeoutMs: number): Promise<Answer> {
    const behind = await this.#progress.wait(names, position, timeoutMs);
    if (behind.length === 0) return DONE;
    return err({
      type: "ActorTimeout",
      operation: `waiting for queries ${behind.map((name) => JSON.stringify(name)).join(", ")} to reach position ${position}`,
      timeoutMs,
    });
  }

  /** Records a reset of `name` in the store, and tells the query if it runs here. */
  async reset(name: string): Promise<Answer> {
    const problem = nameProblem(name);
    if (problem !== null) return refused("resetQuery", problem);
    const actor = this.#queries.find(name);
    if (actor && !(actor instanceof NamedQueryActor))
      return refused("resetQuery", `${JSON.stringify(name)} is a plain query: it has no checkpoint to reset`);
    const store = this.#gateway.store;
    if (!store.requestQueryReset)
      return err({
        type: "EventStoreError",
        message: "this store cannot record a query reset (no requestQueryReset)",
      });
    const recorded = await attempt(`cannot record a reset of query ${JSON.stringify(name)}`, () =>
      (store.requestQueryReset as (name: string) => Promise<void>).call(store, name),
    );
    if (!recorded.ok) return recorded;
    this.#logger.warn(`query ${name}: reset recorded; the process running it replays the log`, undefined, {
      query: name,
    });
    actor?.recorded();
    return DONE;
  }

  /** Records a skip of the event at `position` for `name` (in the store, or locally for a plain query). */
  async skip(name: string, position: bigint): Promise<Answer> {
    const problem = nameProblem(name);
    if (problem !== null) return refused("skipQueryEvent", problem);
    if (typeof position !== "bigint" || position < 1n)
      return err({
        type: "NonPositiveArgument",
        argument: "position",
        value: typeof position === "bigint" || typeof position === "number" ? Number(position) : Number.NaN,
      });
    const actor = this.#queries.find(name);
    this.#logger.warn(
      `query ${name}: an operator asked to skip the event at position ${position}`,
      undefined,
      {
        query: name,
        position,
      },
    );
    if (actor && !(actor instanceof NamedQueryActor)) {
      actor.skip(position);
      return DONE;
    }
    const store = this.#gateway.store;
    if (!store.skipQueryEvent)
      return err({
        type: "EventStoreError",
        message: "this store cannot record a skipped event (no skipQueryEvent)",
      });
    const recorded = await attempt(`cannot record a skip for query ${JSON.stringify(name)}`, () =>
      (store.skipQueryEvent as (name: string, position: bigint) => Promise<void>).call(store, name, position),
    );
    if (!recorded.ok) return recorded;
    actor?.recorded();
    return DONE;
  }
}
