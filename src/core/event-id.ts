import { randomFillSync } from "node:crypto";
import { v7 } from "uuid";

/**
 * Random bytes drawn 16 KiB at a time: the `uuid` package's own pool holds 256 bytes, so that one
 * `randomFillSync` call (which costs tens of microseconds here) served only 16 ids, and each id
 * allocated two typed arrays; on the hot path that was most of an append's cost.
 */
const pool = new Uint8Array(16_384);
let drawn = pool.length;
const random = new Uint8Array(16);
const bytes = new Uint8Array(16);
/** The ASCII codes of each byte's two hex digits. */
const HIGH = Uint8Array.from({ length: 256 }, (_, byte) => "0123456789abcdef".charCodeAt(byte >> 4));
const LOW = Uint8Array.from({ length: 256 }, (_, byte) => "0123456789abcdef".charCodeAt(byte & 15));
/** Where each of the 16 bytes goes in the 36 characters of the text form. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
/** The text form, written in place and read as one flat string (no string pieces per id). */
const text = Buffer.from("00000000-0000-0000-0000-000000000000", "latin1");
/** The options of each `v7` call, reused: the time and a counter kept the way `uuid` keeps them. */
const state = { random, msecs: Number.NEGATIVE_INFINITY, seq: 0 };

/**
 * A new event id: a UUID v7, so that ids sort by the time they were made (and, within one millisecond
 * of one process, by the order they were made). Every store assigns one to each event it writes.
 *
 * @example
 * ```ts
 * newEventId(); // "0192f5a4-3c1e-7b2a-9d4e-5f6a7b8c9d0e"
 * ```
 */
export function newEventId(): string {
  if (drawn === pool.length) {
    randomFillSync(pool);
    drawn = 0;
  }
  for (let i = 0; i < 16; i++) random[i] = pool[drawn++] as number;
  const now = Date.now();
  if (now > state.msecs) {
    state.msecs = now;
    state.seq =
      ((random[6] as number) << 23) |
      ((random[7] as number) << 16) |
      ((random[8] as number) << 8) |
      (random[9] as number);
  } else {
    state.seq = (state.seq + 1) | 0;
    if (state.seq === 0) state.msecs++;
  }
  v7(state, bytes);
  for (let i = 0; i < 16; i++) {
    const byte = bytes[i] as number;
    const at = AT[i] as number;
    text[at] = HIGH[byte] as number;
    text[at + 1] = LOW[byte] as number;
  }
  return text.toString("latin1", 0, 36);
}

/**
 * The key of a stream (aggregateType, aggregateId) in a map. Aggregate types never hold `\u0000` (the
 * configuration refuses it), so two different streams never share a key.
 *
 * @example
 * ```ts
 * streamKey("order", "1"); // "order\u00001"
 * ```
 */
export function streamKey(aggregateType: string, aggregateId: string): string {
  return `${aggregateType}\u0000${aggregateId}`;
}
