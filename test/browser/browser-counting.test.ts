/**
 * On a large store just opened, the pages do not wait for the first count of the log: they show the
 * stream listing at once (from the store's index) with the counts so far and how far they go; once
 * the count is done, they are exact and the note is gone. Run on every store.
 */
import { afterEach, expect, it } from "vitest";
import { serveBrowser } from "../../src/browser/event-browser.js";
import type { EventBrowser } from "../../src/browser/index.js";
import { storeReads } from "../../src/browser/store-inspection.js";
import type { AppendRequest } from "../../src/core/event-store.js";
import { forEachStore } from "../support/stores.js";
import { until, useSystems } from "../support/system.js";

const STREAMS = 7_000;
const PER_STREAM = 10; // 70,000 events: more than a page waits for

forEachStore("the web event browser on a large store", (kind) => {
  const systems = useSystems(kind);
  const browsers: EventBrowser[] = [];
  afterEach(async () => {
    for (const browser of browsers.splice(0)) await browser.close();
  });

  it("shows the listing at once with the counts so far, then exact counts once the log is counted", async () => {
    const { store } = await systems.store();
    for (let s = 0; s < STREAMS; s += 500) {
      const requests: AppendRequest[] = [];
      for (let i = s; i < s + 500; i++)
        requests.push({
          aggregateType: "item",
          aggregateId: `item-${String(i).padStart(5, "0")}`,
          expectedSequence: 0,
          events: Array.from({ length: PER_STREAM }, () => ({
            eventType: "Made",
            payload: "{}",
            metadata: {},
          })),
        });
      await store.append(requests);
    }
    // The count reads the log through this gate, held shut until the first page has answered.
    const reads = storeReads(store);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const gated = Object.assign(Object.create(reads) as typeof reads, {
      readLog: async (after: bigint, limit: number) => {
        await gate;
        return reads.readLog(after, limit);
      },
    });
    const browser = await serveBrowser({
      reads: gated,
      store,
      systems: [],
      port: 0,
      host: "127.0.0.1",
      token: null,
      allowWrites: false,
    });
    browsers.push(browser);

    const early = await (await fetch(`${browser.url}streams?prefix=item-0004`)).text();
    expect(early).toMatch(/Counting the log once: these counts cover positions up to 0 of \d+ \(0%\)/);
    expect([...early.matchAll(/class="stream-link"[^>]*>([^<]*)</g)].length).toBe(10);
    expect(await (await fetch(`${browser.url}types`)).text()).toContain("Counting the log once");

    open();
    let page = "";
    await until(async () => {
      page = await (await fetch(`${browser.url}streams`)).text();
      return !page.includes("Counting the log once");
    });
    expect(page).toContain(`<td>${STREAMS}</td><td>${STREAMS * PER_STREAM}</td>`);
    expect(await (await fetch(`${browser.url}types`)).text()).toContain(
      `<td class="type">Made</td><td>${STREAMS * PER_STREAM}</td><td>1</td>`,
    );
  });
});
