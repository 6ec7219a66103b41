/**
 * What export, import and migrate share: reading the log in batches of whole commits, the NDJSON line
 * format read back, and the checksum migrate verifies with.
 */
import { createHash, type Hash } from "node:crypto";
import type { StoredEvent } from "../core/event-store.js";
import { checkMetadata } from "../core/metadata.js";
import { textProblem } from "../core/text.js";
import { keyProblem } from "../eventsourcing/aggregate-id.js";
import { invalidCommandId } from "../eventsourcing/command-id.js";
import type { ImportedEvent, StoredEventRow } from "../inspect/inspector.js";
import { CommandFailed, UsageError } from "./errors.js";

/**
 * Events per batch: one read of the source, one write transaction of the target. 5,000 unless the
 * environment's `EVENTSOURCING_BATCH_EVENTS` says otherwise (smaller batches: shorter transactions,
 * finer resumption; larger: fewer round trips). Read where a command batches, so that a bad value
 * stops only those commands, with a usage error (exit 2).
 */
export function batchEvents(env: NodeJS.ProcessEnv): number {
  const text = env.EVENTSOURCING_BATCH_EVENTS;
  if (text === undefined || text === "") return 5_000;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1 || value > 1_000_000) {
    throw new UsageError(
      `EVENTSOURCING_BATCH_EVENTS must be an integer from 1 to 1000000, got ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  return value;
}

/** Whether `next` belongs to the same commit as `previous` (one append request: contiguous in the log). */
export function sameCommit(previous: StoredEvent, next: StoredEvent): boolean {
  return (
    previous.aggregateId === next.aggregateId &&
    previous.aggregateType === next.aggregateType &&
    previous.commitStart === next.commitStart &&
    next.sequence === previous.sequence + 1
  );
}

/**
 * The log after `after` in batches of whole commits, about `size` events each (more when one commit
 * is larger). A page that may end inside a commit keeps its last commit back for the next batch; a
 * commit becomes visible all at once, so a short page (the end of the log) holds whole commits.
 */
export async function* commitBatches(
  read: (after: bigint, limit: number) => Promise<readonly StoredEvent[]>,
  after: bigint,
  size: number,
): AsyncGenerator<readonly StoredEvent[]> {
  let position = after;
  let limit = size;
  for (;;) {
    const page = await read(position, limit);
    if (page.length === 0) return;
    if (page.length < limit) {
      yield page;
      return;
    }
    let cut = page.length - 1;
    while (cut > 0 && sameCommit(page[cut - 1] as StoredEvent, page[cut] as StoredEvent)) cut--;
    // `cut` is the first event of the last commit, which may go on past the page: keep it back; when
    // it fills the whole page, read a larger one.
    if (cut === 0) {
      limit *= 2;
      continue;
    }
    const batch = page.slice(0, cut);
    yield batch;
    position = (batch[batch.length - 1] as StoredEvent).position;
    limit = size;
  }
}

/** The last time printed by {@link isoTime} and its text: the events of one commit share their time. */
let lastTime = Number.NaN;
let lastIso = "";

/** A time in milliseconds since the epoch as `Date.toISOString` prints it (`invalid <ms>` when it cannot). */
function isoTime(ms: number): string {
  if (ms === lastTime) return lastIso;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return `invalid ${ms}`;
  lastTime = ms;
  lastIso = date.toISOString();
  return lastIso;
}

/**
 * The text of one event that the migration checksum covers: every field, the position included, in
 * the layout of an export line (`eventLine` of the output module) with the payload as its stored text. That is the
 * export line itself whenever the payload is stored compact (as the library writes it), without
 * parsing and printing every payload again; and it is stricter, since a payload that is the same JSON
 * value in other text counts as different. A payload is JSON text (checked before it is written), and
 * a JSON text ends where its value ends, so the fields after it cannot be mistaken for part of it.
 */
export function checksumLine(event: StoredEvent): string {
  return (
    `{"aggregateType":${JSON.stringify(event.aggregateType)},"aggregateId":${JSON.stringify(event.aggregateId)},` +
    `"sequence":${event.sequence},"position":"${event.position}","commitStart":${event.commitStart},` +
    `"eventId":${JSON.stringify(event.eventId)},"eventType":${JSON.stringify(event.eventType)},` +
    `"eventVersion":${event.eventVersion},"payload":${event.payload},` +
    `"metadata":${JSON.stringify(event.metadata)},"recordedAt":"${isoTime(event.recordedAt.getTime())}"` +
    `${event.commandId === undefined ? "" : `,"commandId":${JSON.stringify(event.commandId)}`}}\n`
  );
}

/**
 * {@link checksumLine} of an event read as a stored row (see `StoreAdmin.readLogRows`): the same text,
 * with the metadata as stored rather than parsed and printed again. A store writes metadata as the
 * compact JSON of the object (as `JSON.stringify` prints it), so a faithful copy gives the same line;
 * metadata stored in other text counts as different.
 */
export function checksumLineOfRow(row: StoredEventRow): string {
  const [
    position,
    type,
    id,
    sequence,
    commitStart,
    eventId,
    eventType,
    version,
    payload,
    metadata,
    ms,
    command,
  ] = row;
  return (
    `{"aggregateType":${JSON.stringify(type)},"aggregateId":${JSON.stringify(id)},` +
    `"sequence":${sequence},"position":"${position}","commitStart":${commitStart},` +
    `"eventId":${JSON.stringify(eventId)},"eventType":${JSON.stringify(eventType)},` +
    `"eventVersion":${version},"payload":${payload},` +
    `"metadata":${metadata},"recordedAt":"${isoTime(ms)}"` +
    `${command === null ? "" : `,"commandId":${JSON.stringify(command)}`}}\n`
  );
}

/** A running SHA-256 over events' {@link checksumLine}s (each ended by a newline), in log order. */
export class LogChecksum {
  readonly #hash: Hash = createHash("sha256");
  #events = 0;

  add(events: readonly StoredEvent[]): void {
    // Lines gathered into pieces of about 16 KB: one hash update per line spends most of its time in
    // the call, and one per batch in flattening a string of megabytes.
    let text = "";
    for (const event of events) {
      text += checksumLine(event);
      if (text.length > 16_384) {
        this.#hash.update(text);
        text = "";
      }
    }
    if (text !== "") this.#hash.update(text);
    this.#events += events.length;
  }

  /** As {@link add}, for events read as stored rows ({@link checksumLineOfRow}). */
  addRows(rows: readonly StoredEventRow[]): void {
    let text = "";
    for (const row of rows) {
      text += checksumLineOfRow(row);
      if (text.length > 16_384) {
        this.#hash.update(text);
        text = "";
      }
    }
    if (text !== "") this.#hash.update(text);
    this.#events += rows.length;
  }

  get events(): number {
    return this.#events;
  }

  digest(): string {
    return this.#hash.digest("hex");
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The longest aggregate type the library accepts (as `aggregate({ aggregateType })` checks it). */
const MAX_AGGREGATE_TYPE_LENGTH = 255;
/** The largest event version and sequence a store holds (a 32-bit signed integer column). */
export const MAX_INT32 = 2 ** 31 - 1;
/** The largest log position a store holds (a 64-bit signed integer column). */
export const MAX_POSITION = 2n ** 63n - 1n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const refusal = (field: string, what: string) => ({ field, what });

/** A positive integer a 32-bit signed integer column holds. */
const int32 = (value: unknown) =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 1 && value <= MAX_INT32;

/**
 * Why an event to import (from a file or another store) is not one the library would write itself,
 * or `null`: the same checks `execute` applies (ids by {@link keyProblem}, the aggregate type's length
 * and text, well-formed event types, metadata by {@link checkMetadata}, command ids by
 * {@link invalidCommandId}), JSON payload text, a UUID event id, versions and sequences a store holds,
 * and a valid time. What is refused names the field.
 */
export function importProblem(event: ImportedEvent): { field: string; what: string } | null {
  const { aggregateType, aggregateId, eventType } = event;
  if (
    typeof aggregateType !== "string" ||
    aggregateType.length === 0 ||
    aggregateType.length > MAX_AGGREGATE_TYPE_LENGTH
  )
    return refusal("aggregateType", `a non-empty string of at most ${MAX_AGGREGATE_TYPE_LENGTH} characters`);
  const typeText = textProblem(aggregateType);
  if (typeText !== null) return refusal("aggregateType", `storable text, but ${typeText}`);
  if (typeof aggregateId !== "string" || aggregateId.length === 0)
    return refusal("aggregateId", "a non-empty string");
  const idProblem = keyProblem(aggregateId);
  if (idProblem !== null) return refusal("aggregateId", `an id the library accepts, but ${idProblem}`);
  if (!int32(event.sequence)) return refusal("sequence", `a positive integer of at most ${MAX_INT32}`);
  if (!int32(event.commitStart) || event.commitStart > event.sequence)
    return refusal("commitStart", "a positive integer of at most the sequence");
  if (typeof event.eventId !== "string" || !UUID.test(event.eventId)) return refusal("eventId", "a UUID");
  if (typeof eventType !== "string" || eventType.length === 0)
    return refusal("eventType", "a non-empty string");
  const eventTypeText = textProblem(eventType);
  if (eventTypeText !== null) return refusal("eventType", `storable text, but ${eventTypeText}`);
  if (!int32(event.eventVersion))
    return refusal("eventVersion", `a positive integer of at most ${MAX_INT32}`);
  if (typeof event.payload !== "string") return refusal("payload", "JSON text");
  const payloadText = textProblem(event.payload);
  if (payloadText !== null) return refusal("payload", `storable text, but ${payloadText}`);
  try {
    JSON.parse(event.payload);
  } catch {
    return refusal("payload", "JSON (every store keeps payloads as JSON)");
  }
  const metadata = checkMetadata(event.metadata);
  if (!metadata.ok) return refusal("metadata", `an object of strings (${reasonOf(metadata.error)})`);
  if (!(event.recordedAt instanceof Date) || Number.isNaN(event.recordedAt.getTime()))
    return refusal("recordedAt", "a valid time");
  if (typeof event.position !== "bigint" || event.position < 0n || event.position > MAX_POSITION)
    return refusal("position", `an integer from 0 to ${MAX_POSITION}`);
  const command = invalidCommandId(event.commandId);
  if (command !== null)
    return refusal("commandId", `a command id the library accepts (${reasonOf(command)})`);
  return null;
}

function reasonOf(error: unknown): string {
  return isObject(error) && typeof error.reason === "string" ? error.reason : String(error);
}

/** Refuses (a `CommandFailed` naming `where` and the field) an event {@link importProblem} finds fault with. */
export function checkImported(event: ImportedEvent, where: string): void {
  const problem = importProblem(event);
  if (problem !== null) throw new CommandFailed(`${where}: "${problem.field}" must be ${problem.what}`);
}

/** Whether two JSON values are the same value (object keys in any order). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]))
    );
  }
  return false;
}

/** One export line back into an event to import; a `CommandFailed` naming the line and field otherwise. */
export function parseEventLine(text: string, line: number): ImportedEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CommandFailed(`line ${line} is not JSON (${cause instanceof Error ? cause.message : cause})`);
  }
  const bad = (field: string, what: string) => new CommandFailed(`line ${line}: "${field}" must be ${what}`);
  if (!isObject(value)) throw new CommandFailed(`line ${line} is not a JSON object`);
  const text_ = (field: string) => {
    const found = value[field];
    if (typeof found !== "string" || found === "") throw bad(field, "a non-empty string");
    return found;
  };
  const positive = (field: string) => {
    const found = value[field];
    if (typeof found !== "number" || !Number.isSafeInteger(found) || found < 1 || found > MAX_INT32)
      throw bad(field, `a positive integer of at most ${MAX_INT32}`);
    return found;
  };
  const aggregateType = text_("aggregateType");
  const aggregateId = text_("aggregateId");
  const sequence = positive("sequence");
  const commitStart = value.commitStart === undefined ? sequence : positive("commitStart");
  if (commitStart > sequence) throw bad("commitStart", "at most the sequence");
  const eventId = text_("eventId");
  const eventType = text_("eventType");
  const eventVersion = value.eventVersion === undefined ? 1 : positive("eventVersion");
  let payload: string;
  if (value.payloadText !== undefined) {
    if (typeof value.payloadText !== "string") throw bad("payloadText", "a string");
    payload = value.payloadText;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      throw bad("payloadText", "JSON text (every store keeps payloads as JSON)");
    }
    if ("payload" in value && !sameJson(parsed, value.payload))
      throw bad("payloadText", 'the same value as "payload" when both are given (they differ)');
  } else {
    if (!("payload" in value)) throw bad("payload", "present");
    payload = JSON.stringify(value.payload);
  }
  const metadata = value.metadata ?? {};
  if (!isObject(metadata) || Object.values(metadata).some((entry) => typeof entry !== "string")) {
    throw bad("metadata", "an object of strings");
  }
  const recordedText = text_("recordedAt");
  const recordedAt = new Date(recordedText);
  if (Number.isNaN(recordedAt.getTime())) throw bad("recordedAt", "an ISO 8601 time");
  let position = 0n;
  if (value.position !== undefined) {
    if (typeof value.position !== "string" || !/^\d+$/.test(value.position))
      throw bad("position", "a string of digits");
    position = BigInt(value.position);
  }
  const commandId = value.commandId === undefined ? undefined : text_("commandId");
  const event: ImportedEvent = {
    aggregateType,
    aggregateId,
    sequence,
    commitStart,
    eventId,
    eventType,
    eventVersion,
    payload,
    metadata: metadata as Record<string, string>,
    recordedAt,
    position,
    ...(commandId === undefined ? {} : { commandId }),
  };
  checkImported(event, `line ${line}`);
  return event;
}
