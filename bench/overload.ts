/**
 * Bounded work in flight, measured: `count` commands (default 200,000, each opening its own account)
 * fired at once without awaiting, on SQLite and on PostgreSQL, each store in a child process of its own
 * so that its peak resident memory is its own. Prints, per store, the answers by kind, the peak RSS and
 * the time until every answer was in; fails (exit 1) when an answer is not a value, when nothing was
 * refused, or when the peak RSS reaches 1 GB.
 *
 * ```sh
 * npx tsx bench/overload.ts                      # both stores, 200,000 commands, the library's bounds
 * npx tsx bench/overload.ts --count 400000 --stores sqlite
 * ```
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PG_URL } from "./lib/postgres-section.js";

const LIMIT_MB = 1_024;

interface ChildReport {
  readonly store: string;
  readonly count: number;
  readonly kinds: Record<string, number>;
  readonly rejected: number;
  readonly peakRssMb: number;
  readonly seconds: number;
  /** A few of the errors other than Overloaded, described. */
  readonly samples: readonly string[];
}

async function child(store: "sqlite" | "postgres", count: number): Promise<void> {
  const { start, describeError } = await import("../src/index.js");
  const domain = await import("../examples/bank-account/domain.js");
  let cleanup: () => Promise<void>;
  let eventStore: import("../src/core/event-store.js").EventStore;
  if (store === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "es-overload-"));
    eventStore = (await import("../src/stores/sqlite/index.js")).sqliteStore({ path: join(dir, "bench.db") });
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const schema = `bench_overload_${process.pid}`;
    eventStore = (await import("../src/stores/postgres/index.js")).postgresStore({
      connectionString: PG_URL,
      schema,
    });
    cleanup = async () => {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    };
  }
  const system = await start({
    store: eventStore,
    handle: domain.handle,
    apply: domain.apply,
    emptyState: domain.emptyState,
    // Long enough that the admitted commands are answered by the store, not by their timeout.
    commandTimeout: 600_000,
  });
  const kinds: Record<string, number> = {};
  let rejected = 0;
  const samples = new Set<string>();
  const began = performance.now();
  const answers: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const id = `acc-${i}`;
    answers.push(
      system.execute(id, { type: "OpenAccount", accountId: id }).then(
        (answer) => {
          const kind = answer.ok ? "ok" : answer.error.type;
          if (!answer.ok && kind !== "Overloaded" && samples.size < 3)
            samples.add(describeError(answer.error));
          kinds[kind] = (kinds[kind] ?? 0) + 1;
        },
        () => {
          rejected++;
        },
      ),
    );
  }
  await Promise.all(answers);
  const seconds = (performance.now() - began) / 1_000;
  const peakRssMb = process.resourceUsage().maxRSS / 1_024;
  await system.stop();
  await eventStore.close();
  await cleanup();
  const report: ChildReport = { store, count, kinds, rejected, peakRssMb, seconds, samples: [...samples] };
  console.log(`REPORT ${JSON.stringify(report)}`);
}

function parse(args: readonly string[]): { count: number; stores: ("sqlite" | "postgres")[] } {
  let count = 200_000;
  let stores: ("sqlite" | "postgres")[] = ["sqlite", "postgres"];
  for (let i = 0; i < args.length; i += 2) {
    const value = args[i + 1] ?? "";
    if (args[i] === "--count" && /^[1-9][0-9]*$/.test(value)) count = Number(value);
    else if (args[i] === "--stores")
      stores = value.split(",").filter((s): s is "sqlite" | "postgres" => s === "sqlite" || s === "postgres");
    else throw new Error("usage: npx tsx bench/overload.ts [--count N] [--stores sqlite,postgres]");
  }
  return { count, stores };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    await child(args[1] as "sqlite" | "postgres", Number(args[2]));
    return 0;
  }
  const { count, stores } = parse(args);
  const script = fileURLToPath(import.meta.url);
  let failed = 0;
  console.log(
    `bounded work in flight: ${count.toLocaleString("en-US")} commands fired without awaiting, default bounds`,
  );
  for (const store of stores) {
    const run = spawnSync(process.execPath, [...process.execArgv, script, "--child", store, String(count)], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const line = run.stdout.split("\n").find((l) => l.startsWith("REPORT "));
    if (run.status !== 0 || line === undefined) {
      console.log(`  ${store}: the child failed (exit ${run.status})\n${run.stderr.slice(-2_000)}`);
      failed++;
      continue;
    }
    const report = JSON.parse(line.slice("REPORT ".length)) as ChildReport;
    const answered = Object.values(report.kinds).reduce((sum, n) => sum + n, 0);
    const kinds = Object.entries(report.kinds)
      .map(([kind, n]) => `${kind} ${n.toLocaleString("en-US")}`)
      .join(", ");
    const problems = [
      report.rejected > 0 ? `${report.rejected} promises rejected` : "",
      answered !== count ? `${answered} answers for ${count} commands` : "",
      (report.kinds.Overloaded ?? 0) === 0 ? "nothing was refused" : "",
      report.peakRssMb >= LIMIT_MB ? `peak RSS ${report.peakRssMb.toFixed(0)} MB >= ${LIMIT_MB} MB` : "",
    ].filter((p) => p !== "");
    console.log(
      `  ${store}: ${kinds}; peak RSS ${report.peakRssMb.toFixed(0)} MB; all answered in ${report.seconds.toFixed(1)} s` +
        (problems.length > 0 ? `; FAILED: ${problems.join("; ")}` : "; every answer a value, under 1 GB"),
    );
    for (const sample of report.samples) console.log(`    e.g. ${sample}`);
    if (problems.length > 0) failed++;
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
