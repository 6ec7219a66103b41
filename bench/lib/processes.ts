/**
 * The multi-process PostgreSQL figure (issue 13, item 6): 1, 2 and 4 processes on one schema, each
 * driving its share of the accounts concurrently through our store. Each child warms up on a schema of
 * its own, opens its system on the shared one, waits at a barrier, runs its share (timed), and checks it;
 * once all have exited the parent checks every account of the schema. Commands per second are given per
 * process and in all (every command over the time from the first start to the last end).
 */
import { checkRun } from "./check.js";
import { reportToParent, startChild, waitForGo } from "./child.js";
import { forceGc, type RunResult, type Series, type TimedRunResult, timedRun } from "./measure.js";
import { ours } from "./ours.js";
import { allCompleted } from "./raw-rows.js";
import { processesName } from "./targets.js";
import { workload } from "./workload.js";

/** What one process of a multi-process run does. */
export interface ProcessJob {
  readonly connectionString: string;
  /** The shared schema, made by the parent before the children start. */
  readonly schema: string;
  /** A schema of the child's own for its warm-up run. */
  readonly warmUpSchema: string;
  /** The child's share: accounts `first` to `first + accounts - 1` of the run's plan. */
  readonly first: number;
  readonly accounts: number;
}

/** The schemas a multi-process run may make: it names each, and the caller drops them all at the end. */
export type SchemaNamer = (who: string) => string;

const postgresStore = async (connectionString: string, schema: string) =>
  (await import("../../src/stores/postgres/index.js")).postgresStore({ connectionString, schema });

/**
 * In a child: warm up, open on the shared schema, wait for go, run the share (timed), check it, report.
 *
 * @example
 * ```ts
 * await runProcessJob(job);
 * ```
 */
export async function runProcessJob(job: ProcessJob): Promise<void> {
  const warm = ours("ours PostgreSQL (warm-up)", () => postgresStore(job.connectionString, job.warmUpSchema));
  await timedRun(warm, workload(100), "concurrent");
  const contender = ours(`ours PostgreSQL, accounts from ${job.first}`, () =>
    postgresStore(job.connectionString, job.schema),
  );
  const result = await timedRun(contender, workload(job.accounts, job.first), "concurrent", {
    beforeRun: async () => {
      forceGc();
      await waitForGo();
    },
  });
  reportToParent(result);
}

/**
 * In the parent: one multi-process run of `count` children over `accounts` accounts on a fresh schema,
 * checked by the children and then as a whole. Returns the run in all and each process's run.
 *
 * @example
 * ```ts
 * const { all, each } = await processesRun(script, url, name, 2, 1_000);
 * ```
 */
export async function processesRun(
  script: string,
  connectionString: string,
  name: SchemaNamer,
  count: number,
  accounts: number,
): Promise<{ all: RunResult; each: RunResult[] }> {
  const schema = name(`procs${count}`);
  // Made once here, so that the children do not race to create the same tables.
  const store = await postgresStore(connectionString, schema);
  await store.init();
  await store.close();
  const children = Array.from({ length: count }, (_, index) => {
    const first = Math.floor((index * accounts) / count);
    const next = Math.floor(((index + 1) * accounts) / count);
    const job: ProcessJob = {
      connectionString,
      schema,
      warmUpSchema: name(`warm${count}_${index}`),
      first,
      accounts: next - first,
    };
    return startChild<TimedRunResult>(script, "--process-job", job);
  });
  await Promise.all(children.map((child) => child.ready));
  for (const child of children) child.go();
  const each = await Promise.all(children.map((child) => child.result));
  const plan = workload(accounts);
  const whole = await ours(processesName(count, false), () => postgresStore(connectionString, schema)).open(
    plan,
  );
  try {
    checkRun(processesName(count, false), plan, allCompleted(plan), await whole.readBack(plan));
  } finally {
    await whole.close();
  }
  const commands = each.reduce((sum, run) => sum + run.commands, 0);
  const ms = Math.max(...each.map((run) => run.endedAt)) - Math.min(...each.map((run) => run.startedAt));
  return {
    all: { commands, ms, perSecond: (commands / ms) * 1_000 },
    each: each.map(({ commands, ms, perSecond }) => ({ commands, ms, perSecond })),
  };
}

/**
 * The multi-process runs, process counts alternating round by round, as series: in all per count, and
 * each process's rate per count above 1.
 *
 * @example
 * ```ts
 * const series = await processesSeries(script, url, name, [1, 2, 4], 1_000, 3);
 * ```
 */
export async function processesSeries(
  script: string,
  connectionString: string,
  name: SchemaNamer,
  wanted: readonly number[],
  accounts: number,
  rounds: number,
): Promise<Series[]> {
  const counts = wanted.filter((count) => count <= accounts);
  if (counts.length < wanted.length)
    console.log(`  multi-process: more processes than accounts skipped (${accounts} accounts)`);
  const all = new Map<number, RunResult[]>(counts.map((count) => [count, []]));
  const each = new Map<number, RunResult[]>(counts.map((count) => [count, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const count of counts) {
      const result = await processesRun(script, connectionString, name, count, accounts);
      all.get(count)?.push(result.all);
      each.get(count)?.push(...result.each);
      const rates = result.each.map((run) => Math.round(run.perSecond).toLocaleString("en-US")).join(", ");
      console.log(
        `  round ${round}/${rounds}  ${count} process${count === 1 ? "" : "es"} on one schema: ${Math.round(result.all.perSecond).toLocaleString("en-US")} commands/s in all (${result.all.commands} in ${result.all.ms.toFixed(0)} ms), per process ${rates} (checked, each and as a whole)`,
      );
    }
  }
  const series: Series[] = [];
  for (const count of counts) {
    series.push({
      contender: processesName(count, false),
      mode: "concurrent",
      accounts,
      runs: all.get(count) ?? [],
    });
    if (count > 1)
      series.push({
        contender: processesName(count, true),
        mode: "concurrent",
        accounts,
        runs: each.get(count) ?? [],
      });
  }
  return series;
}
