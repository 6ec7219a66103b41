/**
 * Timed runs and their statistics: each run opens a fresh store, times only the workload, then checks
 * the store's content; contenders alternate round by round so that drift of the machine hits them all.
 */

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { checkRun } from "./check.js";
import type { Contender, Mode, Session } from "./contender.js";
import { type Workload, workload } from "./workload.js";

/** One checked run. */
export interface RunResult {
  readonly commands: number;
  readonly ms: number;
  readonly perSecond: number;
}

/** The rounds of one contender in one mode. */
export interface Series {
  readonly contender: string;
  readonly mode: Mode;
  readonly accounts: number;
  readonly runs: readonly RunResult[];
  /** Peak resident memory of the process that ran the series, when it ran alone in one. */
  readonly peakRssMb?: number;
  /** The heap still in use after the run and a full collection, with the store open (scaling runs). */
  readonly retainedMb?: number;
}

/** Untimed warm-up before the rounds: runs per contender, and accounts per run (at most the plan's). */
export interface WarmUp {
  readonly runs: number;
  readonly accounts: number;
}

/** The default warm-up: one run of 100 accounts, enough where I/O dominates. */
export const DEFAULT_WARM_UP: WarmUp = Object.freeze({ runs: 1, accounts: 100 });

let gcFunction: (() => void) | undefined;

/**
 * A full, forced garbage collection, without needing `node --expose-gc` on the command line (the flag is
 * set at run time and `gc` taken from a fresh context).
 *
 * @example
 * ```ts
 * forceGc();
 * const heapMb = process.memoryUsage().heapUsed / 1_048_576;
 * ```
 */
export function forceGc(): void {
  if (!gcFunction) {
    setFlagsFromString("--expose-gc");
    gcFunction = runInNewContext("gc") as () => void;
  }
  gcFunction();
}

/** Optional parts of a timed run. */
export interface RunHooks {
  /** Bounds the run: chains start no command after it (ms after the start). */
  readonly budgetMs?: number;
  /** Called once the session is open, before the clock starts (a barrier between processes). */
  readonly beforeRun?: () => Promise<void>;
  /** Called once the clock has stopped, while the store still holds the run's events. */
  readonly afterRun?: (session: Session) => void | Promise<void>;
}

/** A checked run with the wall-clock times it started and ended (ms since the epoch). */
export interface TimedRunResult extends RunResult {
  readonly startedAt: number;
  readonly endedAt: number;
}

/**
 * Opens a fresh session, runs the workload (timed), reads every stream back and checks it (not timed),
 * closes. A failed check throws.
 *
 * @example
 * ```ts
 * const { perSecond } = await timedRun(bareLoop, workload(1_000), "concurrent");
 * ```
 */
export async function timedRun(
  contender: Contender,
  plan: Workload,
  mode: Mode,
  hooks: RunHooks = {},
): Promise<TimedRunResult> {
  const session = await contender.open(plan);
  try {
    await hooks.beforeRun?.();
    const started = performance.now();
    const deadline = hooks.budgetMs === undefined ? undefined : started + hooks.budgetMs;
    const completed = await session.run(plan, mode, deadline);
    const ended = performance.now();
    const ms = ended - started;
    await hooks.afterRun?.(session);
    checkRun(`${contender.name} (${mode})`, plan, completed, await session.readBack(plan));
    const commands = completed.reduce((sum, count) => sum + count, 0);
    return {
      commands,
      ms,
      perSecond: (commands / ms) * 1_000,
      startedAt: performance.timeOrigin + started,
      endedAt: performance.timeOrigin + ended,
    };
  } finally {
    await session.close();
  }
}

/**
 * Runs every contender that supports `mode`, `rounds` times, alternating (A B C A B C ...), printing each
 * run as it ends. Contenders whose `probe` reports them missing are skipped with the reason.
 *
 * @example
 * ```ts
 * const series = await alternate([ours, emmett], workload(1_000), "concurrent", 3);
 * ```
 */
export async function alternate(
  contenders: readonly Contender[],
  plan: Workload,
  mode: Mode,
  rounds: number,
  warmUp: WarmUp = DEFAULT_WARM_UP,
): Promise<Series[]> {
  const playing: Contender[] = [];
  for (const contender of contenders) {
    if (!contender.modes.includes(mode)) continue;
    const missing = (await contender.probe?.()) ?? null;
    if (missing === null) playing.push(contender);
    else console.log(`  ${contender.name}: skipped, ${missing}`);
  }
  // One untimed (but checked) run each on a small plan first, so that no contender's first round pays
  // for loading modules and compiling hot paths.
  const warmUpPlan = workload(Math.min(plan.accounts, warmUp.accounts));
  for (const contender of playing)
    for (let run = 0; run < warmUp.runs; run++) await timedRun(contender, warmUpPlan, mode);
  const runs = new Map<string, RunResult[]>(playing.map((contender) => [contender.name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const contender of playing) {
      await settle(contender, warmUpPlan, mode);
      const result = await timedRun(contender, plan, mode);
      runs
        .get(contender.name)
        ?.push({ commands: result.commands, ms: result.ms, perSecond: result.perSecond });
      console.log(
        `  round ${round}/${rounds}  ${mode.padEnd(10)}  ${contender.name.padEnd(28)} ${formatRate(result.perSecond)} commands/s  (${result.commands} in ${result.ms.toFixed(0)} ms, checked)`,
      );
    }
  }
  return playing.map((contender) => ({
    contender: contender.name,
    mode,
    accounts: plan.accounts,
    runs: runs.get(contender.name) ?? [],
  }));
}

/**
 * What every timed round starts from: a forced full collection, so that no round pays for the garbage
 * of the one before (one collection otherwise moved a 100 ms round by half), then one untimed run of the
 * warm-up plan on a fresh instance of the contender. The re-warm is needed because a forced collection
 * throws away optimised code that holds weak references (V8 deoptimises it) and shrinks the young
 * generation: measured straight after it, a round times a cold path.
 *
 * @example
 * ```ts
 * await settle(contender, workload(100), "concurrent");
 * const result = await timedRun(contender, workload(1_000), "concurrent");
 * ```
 */
export async function settle(contender: Contender, warmUpPlan: Workload, mode: Mode): Promise<void> {
  forceGc();
  await timedRun(contender, warmUpPlan, mode);
}

/** The median commands per second of a series. */
export function median(series: Series): number {
  const rates = series.runs.map((run) => run.perSecond).sort((a, b) => a - b);
  const middle = Math.floor(rates.length / 2);
  if (rates.length === 0) return Number.NaN;
  return rates.length % 2 === 1
    ? (rates[middle] ?? 0)
    : ((rates[middle - 1] ?? 0) + (rates[middle] ?? 0)) / 2;
}

/** (max - min) / median of the rates, in percent: how noisy the rounds were. */
export function spreadPercent(series: Series): number {
  const rates = series.runs.map((run) => run.perSecond);
  if (rates.length < 2) return 0;
  return ((Math.max(...rates) - Math.min(...rates)) / median(series)) * 100;
}

/** A rate with thousands separators. */
export function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString("en-US").padStart(11);
}
