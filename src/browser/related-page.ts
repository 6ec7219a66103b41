/**
 * Events related by an id: the event with that `eventId`, and those whose metadata names it as
 * `correlationId` or `causationId`. The log has no index on metadata, so the page searches the most
 * recent part of it and says how far it looked.
 */
import type { StoredEvent } from "../core/event-store.js";
import type { BrowserReader } from "./browser-reader.js";
import { html } from "./html.js";
import { eventRow, eventTableHead, layout } from "./layout.js";

/** How many of the latest events the search reads. */
export const RELATED_WINDOW = 100_000;
const PAGE = 5_000;

/** Renders the related events of `id`. */
export async function relatedPage(reader: BrowserReader, id: string): Promise<string> {
  const byId = await reader.eventById(id);
  const head = await reader.headPosition();
  const matches = (event: StoredEvent) =>
    event.eventId === id || event.metadata.correlationId === id || event.metadata.causationId === id;
  const found: StoredEvent[] = [];
  let searched = 0;
  // Backwards from the head, page by page, where the store reads back (positions may skip numbers,
  // by far on PostgreSQL, so the window is counted in events, not positions).
  let before = head + 1n;
  let back = await reader.eventsBefore(before, PAGE);
  while (back !== undefined) {
    for (let i = back.length - 1; i >= 0 && searched < RELATED_WINDOW; i--) {
      const event = back[i] as StoredEvent;
      searched++;
      if (matches(event)) found.unshift(event);
    }
    const first = back[0];
    if (back.length < PAGE || first === undefined || searched >= RELATED_WINDOW) break;
    before = first.position;
    back = await reader.eventsBefore(before, PAGE);
  }
  // Else forwards through the head's last window of positions (consecutive in such stores).
  let position = head > BigInt(RELATED_WINDOW) ? head - BigInt(RELATED_WINDOW) : 0n;
  while (back === undefined) {
    const page = await reader.readLog(position, PAGE);
    for (const event of page) {
      if (event.position > head) break;
      searched++;
      if (matches(event)) found.push(event);
    }
    const last = page[page.length - 1];
    if (page.length < PAGE || last === undefined || last.position >= head) break;
    position = last.position;
  }
  if (byId !== undefined && byId !== null) found.unshift(byId);
  return layout(
    "Related events",
    html`<p>Events whose id, correlationId or causationId is <code>${id}</code> (searched the latest ${searched} events).</p>
${
  found.length === 0
    ? html`<p class="muted">None found.</p>`
    : html`<table class="events">${eventTableHead({ stream: false })}<tbody>${found.map((event) => eventRow(event, { stream: false }))}</tbody></table>`
}`,
  );
}
