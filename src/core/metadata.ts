/**
 * Metadata is checked once, where it enters (execute's options), against `Metadata`: a plain object of
 * string keys to string values, every one text that every store holds intact. What passes is copied and
 * frozen, so the envelopes `execute` returns and the rows a store keeps are the same value, never the
 * caller's own object. Store readers use {@link storedMetadata} so that a row that is not such an object
 * is corrupt in every store alike.
 */
import type { EventSourcingError } from "./errors.js";
import { err, ok, type Result } from "./result.js";
import { textProblem } from "./text.js";
import type { Metadata } from "./types.js";

/** The metadata of a command given none: one frozen empty object. */
export const NO_METADATA: Metadata = Object.freeze({});

/** The answer for no metadata, made once: most commands carry none. */
const OK_NO_METADATA: Result<Metadata, never> = Object.freeze(ok(NO_METADATA));

/** The checked, frozen copy of `value`, or the `InvalidMetadata` error that says what is wrong. */
export function checkMetadata(value: unknown): Result<Metadata, EventSourcingError<never>> {
  if (value === undefined) return OK_NO_METADATA;
  const refused = shapeProblem(value);
  if (refused !== null) return invalid(refused);
  // One pass on the hot path: copy while checking; the reason is worked out only when something is wrong.
  const copy: Record<string, string> = {};
  let empty = true;
  for (const key of Object.keys(value as object)) {
    const entry = (value as Record<string, unknown>)[key];
    if (typeof entry !== "string")
      return invalid(`metadata ${JSON.stringify(key)} must be a string, got ${kindOf(entry)}`);
    const keyProblem = textProblem(key);
    if (keyProblem !== null) return invalid(`metadata key ${JSON.stringify(key)}: ${keyProblem}`);
    const entryProblem = textProblem(entry);
    if (entryProblem !== null) return invalid(`metadata ${JSON.stringify(key)}: ${entryProblem}`);
    // A "__proto__" key stays a key, as JSON.parse reads it back from a store.
    if (key === "__proto__")
      Object.defineProperty(copy, key, {
        value: entry,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else copy[key] = entry;
    empty = false;
  }
  return ok(empty ? NO_METADATA : Object.freeze(copy));
}

function invalid(reason: string): Result<never, EventSourcingError<never>> {
  return err({ type: "InvalidMetadata", reason });
}

/** Why `value` is not a plain object with string keys, or `null`. */
function shapeProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return `metadata must be a plain object of string values, got ${kindOf(value)}`;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null)
    return `metadata must be a plain object of string values, got ${kindOf(value)}`;
  if (Object.getOwnPropertySymbols(value).length > 0) return "metadata keys must be strings, not symbols";
  return null;
}

/**
 * A store row's metadata, parsed from its JSON text: a JSON object of strings, or an error naming `where`
 * (the row) for anything else.
 */
export function storedMetadata(text: unknown, where: () => string): Metadata {
  let value: unknown;
  try {
    value = typeof text === "string" ? JSON.parse(text) : text;
  } catch (cause) {
    throw new Error(`corrupt event row at ${where()}: the metadata is not JSON`, { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error(`corrupt event row at ${where()}: the metadata is not a JSON object`);
  for (const key in value) {
    if (typeof (value as Record<string, unknown>)[key] !== "string")
      throw new Error(`corrupt event row at ${where()}: metadata ${JSON.stringify(key)} is not a string`);
  }
  return value as Metadata;
}

/** A short name for the kind of a value, for messages (never its whole text). */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
    case "number":
    case "bigint":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    case "undefined":
      return "undefined";
    case "symbol":
      return "a symbol";
    case "function":
      return value.name ? `the function ${value.name}` : "a function";
    default: {
      const name = (value as object).constructor?.name;
      return name && name !== "Object" ? `a ${name}` : "an object";
    }
  }
}
