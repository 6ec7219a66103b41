import type { EventSourcingError } from "../core/errors.js";

/** The longest aggregate id accepted, in UTF-16 code units. */
export const MAX_AGGREGATE_ID_LENGTH = 1_024;

/** Why an aggregate id is refused, or `null` when it is fine. */
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
  return null;
}
