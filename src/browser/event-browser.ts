/**
 * Starts the web event browser: a small HTTP server over one store.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { browserApp } from "./browser-app.js";
import { createSecrets } from "./browser-auth.js";
import { type BrowserSettings, type EventBrowserOptions, resolveBrowserOptions } from "./browser-options.js";
import { browserReader } from "./browser-reader.js";
import { storeReads } from "./store-inspection.js";

/** A running event browser. */
export interface EventBrowser {
  /** Where to open it, e.g. `http://127.0.0.1:4000/` (without the token). */
  readonly url: string;
  /** Stops listening and ends the live streams; the store stays open. */
  close(): Promise<void>;
}

/**
 * Serves the web event browser for `store`: streams, one stream's events, the live global log, named
 * queries and the event-type catalogue. Read-only unless `allowWrites`; binds 127.0.0.1 unless `host`
 * says otherwise, and any other address requires a `token` (a `TypeError` says so, before listening).
 * Calls `store.init()` (idempotent) first. Rejects when the port cannot be bound.
 *
 * @example
 * ```ts
 * import { eventBrowser } from "eventsourcing/browser";
 * import { sqliteStore } from "eventsourcing/sqlite";
 *
 * const store = sqliteStore({ path: ".data/bank-demo.db" });
 * const browser = await eventBrowser({ store, port: 4000 });
 * console.log(`open ${browser.url}`);
 * // later
 * await browser.close();
 * ```
 */
export async function eventBrowser(options: EventBrowserOptions): Promise<EventBrowser> {
  const resolved = resolveBrowserOptions(options);
  await resolved.store.init();
  return serveBrowser({ ...resolved, reads: storeReads(resolved.store) });
}

/** Serves the browser over checked settings: {@link eventBrowser} and the `ui` command. */
export async function serveBrowser(settings: BrowserSettings): Promise<EventBrowser> {
  const reader = browserReader(settings.reads);
  const secrets = createSecrets(settings.token);
  const stopping = new AbortController();
  const app = browserApp(settings, reader, secrets, stopping.signal);

  let server: ReturnType<typeof serve>;
  try {
    server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const started = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host }, () =>
        resolve(started),
      );
      started.once("error", reject);
    });
  } catch (error) {
    await reader.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;

  return {
    url: `http://${hostInUrl}:${address.port}/`,
    close() {
      closing ??= (async () => {
        stopping.abort();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Live streams hold their connections open; end them so close() does not wait for clients.
          if ("closeAllConnections" in server) server.closeAllConnections();
        });
        await reader.close();
      })();
      return closing;
    },
  };
}
