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
  const keys = Reflect.ownKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as PropertyKey;
    // An accessor is not read (its getter is not called); a data property is read as it is. Asked
    // without a property descriptor object per key: on the hot path that was most of what freezing made.
    if (lookupGetter.call(value, key) !== undefined) continue;
    const part = (value as Record<PropertyKey, unknown>)[key];
    if (typeof part === "object" && part !== null) deepFreeze(part);
  }
  return value;
}

/**
 * `Object.prototype.__lookupGetter__`: the getter of an own accessor property, `undefined` for an own
 * data property (the lookup stops at the first object that has the key, and `value` has it).
 */
const lookupGetter = (
  Object.prototype as unknown as { __lookupGetter__(this: object, key: PropertyKey): unknown }
).__lookupGetter__;
