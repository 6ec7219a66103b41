/**
 * Appending a batch inside one write transaction: each request is checked against the end of its
 * stream and written, or refused alone with the sequence the stream really has.
 *
 * The rows of the accepted requests go in as multi-row INSERTs of {@link INSERT_CHUNK} rows (the rest in
 * chunks of 32, 16, ... 1 rows): one call into the driver per chunk instead of one per row, about 6%
 * less CPU per appended row on the bench's 1,000-row batches (`bench/sqlite-append-cost.ts`; SQLite's
 * own work on the table and its four indexes is most of the rest). Positions are not read
 * back row by row: inside one write transaction SQLite gives an AUTOINCREMENT key one more than the
 * largest the table ever had, row after row, so the batch's rows hold consecutive positions ending at
 * the last insert's row id; one lookup of the first position checks it.
 */

import { newEventId, streamKey } from "../../core/event-id.js";
import type { AppendOutcome, AppendRequest, StoredEvent } from "../../core/event-store.js";
import { err, ok } from "../../core/result.js";
import type { Metadata } from "../../core/types.js";
import { metadataText } from "./sqlite-rows.js";
import type { SqliteSequenceCache } from "./sqlite-sequence-cache.js";
import { EVENT_PARAMETERS, INSERT_CHUNK, type SqliteStatements } from "./sqlite-statements.js";

/** The last sequence of the aggregate's stream, 0 when it has none. */
export function currentSequence(
  statements: SqliteStatements,
  aggregateType: string,
  aggregateId: string,
): number {
  return (statements.currentSequence.get(aggregateType, aggregateId) as { sequence: number }).sequence;
}

/** A stored event whose position is filled in once the rows are in. */
type Written = { -readonly [K in keyof StoredEvent]: StoredEvent[K] };

/**
 * Writes every request whose stream ends at its expected sequence; must run inside a write transaction,
 * where no other connection can append in between the check and the insert. `sequences` holds the
 * stream ends this transaction has written (and those it trusts from before): a second request for a
 * stream in one batch is checked against the first one's end.
 */
export function appendAll(
  statements: SqliteStatements,
  requests: readonly AppendRequest[],
  now: number,
  sequences: SqliteSequenceCache,
): AppendOutcome[] {
  let rows = 0;
  for (const request of requests) rows += request.events.length;
  const batch = new BatchRows(statements, now, sequences, Math.min(rows, INSERT_CHUNK));
  // One call per request, not one loop over all: a small function that V8 optimizes after a few
  // requests, again soon after a collection discards optimized code (one loop body did not: 1.3x the
  // CPU per row in the rounds right after a forced collection).
  const outcomes = requests.map(batch.add);
  batch.finish();
  return outcomes;
}

/** The rows of one batch, checked request by request and inserted chunk by chunk. */
class BatchRows {
  readonly #statements: SqliteStatements;
  readonly #now: number;
  readonly #sequences: SqliteSequenceCache;
  readonly #recordedAt: Date;
  readonly #written: Written[] = [];
  /** The values of the rows not yet inserted; as long as the largest chunk the batch can fill. */
  readonly #chunk: unknown[];
  #filled = 0;
  #lastPosition = 0n;
  // The events of one command usually share one metadata object: encode it once.
  #metadataOf: Metadata | undefined;
  #text = "";

  constructor(statements: SqliteStatements, now: number, sequences: SqliteSequenceCache, chunkRows: number) {
    this.#chunk = new Array<unknown>(chunkRows * EVENT_PARAMETERS);
    this.#statements = statements;
    this.#now = now;
    this.#sequences = sequences;
    this.#recordedAt = new Date(now);
  }

  readonly add = (request: AppendRequest): AppendOutcome => {
    const { aggregateType, aggregateId, expectedSequence, events } = request;
    const key = streamKey(aggregateType, aggregateId);
    const actualSequence =
      this.#sequences.get(key) ?? currentSequence(this.#statements, aggregateType, aggregateId);
    if (actualSequence !== expectedSequence)
      return err({ aggregateType, aggregateId, expectedSequence, actualSequence });
    this.#sequences.set(key, actualSequence + events.length);
    const stored: StoredEvent[] = [];
    for (let index = 0; index < events.length; index++)
      stored.push(
        this.#row(request, events[index] as AppendRequest["events"][number], actualSequence + 1, index),
      );
    return ok(stored);
  };

  #row(
    { aggregateType, aggregateId, commandId }: AppendRequest,
    { eventType, eventVersion = 1, payload, metadata }: AppendRequest["events"][number],
    commitStart: number,
    index: number,
  ): StoredEvent {
    if (metadata !== this.#metadataOf) {
      this.#metadataOf = metadata;
      this.#text = metadataText(metadata);
    }
    const sequence = commitStart + index;
    const eventId = newEventId();
    const recordedAt = this.#recordedAt;
    const event: Written =
      commandId === undefined
        ? {
            aggregateType,
            aggregateId,
            sequence,
            position: 0n,
            commitStart,
            eventId,
            eventType,
            eventVersion,
            payload,
            metadata,
            recordedAt,
          }
        : {
            aggregateType,
            aggregateId,
            sequence,
            position: 0n,
            commitStart,
            eventId,
            eventType,
            eventVersion,
            payload,
            metadata,
            recordedAt,
            commandId,
          };
    this.#written.push(event);
    const chunk = this.#chunk;
    const at = this.#filled * EVENT_PARAMETERS;
    chunk[at] = aggregateType;
    chunk[at + 1] = aggregateId;
    chunk[at + 2] = sequence;
    chunk[at + 3] = commitStart;
    chunk[at + 4] = eventId;
    chunk[at + 5] = eventType;
    chunk[at + 6] = eventVersion;
    chunk[at + 7] = payload;
    chunk[at + 8] = this.#text;
    chunk[at + 9] = this.#now;
    chunk[at + 10] = commandId ?? null;
    if (++this.#filled === INSERT_CHUNK) {
      this.#lastPosition = insertRows(this.#statements, chunk, INSERT_CHUNK);
      this.#filled = 0;
    }
    return event;
  }

  /** Inserts the rows still held, then gives every written event its position. */
  finish(): void {
    const filled = this.#filled;
    // The rest in chunks of powers of two: a connection prepares a handful of statements, not one per size.
    for (let offset = 0, size = INSERT_CHUNK / 2; offset < filled; size /= 2) {
      if (filled - offset < size) continue;
      const chunk = this.#chunk;
      const values =
        offset === 0 && size * EVENT_PARAMETERS === chunk.length
          ? chunk
          : chunk.slice(offset * EVENT_PARAMETERS, (offset + size) * EVENT_PARAMETERS);
      this.#lastPosition = insertRows(this.#statements, values, size);
      offset += size;
    }
    this.#filled = 0;
    const written = this.#written;
    if (written.length === 0) return;
    const first = this.#lastPosition - BigInt(written.length) + 1n;
    // SQLite documents only "larger than any before" for an AUTOINCREMENT key; it gives one more, row
    // after row. Checked, not assumed: the batch's rows have increasing positions and the last one is
    // `#lastPosition`, so they are exactly first..last when the first row is at `first` (one lookup by
    // key per batch of two rows or more). Otherwise the batch fails whole, and nothing of it is written.
    if (written.length > 1) {
      const found = this.#statements.eventIdAt.get(first) as { event_id: unknown } | undefined;
      if (found?.event_id !== (written[0] as Written).eventId)
        throw new Error(
          `the SQLite store's ${written.length} new events did not get consecutive positions ending at ${this.#lastPosition}`,
        );
    }
    for (let i = 0; i < written.length; i++) (written[i] as Written).position = first + BigInt(i);
  }
}

/** Inserts `rows` rows whose values fill `parameters`; answers the last row's position. */
function insertRows(statements: SqliteStatements, parameters: unknown[], rows: number): bigint {
  const { changes, lastInsertRowid } = statements.insertEvents(rows).run(parameters);
  if (changes !== rows) throw new Error(`the SQLite store inserted ${changes} rows of ${rows}`);
  return BigInt(lastInsertRowid);
}
