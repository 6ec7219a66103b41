import { refuseUnknownKeys } from "../../core/option-keys.js";

/**
 * A query as the store sends it: text, parameters, and a name to prepare it once per connection.
 *
 * @example
 * ```ts
 * const query: PostgresQuery = { name: "current", text: "SELECT $1::int AS n", values: [1] };
 * ```
 */
export interface PostgresQuery {
  readonly text: string;
  readonly values?: unknown[];
  readonly name?: string;
}

/**
 * The part of a query result the store reads.
 *
 * @example
 * ```ts
 * const { rows }: PostgresResult = await pool.query({ text: "SELECT 1 AS one" });
 * ```
 */
export interface PostgresResult {
  // biome-ignore lint/suspicious/noExplicitAny: rows are typed by the driver's parsers, checked where read
  readonly rows: any[];
}

/**
 * The part of a `pg.PoolClient` (or `pg.Client`) the store calls.
 *
 * @example
 * ```ts
 * const client: PostgresClient = new pg.Client({ connectionString: "postgres://localhost/app" });
 * ```
 */
export interface PostgresClient {
  query(config: PostgresQuery): Promise<PostgresResult>;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "end", listener: () => void): unknown;
  on(event: "notification", listener: (message: { channel: string }) => void): unknown;
  // biome-ignore lint/suspicious/noExplicitAny: any listener registered with `on` above
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
}

/**
 * A client checked out of a pool: given back with `release`, destroyed with `release(true)`.
 *
 * @example
 * ```ts
 * const client: PostgresPoolClient = await pool.connect();
 * client.release();
 * ```
 */
export interface PostgresPoolClient extends PostgresClient {
  release(destroy?: boolean | Error): void;
}

/**
 * The part of a `pg.Pool` the store calls. Any `pg.Pool` fits; the store never ends a pool it was given.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * const pool: PostgresPool = new pg.Pool({ connectionString: "postgres://localhost/app" });
 * ```
 */
export interface PostgresPool {
  query(config: PostgresQuery): Promise<PostgresResult>;
  connect(): Promise<PostgresPoolClient>;
  /** Connections open and not checked out (a `pg.Pool` has it): taking one needs no connection attempt. */
  readonly idleCount?: number;
}

/**
 * Options both forms share.
 *
 * @example
 * ```ts
 * const common: PostgresCommonOptions = { schema: "bank", lockHeartbeatMs: 1_000 };
 * ```
 */
export interface PostgresCommonOptions {
  /** The schema holding the store's tables, created if missing. Default `"eventsourcing"`. */
  readonly schema?: string;
  /**
   * How often a held named-query lock checks that its connection is alive; a check unanswered within
   * this time counts as the lock lost. Default 2,000 ms, at most 3,000 ms, so that the holder always
   * notices before the server frees the lock of a silent connection (after about 8 s).
   */
  readonly lockHeartbeatMs?: number;
  /**
   * The first wait before connecting again after a connection attempt failed (the pool's, the LISTEN
   * connection's, a query lock's): it doubles, with jitter, up to `reconnectMaxMs`, and meanwhile calls
   * that need a new connection fail at once instead of trying. Default 1,000 ms.
   */
  readonly reconnectMs?: number;
  /** The longest wait between two connection attempts while the server stays unreachable. Default 10,000 ms. */
  readonly reconnectMaxMs?: number;
  /**
   * How long one statement may go unanswered: past it the call fails and its connection is destroyed
   * (the pool opens a fresh one), so a connection that went silent never holds a call, `stop()` or
   * `close()`. The store's own pool also gets it as the server's `statement_timeout`. Default 10,000 ms.
   */
  readonly queryTimeoutMs?: number;
  /**
   * How long `close()` waits for connections to end politely before destroying them, so that it
   * finishes whatever the server does. Default 2,000 ms.
   */
  readonly closeTimeoutMs?: number;
  /**
   * How many batches of appends may be in flight at once, each on its own connection, so that one
   * batch's round trip and commit overlap another's (appends commit in parallel: there is no global
   * lock). Default 2: more split the same waiting requests into smaller batches, each with its own
   * COMMIT (1,000 accounts x 10 commands at once, 2-core machine, `npm run bench -- --only postgres
   * --modes concurrent --rounds 6 --processes 0 --contenders ours --baseline DIR` with DIR at 4: 2 ran
   * 1.07x as many commands a second as 4, per-round 0.92 to 1.20, load average 1.8 falling to 0.6).
   */
  readonly appendConcurrency?: number;
}

/**
 * The store opens and owns its pool.
 *
 * @example
 * ```ts
 * const options: PostgresConnectionOptions = { connectionString: "postgres://localhost/app", max: 5 };
 * ```
 */
export interface PostgresConnectionOptions extends PostgresCommonOptions {
  /** For example `postgres://user:password@host:5432/database`. */
  readonly connectionString: string;
  /** Most connections of the store's own pool. Default 10, so several processes fit a default server. */
  readonly max?: number;
  /** How long to wait for a connection before failing. Default 10,000 ms. */
  readonly connectionTimeoutMillis?: number;
}

/**
 * The store uses a pool the caller owns and never ends it.
 *
 * @example
 * ```ts
 * const options: PostgresPoolOptions = { pool: new pg.Pool(), schema: "bank" };
 * ```
 */
export interface PostgresPoolOptions extends PostgresCommonOptions {
  readonly pool: PostgresPool;
}

/**
 * Options of {@link postgresStore}: a connection string (the store owns its pool) or your `pg.Pool`.
 *
 * @example
 * ```ts
 * const options: PostgresStoreOptions = { connectionString: "postgres://localhost/app", schema: "bank" };
 * ```
 */
export type PostgresStoreOptions = PostgresConnectionOptions | PostgresPoolOptions;

/** The options after validation, copied and frozen. */
export interface ResolvedPostgresOptions {
  readonly schema: string;
  readonly lockHeartbeatMs: number;
  readonly appendConcurrency: number;
  readonly reconnectMs: number;
  readonly reconnectMaxMs: number;
  readonly queryTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly connection:
    | {
        readonly kind: "own";
        readonly connectionString: string;
        readonly max: number;
        readonly connectionTimeoutMillis: number;
      }
    | { readonly kind: "given"; readonly pool: PostgresPool };
}

const POSTGRES_OPTION_KEYS: readonly string[] = [
  "schema",
  "lockHeartbeatMs",
  "reconnectMs",
  "reconnectMaxMs",
  "queryTimeoutMs",
  "closeTimeoutMs",
  "appendConcurrency",
  "connectionString",
  "max",
  "connectionTimeoutMillis",
  "pool",
] satisfies readonly (keyof PostgresConnectionOptions | keyof PostgresPoolOptions)[];

/** Validates the options; a bad one throws at once, saying what to change. */
export function resolvePostgresOptions(options: PostgresStoreOptions): ResolvedPostgresOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("postgresStore: pass { connectionString } or { pool }");
  }
  refuseUnknownKeys("postgresStore: unknown option", "", options, POSTGRES_OPTION_KEYS);
  const schema = options.schema ?? "eventsourcing";
  if (typeof schema !== "string" || schema.length === 0 || Buffer.byteLength(schema) > 63) {
    throw new TypeError(
      `postgresStore: schema must be a name of 1 to 63 bytes, got ${JSON.stringify(schema)}`,
    );
  }
  if (schema.includes("\u0000"))
    throw new TypeError("postgresStore: schema must not contain a NUL character");
  const lockHeartbeatMs = positive("lockHeartbeatMs", options.lockHeartbeatMs ?? 2_000);
  const appendConcurrency = positive("appendConcurrency", options.appendConcurrency ?? 2);
  if (lockHeartbeatMs > 3_000) {
    throw new TypeError(`postgresStore: lockHeartbeatMs must be at most 3000, got ${lockHeartbeatMs}`);
  }
  const reconnectMs = positive("reconnectMs", options.reconnectMs ?? 1_000);
  const reconnectMaxMs = positive("reconnectMaxMs", options.reconnectMaxMs ?? Math.max(10_000, reconnectMs));
  if (reconnectMaxMs < reconnectMs) {
    throw new TypeError(
      `postgresStore: reconnectMaxMs (${reconnectMaxMs}) must be at least reconnectMs (${reconnectMs})`,
    );
  }
  const timing = {
    reconnectMs,
    reconnectMaxMs,
    queryTimeoutMs: positive("queryTimeoutMs", options.queryTimeoutMs ?? 10_000),
    closeTimeoutMs: positive("closeTimeoutMs", options.closeTimeoutMs ?? 2_000),
  };
  if ("pool" in options && options.pool !== undefined) {
    const pool = options.pool;
    if (typeof pool.query !== "function" || typeof pool.connect !== "function") {
      throw new TypeError("postgresStore: pool must be a pg.Pool (with query and connect)");
    }
    return Object.freeze({
      schema,
      lockHeartbeatMs,
      appendConcurrency,
      ...timing,
      connection: Object.freeze({ kind: "given" as const, pool }),
    });
  }
  const own = options as PostgresConnectionOptions;
  if (typeof own.connectionString !== "string" || own.connectionString.length === 0) {
    throw new TypeError("postgresStore: pass a non-empty connectionString, or a pool");
  }
  checkConnectionString(own.connectionString);
  return Object.freeze({
    schema,
    lockHeartbeatMs,
    appendConcurrency,
    ...timing,
    connection: Object.freeze({
      kind: "own" as const,
      connectionString: own.connectionString,
      max: positive("max", own.max ?? 10),
      connectionTimeoutMillis: positive("connectionTimeoutMillis", own.connectionTimeoutMillis ?? 10_000),
    }),
  });
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`postgresStore: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * A connection string must be a URL pg reads as one (`postgres:`, `postgresql:` or `socket:`, or pg's
 * form starting with a socket directory);
 * pg would read anything else as a path relative to a host called "base". The value is never echoed: it
 * may hold a password.
 */
function checkConnectionString(text: string): void {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  const fits =
    text.startsWith("/") || // pg's "socket-directory database" form
    (url !== undefined && ["postgres:", "postgresql:", "socket:"].includes(url.protocol));
  if (!fits) {
    throw new TypeError(
      "postgresStore: connectionString must be a URL such as postgres://user:password@host:5432/database " +
        `(the one given ${url ? `has the protocol ${JSON.stringify(url.protocol)}` : "is not a URL"})`,
    );
  }
}
