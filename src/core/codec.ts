import { storableText, textProblem } from "./text.js";

/**
 * How events and snapshot states become text for a store and back. The default is JSON; replace it to
 * revive classes, upcast old event versions, or use another format (PostgreSQL needs JSON text).
 */
export interface Codec {
  /** The event's type name and its text. Throws if the event cannot be encoded. */
  encodeEvent(event: unknown): { readonly eventType: string; readonly payload: string };
  /** The event back from its type name and text. Throws if the text cannot be decoded. */
  decodeEvent(eventType: string, payload: string): unknown;
  encodeState(state: unknown): string;
  decodeState(text: string): unknown;
}

/**
 * The default codec: JSON text. An event's type is its `type` field when that is a string, else the
 * name of its class.
 *
 * Whatever it accepts reads back equal; what JSON cannot hold is refused with a `TypeError` naming the
 * path (`event.amount is NaN`), never silently changed: `NaN` and `±Infinity`, bigints, symbols,
 * functions, `undefined` as the whole value or in an array, a `Date`, `Map`, `Set`, `RegExp`, `Error`,
 * typed array or boxed primitive, any object with a `toJSON` method, strings that are not well-formed
 * Unicode or hold U+0000 (no store keeps them intact), cycles and nesting past 512 levels.
 * Two things are kept as JSON keeps them, by decision: a property whose value is `undefined` is left
 * out (as an absent optional field), and an instance of your own class is stored as its own enumerable
 * fields and read back as a plain object with those fields (its type name is the class name). The
 * state `apply` sees while a command runs is built from the decoded event, so it equals a replay's.
 * For anything else (Dates, Maps, classes with methods), supply your own {@link Codec}.
 *
 * @example
 * ```ts
 * jsonCodec.encodeEvent({ type: "AccountOpened", accountId: "a-1" });
 * // => { eventType: "AccountOpened", payload: '{"type":"AccountOpened","accountId":"a-1"}' }
 * jsonCodec.encodeEvent({ type: "Deposited", amount: Number.NaN }); // throws: event.amount is NaN
 * ```
 */
export const jsonCodec: Codec = Object.freeze({
  encodeEvent(event: unknown) {
    return { eventType: eventTypeOf(event), payload: toJson(event, "event") };
  },
  decodeEvent(_eventType: string, payload: string): unknown {
    return JSON.parse(payload);
  },
  encodeState(state: unknown): string {
    return toJson(state, "state");
  },
  decodeState(text: string): unknown {
    return JSON.parse(text);
  },
});

/** `event.type` when it is a string, else the class name (`Object` for plain objects without `type`). */
export function eventTypeOf(event: unknown): string {
  if (typeof event === "object" && event !== null) {
    const type = (event as { type?: unknown }).type;
    if (typeof type === "string") return type;
    return event.constructor?.name ?? "Object";
  }
  return typeof event;
}

/**
 * The default codec's encoding of an event for the system's hot path: its text, and the value a decode
 * of that text gives, made without parsing it. The value is a fresh copy of the event made by the same
 * walk that checks it (plain objects and arrays, `undefined` fields left out, `-0` as `0`), and the text
 * is that copy's JSON: the copy holds nothing but JSON's own values (plain objects, dense arrays,
 * finite numbers other than `-0`, well-formed strings, booleans, null), which JSON text gives back
 * equal, key order included, so the copy is exactly what a replay decodes from the stored text. Throws
 * the `TypeError` `jsonCodec.encodeEvent` throws for what it refuses.
 *
 * @example
 * ```ts
 * const { payload, value } = encodeJsonEvent({ type: "Paid", amount: -0, note: undefined });
 * // payload === '{"type":"Paid","amount":0}'; value deep-equals JSON.parse(payload)
 * ```
 */
export function encodeJsonEvent(event: unknown): { readonly payload: string; readonly value: unknown } {
  const value = copyIn(event, 0);
  if (value === REFUSED) {
    const found = problemIn(event, 0, false);
    throw new TypeError(
      found === null ? "event cannot be encoded as JSON" : `event${pathText(found.path)} ${found.reason}`,
    );
  }
  const payload = JSON.stringify(value);
  // As in toJson: a \u escape is written for a lone surrogate or U+0000, and then the strings are walked.
  if (payload.indexOf("\\u") !== -1) {
    const found = problemIn(value, 0, true);
    if (found !== null) throw new TypeError(`event${pathText(found.path)} ${found.reason}`);
  }
  return { payload, value };
}

/** What {@link copyIn} answers for a value JSON cannot hold (the reason is found again by `problemIn`). */
const REFUSED: unique symbol = Symbol("refused");

/**
 * A fresh copy of `value` as JSON data, or {@link REFUSED} for exactly what `problemIn` (strings
 * aside) refuses: the copy is what `JSON.parse(JSON.stringify(value))` gives.
 */
function copyIn(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      // JSON writes -0 as 0.
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : REFUSED;
    case "object":
      return value === null ? null : copyObject(value, depth);
    default:
      return REFUSED;
  }
}

function copyObject(value: object, depth: number): unknown {
  if (depth >= MAX_DEPTH) return REFUSED;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = copyIn(value[i], depth + 1);
      if (item === REFUSED) return REFUSED;
      copy.push(item);
    }
    return copy;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    if (builtInProblem(value) !== null) return REFUSED;
    if (typeof (value as { toJSON?: unknown }).toJSON === "function") return REFUSED;
  }
  const copy: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const field = (value as Record<string, unknown>)[key];
    // An undefined field is left out, as JSON does: it reads back as an absent optional field.
    if (field === undefined) continue;
    if (key === "toJSON" && typeof field === "function") return REFUSED;
    const item = copyIn(field, depth + 1);
    if (item === REFUSED) return REFUSED;
    // A "__proto__" key stays a key, as JSON.parse reads it.
    if (key === "__proto__")
      Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy;
}

/** Deeper than this is refused: a cycle ends here too, without a set of ancestors on the hot path. */
const MAX_DEPTH = 512;

function toJson(value: unknown, what: string): string {
  let found = problemIn(value, 0, false);
  if (found === null) {
    // The walk has refused everything JSON.stringify would drop or change, so this is the whole value.
    const text = JSON.stringify(value);
    // JSON.stringify writes a lone surrogate or U+0000 (in a string or a key) as a \u escape, and
    // uses \u for nothing but those and other control characters: only then are the strings walked.
    if (text.indexOf("\\u") === -1) return text;
    found = problemIn(value, 0, true);
    if (found === null) return text;
  }
  throw new TypeError(`${what}${pathText(found.path)} ${found.reason}`);
}

/** What JSON cannot hold, with the keys that lead to it (innermost last once the walk unwinds). */
interface Problem {
  readonly reason: string;
  readonly path: (string | number)[];
}

/**
 * One recursive walk over a value about to become JSON. Returns `null` when JSON.stringify gives text
 * that parses back to an equal value; no path is built unless something is wrong. With `text`, strings
 * and keys are checked too (the second walk, only when the JSON holds a \u escape).
 */
function problemIn(value: unknown, depth: number, text: boolean): Problem | null {
  switch (typeof value) {
    case "string":
      return !text || storableText(value)
        ? null
        : { reason: `is a string that ${(textProblem(value) ?? "").replace(/^it /, "")}`, path: [] };
    case "number":
      return Number.isFinite(value) ? null : { reason: `is ${String(value)}`, path: [] };
    case "boolean":
      return null;
    case "object":
      return value === null ? null : objectProblem(value, depth, text);
    case "undefined":
      return { reason: "is undefined", path: [] };
    case "bigint":
      return { reason: "is a bigint, which JSON cannot hold", path: [] };
    case "symbol":
      return { reason: "is a symbol, which JSON cannot hold", path: [] };
    default:
      return { reason: "is a function, which JSON cannot hold", path: [] };
  }
}

function objectProblem(value: object, depth: number, text: boolean): Problem | null {
  if (depth >= MAX_DEPTH)
    return { reason: `is nested more than ${MAX_DEPTH} levels deep (or refers to itself)`, path: [] };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = problemIn(value[i], depth + 1, text);
      if (found !== null) {
        found.path.push(i);
        return found;
      }
    }
    return null;
  }
  const prototype = Object.getPrototypeOf(value);
  const plain = prototype === Object.prototype || prototype === null;
  if (!plain) {
    const refused = builtInProblem(value);
    if (refused !== null) return { reason: refused, path: [] };
    if (typeof (value as { toJSON?: unknown }).toJSON === "function") return toJsonProblem();
  }
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const field = (value as Record<string, unknown>)[key];
    // An undefined field is left out, as JSON does: it reads back as an absent optional field.
    if (field === undefined) continue;
    if (text && !storableText(key))
      return {
        reason: `has a key ${JSON.stringify(key)} that ${(textProblem(key) ?? "").replace(/^it /, "")}`,
        path: [],
      };
    if (key === "toJSON" && typeof field === "function") return toJsonProblem();
    const found = problemIn(field, depth + 1, text);
    if (found !== null) {
      found.path.push(key);
      return found;
    }
  }
  return null;
}

function toJsonProblem(): Problem {
  return { reason: "has a toJSON method, so its JSON would not read back as the same value", path: [] };
}

/** Built-in objects whose JSON is `{}` or a string, never the same value again. */
function builtInProblem(value: object): string | null {
  const name =
    value instanceof Date
      ? "a Date"
      : value instanceof Map
        ? "a Map"
        : value instanceof Set
          ? "a Set"
          : value instanceof WeakMap || value instanceof WeakSet
            ? "a weak collection"
            : value instanceof RegExp
              ? "a RegExp"
              : value instanceof Error
                ? "an Error"
                : value instanceof Promise
                  ? "a Promise"
                  : ArrayBuffer.isView(value) || value instanceof ArrayBuffer
                    ? "binary data"
                    : value instanceof Number || value instanceof String || value instanceof Boolean
                      ? "a boxed primitive"
                      : null;
  return name === null ? null : `is ${name}, which JSON cannot hold (use your own codec)`;
}

function pathText(path: readonly (string | number)[]): string {
  let text = "";
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i] as string | number;
    text +=
      typeof key === "number"
        ? `[${key}]`
        : /^[A-Za-z_$][\w$]*$/.test(key)
          ? `.${key}`
          : `[${JSON.stringify(key)}]`;
  }
  return text;
}
