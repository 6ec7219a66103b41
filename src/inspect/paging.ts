/**
 * Keyset paging shared by the stores' inspectors: walking streams in `(aggregateType, aggregateId)`
 * order by index seeks (one seek per stream on the page, never a scan of the streams before it), and
 * merging per-type index ranges of the log by position.
 */
import type { StoredEvent } from "../core/event-store.js";
import type { ListStreamsOptions, StreamSummary } from "./inspector.js";

/** The index seeks a store answers for {@link listStreamsBySeeks}. */
/** One stream found by a seek: its id, last sequence and last position. */
export interface StreamEnd {
  readonly aggregateId: string;
  readonly lastSequence: number;
  readonly lastPosition: bigint;
}

export interface StreamSeeks {
  /** The first aggregate type after `after` (`null`: the first of all), or `null` when none. */
  nextType(after: string | null): Promise<string | null>;
  /**
   * The first stream of `type` whose id is after `from` (or equal to it when `inclusive`), with its
   * last sequence and position, or `null` when none.
   */
  nextStream(type: string, from: string, inclusive: boolean): Promise<StreamEnd | null>;
  /**
   * Optional: up to `limit` streams of `type` from `from` on whose ids start with `prefix`, in id order,
   * in one round trip (a networked store walks the index on the server). Without it, one
   * {@link nextStream} per stream.
   */
  nextStreams?(
    type: string,
    from: string,
    inclusive: boolean,
    prefix: string,
    limit: number,
  ): Promise<StreamEnd[]>;
}

/** Up to `limit` streams of `type` from `from` on, starting with `prefix`, one seek each. */
async function streamsOneByOne(
  seeks: StreamSeeks,
  type: string,
  from: string,
  inclusive: boolean,
  prefix: string,
  limit: number,
): Promise<StreamEnd[]> {
  const found: StreamEnd[] = [];
  let at = from;
  let including = inclusive;
  while (found.length < limit) {
    const next = await seeks.nextStream(type, at, including);
    if (next === null || !next.aggregateId.startsWith(prefix)) break;
    found.push(next);
    at = next.aggregateId;
    including = false;
  }
  return found;
}

/** Checks the page size of a listing: a positive safe integer. */
export function checkLimit(limit: number, what: string): void {
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new RangeError(`${what}: limit must be a positive integer, got ${String(limit)}`);
  }
}

/** One page of streams, found by one seek per stream (plus one per aggregate type passed). */
export async function listStreamsBySeeks(
  seeks: StreamSeeks,
  options: ListStreamsOptions,
): Promise<StreamSummary[]> {
  checkLimit(options.limit, "listStreams");
  const prefix = options.idPrefix ?? "";
  const { after, aggregateType: onlyType } = options;
  const found: StreamSummary[] = [];
  let type: string | null;
  let afterId: string | null = null;
  if (onlyType !== undefined) {
    if (after !== undefined && after.aggregateType > onlyType) return found;
    type = onlyType;
    if (after !== undefined && after.aggregateType === onlyType) afterId = after.aggregateId;
  } else if (after !== undefined) {
    type = after.aggregateType;
    afterId = after.aggregateId;
  } else {
    type = await seeks.nextType(null);
  }
  while (type !== null && found.length < options.limit) {
    const [from, inclusive] = afterId !== null && afterId >= prefix ? [afterId, false] : [prefix, true];
    const want = options.limit - found.length;
    const page =
      seeks.nextStreams !== undefined
        ? await seeks.nextStreams(type, from, inclusive, prefix, want)
        : await streamsOneByOne(seeks, type, from, inclusive, prefix, want);
    for (const stream of page) {
      found.push({
        aggregateType: type,
        aggregateId: stream.aggregateId,
        eventCount: stream.lastSequence,
        lastSequence: stream.lastSequence,
        lastPosition: stream.lastPosition,
      });
    }
    if (page.length === want) break;
    if (onlyType !== undefined) break;
    type = await seeks.nextType(type);
    afterId = null;
  }
  return found;
}

/** Every aggregate type, one seek each. */
export async function typesBySeeks(seeks: StreamSeeks): Promise<string[]> {
  const types: string[] = [];
  for (let type = await seeks.nextType(null); type !== null; type = await seeks.nextType(type))
    types.push(type);
  return types;
}

/** Per-type pages merged by position, ascending or descending, cut to `limit`. */
export function mergeByPosition(
  pages: readonly (readonly StoredEvent[])[],
  limit: number,
  descending: boolean,
): StoredEvent[] {
  const all = pages.flat();
  all.sort((a, b) => (a.position === b.position ? 0 : a.position < b.position !== descending ? -1 : 1));
  return all.slice(0, limit);
}

/** Whether a text is a UUID in its usual form (any version), so that a store typed `uuid` can take it. */
export function isUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}

/** Where an event sits, for messages: its stream and sequence. */
export function placeOf(event: { aggregateType: string; aggregateId: string; sequence: number }): string {
  return `${event.aggregateType}/${JSON.stringify(event.aggregateId)} sequence ${event.sequence}`;
}
