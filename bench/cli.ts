/**
 * The command line's export, import and migrate on a large store (default 1,000,000 events), each run
 * as the real bin in a child process under /usr/bin/time: events per second (wall time of the whole
 * command, start-up and verification included) and peak RSS. Not a test: run it on a quiet machine.
 *
 *   npm run bench:cli                          1,000,000 events
 *   npm run bench:cli -- --events 100000       a quick look
 *
 * PostgreSQL: EVENTSOURCING_PG_URL (default postgres://postgres@127.0.0.1:5432/test), fresh schemas
 * dropped at the end.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { AppendRequest } from "../src/core/event-store.js";
import { openStore } from "../src/inspect/index.js";
import { sqliteStore } from "../src/stores/sqlite/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const pgUrl = process.env.EVENTSOURCING_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const argIndex = process.argv.indexOf("--events");
const total = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 1_000_000;
if (!Number.isSafeInteger(total) || total <= 0) throw new Error("--events must be a positive integer");

const directory = mkdtempSync(join(tmpdir(), "eventsourcing-bench-cli-"));
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const schemas = [`bench_cli_import_${suffix}`, `bench_cli_migrate_${suffix}`];

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
}

function cli(name: string, args: readonly string[]): Run {
  const started = performance.now();
  const result = spawnSync(
    "/usr/bin/time",
    ["-f", "RSS_KB %M CPU %U %S", process.execPath, "--import", "tsx", "src/cli/main.ts", ...args],
    { cwd: root, encoding: "utf8", maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "pipe"] },
  );
  const seconds = (performance.now() - started) / 1_000;
  if (result.status !== 0) {
    throw new Error(`${name} failed (${result.status}): ${result.stderr.slice(-2_000)}`);
  }
  const rss = /RSS_KB (\d+) CPU ([\d.]+) ([\d.]+)/.exec(result.stderr);
  const run = { name, seconds, rate: total / seconds, rssMb: rss ? Number(rss[1]) / 1024 : Number.NaN };
  const cpu = rss ? Number(rss[2]) + Number(rss[3]) : Number.NaN;
  console.log(
    `${name.padEnd(34)} ${seconds.toFixed(1).padStart(6)} s  ${Math.round(run.rate).toLocaleString("en").padStart(9)} events/s  ` +
      `peak RSS ${run.rssMb.toFixed(0).padStart(4)} MB  CPU of the bin ${cpu.toFixed(1)} s`,
  );
  return run;
}

console.log(
  `load average at start: ${(await import("node:os"))
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(" ")}`,
);
try {
  const source = join(directory, "source.db");
  const started = performance.now();
  await seed(source);
  console.log(
    `seeded ${total.toLocaleString("en")} events in ${((performance.now() - started) / 1_000).toFixed(1)} s ` +
      `(${(statSync(source).size / 2 ** 20).toFixed(0)} MB SQLite file)`,
  );
  const file = join(directory, "events.ndjson");
  cli("export SQLite -> NDJSON", ["export", "--db", source, "--out", file]);
  console.log(`  (${(statSync(file).size / 2 ** 20).toFixed(0)} MB of NDJSON)`);
  cli("import NDJSON -> SQLite", ["import", file, "--db", join(directory, "imported.db")]);
  cli("import NDJSON -> PostgreSQL", ["import", file, "--db", pgUrl, "--schema", schemas[0] as string]);
  cli("migrate SQLite -> PostgreSQL", [
    "migrate",
    "--from",
    source,
    "--to",
    pgUrl,
    "--schema",
    schemas[1] as string,
  ]);
  cli("migrate PostgreSQL -> SQLite", [
    "migrate",
    "--from",
    pgUrl,
    "--schema",
    schemas[1] as string,
    "--to",
    join(directory, "migrated.db"),
  ]);
  cli("streams --limit 50 (PostgreSQL)", [
    "streams",
    "--db",
    pgUrl,
    "--schema",
    schemas[1] as string,
    "--limit",
    "50",
  ]);
  await inspectorTimings("SQLite", source);
  await inspectorTimings("PostgreSQL", pgUrl, schemas[1] as string);
  console.log(
    `load average at end: ${(await import("node:os"))
      .loadavg()
      .map((n) => n.toFixed(1))
      .join(" ")}`,
  );
} finally {
  rmSync(directory, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
