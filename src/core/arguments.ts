import type { EventSourcingError } from "./errors.js";
import { err, ok, type Result } from "./result.js";

declare const frequencyBrand: unique symbol;
declare const timeoutBrand: unique symbol;

/** A validated snapshot frequency: a positive integer number of events. Make one with {@link frequency}. */
export type Frequency = number & { readonly [frequencyBrand]: true };

/** A validated timeout: a positive integer number of milliseconds. Make one with {@link timeout}. */
export type Timeout = number & { readonly [timeoutBrand]: true };

function positiveInteger(argument: string, value: number): Result<number, EventSourcingError<never>> {
  return Number.isSafeInteger(value) && value > 0
    ? ok(value)
    : err({ type: "NonPositiveArgument", argument, value });
}

/**
 * Validates a snapshot frequency. Zero, negatives, fractions, NaN and Infinity give `NonPositiveArgument`.
 * `snapshot.frequency` also takes a plain positive integer, checked the same way at construction.
 *
 * @example
 * ```ts
 * import { frequency } from "eventsourcing";
 *
 * const every100 = frequency(100);
 * if (every100.ok) console.log(every100.value); // 100
 * ```
 */
export function frequency(n: number): Result<Frequency, EventSourcingError<never>> {
  return positiveInteger("frequency", n) as Result<Frequency, EventSourcingError<never>>;
}

/**
 * Validates a timeout in milliseconds. Zero, negatives, fractions, NaN and Infinity give `NonPositiveArgument`.
 * `execute`'s `timeout` also takes a plain positive integer, checked the same way on each call.
 *
 * @example
 * ```ts
 * import { timeout } from "eventsourcing";
 *
 * const twoSeconds = timeout(2_000);
 * if (twoSeconds.ok) await bank.execute("account-123", { type: "DepositMoney", amount: 5 }, { timeout: twoSeconds.value });
 * ```
 */
export function timeout(ms: number): Result<Timeout, EventSourcingError<never>> {
  return positiveInteger("timeout", ms) as Result<Timeout, EventSourcingError<never>>;
}
