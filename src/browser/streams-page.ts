/**
 * The streams page: aggregate types with their counts, then stream ids filtered by type and id prefix,
 * paged by keyset (the last type and id of a page start the next).
 */
import type { BrowserReader } from "./browser-reader.js";
import { html, query } from "./html.js";
import { countingNote, layout, streamHref } from "./layout.js";

/** Streams per page. */
export const STREAMS_PAGE = 50;

/** What the streams page was asked for (from its query string). */
export interface StreamsRequest {
  readonly type?: string;
  readonly prefix?: string;
  readonly afterType?: string;
  readonly afterId?: string;
}

/** Renders the streams page. */
export async function streamsPage(reader: BrowserReader, request: StreamsRequest): Promise<string> {
  const type = request.type || undefined;
  const prefix = request.prefix || undefined;
  const after =
    request.afterType !== undefined && request.afterId !== undefined
      ? { aggregateType: request.afterType, aggregateId: request.afterId }
      : undefined;
  const [counted, streams] = await Promise.all([
    reader.streamTypes(),
    reader.streams({ aggregateType: type, prefix, after, limit: STREAMS_PAGE + 1 }),
  ]);
  const types = counted.items;
  const shown = streams.slice(0, STREAMS_PAGE);
  const last = shown[shown.length - 1];
  const next =
    streams.length > STREAMS_PAGE && last !== undefined
      ? `/streams${query({ type, prefix, afterType: last.aggregateType, afterId: last.aggregateId })}`
      : null;

  return layout(
    "Streams",
    html`<section>
<h2>Aggregate types</h2>
${countingNote(counted)}
${
  types.length === 0
    ? html`<p class="muted">The store holds no events yet.</p>`
    : html`<table class="types"><thead><tr><th>Aggregate type</th><th>Streams</th><th>Events</th></tr></thead><tbody>
${types.map(
  (t) =>
    html`<tr><td><a href="/streams${query({ type: t.aggregateType, prefix })}">${t.aggregateType}</a></td><td>${t.streams}</td><td>${t.events}</td></tr>`,
)}</tbody></table>`
}
</section>
<section>
<h2>Streams</h2>
<form method="get" action="/streams" class="search">
<label>Type <select name="type"><option value="">every type</option>${types.map(
      (t) =>
        html`<option value="${t.aggregateType}"${t.aggregateType === type ? html` selected` : ""}>${t.aggregateType}</option>`,
    )}</select></label>
<label>Id starts with <input type="search" name="prefix" value="${prefix ?? ""}" autocomplete="off"></label>
<button type="submit">Search</button>
</form>
${
  shown.length === 0
    ? html`<p class="muted" id="no-streams">No stream matches.</p>`
    : html`<table class="streams"><thead><tr><th>Aggregate type</th><th>Aggregate id</th><th>Events</th><th>Last sequence</th></tr></thead><tbody>
${shown.map(
  (s) =>
    html`<tr><td>${s.aggregateType}</td><td><a class="stream-link" href="${streamHref(s.aggregateType, s.aggregateId)}">${s.aggregateId}</a></td><td>${s.eventCount}</td><td>${s.lastSequence}</td></tr>`,
)}</tbody></table>`
}
<p class="pager">${after !== undefined ? html`<a href="/streams${query({ type, prefix })}">First page</a> ` : ""}${
      next !== null ? html`<a href="${next}" rel="next">Next page</a>` : ""
    }</p>
</section>`,
  );
}
