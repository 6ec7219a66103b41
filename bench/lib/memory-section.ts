/**
 * The memory section: ours (memory store) against Emmett's in-memory store and the bare loop, then the
 * scaling runs.
 */
import { bareLoop } from "./bare-loop.js";
import type { Contender } from "./contender.js";
import { emmettMemory } from "./emmett-contenders.js";
import { idleMemoryFigures } from "./idle-memory.js";
import { alternate, type Series } from "./measure.js";
import { type BenchOptions, selectContenders } from "./options.js";
import { libraryModule, ours } from "./ours.js";
import { printTable, printTargets, type SectionResult } from "./report.js";
import { scalingSeries } from "./scaling.js";
import { memoryTargets, NAMES } from "./targets.js";
import { workload } from "./workload.js";

/** The memory section runs this many times `--rounds` (a run lasts about a tenth of a second). */
export const MEMORY_ROUND_FACTOR = 5;

/**
 * Untimed runs of the whole plan per contender before the memory rounds: V8 keeps optimizing hot code
 * over the first few runs (ours went from 47,000 to over 140,000 commands/s over its first three).
 */
export const MEMORY_WARM_UP_RUNS = 5;

/**
 * Runs the memory section. `script` is the bench's entry, re-run in child processes for scaling.
 *
 * @example
 * ```ts
 * await memorySection(options, process.argv[1]);
 * ```
 */
export async function memorySection(options: BenchOptions, script: string): Promise<SectionResult> {
  const oursMemory = ours(NAMES.oursMemory, async () =>
    (await import("../../src/stores/memory/index.js")).memoryStore(),
  );
  const contenders: Contender[] = [oursMemory, emmettMemory(), bareLoop];
  if (options.baseline !== undefined)
    contenders.splice(
      1,
      0,
      ours(
        `${NAMES.oursMemory} (baseline)`,
        async () =>
          (
            await libraryModule<typeof import("../../src/stores/memory/index.js")>(
              options.baseline,
              "src/stores/memory/index.js",
            )
          ).memoryStore(),
        { root: options.baseline },
      ),
    );
  const plan = workload(options.accounts);
  const rounds = options.rounds * MEMORY_ROUND_FACTOR;
  console.log(
    `\n== Memory: ${options.accounts.toLocaleString("en-US")} accounts x 10 commands, ${rounds} rounds`,
  );
  const series: Series[] = [];
  for (const mode of options.modes)
    series.push(
      ...(await alternate(selectContenders(options, contenders), plan, mode, rounds, {
        runs: MEMORY_WARM_UP_RUNS,
        accounts: options.accounts,
      })),
    );
  if (options.scaleAccounts > 0) series.push(...(await scalingSeries(options, script)));
  const figures = await idleMemoryFigures(script, options.idleAggregates);
  printTable("Memory (commands/s)", series);
  const outcomes = printTargets(series, memoryTargets(options));
  for (const figure of figures) console.log(`  ${figure}`);
  return { title: "Memory", series, outcomes, figures };
}
