/**
 * `npm run bench`: the bank-account workload on this library, on Emmett and on the raw drivers, per
 * store, contenders alternating round by round, every run checked against the expected streams.
 * See bench/README.md.
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { type IdleMemoryJob, runIdleMemoryJob } from "./lib/idle-memory.js";
import { toMarkdown } from "./lib/markdown.js";
import { memorySection } from "./lib/memory-section.js";
import { parseOptions } from "./lib/options.js";
import { postgresSection } from "./lib/postgres-section.js";
import { type ProcessJob, runProcessJob } from "./lib/processes.js";
import type { SectionResult } from "./lib/report.js";
import { runScalingJob, type ScalingJob } from "./lib/scaling.js";
import { selfTest } from "./lib/self-test.js";
import { sqliteSection } from "./lib/sqlite-section.js";

async function main(args: readonly string[]): Promise<number> {
  if (args[0] === "--scaling-job") {
    await runScalingJob(JSON.parse(args[1] ?? "{}") as ScalingJob);
    return 0;
  }
  if (args[0] === "--idle-job") {
    await runIdleMemoryJob(JSON.parse(args[1] ?? "{}") as IdleMemoryJob);
    return 0;
  }
  if (args[0] === "--process-job") {
    await runProcessJob(JSON.parse(args[1] ?? "{}") as ProcessJob);
    return 0;
  }
  if (args[0] === "--self-test") return (await selfTest()) === 0 ? 0 : 1;
  const options = parseOptions(args);
  const script = fileURLToPath(import.meta.url);
  const [load1, load5] = loadavg();
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average ${load1?.toFixed(2)} / ${load5?.toFixed(2)} (1 / 5 min) at start`,
  );
  console.log(
    `eventsourcing bench: node ${process.version}, sections ${options.sections.join(", ")}, ${options.rounds} rounds, ${options.accounts.toLocaleString("en-US")} accounts`,
  );
  const results: SectionResult[] = [];
  const failures: string[] = [];
  for (const section of options.sections) {
    try {
      if (section === "memory") results.push(await memorySection(options, script));
      if (section === "sqlite") results.push(await sqliteSection(options));
      if (section === "postgres") {
        const result = await postgresSection(options, script);
        if (result !== null) results.push(result);
      }
    } catch (error) {
      failures.push(`${section}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      console.error(`\n!! ${section} FAILED:\n${failures.at(-1)}`);
    }
  }
  const outcomes = results.flatMap((result) => result.outcomes);
  const met = outcomes.filter((outcome) => outcome.met).length;
  console.log(`\nTargets met: ${met} of ${outcomes.length}`);
  if (options.markdown !== undefined) {
    writeFileSync(options.markdown, toMarkdown(results));
    console.log(`Results written as Markdown to ${options.markdown}`);
  }
  if (failures.length > 0) {
    console.error(
      `\nBENCH FAILED in ${failures.length} section(s): ${failures.map((f) => f.split(":")[0]).join(", ")}`,
    );
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
