import type { EventSourcingError } from "../core/errors.js";
import { textProblem } from "../core/text.js";

/** The longest aggregate id accepted, in UTF-16 code units. */
export const MAX_AGGREGATE_ID_LENGTH = 1_024;

/**
 * The longest aggregate id accepted, in bytes of UTF-8. PostgreSQL's btree indexes take at most 2,704
 * bytes per entry (a third of an 8 KiB page, less headers), and an index entry of the events table holds
 * the id with the sequence; 1,024 characters of CJK text are 3,072 bytes, which no index takes. 2,048
 * leaves room for the rest of the key, so every store holds every id this accepts.
 */
export const MAX_AGGREGATE_ID_BYTES = 2_048;

/** Below this many code units an id cannot exceed {@link MAX_AGGREGATE_ID_BYTES} (3 bytes per unit at most). */
const BYTES_SURELY_FIT = Math.floor(MAX_AGGREGATE_ID_BYTES / 3);

/**
 * Why a non-empty string cannot serve as a key every store indexes (an aggregate id, a named query's
 * name), or `null`: over {@link MAX_AGGREGATE_ID_LENGTH} characters or {@link MAX_AGGREGATE_ID_BYTES}
 * bytes of UTF-8, not well-formed Unicode (a lone surrogate), or holding U+0000.
 */
export function keyProblem(key: string): string | null {
  if (key.length > MAX_AGGREGATE_ID_LENGTH)
    return `it is ${key.length} characters long, over the limit of ${MAX_AGGREGATE_ID_LENGTH}`;
  if (key.length > BYTES_SURELY_FIT) {
    const bytes = Buffer.byteLength(key, "utf8");
    if (bytes > MAX_AGGREGATE_ID_BYTES)
      return `it is ${bytes} bytes of UTF-8, over the limit of ${MAX_AGGREGATE_ID_BYTES} (the most a database index entry holds safely)`;
  }
  return textProblem(key);
}

/**
 * Why an aggregate id is refused, or `null` when it is fine: not a string, empty, or a
 * {@link keyProblem}. Every id accepted here reads back identical from every store.
 */
export function invalidAggregateId(aggregateId: unknown): EventSourcingError<never> | null {
  if (typeof aggregateId !== "string")
    return { type: "InvalidAggregateId", aggregateId: String(aggregateId), reason: "it must be a string" };
  if (aggregateId.length === 0) return { type: "InvalidAggregateId", aggregateId, reason: "it is empty" };
  const problem = keyProblem(aggregateId);
  return problem === null ? null : { type: "InvalidAggregateId", aggregateId, reason: problem };
}
