/**
 * The global log: the last events, then new commits pushed by server-sent events (`/log/live`),
 * rendered by /assets/browser.js with text nodes only.
 */
import type { SSEStreamingApi } from "hono/streaming";
import type { StoredEvent } from "../core/event-store.js";
import type { BrowserReader } from "./browser-reader.js";
import { html } from "./html.js";
import { eventRow, eventTableHead, layout } from "./layout.js";

/** Events shown when the page opens. */
export const LOG_TAIL = 50;
/** Events read per step of the live stream. */
const LIVE_BATCH = 1_000;
/** The live stream also polls, for stores that do not announce appends (or another process's). */
const POLL_MS = 500;

/** Renders the log page. */
export async function logPage(reader: BrowserReader): Promise<string> {
  const events = await reader.lastEvents(LOG_TAIL);
  const head = events[events.length - 1]?.position ?? (await reader.headPosition());
  return layout(
    "Live log",
    html`<p class="live-bar"><button type="button" id="pause">Pause</button> <span id="live-status" class="muted">connecting…</span> <span id="received">0</span> new events</p>
<table class="events" id="log" data-after="${head}">${eventTableHead({ stream: false })}<tbody id="log-body">
${[...events].reverse().map((event) => eventRow(event, { stream: false }))}
</tbody></table>`,
    { script: true },
  );
}

/** The JSON an event travels as to the page: every field as text or number. */
export function eventJson(event: StoredEvent): Record<string, unknown> {
  return {
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    eventId: event.eventId,
    sequence: event.sequence,
    position: event.position.toString(),
    eventType: event.eventType,
    eventVersion: event.eventVersion,
    recordedAt: event.recordedAt.toISOString(),
    metadata: event.metadata,
    payload: event.payload,
  };
}

/**
 * Sends every event after `after` as it is committed, in batches (one SSE message per read), until
 * the client leaves or the server closes.
 */
export async function streamLog(
  reader: BrowserReader,
  stream: SSEStreamingApi,
  after: bigint,
  closed: AbortSignal,
): Promise<void> {
  let position = after;
  let wake: (() => void) | null = null;
  const nudge = () => {
    wake?.();
  };
  const unsubscribe = reader.onAppend(nudge);
  stream.onAbort(nudge);
  closed.addEventListener("abort", nudge);
  try {
    await stream.writeSSE({ event: "ready", data: position.toString() });
    while (!stream.aborted && !stream.closed && !closed.aborted) {
      const events = await reader.readLog(position, LIVE_BATCH);
      if (events.length > 0) {
        position = events[events.length - 1]?.position ?? position;
        await stream.writeSSE({
          event: "events",
          data: JSON.stringify(events.map(eventJson)),
          id: position.toString(),
        });
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    unsubscribe();
    closed.removeEventListener("abort", nudge);
  }
}
