import { newEventId } from "../../core/event-id.js";
import type { AppendOutcome, AppendRequest, StoredEvent } from "../../core/event-store.js";
import { err, ok } from "../../core/result.js";
import { toDate } from "./postgres-rows.js";

/** The one row `append_events` answers: each request's stream end, and the new positions in order. */
export interface AppendRow {
  actual: number[];
  positions: string[];
  recorded_at: Date | string;
}

/**
 * The parameters of `append_events` for a batch: per request its id and expected sequence; per event
 * its aggregate id, request number, number within the request, type, payload and metadata. The
 * function unnests them as rows, so a batch of any size is one statement.
 */
export function appendParameters(requests: readonly AppendRequest[], eventIds: readonly string[]): unknown[] {
  const aggregateTypes: string[] = [];
  const ids: string[] = [];
  const expected: number[] = [];
  const eventRequests: number[] = [];
  const eventNumbers: number[] = [];
  const types: string[] = [];
  const versions: number[] = [];
  const payloads: string[] = [];
  const metadata: string[] = [];
  const commandIds: (string | null)[] = [];
  for (const [index, request] of requests.entries()) {
    aggregateTypes.push(request.aggregateType);
    commandIds.push(request.commandId ?? null);
    ids.push(request.aggregateId);
    expected.push(request.expectedSequence);
    for (const [offset, event] of request.events.entries()) {
      eventRequests.push(index + 1);
      eventNumbers.push(offset + 1);
      types.push(event.eventType);
      versions.push(event.eventVersion ?? 1);
      payloads.push(event.payload);
      metadata.push(JSON.stringify(event.metadata));
    }
  }
  return [
    aggregateTypes,
    ids,
    expected,
    eventRequests,
    eventNumbers,
    eventIds,
    types,
    versions,
    payloads,
    metadata,
    commandIds,
  ];
}

/** A new event id for every event of the batch, in order. */
export function newEventIds(requests: readonly AppendRequest[]): string[] {
  const ids: string[] = [];
  for (const request of requests) for (let i = 0; i < request.events.length; i++) ids.push(newEventId());
  return ids;
}

/** Each request's outcome from the row `append_events` answered: a conflict, or its stored events. */
export function appendOutcomes(
  requests: readonly AppendRequest[],
  eventIds: readonly string[],
  row: AppendRow | undefined,
): AppendOutcome[] {
  if (!row || row.actual.length !== requests.length) throw new Error("append_events returned no outcome");
  const recordedAt = toDate(row.recorded_at);
  let next = 0;
  let nextId = 0;
  return requests.map((request, index): AppendOutcome => {
    const actual = row.actual[index] as number;
    if (actual !== request.expectedSequence) {
      nextId += request.events.length;
      return err({
        aggregateType: request.aggregateType,
        aggregateId: request.aggregateId,
        expectedSequence: request.expectedSequence,
        actualSequence: actual,
      });
    }
    const commitStart = request.expectedSequence + 1;
    const { commandId } = request;
    return ok(
      request.events.map((event, offset): StoredEvent => {
        const position = row.positions[next++];
        if (position === undefined) throw new Error("append_events returned fewer positions than events");
        const stored: StoredEvent = {
          aggregateType: request.aggregateType,
          aggregateId: request.aggregateId,
          sequence: commitStart + offset,
          position: BigInt(position),
          commitStart,
          eventId: eventIds[nextId++] as string,
          eventType: event.eventType,
          eventVersion: event.eventVersion ?? 1,
          payload: event.payload,
          metadata: event.metadata,
          recordedAt,
        };
        return commandId === undefined ? stored : { ...stored, commandId };
      }),
    );
  });
}
