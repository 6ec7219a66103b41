import type { EventSourcingError } from "../core/errors.js";
import { textProblem } from "../core/text.js";

/** The longest aggregate id accepted, in UTF-16 code units. */
export const MAX_AGGREGATE_ID_LENGTH = 1_024;

/**
 * Why an aggregate id is refused, or `null` when it is fine: not a string, empty, over
 * {@link MAX_AGGREGATE_ID_LENGTH}, not well-formed Unicode (a lone surrogate), or holding U+0000.
 * Every id accepted here reads back identical from every store.
 */
export function invalidAggregateId(aggregateId: unknown): EventSourcingError<never> | null {
  if (typeof aggregateId !== "string")
    return { type: "InvalidAggregateId", aggregateId: String(aggregateId), reason: "it must be a string" };
  if (aggregateId.length === 0) return { type: "InvalidAggregateId", aggregateId, reason: "it is empty" };
  if (aggregateId.length > MAX_AGGREGATE_ID_LENGTH)
    return {
      type: "InvalidAggregateId",
      aggregateId,
      reason: `it is ${aggregateId.length} characters long, over the limit of ${MAX_AGGREGATE_ID_LENGTH}`,
    };
  const problem = textProblem(aggregateId);
  return problem === null ? null : { type: "InvalidAggregateId", aggregateId, reason: problem };
}
