import type {
  PostgresClient,
  PostgresPool,
  PostgresQuery,
  PostgresResult,
  ResolvedPostgresOptions,
} from "./postgres-options.js";

type Listener = Parameters<PostgresClient["removeListener"]>[1];

type ConnectionEvents = {
  error: (error: Error) => void;
  end: () => void;
  notification: (message: { channel: string }) => void;
};

/**
 * A connection held for one purpose (LISTEN, a query lock), outside the pool's rotation. Listeners
 * added through it are removed when it is closed, so a connection given back to a caller's pool
 * carries nothing of ours.
 */
export class DedicatedClient {
  readonly #client: PostgresClient;
  readonly #giveBack: (destroy: boolean) => Promise<void>;
  readonly #listeners: [string, Listener][] = [];
  #closed = false;

  constructor(client: PostgresClient, giveBack: (destroy: boolean) => Promise<void>) {
    this.#client = client;
    this.#giveBack = giveBack;
    this.on("error", ignore);
  }

  query(config: PostgresQuery): Promise<PostgresResult> {
    return this.#client.query(config);
  }

  on<TEvent extends keyof ConnectionEvents>(event: TEvent, listener: ConnectionEvents[TEvent]): void {
    this.#listeners.push([event, listener as Listener]);
    (this.#client.on as (event: string, listener: ConnectionEvents[TEvent]) => unknown)(event, listener);
  }

  /** Gives the connection back; `destroy` when it may be broken or still holds session state. */
  async close(destroy: boolean): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // An error may still arrive while a destroyed connection closes: keep swallowing it until then.
    for (const [event, listener] of this.#listeners) {
      if (listener !== ignore) this.#client.removeListener(event, listener);
    }
    await this.#giveBack(destroy);
    this.#client.removeListener("error", ignore);
  }
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
      return new DedicatedClient(client, async (destroy) => client.release(destroy));
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
    return new DedicatedClient(client as unknown as PostgresClient, async () => {
      // A connection to a silent peer may never finish ending: stop waiting after a second.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        timer.unref();
        client.end().then(
          () => resolve(),
          () => resolve(),
        );
      });
    });
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
