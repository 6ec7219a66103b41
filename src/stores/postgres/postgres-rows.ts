import type { StoredEvent } from "../../core/event-store.js";
import { storedMetadata } from "../../core/metadata.js";

/** Columns of an event row, with every value in a form that no custom type parser can change. */
export const EVENT_COLUMNS =
  "aggregate_type, aggregate_id, sequence, position::text AS position, commit_start, " +
  "event_id::text AS event_id, event_type, event_version, payload::text AS payload, " +
  "metadata::text AS metadata, recorded_at, command_id";

/** An event row as selected with {@link EVENT_COLUMNS}. */
export interface EventRow {
  aggregate_type: string;
  aggregate_id: string;
  sequence: number;
  position: string;
  commit_start: number;
  event_id: string;
  event_type: string;
  event_version: number;
  payload: string;
  metadata: string;
  recorded_at: Date | string;
  command_id: string | null;
}

/** A stored event from its row. */
export function storedEvent(row: EventRow): StoredEvent {
  return storedEventAt(row, toDate(row.recorded_at));
}

/** A stored event from the columns of its row other than the time, and the time given. */
export function storedEventAt(row: Omit<EventRow, "recorded_at">, recordedAt: Date): StoredEvent {
  const stored: StoredEvent = {
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    sequence: row.sequence,
    position: BigInt(row.position),
    commitStart: row.commit_start,
    eventId: row.event_id,
    eventType: row.event_type,
    eventVersion: row.event_version,
    payload: row.payload,
    metadata: storedMetadata(
      row.metadata,
      () =>
        `position ${row.position}: aggregate ${JSON.stringify(row.aggregate_id)} sequence ${row.sequence}`,
    ),
    recordedAt,
  };
  return row.command_id === null ? stored : { ...stored, commandId: row.command_id };
}

/** A timestamp as a Date, whichever parser the driver was configured with. */
export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** The rows of a page in position order that lie below `horizon` (see the store's `readAll`). */
export function belowHorizon<T extends { position: string }>(
  rows: readonly T[],
  horizon: bigint,
): readonly T[] {
  let end = rows.length;
  while (end > 0 && BigInt((rows[end - 1] as T).position) >= horizon) end--;
  return end === rows.length ? rows : rows.slice(0, end);
}
