/**
 * The bench's command-line options.
 */
import { resolve } from "node:path";

/** A store section of the bench. */
export type Section = "memory" | "sqlite" | "postgres";

/** What `npm run bench -- ...` asked for. */
export interface BenchOptions {
  readonly sections: readonly Section[];
  readonly rounds: number;
  readonly accounts: number;
  /** Accounts of our scaling run (memory section); 0 skips the scaling runs. */
  readonly scaleAccounts: number;
  /** Accounts of Emmett's scaling run, bounded by `emmettBudgetMs`. */
  readonly emmettScaleAccounts: number;
  readonly emmettBudgetMs: number;
  /** Our memory system's `passivation.maxLive` in the scaling run; omitted: the library's default. */
  readonly maxLive?: number;
  /** Sizes of the memory-per-idle-aggregate measures (memory section); empty: none. */
  readonly idleAggregates: readonly number[];
  /** Process counts of the multi-process PostgreSQL runs; empty: none. */
  readonly processes: readonly number[];
  /** Where to write the results as Markdown tables; omitted: nowhere. */
  readonly markdown?: string;
  /**
   * Another checkout of this library (its root folder, with `src/` and `examples/`): each section also
   * runs ours from there, named "... (baseline)", alternating with ours, for an A/B of a change.
   */
  readonly baseline?: string;
  /** `--contenders ours`: only ours (and the baseline), no peers or raw drivers; default all. */
  readonly oursOnly: boolean;
  /** The modes of the main runs: `--modes sequential,concurrent` (the default) or one of them. */
  readonly modes: readonly ("sequential" | "concurrent")[];
}

/**
 * The contenders a section runs: all, or with `--contenders ours` only ours and the baseline.
 *
 * @example
 * ```ts
 * selectContenders(parseOptions(["--contenders", "ours"]), contenders);
 * ```
 */
export function selectContenders<T extends { readonly name: string }>(
  options: BenchOptions,
  contenders: readonly T[],
): T[] {
  return contenders.filter((contender) => !options.oursOnly || contender.name.startsWith("ours "));
}

const SECTIONS: readonly Section[] = ["memory", "sqlite", "postgres"];

const USAGE = `usage: npm run bench -- [--only memory|sqlite|postgres[,...]] [--rounds N] [--accounts N]
                        [--scale-accounts N (0: no scaling runs)] [--emmett-scale-accounts N]
                        [--emmett-budget-ms N] [--max-live N] [--idle-aggregates N[,N...] (0: none)]
                        [--processes N[,N...] (0: none)] [--markdown FILE] [--baseline DIR]
                        [--contenders all|ours] [--modes sequential,concurrent]
       npm run bench -- --self-test   (shows that the check refuses wrong streams)`;

/**
 * Parses the arguments after `npm run bench --`; throws with the usage on anything unknown.
 *
 * @example
 * ```ts
 * parseOptions(["--only", "memory", "--rounds", "1"]).rounds; // 1
 * ```
 */
export function parseOptions(args: readonly string[]): BenchOptions {
  const values = new Map<string, string>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    const [flag, inline] = arg.includes("=") ? arg.split("=", 2) : [arg, undefined];
    const value = inline ?? args[++index];
    if (flag === undefined || !flag.startsWith("--") || value === undefined)
      throw new Error(`bench: cannot read "${arg}"\n${USAGE}`);
    values.set(flag.slice(2), value);
  }
  for (const key of values.keys())
    if (
      ![
        "only",
        "rounds",
        "accounts",
        "scale-accounts",
        "emmett-scale-accounts",
        "emmett-budget-ms",
        "max-live",
        "idle-aggregates",
        "processes",
        "markdown",
        "baseline",
        "contenders",
        "modes",
      ].includes(key)
    )
      throw new Error(`bench: unknown option --${key}\n${USAGE}`);
  const only = values.get("only");
  const sections = only === undefined ? SECTIONS : (only.split(",") as Section[]);
  for (const section of sections)
    if (!SECTIONS.includes(section)) throw new Error(`bench: --only takes ${SECTIONS.join(", ")}\n${USAGE}`);
  const maxLive = values.get("max-live");
  return Object.freeze({
    sections,
    rounds: integer(values, "rounds", 3, 1),
    accounts: integer(values, "accounts", 1_000, 1),
    scaleAccounts: integer(values, "scale-accounts", 100_000, 0),
    emmettScaleAccounts: integer(values, "emmett-scale-accounts", 20_000, 0),
    emmettBudgetMs: integer(values, "emmett-budget-ms", 15_000, 1),
    ...(maxLive === undefined ? {} : { maxLive: integer(values, "max-live", 0, 1) }),
    idleAggregates: integers(values, "idle-aggregates", [10_000, 100_000]),
    processes: integers(values, "processes", [1, 2, 4]),
    ...(values.has("markdown") ? { markdown: values.get("markdown") } : {}),
    oursOnly: contendersOption(values.get("contenders")),
    modes: modesOption(values.get("modes")),
    ...(values.has("baseline") ? { baseline: resolve(values.get("baseline") as string) } : {}),
  });
}

function modesOption(text: string | undefined): ("sequential" | "concurrent")[] {
  if (text === undefined) return ["sequential", "concurrent"];
  const modes = text.split(",");
  if (modes.length === 0 || modes.some((mode) => mode !== "sequential" && mode !== "concurrent"))
    throw new Error(`bench: --modes takes sequential, concurrent or both, got "${text}"\n${USAGE}`);
  return modes as ("sequential" | "concurrent")[];
}

function contendersOption(text: string | undefined): boolean {
  if (text === undefined || text === "all") return false;
  if (text === "ours") return true;
  throw new Error(`bench: --contenders takes all or ours, got "${text}"\n${USAGE}`);
}

function integer(values: ReadonlyMap<string, string>, key: string, fallback: number, least: number): number {
  const text = values.get(key);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < least)
    throw new Error(`bench: --${key} must be an integer >= ${least}, got "${text}"\n${USAGE}`);
  return value;
}

/** A comma-separated list of positive integers; `0` alone: the empty list. */
function integers(values: ReadonlyMap<string, string>, key: string, fallback: readonly number[]): number[] {
  const text = values.get(key);
  if (text === undefined) return [...fallback];
  if (text.trim() === "0") return [];
  return text.split(",").map((part) => {
    const value = Number(part);
    if (!Number.isSafeInteger(value) || value < 1)
      throw new Error(
        `bench: --${key} takes positive integers separated by commas, or 0, got "${text}"\n${USAGE}`,
      );
    return value;
  });
}
