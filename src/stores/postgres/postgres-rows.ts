import type { StoredEvent } from "../../core/event-store.js";
import { storedMetadata } from "../../core/metadata.js";

/** Columns of an event row, with every value in a form that no custom type parser can change. */
export const EVENT_COLUMNS =
  "aggregate_id, sequence, position::text AS position, commit_start, event_type, payload::text AS payload, " +
  "metadata::text AS metadata, recorded_at";

/** An event row as selected with {@link EVENT_COLUMNS}. */
export interface EventRow {
  aggregate_id: string;
  sequence: number;
  position: string;
  commit_start: number;
  event_type: string;
  payload: string;
  metadata: string;
  recorded_at: Date | string;
}

/** A stored event from its row. */
export function storedEvent(row: EventRow): StoredEvent {
  return {
    aggregateId: row.aggregate_id,
    sequence: row.sequence,
    position: BigInt(row.position),
    commitStart: row.commit_start,
    eventType: row.event_type,
    payload: row.payload,
    metadata: storedMetadata(
      row.metadata,
      () =>
        `position ${row.position}: aggregate ${JSON.stringify(row.aggregate_id)} sequence ${row.sequence}`,
    ),
    recordedAt: toDate(row.recorded_at),
  };
}

/** A timestamp as a Date, whichever parser the driver was configured with. */
export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}
