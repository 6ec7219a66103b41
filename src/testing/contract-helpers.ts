import type {
  AppendConflict,
  AppendOutcome,
  AppendRequest,
  EncodedEvent,
  EventStore,
  StoredEvent,
} from "../core/event-store.js";
import type { Metadata } from "../core/types.js";

/**
 * An event as the codec would give it: `data` as JSON text.
 *
 * @example
 * ```ts
 * encoded({ n: 1 }, { userId: "u-1" }); // { eventType: "Tested", payload: '{"n":1}', metadata: { userId: "u-1" } }
 * ```
 */
export function encoded(data: unknown, metadata: Metadata = {}, eventType = "Tested"): EncodedEvent {
  return { eventType, payload: JSON.stringify(data), metadata };
}

/**
 * An append request for the stream (aggregateType, aggregateId).
 *
 * @example
 * ```ts
 * await store.append([request("order", "1", 0, [encoded({ n: 1 })])]);
 * ```
 */
export function request(
  aggregateType: string,
  aggregateId: string,
  expectedSequence: number,
  events: readonly EncodedEvent[],
): AppendRequest {
  return { aggregateType, aggregateId, expectedSequence, events };
}

/**
 * The events of an outcome that must be a success; throws a readable error on a conflict.
 *
 * @example
 * ```ts
 * const [first] = appended((await store.append([request]))[0]);
 * ```
 */
export function appended(outcome: AppendOutcome | undefined): readonly StoredEvent[] {
  if (outcome === undefined) throw new Error("append gave fewer outcomes than requests");
  if (!outcome.ok)
    throw new Error(`expected the append to succeed, got a conflict: ${JSON.stringify(outcome.error)}`);
  return outcome.value;
}

/**
 * The conflict of an outcome that must be a conflict; throws a readable error on a success.
 *
 * @example
 * ```ts
 * conflictOf(outcome); // { aggregateType: "default", aggregateId: "a", expectedSequence: 1, actualSequence: 2 }
 * ```
 */
export function conflictOf(outcome: AppendOutcome | undefined): AppendConflict {
  if (outcome === undefined) throw new Error("append gave fewer outcomes than requests");
  if (outcome.ok)
    throw new Error(`expected a conflict, but the append wrote sequences ${sequencesOf(outcome.value)}`);
  return outcome.error;
}

/**
 * The whole global log, read page by page the way a catch-up reader follows positions.
 *
 * @example
 * ```ts
 * const log = await readLog(store, 3);
 * ```
 */
export async function readLog(store: EventStore, pageSize = 100): Promise<StoredEvent[]> {
  const log: StoredEvent[] = [];
  let after = 0n;
  for (;;) {
    const page = await store.readAll(after, pageSize);
    if (page.length === 0) return log;
    if (page.length > pageSize)
      throw new Error(`readAll returned ${page.length} events for limit ${pageSize}`);
    for (const event of page) {
      if (event.position <= after)
        throw new Error(`readAll after position ${after} returned position ${event.position}`);
      after = event.position;
      log.push(event);
    }
  }
}

/**
 * A stored event without its time, its payload parsed: what must round-trip exactly. PostgreSQL keeps
 * JSON, not its text, so payloads compare as JSON values.
 *
 * @example
 * ```ts
 * expect(read.map(summary)).toEqual(written.map(summary));
 * ```
 */
export function summary(event: StoredEvent): Record<string, unknown> {
  return {
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    sequence: event.sequence,
    position: event.position,
    commitStart: event.commitStart,
    eventId: event.eventId,
    eventType: event.eventType,
    eventVersion: event.eventVersion,
    payload: JSON.parse(event.payload),
    metadata: { ...event.metadata },
  };
}

/**
 * One append request's events as found in the global log.
 *
 * @example
 * ```ts
 * const commit: LoggedCommit = { aggregateId: "a", commitStart: 3, sequences: [3, 4] };
 * ```
 */
export interface LoggedCommit {
  readonly aggregateId: string;
  readonly commitStart: number;
  readonly sequences: readonly number[];
}

/**
 * Splits a global log into its commits: runs of events of one aggregate with one `commitStart`.
 *
 * @example
 * ```ts
 * commitsOf(await readLog(store)); // [{ aggregateId: "a", commitStart: 1, sequences: [1, 2] }, ...]
 * ```
 */
export function commitsOf(log: readonly StoredEvent[]): LoggedCommit[] {
  const commits: { aggregateId: string; commitStart: number; sequences: number[] }[] = [];
  for (const event of log) {
    const last = commits.at(-1);
    if (last && last.aggregateId === event.aggregateId && last.commitStart === event.commitStart)
      last.sequences.push(event.sequence);
    else
      commits.push({
        aggregateId: event.aggregateId,
        commitStart: event.commitStart,
        sequences: [event.sequence],
      });
  }
  return commits;
}

/**
 * Reads the aggregate's current sequence and appends `event` after it, again after each conflict.
 *
 * @example
 * ```ts
 * await appendWithRetry(store, "counter", encoded({ writer: 3 }));
 * ```
 */
export async function appendWithRetry(
  store: EventStore,
  aggregateId: string,
  event: EncodedEvent,
  maxAttempts = 1_000,
): Promise<readonly StoredEvent[]> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const expectedSequence = await store.currentSequence("default", aggregateId);
    const [outcome] = await store.append([
      { aggregateType: "default", aggregateId, expectedSequence, events: [event] },
    ]);
    if (outcome?.ok) return outcome.value;
  }
  throw new Error(`no append on ${JSON.stringify(aggregateId)} succeeded in ${maxAttempts} attempts`);
}

/**
 * Resolves once `condition()` holds, checking after each turn of the event loop and then every few
 * milliseconds; rejects naming `what` if it still does not hold after `timeoutMs`.
 *
 * @example
 * ```ts
 * await eventually(() => calls > 0, "the listener to be called");
 * ```
 */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let turn = 0; !condition(); turn++) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => (turn < 10 ? setImmediate(resolve) : setTimeout(resolve, 5)));
  }
}

/**
 * The sequences a commit must have: consecutive from its `commitStart`.
 *
 * @example
 * ```ts
 * consecutiveFrom({ aggregateId: "a", commitStart: 3, sequences: [3, 4] }); // [3, 4]
 * ```
 */
export function consecutiveFrom(commit: LoggedCommit): number[] {
  return commit.sequences.map((_, i) => commit.commitStart + i);
}

/**
 * Groups consecutive commits by the append call that wrote them (`sizes[i]` commits for call i), each
 * group sorted by aggregate id, so that the order of requests within one call does not matter.
 *
 * @example
 * ```ts
 * byCall(commitsOf(log), [1, 2]); // [[commit], [commit, commit]]
 * ```
 */
export function byCall(commits: readonly LoggedCommit[], sizes: readonly number[]): LoggedCommit[][] {
  const groups: LoggedCommit[][] = [];
  let next = 0;
  for (const size of sizes) {
    groups.push(
      commits
        .slice(next, next + size)
        .sort((x, y) => (x.aggregateId < y.aggregateId ? -1 : x.aggregateId > y.aggregateId ? 1 : 0)),
    );
    next += size;
  }
  if (next !== commits.length) groups.push(commits.slice(next));
  return groups;
}

function sequencesOf(events: readonly StoredEvent[]): string {
  return events.map((event) => event.sequence).join(", ");
}
