/**
 * Scaling runs, each in a child process of its own so that its peak resident memory is its own: our
 * memory store at many accounts, and Emmett's in-memory store at fewer, within a time budget.
 */
import { bareLoop } from "./bare-loop.js";
import { reportToParent, startChild } from "./child.js";
import type { Contender } from "./contender.js";
import { emmettMemory } from "./emmett-contenders.js";
import { forceGc, type RunResult, type Series, settle, timedRun } from "./measure.js";
import type { BenchOptions } from "./options.js";
import { ours } from "./ours.js";
import { NAMES } from "./targets.js";
import { workload } from "./workload.js";

/** What a scaling child runs. */
export interface ScalingJob {
  readonly contender: "ours" | "emmett" | "bare";
  readonly accounts: number;
  /** `concurrent` (every account's chain at once) or `windowed` (1,000 at once); default concurrent. */
  readonly mode?: "concurrent" | "windowed";
  /** Bounds the run: no command starts after it. */
  readonly budgetMs?: number;
  /** Our system's `passivation.maxLive`; omitted: the library's default. */
  readonly maxLive?: number;
}

/** A scaling run's result with the child's peak resident memory. */
export interface ScalingResult extends RunResult {
  readonly peakRssMb: number;
  /** The JavaScript heap still in use after the run and a full collection, the store still open. */
  readonly retainedMb: number;
}

/** Untimed runs before a scaling run: as many, of as many accounts, as the memory section's warm-up. */
export const SCALING_WARM_UP = Object.freeze({ runs: 5, accounts: 1_000 });

/**
 * Our system's `commandTimeout` in the scaling runs: ten minutes. With every chain in flight a command
 * waits behind up to one command of every other account (100,000), which takes longer than the
 * library's default (5 s) on a loaded machine; these runs measure throughput, not latency.
 */
export const SCALING_COMMAND_TIMEOUT_MS = 600_000;

/** The contender a scaling job names. */
export function scalingContender(job: ScalingJob): Contender {
  if (job.contender === "emmett") return emmettMemory();
  if (job.contender === "bare") return bareLoop;
  return ours(
    NAMES.oursMemory,
    async () => (await import("../../src/stores/memory/index.js")).memoryStore(),
    {
      commandTimeout: SCALING_COMMAND_TIMEOUT_MS,
      ...(job.maxLive === undefined ? {} : { passivation: { maxLive: job.maxLive } }),
    },
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
  let retainedMb = 0;
  const measureRetained = () => {
    forceGc();
    retainedMb = process.memoryUsage().heapUsed / 1_048_576;
  };
  const plan = workload(job.accounts);
  // Warmed up as the memory section's contenders are, so that the comparison with them is fair.
  const contender = scalingContender(job);
  const warmUp = workload(Math.min(job.accounts, SCALING_WARM_UP.accounts));
  for (let run = 0; run < SCALING_WARM_UP.runs; run++) await timedRun(contender, warmUp, "concurrent");
  await settle(contender, warmUp, "concurrent");
  const { commands, ms, perSecond } = await timedRun(contender, plan, job.mode ?? "concurrent", {
    ...(job.budgetMs === undefined ? {} : { budgetMs: job.budgetMs }),
    afterRun: measureRetained,
  });
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  reportToParent({ commands, ms, perSecond, peakRssMb, retainedMb });
}

/**
 * In the parent: runs the job in a child process (this same script, `--scaling-job`), relays its
 * output, and returns its result. Rejects if the child fails, a failed check included.
 *
 * @example
 * ```ts
 * const result = await runScalingChild(script, { contender: "emmett", accounts: 20_000, budgetMs: 15_000 });
 * ```
 */
export function runScalingChild(script: string, job: ScalingJob): Promise<ScalingResult> {
  return startChild<ScalingResult>(script, "--scaling-job", job).result;
}

/**
 * The scaling runs of the memory section, each in its own child process: a one-account run (the
 * baseline memory of a child), ours at `scaleAccounts` for every round, the bare loop there once (what
 * the harness itself costs at that size), and Emmett at `emmettScaleAccounts` once, bounded in time,
 * with ours once at that size for contrast.
 *
 * @example
 * ```ts
 * const series = await scalingSeries(options, process.argv[1]);
 * ```
 */
export async function scalingSeries(options: BenchOptions, script: string): Promise<Series[]> {
  const baseline = await runScalingChild(script, { contender: "ours", accounts: 1 });
  console.log(
    `  scaling: a child process running 1 account peaks at ${baseline.peakRssMb.toFixed(0)} MB RSS`,
  );
  const passivation =
    options.maxLive === undefined ? "default passivation" : `passivation.maxLive ${options.maxLive}`;
  const series = [
    await childSeries(script, NAMES.oursMemory, options.rounds, `${passivation}, 1,000 in flight`, {
      contender: "ours",
      accounts: options.scaleAccounts,
      mode: "windowed",
      ...(options.maxLive === undefined ? {} : { maxLive: options.maxLive }),
    }),
    await childSeries(script, NAMES.oursMemory, options.rounds, `${passivation}, all in flight`, {
      contender: "ours",
      accounts: options.scaleAccounts,
      ...(options.maxLive === undefined ? {} : { maxLive: options.maxLive }),
    }),
    await childSeries(script, NAMES.bareLoop, 1, "reference", {
      contender: "bare",
      accounts: options.scaleAccounts,
    }),
  ];
  if (options.emmettScaleAccounts > 0) {
    // Ours at Emmett's size, for contrast, unless the scaling runs above already ran that size.
    const contrast =
      options.emmettScaleAccounts === options.scaleAccounts
        ? []
        : [
            await childSeries(script, NAMES.oursMemory, 1, "the same size as Emmett's, for contrast", {
              contender: "ours",
              accounts: options.emmettScaleAccounts,
            }),
          ];
    const job = {
      contender: "emmett" as const,
      accounts: options.emmettScaleAccounts,
      budgetMs: options.emmettBudgetMs,
    };
    series.push(
      await childSeries(script, NAMES.emmettMemory, 1, `bounded to ${options.emmettBudgetMs} ms`, job),
      ...contrast,
    );
  }
  return series;
}

async function childSeries(
  script: string,
  contender: string,
  rounds: number,
  note: string,
  job: ScalingJob,
): Promise<Series> {
  const runs: ScalingResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    const result = await runScalingChild(script, job);
    runs.push(result);
    console.log(
      `  scaling ${round}/${rounds}  ${contender}, ${job.accounts.toLocaleString("en-US")} accounts (${note}): ${Math.round(result.perSecond).toLocaleString("en-US")} commands/s, ${result.commands} commands in ${result.ms.toFixed(0)} ms, peak RSS ${result.peakRssMb.toFixed(0)} MB, heap retained after the run ${result.retainedMb.toFixed(0)} MB (checked)`,
    );
  }
  const peakRssMb = Math.max(...runs.map((run) => run.peakRssMb));
  const retainedMb = Math.max(...runs.map((run) => run.retainedMb));
  return { contender, mode: job.mode ?? "concurrent", accounts: job.accounts, runs, peakRssMb, retainedMb };
}
