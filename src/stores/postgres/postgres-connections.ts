import type {
  PostgresClient,
  PostgresPool,
  PostgresPoolClient,
  PostgresQuery,
  PostgresResult,
  ResolvedPostgresOptions,
} from "./postgres-options.js";
import { Backoff, ConnectGate } from "./postgres-reconnect.js";

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
  readonly #queryTimeoutMs: number;
  readonly #listeners: [string, Listener][] = [];
  #closed = false;

  constructor(client: PostgresClient, giveBack: (destroy: boolean) => Promise<void>, queryTimeoutMs: number) {
    this.#client = client;
    this.#giveBack = giveBack;
    this.#queryTimeoutMs = queryTimeoutMs;
    this.on("error", ignore);
  }

  /**
   * Runs a statement; one unanswered within the store's `queryTimeoutMs` fails, and the connection's
   * socket is destroyed, so that its `error`/`end` listeners learn it is gone.
   */
  query(config: PostgresQuery): Promise<PostgresResult> {
    return withQueryTimeout(this.#client, config, this.#queryTimeoutMs, () => destroySocket(this.#client));
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

/** Thrown when a statement got no answer in time; its connection has been destroyed. */
export class QueryTimeoutError extends Error {
  override readonly name = "QueryTimeoutError";
}

/**
 * `client.query(query)`, failing with {@link QueryTimeoutError} after `ms` without an answer, when
 * `onTimeout` is called to get rid of the connection (a late answer is then ignored).
 */
function withQueryTimeout(
  client: PostgresClient,
  query: PostgresQuery,
  ms: number,
  onTimeout: () => void,
): Promise<PostgresResult> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const timer = setTimeout(() => {
      if (answered) return;
      answered = true;
      reject(
        new QueryTimeoutError(
          `PostgreSQL did not answer within ${ms} ms (queryTimeoutMs); the connection was dropped`,
        ),
      );
      onTimeout();
    }, ms);
    timer.unref();
    client.query(query).then(
      (result) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        resolve(result);
      },
      (error: unknown) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Destroys a `pg` client's socket at once, whatever the server does: `end()` waits for the server to
 * close its side, which a silent peer never does. A client of another driver is left alone.
 */
function destroySocket(client: unknown): void {
  const stream = (client as { connection?: { stream?: { destroy?: () => void } } } | null)?.connection
    ?.stream;
  try {
    stream?.destroy?.();
  } catch {
    // Already gone.
  }
}

/** Resolves when `work` settles or after `ms`, whichever comes first; true when it settled. */
function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(done, done);
  });
}

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
 * pool (never ended), plus dedicated connections for LISTEN and query locks. Every statement is bounded
 * by `queryTimeoutMs`, every new connection goes through one {@link ConnectGate} (so a server that is
 * down sees attempts that back off), and `end()` destroys what does not end within `closeTimeoutMs`.
 */
export class PostgresConnections {
  readonly #options: ResolvedPostgresOptions["connection"];
  readonly #queryTimeoutMs: number;
  readonly #closeTimeoutMs: number;
  readonly #gate: ConnectGate;
  /** Every client of the store's own making still open, to destroy those that do not end on close. */
  readonly #clients = new Set<unknown>();
  #pg: PgModule | null = null;
  #pool: PostgresPool | null = null;
  #ownPool: import("pg").Pool | null = null;

  constructor(options: ResolvedPostgresOptions) {
    this.#options = options.connection;
    this.#queryTimeoutMs = options.queryTimeoutMs;
    this.#closeTimeoutMs = options.closeTimeoutMs;
    this.#gate = new ConnectGate(new Backoff(options.reconnectMs, options.reconnectMaxMs));
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
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      statement_timeout: this.#queryTimeoutMs,
    });
    pool.on("error", ignore);
    pool.on("connect", (client) => this.#clients.add(client));
    pool.on("remove", (client) => this.#clients.delete(client));
    this.#ownPool = pool;
    this.#pool = pool as unknown as PostgresPool;
    return this.#pool;
  }

  /**
   * A connection checked out of the pool, to give back with `release()` (or `release(error)`, which
   * destroys it). An idle one is taken at once; a new one only when the gate lets attempts through.
   */
  async checkout(): Promise<PostgresPoolClient> {
    const pool = await this.pool();
    if ((pool.idleCount ?? 0) > 0) return pool.connect();
    return this.#gate.attempt(() => pool.connect());
  }

  /** Runs one statement on a pooled connection; a connection that does not answer in time is destroyed. */
  async query(query: PostgresQuery): Promise<PostgresResult> {
    const client = await this.checkout();
    return this.run(client, query);
  }

  /** Runs one statement on a checked-out connection and gives the connection back. */
  async run(client: PostgresPoolClient, query: PostgresQuery): Promise<PostgresResult> {
    let timedOut = false;
    // A checked-out client's 'error' is the holder's to handle (the statement fails with it too).
    client.on("error", ignore);
    try {
      const result = await withQueryTimeout(client, query, this.#queryTimeoutMs, () => {
        timedOut = true;
        // Destroys it: pg-pool ends a client released with an error, and ending one with a statement
        // in flight destroys its socket.
        client.release(new Error("query timeout"));
        destroySocket(client);
      });
      client.release();
      return result;
    } catch (error) {
      // A failed statement may leave the connection in any state: do not hand it out again.
      if (!timedOut) client.release(error instanceof Error ? error : true);
      throw error;
    } finally {
      client.removeListener("error", ignore);
    }
  }

  /** A client whose statements are bounded by `queryTimeoutMs`, for a checked-out connection. */
  bounded(client: PostgresPoolClient): PostgresClient {
    return {
      query: (query) => withQueryTimeout(client, query, this.#queryTimeoutMs, () => destroySocket(client)),
      on: client.on.bind(client) as PostgresClient["on"],
      removeListener: client.removeListener.bind(client),
    };
  }

  /**
   * A connection of its own. With a connection string it is a new client outside the pool, so that
   * long-held connections never starve appends; with a given pool it is checked out of that pool.
   */
  async dedicated(): Promise<DedicatedClient> {
    if (this.#options.kind === "given") {
      const pool = this.#options.pool;
      const client = await ((pool.idleCount ?? 0) > 0
        ? pool.connect()
        : this.#gate.attempt(() => pool.connect()));
      return new DedicatedClient(client, async (destroy) => client.release(destroy), this.#queryTimeoutMs);
    }
    const pg = await this.#loadPg();
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      connectionTimeoutMillis: this.#options.connectionTimeoutMillis,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    });
    client.on("error", ignore);
    this.#clients.add(client);
    try {
      await this.#gate.attempt(() => client.connect());
    } catch (error) {
      this.#clients.delete(client);
      destroySocket(client);
      await client.end().catch(ignore);
      throw error;
    }
    return new DedicatedClient(
      client as unknown as PostgresClient,
      async () => {
        // A connection to a silent peer may never finish ending: destroy it after a second.
        if (!(await settledWithin(client.end(), 1_000))) destroySocket(client);
        this.#clients.delete(client);
      },
      this.#queryTimeoutMs,
    );
  }

  /**
   * Ends the store's own pool; a given pool is left open. Connections that have not ended after
   * `closeTimeoutMs` (a statement still running, a server that went silent) are destroyed.
   */
  async end(): Promise<void> {
    const pool = this.#ownPool;
    this.#ownPool = null;
    this.#pool = null;
    if (!pool) return;
    const ended = await settledWithin(
      pool.end().catch(() => undefined),
      this.#closeTimeoutMs,
    );
    if (!ended || this.#clients.size > 0) {
      for (const client of this.#clients) destroySocket(client);
      this.#clients.clear();
    }
  }

  async #loadPg(): Promise<PgModule> {
    this.#pg ??= await loadPg();
    return this.#pg;
  }
}

/** TCP keepalive probes start after this long without traffic, so a dead peer is noticed by the kernel too. */
const KEEPALIVE_DELAY_MS = 10_000;
