/**
 * The arithmetic of restarts: how many fall within a sliding window, and how long to wait before the
 * next one. Pure bookkeeping; the supervisor decides what to do with the figures.
 */

/**
 * The restarts a supervisor made within the last `periodMs` milliseconds.
 *
 * @example
 * ```ts
 * const window = new RestartWindow(5_000);
 * window.record(0); // => 1
 * window.record(1_000); // => 2
 * window.record(6_000); // => 2: the restart at 0 has left the window
 * ```
 */
export class RestartWindow {
  readonly #periodMs: number;
  #times: number[] = [];

  constructor(periodMs: number) {
    this.#periodMs = periodMs;
  }

  /** Records a restart at `now` (ms); returns how many restarts the window holds, this one included. */
  record(now: number): number {
    this.#times = this.#times.filter((time) => now - time < this.#periodMs);
    this.#times.push(now);
    return this.#times.length;
  }
}

/**
 * The wait before the `nth` restart within the window: `initialMs` doubling each time, at most `maxMs`.
 *
 * @example
 * ```ts
 * backoffDelay(1, 10, 1_000); // => 10
 * backoffDelay(3, 10, 1_000); // => 40
 * backoffDelay(20, 10, 1_000); // => 1_000
 * ```
 */
export function backoffDelay(nth: number, initialMs: number, maxMs: number): number {
  // The exponent is capped so that 2 ** exponent stays finite: 0 * Infinity would be NaN.
  const exponent = Math.min(Math.max(nth - 1, 0), 1_000);
  return Math.min(maxMs, initialMs * 2 ** exponent);
}
