import { createHash } from "node:crypto";
import type {
  AggregateRead,
  AppendOutcome,
  AppendRequest,
  EventStore,
  QueryCheckpoint,
  QueryLock,
  ReadAllOptions,
  StoredEvent,
  StoredSnapshot,
} from "../../core/event-store.js";
import { aggregateTypesOf } from "../../core/event-store-checks.js";
import { storeAccess } from "../../core/store-access.js";
import { type AppendRow, appendOutcomes, appendParameters, newEventIds } from "./postgres-append.js";
import { PostgresConnections } from "./postgres-connections.js";
import { refusedData } from "./postgres-errors.js";
import { PostgresNotifier } from "./postgres-notifier.js";
import type {
  PostgresClient,
  PostgresPool,
  PostgresQuery,
  PostgresResult,
  PostgresStoreOptions,
  ResolvedPostgresOptions,
} from "./postgres-options.js";
import { resolvePostgresOptions } from "./postgres-options.js";
import { type PostgresQueryLock, tryQueryLock } from "./postgres-query-lock.js";
import { belowHorizon, EVENT_COLUMNS, type EventRow, storedEvent, toDate } from "./postgres-rows.js";
import {
  advisoryKey,
  EVENTS_PER_TRANSACTION,
  ensureSchema,
  logHorizonQuery,
  type PostgresSchema,
  postgresSchema,
} from "./postgres-schema.js";

/** What the inspection layer reaches through {@link storeAccess}: the store's schema and connections. */
export interface PostgresAccess {
  readonly kind: "postgres";
  /** The schema's quoted name (`q`), append lock key and notification channel. */
  readonly schema: PostgresSchema;
  /** Runs one statement on a pooled connection, bounded by the store's `queryTimeoutMs`. */
  query(query: PostgresQuery): Promise<PostgresResult>;
  /** A pooled connection for a transaction; `release(true)` destroys it (after a failure). */
  checkout(): Promise<{ client: PostgresClient; release(destroy?: boolean): void }>;
  /** The store's own `readAll`, with whatever guarantee it gives about commits still in flight. */
  readAll(afterPosition: bigint, limit: number, options?: ReadAllOptions): Promise<readonly StoredEvent[]>;
  /** The store's wake-ups. */
  onAppend(listener: () => void): () => void;
  /** The store's own `countEventsAfter`. */
  countEventsAfter(position: bigint, limit: number): Promise<number>;
}

/**
 * The PostgreSQL event store: an {@link EventStore} with query locks and wake-ups across processes.
 * Made by `postgresStore`; see there for the options.
 *
 * @example
 * ```ts
 * const store: PostgresEventStore = postgresStore({ connectionString: "postgres://localhost/app" });
 * await store.init();
 * console.log(store.schema); // "eventsourcing"
 * ```
 */
export class PostgresEventStore implements EventStore {
  readonly #options: ResolvedPostgresOptions;
  readonly #schema: PostgresSchema;
  readonly #connections: PostgresConnections;
  readonly #notifier: PostgresNotifier;
  readonly #locks = new Set<PostgresQueryLock>();
  readonly #statement: string;
  #initializing: Promise<void> | null = null;
  #closed = false;
  /** A NOTIFY is on its way (settles when it has, never rejects); another is due after it. */
  #announcing: Promise<void> | null = null;
  #announceAgain = false;
  /** When the last NOTIFY was sent (`performance.now()`), and the timer of the next one, if waiting. */
  #announcedAt = Number.NEGATIVE_INFINITY;
  #announceTimer: NodeJS.Timeout | null = null;

  constructor(options: PostgresStoreOptions) {
    this.#options = resolvePostgresOptions(options);
    this.#schema = postgresSchema(this.#options.schema);
    this.#connections = new PostgresConnections(this.#options);
    this.#notifier = new PostgresNotifier(() => this.#connections.dedicated(), this.#schema.channel, {
      initialMs: this.#options.reconnectMs,
      maxMs: this.#options.reconnectMaxMs,
      heartbeatMs: this.#options.queryTimeoutMs,
    });
    // Prepared-statement names are per connection; a given pool may serve stores of several schemas.
    this.#statement = `eventsourcing_${createHash("sha256").update(this.#schema.name).digest("hex").slice(0, 16)}`;
  }

  /** How many append batches the system may have in flight at once (the `appendConcurrency` option). */
  get appendConcurrency(): number {
    return this.#options.appendConcurrency;
  }

  /** The schema this store keeps its tables in. */
  get schema(): string {
    return this.#schema.name;
  }

  init(): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    this.#initializing ??= this.#initialize().catch((error: unknown) => {
      this.#initializing = null;
      throw error;
    });
    return this.#initializing;
  }

  /**
   * PostgreSQL refuses one request's data with an error of class 22 (data exception: text that is not
   * JSON, a character it cannot hold), 23 (a constraint) or 54 (a limit, such as an index key too
   * large); anything else (a connection lost or ended, a timeout, a missing table) fails the whole call.
   */
  isRequestError(error: unknown): boolean {
    return refusedData(error);
  }

  async append(requests: readonly AppendRequest[]): Promise<readonly AppendOutcome[]> {
    if (requests.length === 0) return [];
    const chunks = byTransaction(requests);
    if (chunks.length > 1) {
      // A request too large for any transaction fails the call before anything is written, so that the
      // system, sending the requests apart, commits the others once (a chunk already committed could
      // not be told apart from a conflict then).
      const huge = requests.find((request) => request.events.length > EVENTS_PER_TRANSACTION);
      if (huge !== undefined) throw tooManyEvents(huge);
      // Each request's outcome stands alone, so a batch too large for one transaction goes as several.
      const outcomes = await Promise.all(chunks.map((chunk) => this.append(chunk)));
      return outcomes.flat();
    }
    const eventIds = newEventIds(requests);
    const { rows } = await this.#query({
      name: `${this.#statement}_append`,
      text:
        "SELECT actual, positions::text[] AS positions, recorded_at " +
        `FROM ${this.#schema.q}.append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      values: appendParameters(requests, eventIds),
    });
    const outcomes = appendOutcomes(requests, eventIds, rows[0] as AppendRow | undefined);
    if (outcomes.some((outcome) => outcome.ok)) {
      // This process's listeners need no round trip through the server: the commit is visible now.
      this.#notifier.wake();
      this.#announce();
    }
    return outcomes;
  }

  /**
   * Wakes the listeners of other processes after a commit: a NOTIFY on its own connection and
   * transaction, never holding up an append, at most one on its way and one per
   * {@link NOTIFY_INTERVAL_MS}; commits made meanwhile get one more when the interval ends. A NOTIFY is
   * a transaction of its own with a durable COMMIT: one per append doubled the transactions of
   * sequential appends and cost the server about 1.26x the CPU per command. A lost wake-up only delays
   * readers, who poll as well.
   */
  #announce(): void {
    if (this.#announcing !== null || this.#announceTimer !== null) {
      this.#announceAgain = true;
      return;
    }
    const wait = this.#announcedAt + NOTIFY_INTERVAL_MS - performance.now();
    if (wait > 0) {
      this.#announceTimer = setTimeout(() => {
        this.#announceTimer = null;
        if (!this.#closed) this.#announce();
      }, wait);
      return;
    }
    this.#announceAgain = false;
    this.#announcedAt = performance.now();
    this.#announcing = this.#notify().then(
      () => this.#announced(),
      () => this.#announced(),
    );
  }

  #announced(): void {
    this.#announcing = null;
    if (this.#announceAgain && !this.#closed) this.#announce();
  }

  /** One NOTIFY on the schema's channel, on a pooled connection. */
  #notify(): Promise<PostgresResult> {
    return this.#connections.query({
      name: `${this.#statement}_notify`,
      text: "SELECT pg_notify($1, '')",
      values: [this.#schema.channel],
    });
  }

  async readAggregate(
    aggregateType: string,
    aggregateId: string,
    afterSequence: number,
  ): Promise<readonly StoredEvent[]> {
    const { rows } = await this.#query({
      name: `${this.#statement}_read_aggregate`,
      text:
        `SELECT ${EVENT_COLUMNS} FROM ${this.#schema.q}.events e ` +
        "WHERE e.aggregate_type = $1 AND e.aggregate_id = $2 AND e.sequence > $3 ORDER BY e.sequence",
      values: [aggregateType, aggregateId, afterSequence],
    });
    return (rows as EventRow[]).map(storedEvent);
  }

  /** Through the partial index of version 4, keyed by an md5 of the id (see the schema). */
  async readCommand(
    aggregateType: string,
    aggregateId: string,
    commandId: string,
  ): Promise<readonly StoredEvent[]> {
    const { rows } = await this.#query({
      name: `${this.#statement}_read_command`,
      text:
        `SELECT ${EVENT_COLUMNS} FROM ${this.#schema.q}.events e ` +
        "WHERE e.aggregate_type = $1 AND md5(e.aggregate_id) = md5($2) AND e.command_id = $3 " +
        "AND e.aggregate_id = $2 ORDER BY e.sequence",
      values: [aggregateType, aggregateId, commandId],
    });
    return (rows as EventRow[]).map(storedEvent);
  }

  /**
   * Many streams' events in one statement: the requests unnested with their number, each joined to its
   * stream's index range, the rows grouped back by request.
   */
  async readAggregates(requests: readonly AggregateRead[]): Promise<readonly (readonly StoredEvent[])[]> {
    if (requests.length === 0) return [];
    if (requests.length === 1) {
      const only = requests[0] as AggregateRead;
      return [await this.readAggregate(only.aggregateType, only.aggregateId, only.afterSequence)];
    }
    const { rows } = await this.#query({
      name: `${this.#statement}_read_aggregates`,
      text:
        `SELECT r.idx::integer AS request, ${EVENT_COLUMNS} ` +
        "FROM unnest($1::text[], $2::text[], $3::integer[]) WITH ORDINALITY AS r(type, id, after, idx) " +
        `JOIN LATERAL (SELECT * FROM ${this.#schema.q}.events x WHERE x.aggregate_type = r.type ` +
        "AND x.aggregate_id = r.id AND x.sequence > r.after) e ON true ORDER BY r.idx, e.sequence",
      values: [
        requests.map((r) => r.aggregateType),
        requests.map((r) => r.aggregateId),
        requests.map((r) => r.afterSequence),
      ],
    });
    const results: StoredEvent[][] = requests.map(() => []);
    for (const row of rows as (EventRow & { request: number })[])
      results[row.request - 1]?.push(storedEvent(row));
    return results;
  }

  async currentSequence(aggregateType: string, aggregateId: string): Promise<number> {
    const { rows } = await this.#query({
      name: `${this.#statement}_current_sequence`,
      text:
        `SELECT COALESCE(max(sequence), 0) AS sequence FROM ${this.#schema.q}.events ` +
        "WHERE aggregate_type = $1 AND aggregate_id = $2",
      values: [aggregateType, aggregateId],
    });
    return Number(rows[0]?.sequence ?? 0);
  }

  /**
   * Reads up to the log's horizon ({@link logHorizonQuery}), asked in a statement of its own first:
   * every event below it that will ever commit is already visible, so a reader that continues after
   * the last position it was given never skips an event that a concurrent transaction commits late.
   * The page is read in index order from `afterPosition` and cut at the horizon here: with the horizon
   * as a second bound in SQL, a table whose statistics lag a bulk load got a plan that read the whole
   * rest of the range for every page (five times slower to read 200,000 events).
   */
  async readAll(
    afterPosition: bigint,
    limit: number,
    options?: ReadAllOptions,
  ): Promise<readonly StoredEvent[]> {
    const types = aggregateTypesOf(options);
    const horizon = BigInt(await this.#horizon());
    // Ordered by the column, not by the text alias of the same name.
    const { rows } =
      types === undefined
        ? await this.#query({
            name: `${this.#statement}_read_all`,
            text: `SELECT ${EVENT_COLUMNS} FROM ${this.#schema.q}.events e WHERE e.position > $1 ORDER BY e.position LIMIT $2`,
            values: [afterPosition.toString(), limit],
          })
        : await this.#query({
            // One range of the (aggregate_type, position) index per type, merged by position.
            name: `${this.#statement}_read_all_of_types`,
            text:
              `SELECT ${EVENT_COLUMNS} FROM unnest($3::text[]) AS t(type) CROSS JOIN LATERAL ` +
              `(SELECT * FROM ${this.#schema.q}.events x WHERE x.aggregate_type = t.type AND x.position > $1 ` +
              "ORDER BY x.position LIMIT $2) e ORDER BY e.position LIMIT $2",
            values: [afterPosition.toString(), limit, types],
          });
    return belowHorizon(rows as EventRow[], horizon).map(storedEvent);
  }

  async loadSnapshot(aggregateType: string, aggregateId: string): Promise<StoredSnapshot | null> {
    const { rows } = await this.#query({
      name: `${this.#statement}_load_snapshot`,
      text:
        `SELECT sequence, version, state::text AS state, recorded_at FROM ${this.#schema.q}.snapshots ` +
        "WHERE aggregate_type = $1 AND aggregate_id = $2",
      values: [aggregateType, aggregateId],
    });
    const row = rows[0] as
      | { sequence: number; version: number; state: string; recorded_at: Date | string }
      | undefined;
    if (!row) return null;
    return {
      aggregateType,
      aggregateId,
      sequence: row.sequence,
      version: row.version,
      state: row.state,
      timestamp: toDate(row.recorded_at),
    };
  }

  /** Many streams' snapshots in one statement. */
  async loadSnapshots(
    streams: readonly { readonly aggregateType: string; readonly aggregateId: string }[],
  ): Promise<readonly (StoredSnapshot | null)[]> {
    if (streams.length === 0) return [];
    const { rows } = await this.#query({
      name: `${this.#statement}_load_snapshots`,
      text:
        "SELECT r.idx::integer AS request, s.sequence, s.version, s.state::text AS state, s.recorded_at " +
        "FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(type, id, idx) " +
        `JOIN ${this.#schema.q}.snapshots s ON s.aggregate_type = r.type AND s.aggregate_id = r.id`,
      values: [streams.map((s) => s.aggregateType), streams.map((s) => s.aggregateId)],
    });
    const results: (StoredSnapshot | null)[] = streams.map(() => null);
    for (const row of rows as {
      request: number;
      sequence: number;
      version: number;
      state: string;
      recorded_at: Date | string;
    }[]) {
      const stream = streams[row.request - 1];
      if (stream === undefined) continue;
      results[row.request - 1] = {
        aggregateType: stream.aggregateType,
        aggregateId: stream.aggregateId,
        sequence: row.sequence,
        version: row.version,
        state: row.state,
        timestamp: toDate(row.recorded_at),
      };
    }
    return results;
  }

  async saveSnapshot(snapshot: StoredSnapshot): Promise<void> {
    await this.#query({
      name: `${this.#statement}_save_snapshot`,
      text:
        `INSERT INTO ${this.#schema.q}.snapshots AS s ` +
        "(aggregate_type, aggregate_id, sequence, version, state, recorded_at) " +
        "VALUES ($1, $2, $3, $4, $5::json, $6) ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE " +
        "SET sequence = excluded.sequence, version = excluded.version, state = excluded.state, " +
        "recorded_at = excluded.recorded_at " +
        "WHERE s.sequence < excluded.sequence OR s.version <> excluded.version",
      values: [
        snapshot.aggregateType,
        snapshot.aggregateId,
        snapshot.sequence,
        snapshot.version,
        snapshot.state,
        snapshot.timestamp,
      ],
    });
  }

  async loadCheckpoint(name: string): Promise<bigint | null> {
    const { rows } = await this.#query({
      name: `${this.#statement}_load_checkpoint`,
      text: `SELECT position::text AS position FROM ${this.#schema.q}.checkpoints WHERE name = $1`,
      values: [name],
    });
    const row = rows[0] as { position: string } | undefined;
    return row ? BigInt(row.position) : null;
  }

  async saveCheckpoint(name: string, position: bigint): Promise<void> {
    await this.#query({
      name: `${this.#statement}_save_checkpoint`,
      text:
        `INSERT INTO ${this.#schema.q}.checkpoints (name, position) VALUES ($1, $2) ` +
        "ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()",
      values: [name, position.toString()],
    });
  }

  async loadQueryCheckpoint(name: string): Promise<QueryCheckpoint | null> {
    const { rows } = await this.#query({
      name: `${this.#statement}_load_query_checkpoint`,
      text:
        "SELECT position::text AS position, generation, reset_pending, skipped::text[] AS skipped " +
        `FROM ${this.#schema.q}.checkpoints WHERE name = $1`,
      values: [name],
    });
    const row = rows[0] as
      | { position: string; generation: number; reset_pending: boolean; skipped: string[] }
      | undefined;
    if (!row) return null;
    return {
      position: BigInt(row.position),
      generation: row.generation,
      resetPending: row.reset_pending,
      skipped: row.skipped.map((position) => BigInt(position)),
    };
  }

  async requestQueryReset(name: string): Promise<void> {
    await this.#query({
      name: `${this.#statement}_request_query_reset`,
      text:
        `INSERT INTO ${this.#schema.q}.checkpoints AS c (name, position, generation, reset_pending, skipped) ` +
        "VALUES ($1, 0, 1, true, '{}') ON CONFLICT (name) DO UPDATE SET position = 0, " +
        "generation = c.generation + 1, reset_pending = true, skipped = '{}', updated_at = now()",
      values: [name],
    });
  }

  async skipQueryEvent(name: string, position: bigint): Promise<void> {
    if (typeof position !== "bigint" || position < 0n)
      throw new TypeError("skipQueryEvent: position must be a non-negative bigint");
    await this.#query({
      name: `${this.#statement}_skip_query_event`,
      text:
        `INSERT INTO ${this.#schema.q}.checkpoints AS c (name, position, skipped) ` +
        "VALUES ($1, 0, ARRAY[$2::bigint]) ON CONFLICT (name) DO UPDATE SET skipped = " +
        "(SELECT array_agg(DISTINCT p ORDER BY p) FROM unnest(c.skipped || $2::bigint) AS p), updated_at = now()",
      values: [name, position.toString()],
    });
  }

  /** The last position below the log's horizon ({@link logHorizonQuery}): what a reader can reach now. */
  async headPosition(): Promise<bigint> {
    const horizon = await this.#horizon();
    const { rows } = await this.#query({
      name: `${this.#statement}_head_position`,
      text: `SELECT COALESCE(max(position), 0)::text AS position FROM ${this.#schema.q}.events WHERE position < $1`,
      values: [horizon],
    });
    return BigInt((rows[0] as { position: string }).position);
  }

  /**
   * Positions are not consecutive here (they follow transaction ids), so a query's lag is counted:
   * an index-only range of the primary key up to the horizon, stopping at `limit`.
   */
  async countEventsAfter(position: bigint, limit: number): Promise<number> {
    const horizon = await this.#horizon();
    const { rows } = await this.#query({
      name: `${this.#statement}_count_after`,
      text:
        `SELECT count(*)::integer AS n FROM (SELECT position FROM ${this.#schema.q}.events ` +
        "WHERE position > $1 ORDER BY position LIMIT $3) x WHERE x.position < $2",
      values: [position.toString(), horizon, limit],
    });
    return (rows[0] as { n: number }).n;
  }

  /** The log's horizon as text; its statement must end before the read that uses it begins. */
  async #horizon(): Promise<string> {
    const { rows } = await this.#query({
      name: `${this.#statement}_horizon`,
      text: logHorizonQuery(this.#schema),
    });
    return (rows[0] as { horizon: string }).horizon;
  }

  /**
   * Takes a session-level advisory lock on a dedicated connection: exclusive across every process on
   * this database and schema, and freed by the server as soon as its holder's connection goes.
   */
  async lockQuery(name: string): Promise<QueryLock | null> {
    await this.#pool();
    const connection = await this.#connections.dedicated();
    const lock = await tryQueryLock(
      connection,
      advisoryKey(this.#schema.name, `query:${name}`),
      this.#options.lockHeartbeatMs,
      (gone) => this.#locks.delete(gone),
      (position, generation) =>
        generation === undefined
          ? {
              text:
                `INSERT INTO ${this.#schema.q}.checkpoints (name, position) VALUES ($1, $2) ` +
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()",
              values: [name, position],
            }
          : {
              text:
                `INSERT INTO ${this.#schema.q}.checkpoints AS c (name, position, generation) VALUES ($1, $2, $3) ` +
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position, reset_pending = false, " +
                "updated_at = now() WHERE c.generation = excluded.generation RETURNING 1",
              values: [name, position, generation],
            },
    );
    if (lock) {
      if (this.#closed) {
        await lock.release();
        throw closedError();
      }
      this.#locks.add(lock);
    }
    return lock;
  }

  onAppend(listener: () => void): () => void {
    if (this.#closed) throw closedError();
    return this.#notifier.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#initializing?.catch(() => undefined);
    // A NOTIFY on its way is let through before the connections end; commits still waiting for theirs
    // get it now, so other processes hear of them at once.
    await this.#announcing;
    if (this.#announceTimer !== null || this.#announceAgain) {
      if (this.#announceTimer !== null) clearTimeout(this.#announceTimer);
      this.#announceTimer = null;
      this.#announceAgain = false;
      await this.#notify().catch(() => undefined);
    }
    await Promise.all([...this.#locks].map((lock) => lock.release()));
    await this.#notifier.stop();
    await this.#connections.end();
  }

  /** The inspection layer's way in (see `src/inspect`); not part of {@link EventStore}. */
  [storeAccess](): PostgresAccess {
    return {
      kind: "postgres",
      schema: this.#schema,
      query: (query) => this.#query(query),
      checkout: async () => {
        await this.#pool();
        const client = await this.#connections.checkout();
        return {
          client: this.#connections.bounded(client),
          release: (destroy) => client.release(destroy === true ? true : undefined),
        };
      },
      readAll: (afterPosition, limit, options) => this.readAll(afterPosition, limit, options),
      onAppend: (listener) => this.onAppend(listener),
      countEventsAfter: (position, limit) => this.countEventsAfter(position, limit),
    };
  }

  async #pool(): Promise<PostgresPool> {
    if (this.#closed) throw closedError();
    await this.init();
    return this.#connections.pool();
  }

  /**
   * Runs one statement on a pooled connection, bounded by `queryTimeoutMs`; a schema dropped under a
   * running store gets a message saying so.
   */
  async #query(query: PostgresQuery): Promise<PostgresResult> {
    await this.#pool();
    try {
      return await this.#connections.query(query);
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      if (code === "42P01" || code === "42883" || code === "3F000") {
        throw new Error(
          `postgresStore: the tables of schema ${this.#schema.q} are missing (dropped while the store ran?): ` +
            `${describeCause(cause)}. Restarting the process creates them again, empty.`,
          { cause },
        );
      }
      throw cause;
    }
  }

  async #initialize(): Promise<void> {
    try {
      const client = await this.#connections.checkout();
      const swallow = () => undefined;
      client.on("error", swallow);
      try {
        await ensureSchema(this.#connections.bounded(client), this.#schema);
        client.release();
      } catch (error) {
        client.release(true);
        throw error;
      } finally {
        client.removeListener("error", swallow);
      }
    } catch (cause) {
      throw new Error(
        `postgresStore: cannot initialize schema ${this.#schema.q} in PostgreSQL: ${describeCause(cause)}`,
        { cause },
      );
    }
  }
}

/**
 * Splits requests into runs of whole requests holding at most {@link EVENTS_PER_TRANSACTION} events
 * each (one run in practice). A single request above the limit stays alone, and `append_events`
 * refuses it.
 */
function byTransaction(requests: readonly AppendRequest[]): AppendRequest[][] {
  const chunks: AppendRequest[][] = [[]];
  let events = 0;
  for (const request of requests) {
    const size = request.events.length;
    const last = chunks[chunks.length - 1] as AppendRequest[];
    if (last.length > 0 && events + size > EVENTS_PER_TRANSACTION) {
      chunks.push([request]);
      events = size;
    } else {
      last.push(request);
      events += size;
    }
  }
  return chunks;
}

/**
 * The least time between two NOTIFYs of one store (ms). A reader in another process hears of a commit
 * at most this much later than it could (its poll, `pollMs`, is 200 ms by default); sequential appends
 * at about 2,000 a second send one NOTIFY per 40 of them instead of one each.
 */
const NOTIFY_INTERVAL_MS = 20;

/** The refusal of a request holding more events than one transaction can (a data error, class 54). */
function tooManyEvents(request: AppendRequest): Error {
  return Object.assign(
    new Error(
      `a transaction holds at most ${EVENTS_PER_TRANSACTION} events; the commit of ${request.aggregateType}/` +
        `${JSON.stringify(request.aggregateId)} has ${request.events.length}`,
    ),
    { code: "54000" },
  );
}

function closedError(): Error {
  return new Error("postgresStore: the store is closed");
}

/** A connection failure's message; Node's AggregateError (one error per address tried) has none itself. */
function describeCause(cause: unknown): string {
  if (cause instanceof AggregateError && cause.message === "") {
    return cause.errors.map((error) => describeCause(error)).join("; ");
  }
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return cause.message || (typeof code === "string" ? code : cause.name);
  }
  return String(cause);
}
