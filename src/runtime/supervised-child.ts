import type { ChildSpec, ChildStatus, RunningChild, StopReason } from "./child-spec.js";
import type { TimerHandle } from "./clock.js";

/**
 * One start of a child: what it returned, and whether it has ended (by its own exit, a failed start or a stop).
 *
 * @example
 * ```ts
 * const incarnation: Incarnation = { ended: false, running: await spec.start(context) };
 * ```
 */
export interface Incarnation {
  ended: boolean;
  running: RunningChild | undefined;
}

/**
 * A restart waiting on the clock for its backoff; a later restart that covers a child takes it over.
 *
 * @example
 * ```ts
 * const restart: PendingRestart = { members: new Set([child]), timer: clock.setTimeout(start, 10) };
 * ```
 */
export interface PendingRestart {
  readonly members: Set<SupervisedChild>;
  timer: TimerHandle | undefined;
}

/**
 * What a supervisor keeps of one child: its spec, where it stands, and its current incarnation.
 *
 * @example
 * ```ts
 * const child: SupervisedChild = supervisedChild({ id: "ticker", start: startTicker });
 * ```
 */
export interface SupervisedChild {
  readonly spec: ChildSpec;
  readonly id: string;
  readonly temporary: boolean;
  readonly transient: boolean;
  status: ChildStatus["status"];
  restarts: number;
  current: Incarnation | undefined;
  pending: PendingRestart | undefined;
}

/**
 * A supervisor's record of a child not yet started.
 *
 * @example
 * ```ts
 * supervisedChild(ticker).status; // => "stopped"
 * ```
 */
export function supervisedChild(spec: ChildSpec): SupervisedChild {
  return {
    spec,
    id: spec.id,
    temporary: spec.restart === "temporary",
    transient: spec.restart === "transient",
    status: "stopped",
    restarts: 0,
    current: undefined,
    pending: undefined,
  };
}

/**
 * Stops the running incarnation of `child`, if any; it is ended first, so that an exit it reports while
 * stopping is ignored. A stop that rejects goes to `onError`, never rethrown.
 *
 * @example
 * ```ts
 * await stopSupervisedChild(child, "shutdown", (error) => console.error(error));
 * ```
 */
export async function stopSupervisedChild(
  child: SupervisedChild,
  reason: StopReason,
  onError: (error: unknown) => void,
): Promise<void> {
  const incarnation = child.current;
  child.current = undefined;
  child.status = "stopped";
  if (!incarnation || incarnation.ended || !incarnation.running) return;
  incarnation.ended = true;
  try {
    await incarnation.running.stop(reason);
  } catch (error) {
    onError(error);
  }
}

const restartTypes: readonly unknown[] = [undefined, "permanent", "transient", "temporary"];

/**
 * Throws a `TypeError` saying what to change when `spec` is not a child spec; `where` names the caller.
 *
 * @example
 * ```ts
 * checkChildSpec({ id: "", start }, "add()"); // throws: a child's id must be a non-empty string
 * ```
 */
export function checkChildSpec(spec: ChildSpec, where: string): void {
  if (typeof spec !== "object" || spec === null || typeof spec.start !== "function") {
    throw new TypeError(`${where} takes a child spec: { id, start(context), restart? }`);
  }
  if (typeof spec.id !== "string" || spec.id.length === 0) {
    throw new TypeError(`${where}: a child's id must be a non-empty string, got ${String(spec.id)}`);
  }
  if (!restartTypes.includes(spec.restart)) {
    throw new TypeError(
      `${where}: child "${spec.id}" has restart ${String(spec.restart)}; use "permanent", "transient" or "temporary"`,
    );
  }
}
