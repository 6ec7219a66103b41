/** An opaque timer from a {@link Clock}. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

/**
 * Time as the runtime sees it: injectable, so that tests of timeouts, backoff and passivation advance
 * a {@link ManualClock} instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The longest delay Node's timers take (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms,
 * with a warning.
 */
const MAX_TIMER_MS = 2_147_483_647;

/** A timer longer than Node's timers take, re-armed in steps until its whole delay has passed. */
class LongTimer {
  current: NodeJS.Timeout;
  constructor(callback: () => void, ms: number) {
    this.current = this.#arm(callback, ms);
  }
  #arm(callback: () => void, ms: number): NodeJS.Timeout {
    const step = Math.min(ms, MAX_TIMER_MS);
    const timer = setTimeout(() => {
      if (ms > step) this.current = this.#arm(callback, ms - step);
      else callback();
    }, step);
    timer.unref();
    return timer;
  }
}

/** The real clock: `performance.now()` and Node's timers, which never keep the process alive. */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimeout(callback: () => void, ms: number): TimerHandle {
    if (ms > MAX_TIMER_MS) return new LongTimer(callback, ms);
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle instanceof LongTimer ? handle.current : (handle as NodeJS.Timeout));
  },
});

/** A clock that moves only when told to. */
export interface ManualClock extends Clock {
  /** Moves time forward, firing due timers in order, and lets promise callbacks run after each. */
  advance(ms: number): Promise<void>;
  /** Timers not yet fired. */
  readonly pendingTimers: number;
}

interface ManualTimer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
}

/**
 * A {@link ManualClock} starting at `start` ms.
 *
 * @example
 * ```ts
 * const clock = manualClock();
 * clock.setTimeout(() => console.log("fired"), 1_000);
 * await clock.advance(1_000); // fired
 * ```
 */
export function manualClock(start = 0): ManualClock {
  let now = start;
  let order = 0;
  const timers = new Set<ManualTimer>();
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const timer: ManualTimer = { at: now + Math.max(0, ms), order: order++, callback };
      timers.add(timer);
      return timer;
    },
    clearTimeout(handle) {
      timers.delete(handle as ManualTimer);
    },
    get pendingTimers() {
      return timers.size;
    },
    async advance(ms) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new RangeError(`advance(ms): ms must be 0 or more, got ${ms}`);
      const until = now + ms;
      await settle();
      for (;;) {
        let next: ManualTimer | undefined;
        for (const timer of timers) {
          if (
            timer.at <= until &&
            (!next || timer.at < next.at || (timer.at === next.at && timer.order < next.order))
          )
            next = timer;
        }
        if (!next) break;
        timers.delete(next);
        now = next.at;
        next.callback();
        await settle();
      }
      now = until;
      await settle();
    },
  };
}
