/**
 * The frame of every page and the small formatting helpers the pages share.
 */
import type { StoredEvent } from "../core/event-store.js";
import { type Html, type HtmlValue, html, query } from "./html.js";

/** A whole page: title, navigation and body; styles and scripts come from /assets only (see the CSP). */
export function layout(title: string, body: HtmlValue, options: { script?: boolean } = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · eventsourcing</title>
<link rel="stylesheet" href="/assets/browser.css">
${options.script === true ? html`<script src="/assets/browser.js" defer></script>` : ""}
</head>
<body>
<header><strong>eventsourcing</strong>
<nav><a href="/streams">Streams</a> <a href="/log">Live log</a> <a href="/queries">Queries</a> <a href="/types">Event types</a></nav>
</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`.toString();
}

/** The link to a stream's page. */
export function streamHref(
  aggregateType: string,
  aggregateId: string,
  extra: Record<string, string> = {},
): string {
  return `/stream${query({ type: aggregateType, id: aggregateId, ...extra })}`;
}

/** The stored payload text, indented when it is JSON. */
export function prettyPayload(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

/** Any value as indented JSON text (bigint as a string, Map and Set as arrays), for a state. */
export function prettyValue(value: unknown): string {
  try {
    return (
      JSON.stringify(
        value,
        (_key, v: unknown) =>
          typeof v === "bigint"
            ? v.toString()
            : v instanceof Map
              ? [...v]
              : v instanceof Set
                ? [...v]
                : v === undefined
                  ? null
                  : v,
        2,
      ) ?? "undefined"
    );
  } catch (error) {
    return `(cannot be shown: ${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Metadata as a definition list; correlation and causation ids link to the related events. */
export function metadataList(metadata: StoredEvent["metadata"]): Html {
  const entries = Object.entries(metadata);
  if (entries.length === 0) return html`<span class="muted">none</span>`;
  return html`<dl class="metadata">${entries.map(
    ([key, value]) =>
      html`<dt>${key}</dt><dd>${
        key === "correlationId" || key === "causationId"
          ? html`<a href="/related${query({ id: value })}">${value}</a>`
          : value
      }</dd>`,
  )}</dl>`;
}

/** The event as a table row of the stream and log tables. */
export function eventRow(event: StoredEvent, options: { stream: boolean }): Html {
  return html`<tr id="${`seq-${event.sequence}`}">
<td>${options.stream ? event.sequence : html`<a href="${streamHref(event.aggregateType, event.aggregateId)}#seq-${event.sequence}">${event.aggregateType} / ${event.aggregateId} #${event.sequence}</a>`}</td>
<td class="type">${event.eventType}</td>
<td>${event.eventVersion}</td>
<td>${event.position}</td>
<td><time>${event.recordedAt.toISOString()}</time></td>
<td>${metadataList(event.metadata)}</td>
<td><details open><summary>payload</summary><pre class="payload">${prettyPayload(event.payload)}</pre></details>
<div class="muted small">event id <code>${event.eventId}</code></div></td>
</tr>`;
}

/** Says how far the counts go while a large store's first count is under way; nothing once complete. */
export function countingNote(progress: { complete: boolean; counted: bigint; head: bigint }): Html | string {
  if (progress.complete) return "";
  const percent = progress.head > 0n ? Number((progress.counted * 100n) / progress.head) : 100;
  return html`<p class="muted counting">Counting the log once: these counts cover positions up to ${progress.counted} of ${progress.head} (${percent}%). Reload for more.</p>`;
}

/** The header of {@link eventRow}'s table. */
export function eventTableHead(options: { stream: boolean }): Html {
  return html`<thead><tr><th>${options.stream ? "Sequence" : "Stream"}</th><th>Type</th><th>Version</th><th>Position</th><th>Recorded</th><th>Metadata</th><th>Payload</th></tr></thead>`;
}
