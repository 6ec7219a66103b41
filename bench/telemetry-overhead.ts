/**
 * The cost of the OpenTelemetry hooks when no SDK is registered: this tree's system against another
 * tree's (the code before the hooks), the bench's bank workload, rounds alternating A and B in one
 * process so that the machine's load falls on both alike.
 *
 *   npx tsx bench/telemetry-overhead.ts --baseline /path/to/other/checkout [--store memory|sqlite]
 *     [--rounds 15] [--accounts 1000] [--mode concurrent|sequential] [--sdk [--sdk-only traces|metrics]]
 *     [--tree other/checkout]
 *
 * `--sdk` registers the SDK (tracer with a batch span processor and an exporter that drops the spans,
 * meter with a reader that is never collected) for the
 * whole run: the baseline has no hooks, so the figure is then the cost of tracing and metrics.
 * `--tree` puts another checkout in place of this one: two copies of the baseline give the noise floor.
 * Without `@opentelemetry/api` installed, the hooks are one comparison with `undefined`; with it
 * installed and no SDK registered they are the same (the check is made when a system starts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { apply, emptyState, handle } from "../examples/bank-account/domain.js";
import { forceGc } from "./lib/measure.js";
import { COMMANDS_PER_ACCOUNT, workload } from "./lib/workload.js";

const { values } = parseArgs({
  options: {
    baseline: { type: "string" },
    tree: { type: "string" },
    store: { type: "string", default: "memory" },
    rounds: { type: "string", default: "15" },
    accounts: { type: "string", default: "1000" },
    mode: { type: "string", default: "concurrent" },
    sdk: { type: "boolean", default: false },
    "sdk-only": { type: "string" },
  },
});
if (values.baseline === undefined) throw new Error("--baseline <checkout> is required");
const rounds = Number(values.rounds);
const accounts = Number(values.accounts);
const storeKind = values.store;
const sequential = values.mode === "sequential";

interface Tree {
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: two checkouts' modules, loaded at run time
  readonly start: (config: any) => Promise<any>;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  readonly store: (path: string) => any;
}

async function load(name: string, root: string): Promise<Tree> {
  const index = await import(join(root, "src/index.ts"));
  const memory = await import(join(root, "src/stores/memory/index.ts"));
  const sqlite = await import(join(root, "src/stores/sqlite/index.ts"));
  return {
    name,
    start: index.start,
    store: (path) => (storeKind === "sqlite" ? sqlite.sqliteStore({ path }) : memory.memoryStore()),
  };
}

if (values.sdk) {
  const { metrics, trace } = await import("@opentelemetry/api");
  const { BasicTracerProvider, BatchSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
  const { MeterProvider, MetricReader } = await import("@opentelemetry/sdk-metrics");
  class Reader extends MetricReader {
    protected override async onShutdown() {}
    protected override async onForceFlush() {}
  }
  // As in production, spans are batched; the exporter drops them (the network is not what is measured).
  let exported = 0;
  const exporter = {
    export(spans: readonly unknown[], done: (result: { code: 0 }) => void) {
      exported += spans.length;
      done({ code: 0 });
    },
    async shutdown() {},
  };
  if (values["sdk-only"] !== "metrics")
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] }),
    );
  if (values["sdk-only"] !== "traces")
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new Reader()] }));
  process.on("exit", () => console.log(`${exported} spans exported`));
}

const trees = [
  await load("baseline", resolve(values.baseline)),
  await load("this tree", resolve(values.tree ?? resolve(import.meta.dirname, ".."))),
];
const directory = mkdtempSync(join(tmpdir(), "telemetry-overhead-"));
let files = 0;

/**
 * One run of the workload on a fresh system and store: commands per second of wall time, and per second
 * of this process's CPU time (steadier on a shared machine, where other processes take turns on the cores).
 */
async function run(tree: Tree, size: number): Promise<{ wall: number; cpu: number }> {
  const store = tree.store(join(directory, `run-${files++}.db`));
  const system = await tree.start({ store, handle, apply, emptyState });
  const plan = workload(size);
  const chain = async (account: number) => {
    for (let index = 0; index < COMMANDS_PER_ACCOUNT; index++) {
      const answer = await system.execute(plan.accountId(account), plan.command(account, index));
      if (!answer.ok) throw new Error(`command refused: ${JSON.stringify(answer.error)}`);
    }
  };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  if (sequential) for (let account = 0; account < size; account++) await chain(account);
  else await Promise.all(Array.from({ length: size }, (_, account) => chain(account)));
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await system.stop();
  await store.close();
  const commands = size * COMMANDS_PER_ACCOUNT;
  return { wall: commands / (elapsed / 1_000), cpu: commands / ((cpu.user + cpu.system) / 1e6) };
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const quartiles = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return [at(0.25), at(0.75)] as const;
};

for (const tree of trees) for (let i = 0; i < 3; i++) await run(tree, accounts);
const measures = ["wall", "cpu"] as const;
const rates = { wall: [[], []] as number[][], cpu: [[], []] as number[][] };
const ratios = { wall: [] as number[], cpu: [] as number[] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? [0, 1] : [1, 0];
  const got: { wall: number; cpu: number }[] = [];
  for (const i of order) {
    forceGc();
    await run(trees[i] as Tree, Math.min(accounts, 100)); // re-warm after the collection
    got[i] = await run(trees[i] as Tree, accounts);
  }
  for (const measure of measures) {
    for (const i of [0, 1]) rates[measure][i]?.push(got[i]?.[measure] as number);
    ratios[measure].push((got[1]?.[measure] as number) / (got[0]?.[measure] as number));
  }
}
rmSync(directory, { recursive: true, force: true });

console.log(
  `store ${storeKind}, mode ${sequential ? "sequential" : "concurrent"}, ${accounts} accounts x ${COMMANDS_PER_ACCOUNT} commands, ` +
    `${rounds} rounds, SDK ${values.sdk ? "registered" : "not registered"}`,
);
for (const measure of measures) {
  const unit = measure === "wall" ? "commands/s" : "commands per CPU-second";
  for (const [i, tree] of trees.entries()) {
    const xs = rates[measure][i] as number[];
    const [q1, q3] = quartiles(xs);
    console.log(
      `${measure.padEnd(4)} ${tree.name.padEnd(10)} median ${median(xs).toFixed(0)} ${unit} (min ${Math.min(...xs).toFixed(0)}, ` +
        `IQR ${q1.toFixed(0)}-${q3.toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`,
    );
  }
  const paired = ratios[measure];
  const [r1, r3] = quartiles(paired);
  console.log(
    `${measure.padEnd(4)} this tree / baseline, paired by round: median ${median(paired).toFixed(3)} ` +
      `(IQR ${r1.toFixed(3)}-${r3.toFixed(3)}, min ${Math.min(...paired).toFixed(3)}, max ${Math.max(...paired).toFixed(3)})`,
  );
}
