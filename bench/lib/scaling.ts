/**
 * Scaling runs, each in a child process of its own so that its peak resident memory is its own: our
 * memory store at many accounts, and Emmett's in-memory store at fewer, within a time budget.
 */
import { spawn } from "node:child_process";
import type { Contender } from "./contender.js";
import { emmettMemory } from "./emmett-contenders.js";
import { type RunResult, timedRun } from "./measure.js";
import { ours } from "./ours.js";
import { workload } from "./workload.js";

/** What a scaling child runs. */
export interface ScalingJob {
  readonly contender: "ours" | "emmett";
  readonly accounts: number;
  /** Bounds the run: no command starts after it. */
  readonly budgetMs?: number;
  /** Our system's `passivation.maxLive`; omitted: the library's default. */
  readonly maxLive?: number;
}

/** A scaling run's result with the child's peak resident memory. */
export interface ScalingResult extends RunResult {
  readonly peakRssMb: number;
}

const MARK = "BENCH_SCALING_RESULT ";

/** The contender a scaling job names. */
export function scalingContender(job: ScalingJob): Contender {
  if (job.contender === "emmett") return emmettMemory();
  return ours(
    "ours memory",
    async () => (await import("../../src/stores/memory/index.js")).memoryStore(),
    job.maxLive === undefined ? {} : { passivation: { maxLive: job.maxLive } },
  );
}

/**
 * In the child: runs the job once (concurrent mode, checked) and prints its result for the parent.
 *
 * @example
 * ```ts
 * await runScalingJob({ contender: "ours", accounts: 100_000 });
 * ```
 */
export async function runScalingJob(job: ScalingJob): Promise<void> {
  const result = await timedRun(scalingContender(job), workload(job.accounts), "concurrent", job.budgetMs);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`${MARK}${JSON.stringify({ ...result, peakRssMb })}`);
}

/**
 * In the parent: runs the job in a child process (this same script, `--scaling-job`), relays its
 * output, and returns its result. Rejects if the child fails, a failed check included.
 *
 * @example
 * ```ts
 * const result = await runScalingChild({ contender: "emmett", accounts: 20_000, budgetMs: 15_000 });
 * ```
 */
export function runScalingChild(script: string, job: ScalingJob): Promise<ScalingResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, script, "--scaling-job", JSON.stringify(job)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let output = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const line = output.split("\n").find((text) => text.startsWith(MARK));
      if (code !== 0 || line === undefined) {
        reject(new Error(`scaling run ${JSON.stringify(job)} failed (exit ${code}):\n${output}`));
        return;
      }
      resolve(JSON.parse(line.slice(MARK.length)) as ScalingResult);
    });
  });
}
