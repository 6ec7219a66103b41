/**
 * `npm run bench:browser`: the web event browser on a SQLite store of 1,000,000 events. Times the
 * streams page, a search, a stream page of 1,000 events, the catalogue and the log page (target: each
 * under 200 ms), and whether the live log keeps up with 1,000 commits/s.
 *
 *   npm run bench:browser [-- --events 1000000] [--db .data/bench-browser.db] [--rate 1000] [--seconds 5]
 *
 * The seeded file is kept and reused by later runs when it holds the same number of events.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { eventBrowser } from "../src/browser/index.js";
import type { AppendRequest } from "../src/core/event-store.js";
import { sqliteStore } from "../src/stores/sqlite/index.js";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    db: { type: "string", default: ".data/bench-browser.db" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "5" },
  },
});
const totalEvents = Number(values.events);
const path = values.db ?? ".data/bench-browser.db";
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const BIG_STREAM = 1_000;
const PER_STREAM = 10;
const TYPES = ["account", "customer", "order"];

function payload(i: number): string {
  return JSON.stringify({ type: "Deposited", amount: i % 1000, note: `event ${i}`, tags: ["a", "b"] });
}

async function seed(): Promise<void> {
  let store = sqliteStore({ path });
  await store.init();
  const present = (await store.readAll(BigInt(totalEvents - 1), 2)).length;
  if (present >= 1) {
    console.log(`reusing ${path} (${totalEvents.toLocaleString("en")} events)`);
    await store.close();
    return;
  }
  await store.close();
  rmSync(path, { force: true });
  rmSync(`${path}-wal`, { force: true });
  rmSync(`${path}-shm`, { force: true });
  store = sqliteStore({ path, synchronous: "normal" });
  await store.init();
  const started = performance.now();
  // One stream of 1,000 events, then streams of 10 events spread over three aggregate types.
  const big: AppendRequest[] = [];
  for (let s = 0; s < BIG_STREAM; s += 100)
    big.push({
      aggregateType: "account",
      aggregateId: "big",
      expectedSequence: s,
      events: Array.from({ length: 100 }, (_, i) => ({
        eventType: "Deposited",
        payload: payload(s + i),
        metadata: { correlationId: `c-${s}` },
      })),
    });
  for (const request of big) await store.append([request]);
  let written = BIG_STREAM;
  let stream = 0;
  while (written < totalEvents) {
    const requests: AppendRequest[] = [];
    while (requests.length < 200 && written < totalEvents) {
      const count = Math.min(PER_STREAM, totalEvents - written);
      const type = TYPES[stream % TYPES.length] ?? "account";
      requests.push({
        aggregateType: type,
        aggregateId: `${type}-${String(stream).padStart(7, "0")}`,
        expectedSequence: 0,
        events: Array.from({ length: count }, (_, i) => ({
          eventType: i === 0 ? "Opened" : "Deposited",
          payload: payload(written + i),
          metadata: { user: "bench" },
          eventVersion: 1 + (i % 2),
        })),
      });
      written += count;
      stream++;
    }
    await store.append(requests);
    if (stream % 20_000 === 0) process.stdout.write(`\rseeded ${written.toLocaleString("en")} events`);
  }
  await store.close();
  console.log(
    `\rseeded ${written.toLocaleString("en")} events in ${stream.toLocaleString("en")} streams + 1 of ${BIG_STREAM} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function time(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return performance.now() - started;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function pages(base: string): Promise<void> {
  const targets: [string, string][] = [
    ["streams page", "streams"],
    ["streams, prefix search", "streams?prefix=customer-00042"],
    ["streams, type filter, page 2", "streams?type=order&afterType=order&afterId=order-0050000"],
    ["stream page, 1,000 events", "stream?type=account&id=big"],
    ["event-type catalogue", "types"],
    ["log page", "log"],
    ["queries page", "queries"],
  ];
  console.log(
    "\npage                               median    p95   (20 requests after 3 warm-ups; target < 200 ms)",
  );
  for (const [name, path] of targets) {
    for (let i = 0; i < 3; i++) await time(`${base}${path}`);
    const runs: number[] = [];
    for (let i = 0; i < 20; i++) runs.push(await time(`${base}${path}`));
    runs.sort((a, b) => a - b);
    const median = quantile(runs, 0.5);
    console.log(
      `${name.padEnd(34)} ${median.toFixed(1).padStart(6)} ms ${quantile(runs, 0.95).toFixed(1).padStart(6)} ms  ${median < 200 ? "ok" : "OVER"}`,
    );
  }
}

/** Commits at `rate` per second for `seconds`, and reads them back from the live log. */
async function live(base: string, store: ReturnType<typeof sqliteStore>): Promise<void> {
  const response = await fetch(`${base}log/live?after=${await lastPosition(store)}`);
  const reader = response.body?.getReader();
  if (reader === undefined) throw new Error("no live stream");
  const sent = new Map<string, number>();
  const lags: number[] = [];
  let received = 0;
  const decoder = new TextDecoder();
  let buffer = "";
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        if (!message.includes("event: events")) continue;
        const data = message
          .split("\n")
          .filter((line) => line.startsWith("data: "))
          .map((line) => line.slice(6))
          .join("\n");
        const now = performance.now();
        for (const event of JSON.parse(data) as { aggregateId: string }[]) {
          received++;
          const at = sent.get(event.aggregateId);
          if (at !== undefined) lags.push(now - at);
        }
      }
    }
  })();

  // Commits of one event each, sent in groups every 10 ms so that the rate holds on a busy machine.
  // Ids of this run only: a reused file holds the live streams of earlier runs.
  const run = Date.now().toString(36);
  const total = rate * seconds;
  const perTick = Math.max(1, Math.round(rate / 100));
  const started = performance.now();
  let committed = 0;
  while (committed < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + perTick);
    const requests: AppendRequest[] = [];
    for (; committed < due; committed++) {
      const id = `live-${run}-${committed}`;
      requests.push({
        aggregateType: "live",
        aggregateId: id,
        expectedSequence: 0,
        events: [{ eventType: "Ticked", payload: payload(committed), metadata: {} }],
      });
    }
    const at = performance.now();
    for (const r of requests) sent.set(r.aggregateId, at);
    if (requests.length > 0)
      for (const outcome of await store.append(requests))
        if (!outcome.ok) throw new Error(`live commit refused: ${JSON.stringify(outcome.error)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const elapsed = (performance.now() - started) / 1000;
  while (received < total && performance.now() - started < (seconds + 10) * 1000)
    await new Promise((resolve) => setTimeout(resolve, 20));
  await reader.cancel();
  await reading.catch(() => undefined);
  lags.sort((a, b) => a - b);
  console.log(
    `\nlive log: ${total} commits at ${(total / elapsed).toFixed(0)}/s over ${elapsed.toFixed(1)} s; ` +
      `${received} received; lag from append to arrival median ${quantile(lags, 0.5).toFixed(0)} ms, ` +
      `p99 ${quantile(lags, 0.99).toFixed(0)} ms, max ${(lags[lags.length - 1] ?? Number.NaN).toFixed(0)} ms  ` +
      `${received === total && quantile(lags, 0.99) < 1000 ? "kept up" : "FELL BEHIND"}`,
  );
}

async function lastPosition(store: ReturnType<typeof sqliteStore>): Promise<bigint> {
  let position = BigInt(totalEvents - 1);
  for (;;) {
    const page = await store.readAll(position, 10_000);
    const last = page[page.length - 1];
    if (last === undefined) return position;
    position = last.position;
  }
}

mkdirSync(dirname(path), { recursive: true });
if (!existsSync(dirname(path))) throw new Error(`cannot create ${dirname(path)}`);
await seed();
const store = sqliteStore({ path });
await store.init();
const opened = performance.now();
const browser = await eventBrowser({ store, port: 0 });
const first = await time(`${browser.url}streams`);
console.log(`first streams page: ${first.toFixed(0)} ms, while the first count of the log runs`);
// The pages below are timed once the counts are complete.
for (;;) {
  const page = await (await fetch(`${browser.url}types`)).text();
  if (!page.includes("Counting the log once")) break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}
console.log(`log counted ${((performance.now() - opened) / 1000).toFixed(1)} s after start`);
await pages(browser.url);
await live(browser.url, store);
await browser.close();
await store.close();
