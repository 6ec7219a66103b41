/**
 * What the command line prints: events as NDJSON lines with the envelope's field names (also the
 * export format), and aligned columns for people. Writes wait for the stream to drain, so a large
 * output runs in constant memory.
 */
import type { Writable } from "node:stream";
import type { StoredEvent } from "../core/event-store.js";
import { UsageError } from "./errors.js";

/** Lines to a stream, buffered, waiting for it to drain when its buffer is full. */
export class LineWriter {
  readonly #stream: Writable;
  #buffer: string[] = [];
  #size = 0;

  constructor(stream: Writable) {
    this.#stream = stream;
  }

  /** Adds a line; resolves at once unless the buffer had to be written out and the stream is full. */
  async line(text: string): Promise<void> {
    this.#buffer.push(text);
    this.#size += text.length + 1;
    if (this.#size >= 65_536) await this.flush();
  }

  /** Writes what is buffered and waits until the stream takes more. */
  async flush(): Promise<void> {
    if (this.#buffer.length === 0) return;
    const chunk = `${this.#buffer.join("\n")}\n`;
    this.#buffer = [];
    this.#size = 0;
    if (!this.#stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          this.#stream.off("drain", drained);
          this.#stream.off("error", done);
          if (error) reject(error);
          else resolve();
        };
        const drained = () => done();
        this.#stream.once("drain", drained);
        this.#stream.once("error", done);
      });
    }
  }
}

/**
 * An event as one JSON line: `aggregateType`, `aggregateId`, `sequence`, `position` (a string),
 * `commitStart`, `eventId`, `eventType`, `eventVersion`, `payload` (the stored JSON value), `metadata`,
 * `recordedAt` (ISO 8601); `commandId`, the id of the command whose commit wrote it (omitted when it has
 * none); and `payloadText`, the stored text, when it is not what `JSON.stringify`
 * gives for the value (so that an import writes back the very same text).
 */
export function eventLine(event: StoredEvent): string {
  let payload: string;
  let payloadText = "";
  try {
    payload = JSON.stringify(JSON.parse(event.payload));
    if (payload !== event.payload) payloadText = `,"payloadText":${JSON.stringify(event.payload)}`;
  } catch {
    // Text that is not JSON (a custom codec on a store that allowed it): carried as text only.
    payload = "null";
    payloadText = `,"payloadText":${JSON.stringify(event.payload)}`;
  }
  return (
    `{"aggregateType":${JSON.stringify(event.aggregateType)},"aggregateId":${JSON.stringify(event.aggregateId)},` +
    `"sequence":${event.sequence},"position":"${event.position}","commitStart":${event.commitStart},` +
    `"eventId":${JSON.stringify(event.eventId)},"eventType":${JSON.stringify(event.eventType)},` +
    `"eventVersion":${event.eventVersion},"payload":${payload}${payloadText},` +
    `"metadata":${JSON.stringify(event.metadata)},"recordedAt":"${event.recordedAt.toISOString()}"` +
    `${event.commandId === undefined ? "" : `,"commandId":${JSON.stringify(event.commandId)}`}}`
  );
}

/**
 * An event for people: position, stream and sequence, time, type and version, payload, metadata, and
 * the command id of its commit when it has one; control characters {@link shown} escaped.
 */
export function eventText(event: StoredEvent): string {
  const metadata = Object.keys(event.metadata).length > 0 ? `  ${JSON.stringify(event.metadata)}` : "";
  return shown(
    `${String(event.position).padStart(8)}  ${event.recordedAt.toISOString()}  ` +
      `${event.aggregateType}/${event.aggregateId} #${event.sequence}  ${event.eventType} v${event.eventVersion}  ` +
      `${event.payload}${metadata}${event.commandId === undefined ? "" : `  command ${JSON.stringify(event.commandId)}`}`,
  );
}

/** Control characters (C0, DEL, C1) and the bidirectional overrides and isolates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` safe to print for people: every control character (C0, DEL, C1) and every bidirectional
 * override or isolate (U+202A-202E, U+2066-2069) written as an escape (`\n`, `\x1b`, `\u202e`), so that
 * an id or type cannot move the cursor, recolour the terminal, split a row or reorder what follows.
 */
export function shown(text: string): string {
  return text.replace(UNSAFE, (character) => {
    const named = NAMED[character];
    if (named !== undefined) return named;
    const code = character.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Rows as aligned columns under a header, every cell {@link shown}. */
export function table(header: readonly string[], unsafeRows: readonly (readonly string[])[]): string[] {
  const rows = unsafeRows.map((row) => row.map(shown));
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const format = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [format(header), ...rows.map(format)];
}

/** The largest sequence, version or count an option takes: what a store's 32-bit integer columns hold. */
export const MAX_OPTION_INTEGER = 2 ** 31 - 1;
/** The largest log position: what a store's 64-bit signed integer column holds. */
export const MAX_OPTION_POSITION = 2n ** 63n - 1n;

/**
 * An integer option from `minimum` to `maximum` (by default 2^31-1, the largest sequence a store
 * holds), or a usage error naming the flag and both bounds.
 */
export function integerOption(
  value: string | undefined,
  flag: string,
  minimum = 0,
  maximum = MAX_OPTION_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < minimum || Number(value) > maximum) {
    throw new UsageError(
      `${flag} must be an integer from ${minimum} to ${maximum}, got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return Number(value);
}

/** A position option (an integer from 0 to 2^63-1, what a store holds), or a usage error naming the flag. */
export function positionOption(value: string | undefined, flag: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || BigInt(value) > MAX_OPTION_POSITION) {
    throw new UsageError(
      `${flag} must be a position, an integer from 0 to ${MAX_OPTION_POSITION}, got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return BigInt(value);
}
