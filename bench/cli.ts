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
import { sqliteStore } from "../src/stores/sqlite/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const pgUrl = process.env.EVENTSOURCING_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const argIndex = process.argv.indexOf("--events");
const total = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 1_000_000;
if (!Number.isSafeInteger(total) || total <= 0) throw new Error("--events must be a positive integer");

const directory = mkdtempSync(join(tmpdir(), "eventsourcing-bench-cli-"));
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const schemas = [`bench_cli_import_${suffix}`, `bench_cli_migrate_${suffix}`];

/** Writes `total` events: streams of 10, commits of 1 to 3 events, 500 commits per append. */
async function seed(path: string): Promise<void> {
  const store = sqliteStore({ path, synchronous: "normal" });
  await store.init();
  const streams = Math.ceil(total / 10);
  const next = new Array<number>(streams).fill(0);
  let written = 0;
  let stream = 0;
  while (written < total) {
    const requests: AppendRequest[] = [];
    const used = new Set<number>();
    while (requests.length < 500 && written < total) {
      stream = (stream + 7919) % streams;
      if (used.has(stream) || (next[stream] as number) >= 10) {
        stream = next.findIndex((sequence, index) => sequence < 10 && !used.has(index));
        if (stream < 0) break;
      }
      used.add(stream);
      const expected = next[stream] as number;
      const size = Math.min(1 + (written % 3), 10 - expected, total - written);
      requests.push({
        aggregateType: stream % 5 === 0 ? "customer" : "account",
        aggregateId: `acct-${String(stream).padStart(7, "0")}`,
        expectedSequence: expected,
        events: Array.from({ length: size }, (_, i) => ({
          eventType: i === 0 && expected === 0 ? "AccountOpened" : "MoneyDeposited",
          payload: JSON.stringify({ amount: (written + i) % 1000, currency: "EUR", note: "bench deposit" }),
          metadata: { correlationId: `c-${written + i}` },
        })),
      });
      next[stream] = expected + size;
      written += size;
    }
    await store.append(requests);
  }
  await store.close();
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
    ["-f", "RSS_KB %M", process.execPath, "--import", "tsx", "src/cli/main.ts", ...args],
    { cwd: root, encoding: "utf8", maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "pipe"] },
  );
  const seconds = (performance.now() - started) / 1_000;
  if (result.status !== 0) {
    throw new Error(`${name} failed (${result.status}): ${result.stderr.slice(-2_000)}`);
  }
  const rss = /RSS_KB (\d+)/.exec(result.stderr);
  const run = { name, seconds, rate: total / seconds, rssMb: rss ? Number(rss[1]) / 1024 : Number.NaN };
  console.log(
    `${name.padEnd(34)} ${seconds.toFixed(1).padStart(6)} s  ${Math.round(run.rate).toLocaleString("en").padStart(9)} events/s  ` +
      `peak RSS ${run.rssMb.toFixed(0)} MB`,
  );
  return run;
}

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
} finally {
  rmSync(directory, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
