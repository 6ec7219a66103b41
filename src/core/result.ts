/**
 * The outcome of an operation that can fail in an expected way. Expected failures are values, never
 * exceptions: check `ok` before reading `value` or `error`.
 *
 * @example
 * ```ts
 * const r: Result<number, string> = ok(1);
 * if (r.ok) console.log(r.value);
 * ```
 */
export type Result<T, E> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

/**
 * A successful {@link Result}.
 *
 * @example
 * ```ts
 * const events = ok([{ type: "AccountOpened", accountId: "a-1" }]);
 * ```
 */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/**
 * A failed {@link Result}.
 *
 * @example
 * ```ts
 * const refused = err("CantDepositNegativeAmount" as const);
 * ```
 */
export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
