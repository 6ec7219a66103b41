/**
 * The command line's export, import and migrate on a large store (default 1,000,000 events), each run
 * as the real bin in a child process under /usr/bin/time: events per second (wall time of the whole
 * command, start-up and verification included) and peak RSS. Not a test: run it on a quiet machine.
 *
 *   npm run bench:cli                          1,000,000 events
 *   npm run bench:cli -- --events 100000       a quick look
 *   npm run bench:cli -- --keep /tmp/cli-bench --only migrate-to-sqlite --rounds 3 --baseline /tmp/before
 *
 * Options:
 *   --events N        events of the seeded store (default 1,000,000)
 *   --keep DIR        seed into DIR/source-N.db and the PostgreSQL schema bench_cli_keep_N once, and
 *                     reuse both on later runs (neither is removed at the end); without it, everything
 *                     is made fresh and dropped at the end
 *   --only A[,B...]   runs to make, of: export, import-sqlite, import-postgres, migrate-to-postgres,
 *                     migrate-to-sqlite, streams, inspector (default: all)
 *   --rounds R        make each selected command run R times (default 1)
 *   --baseline DIR    another checkout (its src/ and a node_modules): each command also runs from there,
 *                     alternating with ours round by round (which goes first alternates too), and the
 *                     ratio of each round's pair is printed
 *
 * PostgreSQL: EVENTSOURCING_PG_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { AppendRequest } from "../src/core/event-store.js";
import { openStore } from "../src/inspect/index.js";
import { sqliteStore } from "../src/stores/sqlite/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const pgUrl = process.env.EVENTSOURCING_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const option = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
};
const total = Number(option("--events") ?? 1_000_000);
if (!Number.isSafeInteger(total) || total <= 0) throw new Error("--events must be a positive integer");
const rounds = Number(option("--rounds") ?? 1);
if (!Number.isSafeInteger(rounds) || rounds <= 0) throw new Error("--rounds must be a positive integer");
const RUNS = [
  "export",
  "import-sqlite",
  "import-postgres",
  "migrate-to-postgres",
  "migrate-to-sqlite",
  "streams",
  "inspector",
] as const;
const only = new Set((option("--only") ?? RUNS.join(",")).split(","));
for (const name of only) {
  if (!(RUNS as readonly string[]).includes(name))
    throw new Error(`--only: no run "${name}" (${RUNS.join(", ")})`);
}
const keep = option("--keep");
const baseline = option("--baseline");
if (baseline !== undefined && !existsSync(join(baseline, "src/cli/main.ts"))) {
  throw new Error(`--baseline ${baseline}: no src/cli/main.ts there`);
}

if (keep !== undefined) mkdirSync(keep, { recursive: true });
const directory = mkdtempSync(join(tmpdir(), "eventsourcing-bench-cli-"));
const suffix = `${process.pid}_${Date.now().toString(36)}`;
/** Schemas made for this run alone, dropped at the end. */
const schemas: string[] = [];
const freshSchema = (purpose: string) => {
  const name = `bench_cli_${purpose}_${suffix}_${schemas.length}`;
  schemas.push(name);
  return name;
};

/**
 * Writes `total` events in rounds over streams of up to 10 events: each round appends one commit of 1
 * to 3 events to each of 500 streams, so commits of different streams interleave in the log.
 */
async function seed(path: string): Promise<void> {
  const store = sqliteStore({ path, synchronous: "normal" });
  await store.init();
  const group = 500;
  let written = 0;
  for (let first = 0; written < total; first += group) {
    const next = new Array<number>(group).fill(0);
    while (written < total && next.some((sequence) => sequence < 10)) {
      const requests: AppendRequest[] = [];
      for (let i = 0; i < group && written < total; i++) {
        const expected = next[i] as number;
        if (expected >= 10) continue;
        const stream = first + i;
        const size = Math.min(1 + ((stream + expected) % 3), 10 - expected, total - written);
        requests.push({
          aggregateType: stream % 5 === 0 ? "customer" : "account",
          aggregateId: `acct-${String(stream).padStart(7, "0")}`,
          expectedSequence: expected,
          events: Array.from({ length: size }, (_, k) => ({
            eventType: expected + k === 0 ? "AccountOpened" : "MoneyDeposited",
            payload: JSON.stringify({ amount: (written + k) % 1000, currency: "EUR", note: "bench deposit" }),
            metadata: { correlationId: `c-${written + k}` },
          })),
        });
        next[i] = expected + size;
        written += size;
      }
      await store.append(requests);
    }
  }
  await store.close();
}

/** The browser's pages on this store, in process: the median of 5 calls each, in milliseconds. */
async function inspectorTimings(label: string, db: string, schema?: string): Promise<void> {
  const opened = await openStore(db, { readOnly: true, ...(schema === undefined ? {} : { schema }) });
  try {
    const inspector = opened.inspector;
    const middle = {
      aggregateType: "account",
      aggregateId: `acct-${String(Math.floor(total / 20)).padStart(7, "0")}`,
    };
    const calls: [string, () => Promise<unknown>][] = [
      ["listStreams first 50", () => inspector.listStreams({ limit: 50 })],
      ["listStreams 50 after a middle stream", () => inspector.listStreams({ limit: 50, after: middle })],
      [
        "listStreams type + prefix, 50",
        () => inspector.listStreams({ limit: 50, aggregateType: "customer", idPrefix: "acct-00099" }),
      ],
      ["readStream 100", () => inspector.readStream(middle.aggregateType, middle.aggregateId, 0, 100)],
      ["readLogBefore(end) 50", () => inspector.readLogBefore(null, 50)],
      ["readLog middle 50", () => inspector.readLog(BigInt(Math.floor(total / 2)), 50)],
      ["readLog of one type, 50", () => inspector.readLog(0n, 50, ["customer"])],
      ["headPosition", () => inspector.headPosition()],
      ["listCheckpoints", () => inspector.listCheckpoints()],
      ["counts (reads every row)", () => inspector.counts()],
      ["eventTypes (reads every row)", () => inspector.eventTypes()],
    ];
    for (const [name, call] of calls) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await call();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      console.log(
        `  ${label.padEnd(10)} ${name.padEnd(40)} ${(times[2] as number).toFixed(1).padStart(8)} ms`,
      );
    }
  } finally {
    await opened.close();
  }
}

interface Run {
  readonly name: string;
  readonly seconds: number;
  readonly rate: number;
  readonly rssMb: number;
  /** User and system CPU seconds of the bin. */
  readonly cpu: number;
}

/** Runs the bin of the checkout at `cwd` once, timed, and prints its rate, peak RSS and CPU time. */
function cliOnce(name: string, cwd: string, args: readonly string[]): Run {
  const started = performance.now();
  const result = spawnSync(
    "/usr/bin/time",
    ["-f", "RSS_KB %M CPU %U %S", process.execPath, "--import", "tsx", "src/cli/main.ts", ...args],
    { cwd, encoding: "utf8", maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "pipe"] },
  );
  const seconds = (performance.now() - started) / 1_000;
  if (result.status !== 0) {
    throw new Error(`${name} failed (${result.status}): ${result.stderr.slice(-2_000)}`);
  }
  const rss = /RSS_KB (\d+) CPU ([\d.]+) ([\d.]+)/.exec(result.stderr);
  const cpu = rss ? Number(rss[2]) + Number(rss[3]) : Number.NaN;
  const run = { name, seconds, rate: total / seconds, rssMb: rss ? Number(rss[1]) / 1024 : Number.NaN, cpu };
  console.log(
    `${name.padEnd(34)} ${seconds.toFixed(1).padStart(6)} s  ${Math.round(run.rate).toLocaleString("en").padStart(9)} events/s  ` +
      `peak RSS ${run.rssMb.toFixed(0).padStart(4)} MB  CPU of the bin ${cpu.toFixed(1)} s`,
  );
  return run;
}

/**
 * Runs one command `rounds` times (and the baseline's alternately, which goes first alternating from
 * round to round); `args(who)` gives the arguments of each run, after clearing (untimed) what it writes.
 */
async function cli(
  name: string,
  args: (who: "ours" | "baseline") => Promise<readonly string[]>,
): Promise<void> {
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order: ("ours" | "baseline")[] =
      baseline === undefined ? ["ours"] : round % 2 === 0 ? ["baseline", "ours"] : ["ours", "baseline"];
    const rates = new Map<string, Run>();
    for (const who of order) {
      const cwd = who === "ours" ? root : (baseline as string);
      const run = cliOnce(who === "ours" ? name : `${name} (baseline)`, cwd, await args(who));
      rates.set(who, run);
    }
    if (baseline !== undefined) {
      const ours = rates.get("ours") as Run;
      const base = rates.get("baseline") as Run;
      ratios.push(ours.rate / base.rate);
      cpuRatios.push(base.cpu / ours.cpu);
      console.log(
        `  round ${round + 1}: rate ours / baseline = ${(ours.rate / base.rate).toFixed(2)}, CPU baseline / ours = ` +
          `${(base.cpu / ours.cpu).toFixed(2)}  (load ${loadText()})`,
      );
    }
  }
  if (ratios.length > 1) {
    const spread = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return (
        `median ${(sorted[Math.floor(sorted.length / 2)] as number).toFixed(2)}, ` +
        `min ${(sorted[0] as number).toFixed(2)}, max ${(sorted[sorted.length - 1] as number).toFixed(2)}`
      );
    };
    console.log(
      `  ${name}: rate ours / baseline ${spread(ratios)}; CPU baseline / ours ${spread(cpuRatios)}`,
    );
  }
}

const loadText = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(" ");

/** Removes a SQLite file and its companions. */
const removeDb = (path: string) => {
  for (const end of ["", "-wal", "-shm", "-journal"]) rmSync(`${path}${end}`, { force: true });
};

async function schemaEvents(client: pg.Client, schema: string): Promise<number | null> {
  const { rows } = await client.query("SELECT to_regclass($1) IS NOT NULL AS present", [
    `"${schema}".events`,
  ]);
  if (rows[0]?.present !== true) return null;
  const counted = await client.query(`SELECT count(*)::int AS n FROM "${schema}".events`);
  return counted.rows[0].n as number;
}

console.log(`load average at start: ${loadText()}`);
const client = new pg.Client({ connectionString: pgUrl });
await client.connect();
const dropSchema = (schema: string) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
try {
  const source = join(keep ?? directory, `source-${total}.db`);
  if (existsSync(source)) {
    console.log(`reusing ${source}`);
  } else {
    const started = performance.now();
    await seed(`${source}.partial`);
    removeDb(source);
    renameSync(`${source}.partial`, source);
    for (const end of ["-wal", "-shm"]) rmSync(`${source}.partial${end}`, { force: true });
    console.log(
      `seeded ${total.toLocaleString("en")} events in ${((performance.now() - started) / 1_000).toFixed(1)} s ` +
        `(${(statSync(source).size / 2 ** 20).toFixed(0)} MB SQLite file)`,
    );
  }
  const file = join(keep ?? directory, `events-${total}.ndjson`);
  if (
    only.has("export") ||
    ((only.has("import-sqlite") || only.has("import-postgres")) && !existsSync(file))
  ) {
    await cli("export SQLite -> NDJSON", async () => {
      rmSync(file, { force: true });
      return ["export", "--db", source, "--out", file];
    });
    console.log(`  (${(statSync(file).size / 2 ** 20).toFixed(0)} MB of NDJSON)`);
  }
  if (only.has("import-sqlite")) {
    const target = join(directory, "imported.db");
    await cli("import NDJSON -> SQLite", async () => {
      removeDb(target);
      return ["import", file, "--db", target];
    });
  }
  if (only.has("import-postgres")) {
    const schema = freshSchema("import");
    await cli("import NDJSON -> PostgreSQL", async () => {
      await dropSchema(schema);
      return ["import", file, "--db", pgUrl, "--schema", schema];
    });
  }
  // The PostgreSQL store that migrate-to-sqlite, streams and the inspector read: kept with --keep.
  let pgSource = keep === undefined ? freshSchema("migrate") : `bench_cli_keep_${total}`;
  if (only.has("migrate-to-postgres")) {
    const schema = keep === undefined ? pgSource : freshSchema("migrate");
    await cli("migrate SQLite -> PostgreSQL", async () => {
      await dropSchema(schema);
      return ["migrate", "--from", source, "--to", pgUrl, "--schema", schema];
    });
    if (keep !== undefined && (await schemaEvents(client, pgSource)) !== total) pgSource = schema;
  }
  const needsPg = only.has("migrate-to-sqlite") || only.has("streams") || only.has("inspector");
  if (needsPg && (await schemaEvents(client, pgSource)) !== total) {
    await dropSchema(pgSource);
    console.log(`filling schema ${pgSource} (untimed)`);
    cliOnce("  (fill) migrate SQLite -> PostgreSQL", root, [
      "migrate",
      "--from",
      source,
      "--to",
      pgUrl,
      "--schema",
      pgSource,
    ]);
  }
  if (only.has("migrate-to-sqlite")) {
    await cli("migrate PostgreSQL -> SQLite", async (who) => {
      const target = join(directory, `migrated-${who}.db`);
      removeDb(target);
      return ["migrate", "--from", pgUrl, "--schema", pgSource, "--to", target];
    });
  }
  if (only.has("streams")) {
    await cli("streams --limit 50 (PostgreSQL)", async () => [
      "streams",
      "--db",
      pgUrl,
      "--schema",
      pgSource,
      "--limit",
      "50",
    ]);
  }
  if (only.has("inspector")) {
    await inspectorTimings("SQLite", source);
    await inspectorTimings("PostgreSQL", pgUrl, pgSource);
  }
  console.log(`load average at end: ${loadText()}`);
} finally {
  rmSync(directory, { recursive: true, force: true });
  for (const schema of schemas) await dropSchema(schema);
  await client.end();
}
