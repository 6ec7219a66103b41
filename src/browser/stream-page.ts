/**
 * One stream's page: its events oldest first, 1,000 at a time, and, when a running system of its
 * aggregate type was given, the aggregate's state at a chosen sequence.
 */

import type { BrowserSystem } from "./browser-options.js";
import type { BrowserReader } from "./browser-reader.js";
import { type Html, html } from "./html.js";
import { eventRow, eventTableHead, layout, prettyValue, streamHref } from "./layout.js";

/** Events per stream page. */
export const EVENTS_PAGE = 1_000;

/** What the stream page was asked for. */
export interface StreamRequest {
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** Show events after this sequence (paging). */
  readonly after: number;
  /** Show the state at this sequence, when a system is given. */
  readonly at: number | null;
}

/** Renders a stream's page; `null` when the stream has no events (a 404). */
export async function streamPage(
  reader: BrowserReader,
  // biome-ignore lint/suspicious/noExplicitAny: systems of any state and event types
  systems: readonly BrowserSystem<any, any>[],
  request: StreamRequest,
): Promise<string | null> {
  const { aggregateType, aggregateId, after } = request;
  const events = await reader.readStream(aggregateType, aggregateId, after, EVENTS_PAGE + 1);
  if (events.length === 0 && after === 0) return null;
  const shown = events.slice(0, EVENTS_PAGE);
  const last = shown[shown.length - 1];
  const system = systems.find((s) => (s.config.aggregateType ?? "default") === aggregateType);

  return layout(
    `${aggregateType} / ${aggregateId}`,
    html`<p><a href="/streams?type=${encodeURIComponent(aggregateType)}">All ${aggregateType} streams</a></p>
${system !== undefined ? await stateSection(system, request) : ""}
<section>
<h2>Events${after > 0 ? html` after sequence ${after}` : ""}</h2>
<table class="events">${eventTableHead({ stream: true })}<tbody>
${shown.map((event) => eventRow(event, { stream: true }))}
</tbody></table>
<p class="pager">${after > 0 ? html`<a href="${streamHref(aggregateType, aggregateId)}">First events</a> ` : ""}${
      events.length > EVENTS_PAGE && last !== undefined
        ? html`<a rel="next" href="${streamHref(aggregateType, aggregateId, { after: String(last.sequence) })}">Next ${EVENTS_PAGE} events</a>`
        : ""
    }</p>
</section>`,
  );
}

async function stateSection(
  // biome-ignore lint/suspicious/noExplicitAny: a system of any state and event types
  { config, system }: BrowserSystem<any, any>,
  request: StreamRequest,
): Promise<Html> {
  const loaded = await system.loadEvents(request.aggregateId);
  if (!loaded.ok)
    return html`<section class="state"><h2>State</h2><p class="error">Cannot load the events: ${loaded.error.type}</p></section>`;
  const envelopes = loaded.value;
  const lastSequence = envelopes[envelopes.length - 1]?.sequence ?? 0;
  const at = request.at === null ? lastSequence : Math.min(Math.max(request.at, 0), lastSequence);
  let state: unknown = config.emptyState;
  let failure: string | null = null;
  try {
    for (const envelope of envelopes) {
      if (envelope.sequence > at) break;
      state = config.apply(state, envelope.event);
    }
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  return html`<section class="state">
<h2>State at sequence ${at}</h2>
<form method="get" action="/stream" class="search"><input type="hidden" name="type" value="${request.aggregateType}"><input type="hidden" name="id" value="${request.aggregateId}"><label>Sequence <input type="number" name="at" min="0" max="${lastSequence}" value="${at}"></label> <button type="submit">Show</button></form>
${
  failure !== null
    ? html`<p class="error">apply threw: ${failure}</p>`
    : html`<pre class="state-value">${prettyValue(state)}</pre>`
}
<p class="muted small">Replayed with the system's own apply over its upcast events.</p>
</section>`;
}
