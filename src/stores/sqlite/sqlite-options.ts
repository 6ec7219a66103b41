/**
 * The options of `sqliteStore`, checked and frozen at construction: a wrong option throws at once with
 * a message saying what to change.
 */

import { refuseUnknownKeys } from "../../core/option-keys.js";
import type { Clock } from "../../runtime/clock.js";
import { systemClock } from "../../runtime/clock.js";
import type { SqliteDatabase } from "./sqlite-database.js";

/**
 * Where the store keeps its events: a file path (the store opens and closes it) or a better-sqlite3
 * `Database` you already have (the store uses it and leaves it open), and how it behaves.
 *
 * @example
 * ```ts
 * const options: SqliteStoreOptions = { path: "./data/events.db", synchronous: "full" };
 * ```
 */
export type SqliteStoreOptions = (
  | { readonly path: string; readonly database?: undefined }
  | { readonly database: SqliteDatabase; readonly path?: undefined }
) & {
  /**
   * `"full"` (default): a commit is on disk (fsync'd) before `append` resolves, so an acknowledged
   * command survives a process crash, an OS crash and a power cut. `"normal"`: it survives a process
   * crash, but the last commits may roll back after an OS crash or power cut; commits are faster.
   * A `database` you pass keeps its own level (SQLite's default is FULL) unless you set this.
   */
  readonly synchronous?: "full" | "normal";
  /** How long a write waits for another connection's lock before it fails. Default 10,000 ms. */
  readonly busyTimeoutMs?: number;
  /** How long a named query's lease lasts without renewal; renewed every third of it. Default 5,000 ms. */
  readonly queryLeaseMs?: number;
  /** How often `onAppend` looks for other connections' commits while someone listens. Default 100 ms. */
  readonly wakePollMs?: number;
  /** Timers for lease renewal and wake-ups. Default: the system clock. */
  readonly clock?: Clock;
  /** Wall-clock milliseconds since the epoch, for `recordedAt` and leases. Default `Date.now`. */
  readonly now?: () => number;
};

/** The options once checked, with every default filled in. */
export interface SqliteStoreSettings {
  readonly path: string | undefined;
  readonly database: SqliteDatabase | undefined;
  /** Undefined: leave the given database's own level. */
  readonly synchronous: "FULL" | "NORMAL" | undefined;
  readonly busyTimeoutMs: number;
  readonly queryLeaseMs: number;
  readonly wakePollMs: number;
  readonly clock: Clock;
  readonly now: () => number;
}

const SQLITE_OPTION_KEYS: readonly string[] = [
  "path",
  "database",
  "synchronous",
  "busyTimeoutMs",
  "queryLeaseMs",
  "wakePollMs",
  "clock",
  "now",
] satisfies readonly (keyof SqliteStoreOptions)[];

/** Checks the options; throws a `TypeError` naming the option and what it must be. */
export function sqliteStoreSettings(options: SqliteStoreOptions): SqliteStoreSettings {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("sqliteStore needs options: { path } or { database }");
  }
  refuseUnknownKeys("sqliteStore: unknown option", "", options, SQLITE_OPTION_KEYS);
  const { path, database } = options;
  if ((path === undefined) === (database === undefined)) {
    throw new TypeError(
      "sqliteStore needs exactly one of `path` (a file name) or `database` (a better-sqlite3 Database)",
    );
  }
  if (path !== undefined && (typeof path !== "string" || path.trim() === "")) {
    throw new TypeError("sqliteStore: `path` must be a non-empty file name");
  }
  if (database !== undefined && (typeof database !== "object" || typeof database.prepare !== "function")) {
    throw new TypeError("sqliteStore: `database` must be a better-sqlite3 Database");
  }
  // A given database keeps its own level unless one is asked for (SQLite's default is FULL).
  const synchronous = options.synchronous ?? (database === undefined ? "full" : undefined);
  if (synchronous !== undefined && synchronous !== "full" && synchronous !== "normal") {
    throw new TypeError(
      `sqliteStore: \`synchronous\` must be "full" or "normal", got ${String(synchronous)}`,
    );
  }
  return Object.freeze({
    path,
    database,
    synchronous: synchronous === undefined ? undefined : synchronous === "full" ? "FULL" : "NORMAL",
    busyTimeoutMs: positive("busyTimeoutMs", options.busyTimeoutMs, 10_000),
    queryLeaseMs: positive("queryLeaseMs", options.queryLeaseMs, 5_000),
    wakePollMs: positive("wakePollMs", options.wakePollMs, 100),
    clock: options.clock ?? systemClock,
    now: options.now ?? Date.now,
  });
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(
      `sqliteStore: \`${name}\` must be a positive integer number of milliseconds, got ${value}`,
    );
  }
  return value;
}
