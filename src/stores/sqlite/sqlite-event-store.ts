/**
 * The SQLite event store on better-sqlite3: WAL mode, one connection per store handle, every write a
 * `BEGIN IMMEDIATE` transaction that runs to its end synchronously, so that two writes of one handle
 * never interleave, and writes wait asynchronously while another process holds the file's write lock.
 */
import { randomUUID } from "node:crypto";
import type {
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
import { appendAll, currentSequence } from "./sqlite-append.js";
import { SqliteAppendSignal } from "./sqlite-append-signal.js";
import { retryWhileBusy } from "./sqlite-busy.js";
import { type Connection, closeConnection, inTransaction, openConnection } from "./sqlite-connection.js";
import type { SqliteDatabase } from "./sqlite-database.js";
import { type SqliteStoreOptions, type SqliteStoreSettings, sqliteStoreSettings } from "./sqlite-options.js";
import { type LeaseHost, SqliteQueryLock } from "./sqlite-query-lock.js";
import { type EventRow, type SnapshotRow, toStoredEvent, toStoredSnapshot } from "./sqlite-rows.js";
import { SqliteSequenceCache } from "./sqlite-sequence-cache.js";
import type { SqliteStatements } from "./sqlite-statements.js";

/** What the inspection layer reaches through {@link storeAccess}: this handle's connection, in turn. */
export interface SqliteAccess {
  readonly kind: "sqlite";
  /** Runs `work` on the handle's connection (opened first if need be), retried while the file is busy. */
  read<T>(work: (database: SqliteDatabase) => T): Promise<T>;
  /** Runs `work` in one write transaction after the handle's earlier writes. */
  write<T>(work: (database: SqliteDatabase) => T): Promise<T>;
  /** The store's wake-ups. */
  onAppend(listener: () => void): () => void;
}

/**
 * An event store in a SQLite file. Make one with {@link sqliteStore}.
 *
 * @example
 * ```ts
 * const store = new SqliteEventStore({ path: "events.db" });
 * await store.init();
 * ```
 */
export class SqliteEventStore implements EventStore {
  readonly #settings: SqliteStoreSettings;
  /** This handle's name in lease rows: unique per handle, so two handles in one process exclude each other. */
  readonly #owner = randomUUID();
  readonly #locks = new Map<string, SqliteQueryLock | "taking">();
  readonly #signal: SqliteAppendSignal;
  readonly #lease: LeaseHost;
  #opening: Promise<Connection> | undefined;
  #connection: Connection | undefined;
  #writes: Promise<unknown> = Promise.resolve();
  readonly #sequences = new SqliteSequenceCache();
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    this.#settings = sqliteStoreSettings(options);
    this.#signal = new SqliteAppendSignal(this.#settings.clock, this.#settings.wakePollMs, () => {
      const row = this.#connection?.statements.dataVersion.get() as { data_version: number } | undefined;
      return row?.data_version;
    });
    this.#lease = {
      clock: this.#settings.clock,
      now: this.#settings.now,
      leaseMs: this.#settings.queryLeaseMs,
      renew: (name, expiresAt) =>
        this.#write((s) => s.renewLease.run(expiresAt, name, this.#owner).changes === 1),
      saveCheckpoint: (name, position, generation) =>
        this.#write((s) => {
          if (generation === undefined)
            return s.saveLeasedCheckpoint.run(name, position, name, this.#owner, this.#settings.now())
              .changes === 1
              ? "saved"
              : "lost";
          const lease = s.readLease.get(name) as { owner: string; expires_at: number } | undefined;
          if (lease?.owner !== this.#owner || lease.expires_at <= this.#settings.now()) return "lost";
          return s.saveGenerationCheckpoint.run(name, position, generation).changes === 1 ? "saved" : "stale";
        }),
      release: async (name) => {
        await this.#write((s) => s.deleteLease.run(name, this.#owner));
      },
      ended: (name) => {
        if (this.#locks.get(name) !== "taking") this.#locks.delete(name);
      },
    };
  }

  async init(): Promise<void> {
    await this.#open();
  }

  /**
   * A lock that stayed busy, an I/O failure, a full disk, a read-only or closed database fail every
   * request alike; anything else (a constraint, a value too big, a value that cannot be encoded) may be
   * one request's own.
   */
  isRequestError(error: unknown): boolean {
    if (this.#closed) return false;
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === "string")
      return !/^SQLITE_(BUSY|LOCKED|IOERR|FULL|READONLY|CANTOPEN|CORRUPT|NOTADB|NOMEM|PERM|AUTH|PROTOCOL)/.test(
        code,
      );
    return !(error instanceof Error && /stayed locked/.test(error.message));
  }

  async append(requests: readonly AppendRequest[]): Promise<readonly AppendOutcome[]> {
    if (requests.length === 0) return [];
    const sequences = this.#sequences;
    let outcomes: AppendOutcome[];
    try {
      outcomes = await this.#write((statements) => {
        sequences.begin((statements.dataVersion.get() as { data_version: number }).data_version);
        return appendAll(statements, requests, this.#settings.now(), sequences);
      });
    } catch (error) {
      sequences.discard();
      throw error;
    }
    sequences.committed();
    if (outcomes.some((outcome) => outcome.ok && outcome.value.length > 0)) this.#signal.notify();
    return outcomes;
  }

  async readAggregate(
    aggregateType: string,
    aggregateId: string,
    afterSequence: number,
  ): Promise<readonly StoredEvent[]> {
    const rows = await this.#read(
      (s) => s.readAggregate.all(aggregateType, aggregateId, afterSequence) as EventRow[],
    );
    return rows.map(toStoredEvent);
  }

  async readCommand(
    aggregateType: string,
    aggregateId: string,
    commandId: string,
  ): Promise<readonly StoredEvent[]> {
    const rows = await this.#read(
      (s) => s.readCommand.all(aggregateType, aggregateId, commandId) as EventRow[],
    );
    return rows.map(toStoredEvent);
  }

  async currentSequence(aggregateType: string, aggregateId: string): Promise<number> {
    return this.#read((s) => currentSequence(s, aggregateType, aggregateId));
  }

  async readAll(
    afterPosition: bigint,
    limit: number,
    options?: ReadAllOptions,
  ): Promise<readonly StoredEvent[]> {
    const types = aggregateTypesOf(options);
    const rows = await this.#read(
      (s) =>
        (types === undefined
          ? s.readAll.all(afterPosition, limit)
          : types.length === 1
            ? s.readAllOfType.all(types[0], afterPosition, limit)
            : // One index range per type, merged by position: no sort of everything after the position.
              types
                .flatMap((type) => s.readAllOfType.all(type, afterPosition, limit) as EventRow[])
                .sort((a, b) => (a.position < b.position ? -1 : 1))
                .slice(0, limit)) as EventRow[],
    );
    return rows.map(toStoredEvent);
  }

  async loadSnapshot(aggregateType: string, aggregateId: string): Promise<StoredSnapshot | null> {
    const row = await this.#read(
      (s) => s.loadSnapshot.get(aggregateType, aggregateId) as SnapshotRow | undefined,
    );
    return row === undefined ? null : toStoredSnapshot(row);
  }

  async saveSnapshot(snapshot: StoredSnapshot): Promise<void> {
    const { aggregateType, aggregateId, sequence, version, state, timestamp } = snapshot;
    await this.#write((s) =>
      s.saveSnapshot.run(aggregateType, aggregateId, sequence, version, state, timestamp.getTime()),
    );
  }

  async loadCheckpoint(name: string): Promise<bigint | null> {
    const row = await this.#read((s) => s.loadCheckpoint.get(name) as { position: bigint } | undefined);
    return row === undefined ? null : row.position;
  }

  async saveCheckpoint(name: string, position: bigint): Promise<void> {
    await this.#write((s) => s.saveCheckpoint.run(name, position));
  }

  async loadQueryCheckpoint(name: string): Promise<QueryCheckpoint | null> {
    const row = await this.#read(
      (s) =>
        s.loadQueryCheckpoint.get(name) as
          | { position: bigint; generation: bigint; reset_pending: bigint; skipped: string }
          | undefined,
    );
    if (row === undefined) return null;
    return {
      position: row.position,
      generation: Number(row.generation),
      resetPending: row.reset_pending !== 0n,
      skipped: parseSkipped(row.skipped),
    };
  }

  async requestQueryReset(name: string): Promise<void> {
    if (typeof name !== "string") throw new TypeError("requestQueryReset: name must be a string");
    await this.#write((s) => s.requestQueryReset.run(name));
  }

  async skipQueryEvent(name: string, position: bigint): Promise<void> {
    if (typeof name !== "string") throw new TypeError("skipQueryEvent: name must be a string");
    if (typeof position !== "bigint" || position < 0n)
      throw new TypeError("skipQueryEvent: position must be a non-negative bigint");
    await this.#write((s) => {
      const row = s.loadQueryCheckpoint.get(name) as { skipped: string } | undefined;
      const skipped = parseSkipped(row?.skipped ?? "");
      if (row !== undefined && skipped.includes(position)) return;
      s.saveSkipped.run(name, formatSkipped([...skipped, position]));
    });
  }

  async headPosition(): Promise<bigint> {
    return this.#read((s) => (s.headPosition.get() as { position: bigint }).position);
  }

  async lockQuery(name: string): Promise<QueryLock | null> {
    if (this.#locks.has(name)) return null;
    this.#locks.set(name, "taking");
    try {
      const { leaseMs, now } = this.#lease;
      const expiresAt = await this.#write((s) => {
        const at = now();
        const row = s.readLease.get(name) as { owner: string; expires_at: number } | undefined;
        if (row !== undefined && row.owner !== this.#owner && row.expires_at > at) return null;
        s.writeLease.run(name, this.#owner, at + leaseMs);
        return at + leaseMs;
      });
      if (expiresAt === null || this.#closed) {
        this.#locks.delete(name);
        return null;
      }
      const lock = new SqliteQueryLock(name, this.#lease, expiresAt);
      this.#locks.set(name, lock);
      return lock;
    } catch (error) {
      this.#locks.delete(name);
      throw error;
    }
  }

  onAppend(listener: () => void): () => void {
    if (this.#closed) throw new Error("the SQLite store is closed");
    return this.#signal.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#signal.stop();
    const connection = await this.#opening?.catch(() => undefined);
    await this.#writes.catch(() => undefined);
    if (connection === undefined) return;
    const held = [...this.#locks.entries()].filter((entry): entry is [string, SqliteQueryLock] => {
      return entry[1] !== "taking";
    });
    for (const [, lock] of held) lock.abandon();
    try {
      // Give named queries back at once rather than when their leases run out.
      connection.guard(() => {
        for (const [name] of held) connection.statements.deleteLease.run(name, this.#owner);
      });
    } catch {
      // The leases will expire on their own.
    }
    this.#connection = undefined;
    closeConnection(connection, this.#settings);
  }

  /** The inspection layer's way in (see `src/inspect`); not part of {@link EventStore}. */
  [storeAccess](): SqliteAccess {
    const database = () => (this.#connection as Connection).database;
    return {
      kind: "sqlite",
      read: (work) => this.#read(() => work(database())),
      write: (work) => {
        const written = this.#write(() => {
          // Rows written past the append path: the cached stream ends may no longer hold.
          this.#sequences.discard();
          return work(database());
        });
        written.then(
          () => this.#signal.notify(),
          () => undefined,
        );
        return written;
      },
      onAppend: (listener) => this.onAppend(listener),
    };
  }

  /** Opens and configures the connection once, however many callers ask at the same time. */
  #open(): Promise<Connection> {
    if (this.#closed) return Promise.reject(new Error("the SQLite store is closed"));
    if (this.#opening === undefined) {
      this.#opening = openConnection(this.#settings).then((connection) => {
        if (this.#closed) {
          closeConnection(connection, this.#settings);
          throw new Error("the SQLite store was closed while opening");
        }
        this.#connection = connection;
        return connection;
      });
      // A failed open (a missing directory, say) may be tried again later.
      this.#opening.catch(() => {
        this.#opening = undefined;
      });
    }
    return this.#opening;
  }

  async #read<T>(query: (statements: SqliteStatements) => T): Promise<T> {
    if (this.#closed) throw new Error("the SQLite store is closed");
    const connection = this.#connection ?? (await this.#open());
    return retryWhileBusy(
      () => connection.guard(() => query(connection.statements)),
      this.#settings.busyTimeoutMs,
    );
  }

  /**
   * Runs `work` in a write transaction after the handle's earlier writes, retrying while another
   * connection holds the lock. `work` is synchronous: nothing else runs on the connection meanwhile.
   */
  #write<T>(work: (statements: SqliteStatements) => T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error("the SQLite store is closed"));
    // Writes accepted before close() still run: close() waits for them.
    const run = async () => {
      const connection = this.#connection ?? (await this.#open());
      const transaction = () => inTransaction(connection, work);
      return retryWhileBusy(transaction, this.#settings.busyTimeoutMs);
    };
    const result = this.#writes.then(run, run);
    this.#writes = result.catch(() => undefined);
    return result;
  }
}

/** Skipped positions as stored: ascending decimal numbers separated by commas. */
export function formatSkipped(positions: readonly bigint[]): string {
  return [...new Set(positions)]
    .sort((a, b) => (a < b ? -1 : 1))
    .map(String)
    .join(",");
}

/** Skipped positions back from {@link formatSkipped}'s text. */
export function parseSkipped(text: string): bigint[] {
  return text === "" ? [] : text.split(",").map((position) => BigInt(position));
}
