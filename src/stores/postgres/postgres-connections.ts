import type { PostgresClient, PostgresPool, ResolvedPostgresOptions } from "./postgres-options.js";

/** A connection held for one purpose (LISTEN, a query lock), outside the pool's rotation. */
export interface DedicatedClient {
  readonly client: PostgresClient;
  /** Gives the connection back; `destroy` when it may be broken or still holds session state. */
  close(destroy: boolean): Promise<void>;
}

/** Swallows errors of idle connections: a server ending one must never crash the process. */
const ignore = (): void => undefined;

type PgModule = typeof import("pg");

async function loadPg(): Promise<PgModule> {
  try {
    const module = (await import("pg")) as PgModule & { default?: PgModule };
    return module.default ?? module;
  } catch (cause) {
    throw new Error("eventsourcing/postgres needs the 'pg' package (8.x): install it with `npm install pg`", {
      cause,
    });
  }
}

/**
 * The store's connections: its own pool (from a connection string, ended on close) or the caller's
 * pool (never ended), plus dedicated connections for LISTEN and query locks.
 */
export class PostgresConnections {
  readonly #options: ResolvedPostgresOptions["connection"];
  #pg: PgModule | null = null;
  #pool: PostgresPool | null = null;
  #ownPool: import("pg").Pool | null = null;

  constructor(options: ResolvedPostgresOptions["connection"]) {
    this.#options = options;
  }

  /** The pool, created on first use (the `pg` module is only loaded then). */
  async pool(): Promise<PostgresPool> {
    if (this.#pool) return this.#pool;
    if (this.#options.kind === "given") {
      this.#pool = this.#options.pool;
      return this.#pool;
    }
    const pg = await this.#loadPg();
    if (this.#pool) return this.#pool;
    const pool = new pg.Pool({
      connectionString: this.#options.connectionString,
      max: this.#options.max,
      connectionTimeoutMillis: this.#options.connectionTimeoutMillis,
      keepAlive: true,
    });
    pool.on("error", ignore);
    this.#ownPool = pool;
    this.#pool = pool as unknown as PostgresPool;
    return this.#pool;
  }

  /**
   * A connection of its own. With a connection string it is a new client outside the pool, so that
   * long-held connections never starve appends; with a given pool it is checked out of that pool.
   */
  async dedicated(): Promise<DedicatedClient> {
    if (this.#options.kind === "given") {
      const client = await this.#options.pool.connect();
      client.on("error", ignore);
      return {
        client,
        close: async (destroy) => client.release(destroy),
      };
    }
    const pg = await this.#loadPg();
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      connectionTimeoutMillis: this.#options.connectionTimeoutMillis,
      keepAlive: true,
    });
    client.on("error", ignore);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(ignore);
      throw error;
    }
    return {
      client: client as unknown as PostgresClient,
      close: async () => {
        await client.end().catch(ignore);
      },
    };
  }

  /** Ends the store's own pool; a given pool is left open. */
  async end(): Promise<void> {
    const pool = this.#ownPool;
    this.#ownPool = null;
    this.#pool = null;
    if (pool) await pool.end();
  }

  async #loadPg(): Promise<PgModule> {
    this.#pg ??= await loadPg();
    return this.#pg;
  }
}
