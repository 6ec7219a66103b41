/**
 * What export, import and migrate share: reading the log in batches of whole commits, the NDJSON line
 * format read back, and the checksum migrate verifies with.
 */
import { createHash, type Hash } from "node:crypto";
import type { StoredEvent } from "../core/event-store.js";
import type { ImportedEvent } from "../inspect/inspector.js";
import { CommandFailed } from "./errors.js";
import { eventLine } from "./output.js";

/**
 * Events per batch: one read of the source, one write transaction of the target. 5,000 unless the
 * environment's `EVENTSOURCING_BATCH_EVENTS` says otherwise (smaller batches: shorter transactions,
 * finer resumption; larger: fewer round trips).
 */
export const BATCH_EVENTS = batchEvents(process.env.EVENTSOURCING_BATCH_EVENTS);

function batchEvents(text: string | undefined): number {
  if (text === undefined || text === "") return 5_000;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`EVENTSOURCING_BATCH_EVENTS must be a positive integer, got ${JSON.stringify(text)}`);
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
  size = BATCH_EVENTS,
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

/** A running SHA-256 over events' export lines (every field, the position included), in log order. */
export class LogChecksum {
  readonly #hash: Hash = createHash("sha256");
  #events = 0;

  add(events: readonly StoredEvent[]): void {
    for (const event of events) this.#hash.update(`${eventLine(event)}\n`);
    this.#events += events.length;
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
    if (typeof found !== "number" || !Number.isSafeInteger(found) || found < 1)
      throw bad(field, "a positive integer");
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
  return {
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
}
