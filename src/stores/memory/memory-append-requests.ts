import type { AppendRequest } from "../../core/event-store.js";

/**
 * Throws a `TypeError` naming what to change if the append call is malformed: not an array, an
 * aggregate id that is not a string, an expected sequence that is not a non-negative integer, a request
 * without events, an event without a string `eventType` and `payload`, or an aggregate id twice.
 * Runs before anything is written, so a rejected call writes nothing.
 *
 * @example
 * ```ts
 * assertAppendRequests([{ aggregateType: "account", aggregateId: "a-1", expectedSequence: 0, events: [] }]);
 * // throws TypeError: append: request 0 (aggregate "a-1") has no events; send at least one
 * ```
 */
export function assertAppendRequests(requests: readonly AppendRequest[]): void {
  if (!Array.isArray(requests)) throw new TypeError("append: pass an array of append requests");
  for (let i = 0; i < requests.length; i++) assertRequest(requests[i] as AppendRequest, i);
  if (requests.length > 1) assertDistinct(requests);
}

function assertRequest(request: AppendRequest, index: number): void {
  if (typeof request !== "object" || request === null)
    throw new TypeError(`append: request ${index} is not an object`);
  const { aggregateType, aggregateId, expectedSequence, events, commandId } = request;
  if (typeof aggregateType !== "string")
    throw new TypeError(`append: request ${index} needs a string aggregateType`);
  if (typeof aggregateId !== "string")
    throw new TypeError(`append: request ${index} needs a string aggregateId`);
  if (commandId !== undefined && typeof commandId !== "string")
    throw new TypeError(`append: request ${index} has a commandId that is not a string`);
  if (!Number.isSafeInteger(expectedSequence) || expectedSequence < 0)
    throw new TypeError(
      `append: request ${index} (aggregate ${JSON.stringify(aggregateId)}) needs a non-negative integer ` +
        `expectedSequence, got ${String(expectedSequence)}`,
    );
  if (!Array.isArray(events) || events.length === 0)
    throw new TypeError(
      `append: request ${index} (aggregate ${JSON.stringify(aggregateId)}) has no events; send at least one`,
    );
  for (const event of events) {
    if (
      typeof event !== "object" ||
      event === null ||
      typeof event.eventType !== "string" ||
      typeof event.payload !== "string" ||
      typeof event.metadata !== "object" ||
      event.metadata === null ||
      (event.eventVersion !== undefined &&
        !(Number.isSafeInteger(event.eventVersion) && event.eventVersion > 0))
    )
      throw new TypeError(
        `append: request ${index} (aggregate ${JSON.stringify(aggregateId)}) has an event without a ` +
          "string eventType, a string payload, a metadata object and an eventVersion that is a positive integer (or none)",
      );
  }
}

function assertDistinct(requests: readonly AppendRequest[]): void {
  const seen = new Map<string, Set<string>>();
  for (const { aggregateType, aggregateId } of requests) {
    let ids = seen.get(aggregateType);
    if (ids === undefined) {
      ids = new Set();
      seen.set(aggregateType, ids);
    }
    if (ids.has(aggregateId))
      throw new TypeError(
        `append: aggregate ${JSON.stringify(aggregateId)} appears in two requests of one call ` +
          `(type ${JSON.stringify(aggregateType)}); merge its events into one request`,
      );
    ids.add(aggregateId);
  }
}
