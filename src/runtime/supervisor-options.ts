import type { LogContext, Logger } from "../core/types.js";
import { type Clock, systemClock } from "./clock.js";

/**
 * What a supervisor does when a child ends and must be restarted: `one-for-one` restarts that child
 * only; `one-for-all` stops every other child and starts them all again; `rest-for-one` stops the
 * children added after it and starts it and them again.
 *
 * @example
 * ```ts
 * const strategy: Strategy = "rest-for-one";
 * ```
 */
export type Strategy = "one-for-one" | "one-for-all" | "rest-for-one";

/**
 * How a supervisor restarts its children, and when it gives up.
 *
 * @example
 * ```ts
 * const options: SupervisorOptions = {
 *   strategy: "one-for-one",
 *   intensity: 3, // a 4th restart within 10 s escalates
 *   periodMs: 10_000,
 *   backoff: { initialMs: 50, maxMs: 2_000 },
 * };
 * ```
 */
export interface SupervisorOptions {
  readonly strategy: Strategy;
  /** Default 2: more than this many restarts within `periodMs` escalates. */
  readonly intensity?: number;
  /** Default 5_000. */
  readonly periodMs?: number;
  /** The nth restart within the period waits `min(maxMs, initialMs * 2 ** (n - 1))`. Default 10 / 1_000. */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Default {@link systemClock}. */
  readonly clock?: Clock;
  /** Default `"supervisor"`: its id when nested as a child of another supervisor. */
  readonly id?: string;
  /** Called when a top-level supervisor gives up; default: says so through `logger.error`. */
  readonly onEscalate?: (reason: unknown) => void;
  /**
   * Where the supervisor reports children that restart (`info`), start or stop (`debug`), fail to stop
   * and its own faults (`error`); each line's context names the `supervisor` and the `child`. Default:
   * `console.error` for errors, nothing below. A system passes its own `logger` to its supervisors.
   */
  readonly logger?: Logger;
}

/**
 * {@link SupervisorOptions} checked, with every default filled in.
 *
 * @example
 * ```ts
 * const resolved: ResolvedSupervisorOptions = resolveSupervisorOptions({ strategy: "one-for-all" });
 * resolved.periodMs; // => 5_000
 * ```
 */
export interface ResolvedSupervisorOptions {
  readonly strategy: Strategy;
  readonly intensity: number;
  readonly periodMs: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly clock: Clock;
  readonly id: string;
  readonly onEscalate: (reason: unknown) => void;
  readonly logger: Logger;
}

const strategies: readonly string[] = ["one-for-one", "one-for-all", "rest-for-one"];

/**
 * Checks `options` and fills in the defaults; throws a `TypeError` saying what to change.
 *
 * @example
 * ```ts
 * resolveSupervisorOptions({ strategy: "one-for-one" }).intensity; // => 2
 * resolveSupervisorOptions({ strategy: "one-for-some" as Strategy }); // throws TypeError
 * ```
 */
export function resolveSupervisorOptions(options: SupervisorOptions): ResolvedSupervisorOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`createSupervisor: pass an options object such as { strategy: "one-for-one" }`);
  }
  const { strategy, intensity = 2, periodMs = 5_000, backoff = {}, clock = systemClock } = options;
  const { id = "supervisor", logger = consoleErrors } = options;
  if (
    typeof logger !== "object" ||
    logger === null ||
    typeof logger.error !== "function" ||
    typeof logger.warn !== "function"
  ) {
    throw new TypeError("createSupervisor: logger must have warn and error methods, such as console");
  }
  const onEscalate =
    options.onEscalate ??
    ((reason: unknown) =>
      logger.error(
        reason instanceof Error ? reason.message : `supervisor "${id}" gave up`,
        Object.freeze({ supervisor: id, err: reason }),
      ));
  if (!strategies.includes(strategy)) {
    throw new TypeError(
      `createSupervisor: strategy must be "one-for-one", "one-for-all" or "rest-for-one", got ${describe(strategy)}`,
    );
  }
  if (!Number.isInteger(intensity) || intensity < 0) {
    throw new TypeError(
      `createSupervisor: intensity must be an integer of 0 or more (restarts allowed per period), got ${describe(intensity)}`,
    );
  }
  if (typeof periodMs !== "number" || !Number.isFinite(periodMs) || periodMs <= 0) {
    throw new TypeError(
      `createSupervisor: periodMs must be a positive number of milliseconds, got ${describe(periodMs)}`,
    );
  }
  const { initialMs = 10, maxMs = 1_000 } = backoff ?? {};
  checkDelay("backoff.initialMs", initialMs);
  checkDelay("backoff.maxMs", maxMs);
  if (typeof clock !== "object" || clock === null || typeof clock.setTimeout !== "function") {
    throw new TypeError(
      "createSupervisor: clock must be a Clock (now, setTimeout, clearTimeout), such as systemClock",
    );
  }
  if (typeof id !== "string" || id.length === 0) {
    throw new TypeError(`createSupervisor: id must be a non-empty string, got ${describe(id)}`);
  }
  if (typeof onEscalate !== "function") {
    throw new TypeError("createSupervisor: onEscalate must be a function (reason: unknown) => void");
  }
  return Object.freeze({
    strategy,
    intensity,
    periodMs,
    initialBackoffMs: initialMs,
    maxBackoffMs: maxMs,
    clock,
    id,
    onEscalate,
    logger,
  });
}

function checkDelay(name: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(
      `createSupervisor: ${name} must be a number of milliseconds, 0 or more, got ${describe(value)}`,
    );
  }
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** The default: errors on the console, and nothing below them. */
const consoleErrors: Logger = Object.freeze({
  warn: (message: string, context?: LogContext) => console.warn(message, context),
  error: (message: string, context?: LogContext) => console.error(message, context),
});
