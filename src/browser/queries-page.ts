/**
 * Named queries: each one's checkpoint, lag, holder and last error, from the store's checkpoints and
 * the running systems given from code. With writes enabled and a store that records reset requests,
 * a reset button leads to a confirmation page, whose form posts the request.
 */
import type { EventStore } from "../core/event-store.js";
import type { QueryStats } from "../core/types.js";
import type { BrowserSystem } from "./browser-options.js";
import type { BrowserReader } from "./browser-reader.js";
import { html, query } from "./html.js";
import { layout } from "./layout.js";

/** Lag is counted up to this many events. */
export const LAG_LIMIT = 10_000;

/** The optional store method that records a reset for whichever process runs the query. */
type ResettableStore = EventStore & { requestQueryReset?: (name: string) => Promise<unknown> };

/** The reset request of `store`, or `null` when it has none. */
export function queryReset(store: EventStore): ((name: string) => Promise<unknown>) | null {
  const reset = (store as ResettableStore).requestQueryReset;
  return typeof reset === "function" ? reset.bind(store) : null;
}

interface Row {
  name: string;
  checkpoint: bigint | null;
  /** The lock's holder as the store describes it. */
  holder: string | null;
  stats: QueryStats | null;
}

/** Renders the queries page. */
export async function queriesPage(
  reader: BrowserReader,
  store: EventStore | null,
  // biome-ignore lint/suspicious/noExplicitAny: systems of any state and event types
  systems: readonly BrowserSystem<any, any>[],
  allowWrites: boolean,
): Promise<string> {
  const rows = new Map<string, Row>();
  const listed = await reader.checkpoints();
  for (const { name, position, holder } of listed ?? [])
    rows.set(name, { name, checkpoint: position, holder, stats: null });
  for (const { system } of systems) {
    const stats = await system.systemStats();
    for (const query of stats.queries) {
      if (!query.named) continue;
      const row = rows.get(query.name) ?? { name: query.name, checkpoint: null, holder: null, stats: null };
      row.stats = query;
      row.checkpoint ??= query.checkpoint ?? (await store?.loadCheckpoint(query.name)) ?? null;
      rows.set(query.name, row);
    }
  }
  const reset = allowWrites && store !== null ? queryReset(store) : null;
  const sorted = [...rows.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lags = await Promise.all(
    sorted.map(async (row) => (await reader.readLog(row.checkpoint ?? 0n, LAG_LIMIT + 1)).length),
  );

  return layout(
    "Named queries",
    html`${
      listed === null
        ? html`<p class="muted">This store cannot list its checkpoints: only the queries of the systems given from code are shown.</p>`
        : ""
    }
${
  sorted.length === 0
    ? html`<p class="muted">No named query has a checkpoint yet.</p>`
    : html`<table class="queries"><thead><tr><th>Name</th><th>Checkpoint</th><th>Lag (events)</th><th>Status</th><th>Holder</th><th>Last error</th>${reset !== null ? html`<th></th>` : ""}</tr></thead><tbody>
${sorted.map((row, i) => {
  const lag = lags[i] ?? 0;
  const error = row.stats?.lastError ?? null;
  return html`<tr><td>${row.name}</td><td>${row.checkpoint ?? "none"}</td><td>${lag > LAG_LIMIT ? `${LAG_LIMIT}+` : lag}</td>
<td>${row.stats?.status ?? html`<span class="muted">not running here</span>`}</td>
<td>${row.stats?.holder === true ? "this process" : row.holder !== null ? row.holder : row.stats !== null ? "another process" : html`<span class="muted">unknown</span>`}</td>
<td>${error === null ? html`<span class="muted">none</span>` : html`<span class="error">${error.message}</span>${error.aggregateId !== undefined ? html` (aggregate ${error.aggregateId}, position ${error.position ?? "?"}, ${error.attempts} attempts)` : html` (${error.attempts} attempts)`}`}</td>
${reset !== null ? html`<td><a class="button" href="/queries/reset${query({ name: row.name })}">Reset…</a></td>` : ""}</tr>`;
})}
</tbody></table>`
}
${allowWrites ? "" : html`<p class="muted small">Read-only: start with --allow-writes to reset queries.</p>`}`,
  );
}

/** The confirmation page of a reset. */
export function resetConfirmPage(name: string, formKey: string): string {
  return layout(
    "Reset a query",
    html`<p>Reset <strong>${name}</strong>? Its checkpoint is cleared and whichever process runs it calls its <code>reset()</code> and replays every event.</p>
<form method="post" action="/queries/reset">
<input type="hidden" name="name" value="${name}">
<input type="hidden" name="formKey" value="${formKey}">
<button type="submit" class="danger">Reset ${name}</button> <a href="/queries">Cancel</a>
</form>`,
  );
}

/** The page after a reset was requested. */
export function resetDonePage(name: string): string {
  return layout(
    "Reset requested",
    html`<p>The reset of <strong>${name}</strong> is recorded; the replay runs in the process that holds the query.</p><p><a href="/queries">Back to the queries</a></p>`,
  );
}
