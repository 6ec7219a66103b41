/**
 * How long our SQLite store blocks the event loop while the bench's concurrent workload runs, and what
 * that does to a timer: per append batch, the time from `BEGIN IMMEDIATE` to `COMMIT` (the synchronous
 * transaction, when it runs on the main thread) and the batch's size; over the run, the event-loop delay
 * (`perf_hooks.monitorEventLoopDelay`, 1 ms resolution) and the lateness of a 1 ms `setInterval`. The
 * memory store runs the same workload through the same harness, for the engine's own share.
 *
 * ```sh
 * npx tsx bench/sqlite-event-loop.ts [--accounts 1000] [--rounds 3] [--contenders memory,sqlite,...]
 *   [--mode concurrent|sequential] [--synchronous full|normal]
 *   [--baseline DIR (contender `baseline`)] [--module ./sqlite-worker-prototype.ts (contenders `other:N`)]
 * ```
 *
 * Each round: a forced collection and an untimed re-warm (as `npm run bench`), then the timed run with
 * the probes on; contenders alternate round by round.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import Database from "better-sqlite3";
import type { AppendRequest, EventStore } from "../src/core/event-store.js";
import type { Contender } from "./lib/contender.js";
import { forceGc, timedRun } from "./lib/measure.js";
import { ours } from "./lib/ours.js";
import { workload } from "./lib/workload.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? (args[at + 1] as string) : fallback;
};
const accounts = Number(option("accounts", "1000"));
const rounds = Number(option("rounds", "3"));
const chosen = option("contenders", "memory,sqlite").split(",");
const mode = option("mode", "concurrent") as "concurrent" | "sequential";
/** `normal` takes the fsync out of each commit, to see the CPU side of a sequential run. */
const synchronous = option("synchronous", "full") as "full" | "normal";

// Every transaction's BEGIN IMMEDIATE .. COMMIT on this thread, timed by wrapping the driver's run().
const transactionMs: number[] = [];
{
  const probe = new Database(":memory:");
  const prototype = Object.getPrototypeOf(probe.prepare("SELECT 1")) as {
    run: (this: { source: string }, ...params: unknown[]) => unknown;
  };
  probe.close();
  const run = prototype.run;
  let began = -1;
  prototype.run = function (this: { source: string }, ...params: unknown[]) {
    if (this.source === "BEGIN IMMEDIATE") began = performance.now();
    const result = run.apply(this, params);
    if (this.source === "COMMIT" && began >= 0) {
      transactionMs.push(performance.now() - began);
      began = -1;
    }
    return result;
  };
}

const batchRequests: number[] = [];
const batchEvents: number[] = [];
/** The store with its append calls counted (requests and events per call). */
function counted(store: EventStore): EventStore {
  const append = store.append.bind(store);
  const countedAppend = (requests: readonly AppendRequest[]) => {
    batchRequests.push(requests.length);
    batchEvents.push(requests.reduce((sum, request) => sum + request.events.length, 0));
    return append(requests);
  };
  return new Proxy(store, {
    get(target, key) {
      if (key === "append") return countedAppend;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const directory = mkdtempSync(join(tmpdir(), "eventsourcing-loop-"));
let files = 0;
const file = () => join(directory, `store-${++files}.db`);

const makers: Record<string, () => Promise<EventStore>> = {
  memory: async () => counted((await import("../src/stores/memory/index.js")).memoryStore()),
  sqlite: async () =>
    counted((await import("../src/stores/sqlite/index.js")).sqliteStore({ path: file(), synchronous })),
};
const baselineRoot = option("baseline", "");
if (baselineRoot !== "") {
  // `--baseline DIR`: the SQLite store of another checkout, as contender `baseline` (the system is this one's).
  makers.baseline = async () =>
    counted(
      (
        (await import(`${baselineRoot}/src/stores/sqlite/index.js`)) as {
          sqliteStore: (options: { path: string; synchronous: "full" | "normal" }) => EventStore;
        }
      ).sqliteStore({ path: file(), synchronous }),
    );
}
const extra = option("module", "");
if (extra !== "") {
  // Another store factory to compare: `--module path.ts` exporting `makeStore(path, variant)`; contenders
  // named `other:<variant>` run it with that variant.
  const make = async (variant: string) =>
    counted(
      await (
        (await import(extra)) as { makeStore: (path: string, variant: string) => Promise<EventStore> }
      ).makeStore(file(), variant),
    );
  for (const name of chosen) if (name.startsWith("other")) makers[name] = () => make(name.slice(6));
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
const f = (value: number) => value.toFixed(2);
const summary = (values: readonly number[]) =>
  `p50 ${f(percentile(values, 50))} p99 ${f(percentile(values, 99))} max ${f(values.length === 0 ? Number.NaN : Math.max(...values))}`;

const contenders: Contender[] = chosen.map((name) => {
  const make = makers[name];
  if (make === undefined) throw new Error(`unknown contender ${name}`);
  return ours(name, make);
});
const plan = workload(accounts);
const warm = workload(100);
/** Per contender, per round: commands/s, CPU µs per command (all threads), loop delay p50/p99/max, timer lateness p50. */
const table = new Map<
  string,
  { rate: number; cpu: number; p50: number; p99: number; max: number; late: number }[]
>();
try {
  for (const contender of contenders) await timedRun(contender, warm, mode);
  console.log(
    `${accounts} accounts x 10 commands, concurrent; load average ${(await import("node:os"))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  for (let round = 1; round <= rounds; round++) {
    for (const contender of contenders) {
      forceGc();
      await timedRun(contender, warm, mode);
      transactionMs.length = 0;
      batchRequests.length = 0;
      batchEvents.length = 0;
      const delay = monitorEventLoopDelay({ resolution: 1 });
      const lateness: number[] = [];
      let timer: NodeJS.Timeout | undefined;
      let cpuAtStart = process.cpuUsage();
      let cpuPerCommand = Number.NaN;
      const result = await timedRun(contender, plan, mode, {
        beforeRun: async () => {
          // Reset after open: only the run's batches count.
          transactionMs.length = 0;
          batchRequests.length = 0;
          batchEvents.length = 0;
          delay.enable();
          cpuAtStart = process.cpuUsage();
          let last = performance.now();
          timer = setInterval(() => {
            const now = performance.now();
            lateness.push(now - last - 1);
            last = now;
          }, 1);
        },
        afterRun: () => {
          const used = process.cpuUsage(cpuAtStart);
          cpuPerCommand = (used.user + used.system) / (accounts * 10);
          clearInterval(timer);
          delay.disable();
        },
      });
      const ms = (ns: number) => ns / 1e6;
      const rows = table.get(contender.name) ?? [];
      rows.push({
        rate: result.perSecond,
        cpu: cpuPerCommand,
        p50: ms(delay.percentile(50)),
        p99: ms(delay.percentile(99)),
        max: ms(delay.max),
        late: percentile(lateness, 50),
      });
      table.set(contender.name, rows);
      console.log(
        `round ${round} ${contender.name.padEnd(8)} ${Math.round(result.perSecond).toLocaleString("en-US").padStart(8)} commands/s in ${result.ms.toFixed(0)} ms; ` +
          `${batchRequests.length} append calls (requests/call ${summary(batchRequests)}; events/call max ${Math.max(...batchEvents)})`,
      );
      if (transactionMs.length > 0)
        console.log(
          `    main-thread transactions: ${transactionMs.length}, ms each ${summary(transactionMs)}, sum ${transactionMs.reduce((a, b) => a + b, 0).toFixed(0)} ms`,
        );
      console.log(
        `    event-loop delay ms: p50 ${f(ms(delay.percentile(50)))} p99 ${f(ms(delay.percentile(99)))} max ${f(ms(delay.max))}; ` +
          `1 ms timer late by ms: ${summary(lateness)} (${lateness.length} ticks)`,
      );
    }
  }
  const first = table.get(contenders[0]?.name ?? "") ?? [];
  const mid = (values: number[]) => percentile(values, 50);
  console.log(
    `\nmedians over ${rounds} rounds; load average ${(await import("node:os"))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  for (const [name, rows] of table) {
    const ratios = rows.map((row, i) => row.rate / (first[i]?.rate ?? Number.NaN));
    console.log(
      `${name.padEnd(10)} ${Math.round(mid(rows.map((r) => r.rate)))
        .toLocaleString("en-US")
        .padStart(8)} commands/s, ` +
        `CPU ${f(mid(rows.map((r) => r.cpu)))} us/command; loop delay p50 ${f(mid(rows.map((r) => r.p50)))} ` +
        `p99 ${f(mid(rows.map((r) => r.p99)))} max ${f(mid(rows.map((r) => r.max)))} ms; timer late p50 ${f(mid(rows.map((r) => r.late)))} ms; ` +
        `rate / ${contenders[0]?.name} per round: ${ratios.map((r) => r.toFixed(2)).join(" ")}; ` +
        `CPU / ${contenders[0]?.name}'s per round: ${rows.map((row, i) => (row.cpu / (first[i]?.cpu ?? Number.NaN)).toFixed(2)).join(" ")}`,
    );
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}
