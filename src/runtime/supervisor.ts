/**
 * Supervisors in the manner of Erlang/OTP: a supervisor starts its children in order, restarts those
 * that end by its strategy (with backoff), gives up past its restart intensity, and stops its children
 * in reverse order. A supervisor builder is itself a child spec, so supervisors nest into trees.
 *
 * - A child ends by calling `context.exit(reason)`: `undefined` is a normal exit, anything else a crash.
 *   `permanent` children are always restarted, `transient` ones after a crash, `temporary` ones never.
 * - A group restart (`one-for-all`, `rest-for-one`) stops the siblings in reverse order, then starts the
 *   whole group in order; as in OTP, siblings come back whatever their restart type (a `transient` that
 *   had finished included), except `temporary` ones, which stay stopped.
 * - The nth restart within `periodMs` waits `min(maxMs, initialMs * 2 ** (n - 1))` on the clock; a start
 *   that fails then is one more crash. Past `intensity` restarts within `periodMs`, the supervisor stops
 *   every child, becomes `failed`, and escalates: to its parent's context when nested, else `onEscalate`.
 *
 * @module
 */
import type { ChildContext, ChildSpec, ChildStatus, RunningChild, StopReason } from "./child-spec.js";
import { RunningSupervisor } from "./running-supervisor.js";
import { checkChildSpec } from "./supervised-child.js";
import {
  type ResolvedSupervisorOptions,
  resolveSupervisorOptions,
  type SupervisorOptions,
} from "./supervisor-options.js";

export type { Strategy, SupervisorOptions } from "./supervisor-options.js";

/**
 * A started supervisor: it watches its children, restarts them by its strategy, and stops them.
 *
 * @example
 * ```ts
 * const supervisor = await createSupervisor({ strategy: "one-for-one" }).add(ticker).start();
 * supervisor.children(); // => [{ id: "ticker", status: "running", restarts: 0 }]
 * await supervisor.stop();
 * ```
 */
export interface Supervisor extends RunningChild {
  /**
   * Cancels pending restarts and stops every child in reverse order of addition, passing `reason`
   * (default `"shutdown"`) on; resolves when all have stopped. A child whose stop rejects is logged and
   * the others still stop. A second call returns the same promise.
   */
  stop(reason?: StopReason): Promise<void>;
  /**
   * Adds a child while the supervisor runs, after every other (last to start, first to stop), and starts
   * it. Rejects, keeping nothing, when its start fails, its id is taken, or the supervisor is not running;
   * a failed start here is not counted against the intensity.
   */
  startChild(spec: ChildSpec): Promise<void>;
  /** Each child's id, status and restart count, in order of addition. */
  children(): readonly ChildStatus[];
  /** `failed` once it has given up (exceeded its intensity); it stays `failed` after `stop()`. */
  readonly status: "running" | "stopping" | "stopped" | "failed";
}

/**
 * Collects the children of a supervisor, then starts it. A builder is a {@link ChildSpec} too: added to
 * another supervisor, it is started (and restarted) by that one, and escalates to it.
 *
 * @example
 * ```ts
 * const queries = createSupervisor({ strategy: "one-for-one", id: "queries" }).add(projection);
 * const root = await createSupervisor({ strategy: "rest-for-one" }).add(database).add(queries).start();
 * ```
 */
export interface SupervisorBuilder extends ChildSpec {
  /** Adds a child, started after those added before it. Returns this; throws on a duplicate id or after start. */
  add(spec: ChildSpec): SupervisorBuilder;
  /** Starts every child in order. Given a context, this supervisor is nested and escalates through it. */
  start(context?: ChildContext): Promise<Supervisor>;
}

/**
 * Creates a supervisor builder; the options are checked at once (a `TypeError` says what to change).
 *
 * @example
 * ```ts
 * const supervisor = await createSupervisor({ strategy: "one-for-one", intensity: 2, periodMs: 5_000 })
 *   .add({ id: "ticker", async start() { return { async stop() {} }; } })
 *   .start();
 * await supervisor.stop();
 * ```
 */
export function createSupervisor(options: SupervisorOptions): SupervisorBuilder {
  return new Builder(resolveSupervisorOptions(options));
}

class Builder implements SupervisorBuilder {
  readonly id: string;
  readonly #options: ResolvedSupervisorOptions;
  readonly #specs: ChildSpec[] = [];
  #started = false;
  #instance: RunningSupervisor | undefined;

  constructor(options: ResolvedSupervisorOptions) {
    this.#options = options;
    this.id = options.id;
  }

  add(spec: ChildSpec): SupervisorBuilder {
    const where = `supervisor "${this.id}": add()`;
    if (this.#started)
      throw new Error(`${where} after start(): add every child before starting the supervisor`);
    checkChildSpec(spec, where);
    if (this.#specs.some((existing) => existing.id === spec.id)) {
      throw new Error(`${where}: a child with id "${spec.id}" is already added; give each child its own id`);
    }
    this.#specs.push(spec);
    return this;
  }

  async start(context?: ChildContext): Promise<Supervisor> {
    const status = this.#instance?.status;
    if (status === "running" || status === "stopping") {
      throw new Error(`supervisor "${this.id}" is already ${status}: stop it before starting it again`);
    }
    this.#started = true;
    const instance = new RunningSupervisor(this.#options, this.#specs, context);
    this.#instance = instance;
    await instance.startAll();
    return instance;
  }
}
