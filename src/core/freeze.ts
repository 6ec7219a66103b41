/**
 * States are values: `apply` returns a new state and never changes the one it was given, and whoever
 * receives a state (from `execute`, `loadAggregate`, a snapshot) only reads it. The system freezes every
 * state it keeps, so that a change made by mistake throws at its source (modules run in strict mode)
 * instead of silently altering the aggregate, its next decisions and its next snapshot.
 */

/**
 * Freezes `value` and every plain part of it that is not frozen yet, and returns it. A part already
 * frozen is not walked again: the state before a command was frozen whole, so the walk only visits
 * what `apply` made anew, and costs no more than making it did. Contents of a Map or Set cannot be
 * frozen and are left alone, as are typed arrays (which cannot be frozen) and objects that refuse.
 *
 * @example
 * ```ts
 * const state = deepFreeze({ balance: 0, history: [1, 2] });
 * Object.isFrozen(state.history); // true
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  try {
    Object.freeze(value);
  } catch {
    return value; // a proxy that refuses, say: leave it as it is
  }
  if (value instanceof Map || value instanceof Set) return value;
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
    if (descriptor && "value" in descriptor) deepFreeze(descriptor.value);
  }
  return value;
}
