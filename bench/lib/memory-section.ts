/**
 * The memory section: ours (memory store) against Emmett's in-memory store and the bare loop, then the
 * scaling runs.
 */
import { bareLoop } from "./bare-loop.js";
import type { Contender } from "./contender.js";
import { emmettMemory } from "./emmett-contenders.js";
import { alternate, type Series } from "./measure.js";
import type { BenchOptions } from "./options.js";
import { ours } from "./ours.js";
import { printTable, printTargets, type SectionResult } from "./report.js";
import { runScalingChild } from "./scaling.js";
import { workload } from "./workload.js";

/**
 * Runs the memory section. `script` is the bench's entry, re-run in child processes for scaling.
 *
 * @example
 * ```ts
 * await memorySection(options, process.argv[1]);
 * ```
 */
export async function memorySection(options: BenchOptions, script: string): Promise<SectionResult> {
  const oursMemory = ours("ours memory", async () =>
    (await import("../../src/stores/memory/index.js")).memoryStore(),
  );
  const contenders: Contender[] = [oursMemory, emmettMemory(), bareLoop];
  const plan = workload(options.accounts);
  console.log(
    `\n== Memory: ${options.accounts.toLocaleString("en-US")} accounts x 10 commands, ${options.rounds} rounds`,
  );
  const series: Series[] = [];
  for (const mode of ["sequential", "concurrent"] as const)
    series.push(...(await alternate(contenders, plan, mode, options.rounds)));
  if (options.scaleAccounts > 0) series.push(...(await scalingSeries(options, script)));
  printTable("Memory (commands/s)", series);
  const at = (contender: string, accounts = options.accounts) => ({
    contender,
    mode: "concurrent" as const,
    accounts,
  });
  const outcomes = printTargets(series, [
    { numerator: at("ours memory"), denominator: at("Emmett memory"), atLeast: 5 },
    { numerator: at("ours memory"), denominator: at("bare loop"), atLeast: 0.5 },
    { numerator: at("ours memory", options.scaleAccounts), denominator: at("ours memory"), atLeast: 0.8 },
  ]);
  return { series, outcomes };
}

async function scalingSeries(options: BenchOptions, script: string): Promise<Series[]> {
  const runs = [];
  let peakRssMb = 0;
  const maxLive =
    options.maxLive === undefined ? "the default passivation" : `passivation.maxLive ${options.maxLive}`;
  const baseline = await runScalingChild(script, { contender: "ours", accounts: 1 });
  console.log(
    `  scaling: a child process running 1 account peaks at ${baseline.peakRssMb.toFixed(0)} MB RSS (baseline)`,
  );
  for (let round = 1; round <= options.rounds; round++) {
    const job = {
      contender: "ours" as const,
      accounts: options.scaleAccounts,
      ...(options.maxLive === undefined ? {} : { maxLive: options.maxLive }),
    };
    const result = await runScalingChild(script, job);
    runs.push(result);
    peakRssMb = Math.max(peakRssMb, result.peakRssMb);
    console.log(
      `  scaling ${round}/${options.rounds}  ours memory, ${options.scaleAccounts.toLocaleString("en-US")} accounts (${maxLive}): ${Math.round(result.perSecond).toLocaleString("en-US")} commands/s, peak RSS ${result.peakRssMb.toFixed(0)} MB (checked)`,
    );
  }
  const series: Series[] = [
    { contender: "ours memory", mode: "concurrent", accounts: options.scaleAccounts, runs, peakRssMb },
  ];
  if (options.emmettScaleAccounts > 0) {
    const job = {
      contender: "emmett" as const,
      accounts: options.emmettScaleAccounts,
      budgetMs: options.emmettBudgetMs,
    };
    const result = await runScalingChild(script, job);
    console.log(
      `  scaling 1/1  Emmett memory, ${options.emmettScaleAccounts.toLocaleString("en-US")} accounts, bounded to ${options.emmettBudgetMs} ms: ${Math.round(result.perSecond).toLocaleString("en-US")} commands/s (${result.commands} commands), peak RSS ${result.peakRssMb.toFixed(0)} MB (checked)`,
    );
    series.push({
      contender: "Emmett memory",
      mode: "concurrent",
      accounts: options.emmettScaleAccounts,
      runs: [result],
      peakRssMb: result.peakRssMb,
    });
  }
  return series;
}
