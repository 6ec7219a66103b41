/**
 * The web event browser: look at a store's streams, events, live log, named queries and event types
 * in a browser. Read-only unless asked; bound to 127.0.0.1 unless a token guards it.
 *
 * @example
 * ```ts
 * import { eventBrowser } from "eventsourcing/browser";
 * import { memoryStore } from "eventsourcing/memory";
 *
 * const browser = await eventBrowser({ store: memoryStore(), port: 0 });
 * console.log(browser.url);
 * await browser.close();
 * ```
 *
 * @module
 */

export type { BrowserSystem, EventBrowserOptions } from "./browser-options.js";
export { type EventBrowser, eventBrowser } from "./event-browser.js";
