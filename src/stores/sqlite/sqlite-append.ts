/**
 * Appending a batch inside one write transaction: each request is checked against the end of its
 * stream and written, or refused alone with the sequence the stream really has.
 */
import type { AppendOutcome, AppendRequest, StoredEvent } from "../../core/event-store.js";
import { err, ok } from "../../core/result.js";
import type { Metadata } from "../../core/types.js";
import { metadataText } from "./sqlite-rows.js";
import type { SqliteSequenceCache } from "./sqlite-sequence-cache.js";
import type { SqliteStatements } from "./sqlite-statements.js";

/** The last sequence of the aggregate's stream, 0 when it has none. */
export function currentSequence(statements: SqliteStatements, aggregateId: string): number {
  return (statements.currentSequence.get(aggregateId) as { sequence: number }).sequence;
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
  return requests.map(({ aggregateId, expectedSequence, events }): AppendOutcome => {
    const actualSequence = sequences?.get(aggregateId) ?? currentSequence(statements, aggregateId);
    if (actualSequence !== expectedSequence) return err({ aggregateId, expectedSequence, actualSequence });
    const commitStart = actualSequence + 1;
    sequences?.set(aggregateId, actualSequence + events.length);
    return ok(
      events.map(({ eventType, payload, metadata }, index): StoredEvent => {
        const sequence = commitStart + index;
        const { lastInsertRowid } = statements.insertEvent.run(
          aggregateId,
          sequence,
          commitStart,
          eventType,
          payload,
          encode(metadata),
          now,
        );
        const position = BigInt(lastInsertRowid);
        const recordedAt = new Date(now);
        return { aggregateId, sequence, position, commitStart, eventType, payload, metadata, recordedAt };
      }),
    );
  });
}
