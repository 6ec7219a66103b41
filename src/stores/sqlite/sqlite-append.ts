/**
 * Appending a batch inside one write transaction: each request is checked against the end of its
 * stream and written, or refused alone with the sequence the stream really has.
 */

import { newEventId, streamKey } from "../../core/event-id.js";
import type { AppendOutcome, AppendRequest, StoredEvent } from "../../core/event-store.js";
import { err, ok } from "../../core/result.js";
import type { Metadata } from "../../core/types.js";
import { metadataText } from "./sqlite-rows.js";
import type { SqliteSequenceCache } from "./sqlite-sequence-cache.js";
import type { SqliteStatements } from "./sqlite-statements.js";

/** The last sequence of the aggregate's stream, 0 when it has none. */
export function currentSequence(
  statements: SqliteStatements,
  aggregateType: string,
  aggregateId: string,
): number {
  return (statements.currentSequence.get(aggregateType, aggregateId) as { sequence: number }).sequence;
}

/**
 * Writes every request whose stream ends at its expected sequence; must run inside a write transaction,
 * where no other connection can append in between the check and the insert.
 */
export function appendAll(
  statements: SqliteStatements,
  requests: readonly AppendRequest[],
  now: number,
  sequences?: SqliteSequenceCache,
): AppendOutcome[] {
  // The events of one command usually share one metadata object: encode it once.
  let metadataOf: Metadata | undefined;
  let text = "";
  const encode = (metadata: Metadata) => {
    if (metadata !== metadataOf) {
      metadataOf = metadata;
      text = metadataText(metadata);
    }
    return text;
  };
  return requests.map(
    ({ aggregateType, aggregateId, expectedSequence, events, commandId }): AppendOutcome => {
      const key = streamKey(aggregateType, aggregateId);
      const actualSequence = sequences?.get(key) ?? currentSequence(statements, aggregateType, aggregateId);
      if (actualSequence !== expectedSequence)
        return err({ aggregateType, aggregateId, expectedSequence, actualSequence });
      const commitStart = actualSequence + 1;
      sequences?.set(key, actualSequence + events.length);
      return ok(
        events.map(({ eventType, eventVersion = 1, payload, metadata }, index): StoredEvent => {
          const sequence = commitStart + index;
          const eventId = newEventId();
          const { lastInsertRowid } = statements.insertEvent.run(
            aggregateType,
            aggregateId,
            sequence,
            commitStart,
            eventId,
            eventType,
            eventVersion,
            payload,
            encode(metadata),
            now,
            commandId ?? null,
          );
          const position = BigInt(lastInsertRowid);
          const recordedAt = new Date(now);
          const stored: StoredEvent = {
            aggregateType,
            aggregateId,
            sequence,
            position,
            commitStart,
            eventId,
            eventType,
            eventVersion,
            payload,
            metadata,
            recordedAt,
          };
          return commandId === undefined ? stored : { ...stored, commandId };
        }),
      );
    },
  );
}
