/**
 * The PostgreSQL section: ours against Emmett's PostgreSQL store and raw pg, each run in a fresh schema,
 * all dropped at the end, then ours in several processes on one schema (`--processes`). Skipped, with the reason, when no server answers.
 */
import pg from "pg";
import type { Contender } from "./contender.js";
import { emmettPostgres } from "./emmett-contenders.js";
import { alternate, type Series } from "./measure.js";
import { type BenchOptions, selectContenders } from "./options.js";
import { libraryModule, ours } from "./ours.js";
import { processesSeries } from "./processes.js";
import { rawPostgres } from "./raw-postgres.js";
import { printTable, printTargets, type SectionResult } from "./report.js";
import { NAMES, postgresTargets } from "./targets.js";
import { workload } from "./workload.js";

/** The server the section uses: `EVENTSOURCING_PG_URL`, as the tests do. */
export const PG_URL = process.env.EVENTSOURCING_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * Runs the PostgreSQL section, or returns `null` after printing why it cannot.
 *
 * @example
 * ```ts
 * await postgresSection(options, process.argv[1]);
 * ```
 */
export async function postgresSection(options: BenchOptions, script: string): Promise<SectionResult | null> {
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2, connectionTimeoutMillis: 3_000 });
  admin.on("error", () => {});
  try {
    await admin.query("SELECT 1");
  } catch (error) {
    console.log(`\n== PostgreSQL: skipped, no server answers at ${PG_URL} (${(error as Error).message})`);
    await admin.end();
    return null;
  }
  const created: string[] = [];
  const prefix = `bench_${process.pid}_${Date.now().toString(36)}`;
  const name = (who: string) => {
    const schema = `${prefix}_${who}_${created.length + 1}`;
    created.push(schema);
    return schema;
  };
  // Emmett's migration skips creating its functions when one of that name exists in any schema, so
  // an Emmett schema is dropped before the next one is made: one at a time in the database.
  const previous = new Map<string, string>();
  const freshSchema = (who: string) => async () => {
    const earlier = previous.get(who);
    if (earlier !== undefined) await admin.query(`DROP SCHEMA IF EXISTS ${earlier} CASCADE`);
    const schema = name(who);
    previous.set(who, schema);
    await admin.query(`CREATE SCHEMA ${schema}`);
    return schema;
  };
  try {
    const oursPostgres = ours(NAMES.oursPostgres, async () =>
      (await import("../../src/stores/postgres/index.js")).postgresStore({
        connectionString: PG_URL,
        schema: name("ours"),
      }),
    );
    const contenders: Contender[] = [
      oursPostgres,
      emmettPostgres(PG_URL, freshSchema("emmett")),
      rawPostgres(NAMES.rawPostgres, PG_URL, freshSchema("raw"), { kind: "per-command" }),
      rawPostgres(NAMES.rawPostgresValues, PG_URL, freshSchema("raw"), { kind: "values", rows: 100 }),
      rawPostgres(NAMES.rawPostgresUnnest, PG_URL, freshSchema("raw"), { kind: "unnest", rows: 500 }),
    ];
    if (options.baseline !== undefined)
      contenders.splice(
        1,
        0,
        ours(
          `${NAMES.oursPostgres} (baseline)`,
          async () =>
            (
              await libraryModule<typeof import("../../src/stores/postgres/index.js")>(
                options.baseline,
                "src/stores/postgres/index.js",
              )
            ).postgresStore({ connectionString: PG_URL, schema: name("baseline") }),
          { root: options.baseline },
        ),
      );
    const plan = workload(options.accounts);
    console.log(
      `\n== PostgreSQL (${PG_URL}): ${options.accounts.toLocaleString("en-US")} accounts x 10 commands, ${options.rounds} rounds`,
    );
    const series: Series[] = [];
    for (const mode of options.modes)
      series.push(...(await alternate(selectContenders(options, contenders), plan, mode, options.rounds)));
    if (options.processes.length > 0) {
      console.log(
        `  multi-process: ${options.processes.join(", ")} processes on one schema, ${options.accounts.toLocaleString("en-US")} accounts shared out`,
      );
      series.push(
        ...(await processesSeries(script, PG_URL, name, options.processes, options.accounts, options.rounds)),
      );
    }
    printTable("PostgreSQL (commands/s)", series);
    const outcomes = printTargets(series, postgresTargets(options));
    return { title: "PostgreSQL", series, outcomes };
  } finally {
    for (const schema of created) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}
