import type { QueryStats, SystemStats } from "../core/types.js";

/** {@link QueryStats} as JSON holds it: positions (`checkpoint`, `lastError.position`) as decimal strings. */
export type QueryStatsJson = Omit<QueryStats, "checkpoint" | "lastError"> & {
  /** The checkpoint as a decimal string, or `null`. */
  readonly checkpoint: string | null;
  /** The latest failure, its position as a decimal string. */
  readonly lastError:
    | (Omit<NonNullable<QueryStats["lastError"]>, "position"> & { readonly position?: string })
    | null;
};

/** {@link SystemStats} as JSON holds it: every position a decimal string, every other figure as is. */
export type SystemStatsJson = Omit<SystemStats, "queries"> & { readonly queries: readonly QueryStatsJson[] };

/**
 * `systemStats()` as a plain value that `JSON.stringify` takes: `JSON.stringify` throws on a bigint,
 * so positions become decimal strings (exact, however large; `BigInt(text)` reads them back). Everything
 * else is copied as is.
 *
 * @example
 * ```ts
 * import { statsToJson } from "eventsourcing";
 *
 * const body = JSON.stringify(statsToJson(await bank.systemStats()));
 * // {"queryActorsCount":1,...,"queries":[{"name":"balances","checkpoint":"42","lag":0,...}]}
 * ```
 */
export function statsToJson(stats: SystemStats): SystemStatsJson {
  return {
    ...stats,
    queries: stats.queries.map((query) => {
      const { position, ...failure } = query.lastError ?? {};
      return {
        ...query,
        checkpoint: query.checkpoint === null ? null : query.checkpoint.toString(),
        lastError:
          query.lastError === null
            ? null
            : {
                ...(failure as Omit<NonNullable<QueryStats["lastError"]>, "position">),
                ...(position === undefined ? {} : { position: position.toString() }),
              },
      };
    }),
  };
}
