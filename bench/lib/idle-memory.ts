/**
 * Memory per live idle aggregate (issue 13, item 5): in a child process of its own, our memory system
 * runs the workload on N accounts with passivation set so that every aggregate stays live, then, after a
 * forced collection, the heap is read three times: before the system opened, with the N aggregates live
 * and idle, and once the system has stopped with the store (and its events) still held.
 */
import { reportToParent, startChild } from "./child.js";
import { forceGc, timedRun } from "./measure.js";
import { ours } from "./ours.js";
import { NAMES } from "./targets.js";
import { workload } from "./workload.js";

/** What an idle-memory child measures: N aggregates. */
export interface IdleMemoryJob {
  readonly aggregates: number;
}

/** Bytes of heap per live idle aggregate, with and without the store's events. */
export interface IdleMemoryResult {
  readonly aggregates: number;
  /** Aggregates the system held live after the run (must be all of them). */
  readonly live: number;
  /** (heap with the aggregates live - heap once the system stopped, store held) / live. */
  readonly perAggregateBytes: number;
  /** (heap with the aggregates live - heap before the system opened) / live: aggregate and its events. */
  readonly withStoreBytes: number;
}

/**
 * In the child: runs the workload on `aggregates` accounts (1,000 chains at once, checked) and measures.
 *
 * @example
 * ```ts
 * await runIdleMemoryJob({ aggregates: 10_000 });
 * ```
 */
export async function runIdleMemoryJob(job: IdleMemoryJob): Promise<void> {
  const heap = (): number => {
    forceGc();
    return process.memoryUsage().heapUsed;
  };
  let stopped = 0;
  const contender = ours(
    NAMES.oursMemory,
    async () => (await import("../../src/stores/memory/index.js")).memoryStore(),
    // Nothing is passivated during the measure: every aggregate the run touched stays live.
    { passivation: { maxLive: job.aggregates, idleMs: 3_600_000 }, afterStop: () => (stopped = heap()) },
  );
  // A run first, so that compiled code and the modules are in the heap of every reading alike.
  await timedRun(contender, workload(Math.min(job.aggregates, 1_000)), "windowed");
  const before = heap();
  let live = 0;
  let withAggregates = 0;
  await timedRun(contender, workload(job.aggregates), "windowed", {
    afterRun: async (session) => {
      live = (await session.liveAggregates?.()) ?? 0;
      withAggregates = heap();
    },
  });
  if (live === 0) throw new Error("idle memory: the system reports no live aggregate");
  reportToParent({
    aggregates: job.aggregates,
    live,
    perAggregateBytes: (withAggregates - stopped) / live,
    withStoreBytes: (withAggregates - before) / live,
  } satisfies IdleMemoryResult);
}

/**
 * In the parent: one child per N, printing each figure; returns the lines, for the results.
 *
 * @example
 * ```ts
 * const lines = await idleMemoryFigures(script, [10_000, 100_000]);
 * ```
 */
export async function idleMemoryFigures(script: string, sizes: readonly number[]): Promise<string[]> {
  const lines: string[] = [];
  for (const aggregates of sizes) {
    const result = await startChild<IdleMemoryResult>(script, "--idle-job", { aggregates }).result;
    const line = `memory per live idle aggregate at ${aggregates.toLocaleString("en-US")} (${result.live.toLocaleString("en-US")} live): ${Math.round(result.perAggregateBytes).toLocaleString("en-US")} bytes of heap; ${Math.round(result.withStoreBytes).toLocaleString("en-US")} bytes with its 10 events in the memory store`;
    console.log(`  ${line} (checked)`);
    lines.push(line);
  }
  return lines;
}
