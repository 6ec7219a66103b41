/**
 * Rows of the SQLite store back into the store contract's values. Statements that read rows run with
 * safe integers, so every integer column arrives as a bigint; a row that does not have the shape the
 * store writes is refused with an error naming the aggregate and sequence.
 */
import type { StoredEvent, StoredSnapshot } from "../../core/event-store.js";
import { storedMetadata } from "../../core/metadata.js";
import type { Metadata } from "../../core/types.js";

/** An events row as SQLite returns it with safe integers on. */
export interface EventRow {
  readonly position: bigint;
  readonly aggregate_type: unknown;
  readonly aggregate_id: unknown;
  readonly sequence: bigint;
  readonly commit_start: bigint;
  readonly event_id: unknown;
  readonly event_type: unknown;
  readonly event_version: bigint;
  readonly payload: unknown;
  readonly metadata: unknown;
  readonly recorded_at: bigint;
  readonly command_id: unknown;
}

/** A snapshots row as SQLite returns it with safe integers on. */
export interface SnapshotRow {
  readonly aggregate_type: string;
  readonly aggregate_id: string;
  readonly sequence: bigint;
  readonly version: bigint;
  readonly state: unknown;
  readonly timestamp: bigint;
}

const EMPTY_METADATA = "{}";

/** The text stored for a command's metadata. */
export function metadataText(metadata: Metadata): string {
  for (const _ in metadata) return JSON.stringify(metadata);
  return EMPTY_METADATA;
}

/** A stored event from its row; throws, naming the aggregate and sequence, when the row is corrupt. */
export function toStoredEvent(row: EventRow): StoredEvent {
  const sequence = Number(row.sequence);
  const where = () => `aggregate ${JSON.stringify(String(row.aggregate_id))} sequence ${sequence}`;
  if (
    typeof row.aggregate_type !== "string" ||
    typeof row.aggregate_id !== "string" ||
    typeof row.event_id !== "string" ||
    typeof row.event_type !== "string"
  ) {
    throw new Error(`corrupt event row (position ${row.position}) at ${where()}: ids and types must be text`);
  }
  if (typeof row.payload !== "string") {
    throw new Error(`corrupt event row at ${where()}: the payload is not text`);
  }
  const stored: StoredEvent = {
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    sequence,
    position: row.position,
    commitStart: Number(row.commit_start),
    eventId: row.event_id,
    eventType: row.event_type,
    eventVersion: Number(row.event_version),
    payload: row.payload,
    metadata: parseMetadata(row.metadata, where),
    recordedAt: new Date(Number(row.recorded_at)),
  };
  if (row.command_id === null || row.command_id === undefined) return stored;
  if (typeof row.command_id !== "string")
    throw new Error(`corrupt event row at ${where()}: the command id is not text`);
  return { ...stored, commandId: row.command_id };
}

function parseMetadata(text: unknown, where: () => string): Metadata {
  return text === EMPTY_METADATA ? {} : storedMetadata(text, where);
}

/** A stored snapshot from its row; throws, naming the aggregate, when the state is not text. */
export function toStoredSnapshot(row: SnapshotRow): StoredSnapshot {
  if (typeof row.state !== "string") {
    throw new Error(
      `corrupt snapshot row of aggregate ${JSON.stringify(row.aggregate_id)}: state is not text`,
    );
  }
  return {
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    sequence: Number(row.sequence),
    version: Number(row.version),
    state: row.state,
    timestamp: new Date(Number(row.timestamp)),
  };
}
