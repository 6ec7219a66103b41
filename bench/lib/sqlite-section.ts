/**
 * The SQLite section: ours (a WAL file, default durability) against Emmett's SQLite store (sequential
 * only) and raw better-sqlite3, each run on a fresh file in a temporary folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Contender } from "./contender.js";
import { emmettSqlite } from "./emmett-sqlite.js";
import { alternate, type Series } from "./measure.js";
import { type BenchOptions, selectContenders } from "./options.js";
import { libraryModule, ours } from "./ours.js";
import { rawSqlite } from "./raw-sqlite.js";
import { printTable, printTargets, type SectionResult } from "./report.js";
import { NAMES, sqliteTargets } from "./targets.js";
import { workload } from "./workload.js";

/**
 * Runs the SQLite section.
 *
 * @example
 * ```ts
 * await sqliteSection(options);
 * ```
 */
export async function sqliteSection(options: BenchOptions): Promise<SectionResult> {
  const directory = mkdtempSync(join(tmpdir(), "eventsourcing-bench-"));
  try {
    const oursSqlite = ours(NAMES.oursSqlite, async () =>
      (await import("../../src/stores/sqlite/index.js")).sqliteStore({ path: fileIn(directory, "ours")() }),
    );
    // Our store's default durability is synchronous = FULL: the raw limit pays the same.
    const contenders: Contender[] = [
      oursSqlite,
      emmettSqlite(fileIn(directory, "emmett")),
      rawSqlite(NAMES.rawSqlite, fileIn(directory, "raw"), "FULL", "per-command"),
      rawSqlite(NAMES.rawSqlite100, fileIn(directory, "raw"), "FULL", 100),
      rawSqlite(NAMES.rawSqlite1000, fileIn(directory, "raw"), "FULL", 1_000),
    ];
    if (options.baseline !== undefined)
      contenders.splice(
        1,
        0,
        ours(
          `${NAMES.oursSqlite} (baseline)`,
          async () =>
            (
              await libraryModule<typeof import("../../src/stores/sqlite/index.js")>(
                options.baseline,
                "src/stores/sqlite/index.js",
              )
            ).sqliteStore({ path: fileIn(directory, "baseline")() }),
          { root: options.baseline },
        ),
      );
    const plan = workload(options.accounts);
    console.log(
      `\n== SQLite (${directory}): ${options.accounts.toLocaleString("en-US")} accounts x 10 commands, ${options.rounds} rounds`,
    );
    const series: Series[] = [];
    for (const mode of options.modes)
      series.push(...(await alternate(selectContenders(options, contenders), plan, mode, options.rounds)));
    printTable("SQLite (commands/s)", series);
    const outcomes = printTargets(series, sqliteTargets(options));
    return { title: "SQLite", series, outcomes };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

let files = 0;

/** A file name in `directory` that no run used before. */
function fileIn(directory: string, prefix: string): () => string {
  return () => join(directory, `${prefix}-${++files}.db`);
}
