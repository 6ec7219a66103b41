/**
 * The event-type catalogue: each stored type with its count and the versions it was stored at.
 */
import type { BrowserReader } from "./browser-reader.js";
import { html } from "./html.js";
import { countingNote, layout } from "./layout.js";

/** Renders the catalogue. */
export async function typesPage(reader: BrowserReader): Promise<string> {
  const counted = await reader.eventTypes();
  const types = counted.items;
  return layout(
    "Event types",
    html`${countingNote(counted)}${
      types.length === 0
        ? html`<p class="muted">The store holds no events yet.</p>`
        : html`<table class="catalogue"><thead><tr><th>Event type</th><th>Count</th><th>Versions seen</th></tr></thead><tbody>
${types.map((t) => html`<tr><td class="type">${t.eventType}</td><td>${t.count}</td><td>${t.versions.join(", ")}</td></tr>`)}
</tbody></table>`
    }`,
  );
}
