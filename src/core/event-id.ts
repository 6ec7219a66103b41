import { v7 } from "uuid";

/**
 * A new event id: a UUID v7, so that ids sort by the time they were made. Every store assigns one to
 * each event it writes.
 *
 * @example
 * ```ts
 * newEventId(); // "0192f5a4-3c1e-7b2a-9d4e-5f6a7b8c9d0e"
 * ```
 */
export function newEventId(): string {
  return v7();
}

/**
 * The key of a stream (aggregateType, aggregateId) in a map. Aggregate types never hold `\u0000` (the
 * configuration refuses it), so two different streams never share a key.
 *
 * @example
 * ```ts
 * streamKey("order", "1"); // "order\u00001"
 * ```
 */
export function streamKey(aggregateType: string, aggregateId: string): string {
  return `${aggregateType}\u0000${aggregateId}`;
}
