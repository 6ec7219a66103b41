/**
 * Every way an operation of the library can fail, as a value. `DomainError` carries the user's own
 * error from `handle`; the others are the library's.
 */
export type EventSourcingError<TDomainError> =
  | { readonly type: "DomainError"; readonly error: TDomainError }
  | { readonly type: "EventStoreError"; readonly message: string; readonly cause?: unknown }
  | { readonly type: "NonPositiveArgument"; readonly argument: string; readonly value: number }
  | { readonly type: "EntityNotFound"; readonly aggregateId: string }
  | {
      readonly type: "ConcurrencyConflict";
      readonly aggregateId: string;
      readonly expectedSequence: number;
      readonly actualSequence: number;
    }
  | { readonly type: "ActorTimeout"; readonly operation: string; readonly timeoutMs: number }
  | { readonly type: "ActorCrashed"; readonly operation: string; readonly cause: unknown }
  | { readonly type: "InvalidAggregateId"; readonly aggregateId: string; readonly reason: string }
  /** Metadata that is not a plain object of string values, or holds text a store cannot keep intact. */
  | { readonly type: "InvalidMetadata"; readonly reason: string }
  /**
   * Refused at once, nothing done: `queued` requests were already waiting for an answer, `limit` is the
   * bound that was reached (the system's `maxQueued`, or `maxQueuedPerAggregate` for one aggregate).
   */
  | { readonly type: "Overloaded"; readonly queued: number; readonly limit: number }
  | { readonly type: "Stopped" };

/** Builds an `EventStoreError` from a thrown value, keeping it as `cause`. */
export function eventStoreError(context: string, cause: unknown): EventSourcingError<never> {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return { type: "EventStoreError", message: `${context}: ${detail}`, cause };
}

/**
 * A one-line, human-readable account of an error, for logs and messages.
 *
 * @example
 * ```ts
 * import { describeError } from "eventsourcing";
 *
 * describeError({ type: "EntityNotFound", aggregateId: "account-1" });
 * // => 'no events for aggregate "account-1"'
 * ```
 */
export function describeError(error: EventSourcingError<unknown>): string {
  switch (error.type) {
    case "DomainError":
      return `domain error: ${describeValue(error.error)}`;
    case "EventStoreError":
      return `event store error: ${error.message}`;
    case "NonPositiveArgument":
      if (error.argument === "position")
        return `position must be a bigint such as 12n (not the number 12), at least 0n for waitForQueries and 1n for skipQueryEvent, got ${String(error.value)}`;
      return `${error.argument} must be a ${error.argument === "startFrom" ? "non-negative" : "positive"} integer, got ${typeof error.value === "number" ? String(error.value) : `${typeof error.value} ${String(error.value)}`}`;
    case "EntityNotFound":
      return `no events for aggregate ${JSON.stringify(error.aggregateId)}`;
    case "ConcurrencyConflict":
      return (
        `concurrency conflict on aggregate ${JSON.stringify(error.aggregateId)}: ` +
        `expected sequence ${error.expectedSequence}, store has ${error.actualSequence}`
      );
    case "ActorTimeout":
      return `${error.operation} timed out after ${error.timeoutMs} ms`;
    case "ActorCrashed":
      return `${error.operation} threw: ${describeValue(error.cause)}`;
    case "InvalidAggregateId":
      return `invalid aggregate id ${JSON.stringify(truncate(error.aggregateId))}: ${error.reason}`;
    case "InvalidMetadata":
      return `invalid metadata: ${error.reason}`;
    case "Overloaded":
      return `overloaded: ${error.queued} requests already waiting, the limit is ${error.limit}; nothing was done, try again later`;
    case "Stopped":
      return "the event-sourcing system is not running (not started yet, or stopped)";
  }
}

function describeValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
