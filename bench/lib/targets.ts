/**
 * Every target of the bench in one place (issue 13's "Targets"), with the contenders' names they read,
 * and the ratios printed for reference only (no target). bench/README.md states the same table.
 */
import type { Mode } from "./contender.js";
import type { BenchOptions } from "./options.js";
import type { SeriesRef, Target } from "./report.js";

/** The contenders' names, as the tables print them and the targets find them. */
export const NAMES = Object.freeze({
  oursMemory: "ours memory",
  emmettMemory: "Emmett memory",
  bareLoop: "bare loop",
  oursSqlite: "ours SQLite",
  emmettSqlite: "Emmett SQLite",
  rawSqlite: "raw better-sqlite3",
  rawSqlite100: "raw better-sqlite3 100/tx",
  rawSqlite1000: "raw better-sqlite3 1,000/tx",
  oursPostgres: "ours PostgreSQL",
  emmettPostgres: "Emmett PostgreSQL",
  rawPostgres: "raw pg",
  rawPostgresValues: "raw pg 100-row VALUES",
  rawPostgresUnnest: "raw pg 500-row unnest",
});

/** The name of the multi-process series of `count` processes: in all, or per process (`each`). */
export function processesName(count: number, each: boolean): string {
  return `ours PostgreSQL ${count} proc${count === 1 ? "" : "s"}${each ? ", each" : ""}`;
}

/** The peak resident memory the run with all 100,000 aggregates in flight must stay under (1 GB). */
export const SCALING_RSS_BOUND_MB = 1_024;

const ref = (contender: string, mode: Mode, accounts: number): SeriesRef => ({ contender, mode, accounts });

/**
 * The memory section's targets: against Emmett and the bare loop at `--accounts`, and ours at
 * `--scale-accounts` with 1,000 accounts in flight (the windowed mode) and with all of them, against ours at
 * `--accounts`.
 *
 * @example
 * ```ts
 * printTargets(series, memoryTargets(options));
 * ```
 */
export function memoryTargets(options: BenchOptions): Target[] {
  const n = options.accounts;
  const ours = ref(NAMES.oursMemory, "concurrent", n);
  const targets: Target[] = [
    { numerator: ours, denominator: ref(NAMES.emmettMemory, "concurrent", n), atLeast: 8 },
    { numerator: ours, denominator: ref(NAMES.bareLoop, "concurrent", n), atLeast: 0.6 },
  ];
  if (options.scaleAccounts > 0) {
    const scale = options.scaleAccounts;
    targets.push(
      { numerator: ref(NAMES.oursMemory, "windowed", scale), denominator: ours, atLeast: 0.8 },
      {
        numerator: ref(NAMES.oursMemory, "concurrent", scale),
        denominator: ours,
        atLeast: 0.5,
        peakRssBelowMb: SCALING_RSS_BOUND_MB,
      },
    );
    if (options.emmettScaleAccounts > 0) {
      const e = options.emmettScaleAccounts;
      targets.push({
        numerator: ref(NAMES.oursMemory, "concurrent", e),
        denominator: ref(NAMES.emmettMemory, "concurrent", e),
      });
    }
  }
  return targets;
}

/**
 * The SQLite section's targets: ours concurrent against raw better-sqlite3 in 100-row and in 1,000-row
 * transactions; Emmett's sequential figure for reference.
 *
 * @example
 * ```ts
 * printTargets(series, sqliteTargets(options));
 * ```
 */
export function sqliteTargets(options: BenchOptions): Target[] {
  const n = options.accounts;
  const ours = ref(NAMES.oursSqlite, "concurrent", n);
  return [
    { numerator: ours, denominator: ref(NAMES.rawSqlite100, "concurrent", n), atLeast: 0.8 },
    { numerator: ours, denominator: ref(NAMES.rawSqlite1000, "concurrent", n), atLeast: 0.5 },
    { numerator: ours, denominator: ref(NAMES.emmettSqlite, "sequential", n) },
  ];
}

/**
 * The PostgreSQL section's targets: ours concurrent against raw pg's 100-row VALUES and 500-row
 * `unnest` inserts (10 in flight), ours sequential against Emmett; for reference, Emmett concurrent and
 * N processes on one schema against one.
 *
 * @example
 * ```ts
 * printTargets(series, postgresTargets(options));
 * ```
 */
export function postgresTargets(options: BenchOptions): Target[] {
  const n = options.accounts;
  const ours = ref(NAMES.oursPostgres, "concurrent", n);
  return [
    { numerator: ours, denominator: ref(NAMES.rawPostgresValues, "concurrent", n), atLeast: 0.8 },
    { numerator: ours, denominator: ref(NAMES.rawPostgresUnnest, "concurrent", n), atLeast: 0.5 },
    {
      numerator: ref(NAMES.oursPostgres, "sequential", n),
      denominator: ref(NAMES.emmettPostgres, "sequential", n),
      atLeast: 2,
    },
    { numerator: ours, denominator: ref(NAMES.emmettPostgres, "concurrent", n) },
    // Multi-process runs, for reference: N processes in all against one process.
    ...options.processes
      .filter((count) => count > 1 && options.processes.includes(1))
      .map((count) => ({
        numerator: ref(processesName(count, false), "concurrent", n),
        denominator: ref(processesName(1, false), "concurrent", n),
      })),
  ];
}
