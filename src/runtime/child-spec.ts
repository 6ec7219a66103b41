/**
 * What a supervisor needs to know of a child: how to start it, and whether to restart it.
 * The runtime knows nothing of events; anything that can start and stop can be supervised.
 */

/** `permanent`: always restarted; `transient`: restarted only after a crash; `temporary`: never restarted. */
export type RestartType = "permanent" | "transient" | "temporary";

/** Given to a child when it starts: how it tells its supervisor that it has ended on its own. */
export interface ChildContext {
  /** The child ended: `reason` undefined for a normal exit, anything else for a crash. Once per start. */
  exit(reason?: unknown): void;
}

/**
 * Why a supervisor stops a child: `restart` when it will start the child again at once (the child, or a
 * sibling under one-for-all / rest-for-one, crashed), `shutdown` otherwise.
 */
export type StopReason = "shutdown" | "restart";

/** A started child. */
export interface RunningChild {
  /** Stops the child; resolves when it has stopped. A stopped child does not call `exit`. */
  stop(reason?: StopReason): Promise<void>;
}

/**
 * A child that a supervisor starts, watches and restarts.
 *
 * @example
 * ```ts
 * const ticker: ChildSpec = {
 *   id: "ticker",
 *   async start() {
 *     const timer = setInterval(() => console.log("tick"), 1_000);
 *     return { async stop() { clearInterval(timer); } };
 *   },
 * };
 * ```
 */
export interface ChildSpec {
  readonly id: string;
  /** Default `permanent`. */
  readonly restart?: RestartType;
  /** Starts the child; resolves once it runs. A rejection is a failed start, counted like a crash. */
  start(context: ChildContext): Promise<RunningChild>;
}

/** How a supervisor reports one child. */
export interface ChildStatus {
  readonly id: string;
  readonly status: "starting" | "running" | "restarting" | "stopped" | "failed";
  readonly restarts: number;
}
