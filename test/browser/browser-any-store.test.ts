/**
 * A store of another implementation (only the `EventStore` interface known) is browsed too: the
 * streams are listed, searched and paged from the counts the browser keeps by following the log, and
 * the log page shows the latest events.
 */
import { afterEach, expect, it } from "vitest";
import { type EventBrowser, eventBrowser } from "../../src/browser/index.js";
import type { EventStore } from "../../src/core/event-store.js";
import { forEachStore } from "../support/stores.js";
import { useSystems } from "../support/system.js";

/** The store seen through its `EventStore` methods only, as a third-party implementation would be. */
function interfaceOnly(store: EventStore): EventStore {
  return {
    init: () => store.init(),
    append: (requests) => store.append(requests),
    readAggregate: (type, id, after) => store.readAggregate(type, id, after),
    currentSequence: (type, id) => store.currentSequence(type, id),
    readAll: (after, limit, options) => store.readAll(after, limit, options),
    loadSnapshot: (type, id) => store.loadSnapshot(type, id),
    saveSnapshot: (snapshot) => store.saveSnapshot(snapshot),
    loadCheckpoint: (name) => store.loadCheckpoint(name),
    saveCheckpoint: (name, position) => store.saveCheckpoint(name, position),
    close: async () => undefined,
  };
}

async function text(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return response.text();
}

function streamIds(page: string): string[] {
  return [...page.matchAll(/class="stream-link"[^>]*>([^<]*)</g)].map((m) => m[1] ?? "");
}

forEachStore("the web event browser over a store known only by its interface", (kind) => {
  const systems = useSystems(kind);
  const browsers: EventBrowser[] = [];
  afterEach(async () => {
    for (const browser of browsers.splice(0)) await browser.close();
  });

  it("lists, searches and pages streams, and shows the latest events", async () => {
    const { store } = await systems.store();
    const ids = Array.from({ length: 60 }, (_, i) => `s-${String(i).padStart(2, "0")}`);
    await store.append(
      ids.map((id) => ({
        aggregateType: id < "s-30" ? "a" : "b",
        aggregateId: id,
        expectedSequence: 0,
        events: [{ eventType: "Made", payload: JSON.stringify({ id }), metadata: {} }],
      })),
    );
    const browser = await eventBrowser({ store: interfaceOnly(store), port: 0 });
    browsers.push(browser);

    const first = await text(`${browser.url}streams`);
    expect(first).toMatch(/<td><a href="\/streams\?type=a">a<\/a><\/td><td>30<\/td><td>30<\/td>/);
    expect(streamIds(first)).toEqual(ids.slice(0, 50));
    const next = /href="([^"]+)" rel="next"/.exec(first)?.[1]?.replaceAll("&amp;", "&") ?? "";
    expect(streamIds(await text(`${browser.url}${next.slice(1)}`))).toEqual(ids.slice(50));
    expect(streamIds(await text(`${browser.url}streams?prefix=s-1`))).toEqual(ids.slice(10, 20));
    expect(streamIds(await text(`${browser.url}streams?type=b&prefix=s-2`))).toEqual([]);

    await store.append([
      {
        aggregateType: "a",
        aggregateId: "s-00",
        expectedSequence: 1,
        events: [{ eventType: "Changed", payload: "{}", metadata: {} }],
      },
    ]);
    const log = await text(`${browser.url}log`);
    expect(log.indexOf("Changed")).toBeGreaterThan(0);
    expect(log.indexOf("Changed")).toBeLessThan(log.indexOf("s-59"));
    expect(await text(`${browser.url}types`)).toContain('<td class="type">Changed</td><td>1</td>');
  });
});
