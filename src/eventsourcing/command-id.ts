import type { EventSourcingError } from "../core/errors.js";
import { textProblem } from "../core/text.js";

/**
 * The longest command id accepted, in UTF-16 code units: room for any UUID, ULID or request id with a
 * prefix, and small enough (at most 768 bytes of UTF-8) that every store indexes it with the stream.
 */
export const MAX_COMMAND_ID_LENGTH = 256;

/**
 * Why `execute`'s `commandId` option is refused, or `null` when it is absent or fine: it must be a
 * non-empty string of at most {@link MAX_COMMAND_ID_LENGTH} characters, well-formed Unicode without
 * U+0000. Like a bad `correlationId`, a bad one is `InvalidMetadata`: both are recorded with the commit.
 */
export function invalidCommandId(commandId: unknown): EventSourcingError<never> | null {
  if (commandId === undefined) return null;
  if (typeof commandId !== "string")
    return { type: "InvalidMetadata", reason: `commandId must be a string, got ${typeof commandId}` };
  if (commandId.length === 0) return { type: "InvalidMetadata", reason: "commandId is empty" };
  if (commandId.length > MAX_COMMAND_ID_LENGTH)
    return {
      type: "InvalidMetadata",
      reason: `commandId is ${commandId.length} characters long, over the limit of ${MAX_COMMAND_ID_LENGTH}`,
    };
  const problem = textProblem(commandId);
  return problem === null
    ? null
    : { type: "InvalidMetadata", reason: `commandId cannot be stored: ${problem}` };
}
