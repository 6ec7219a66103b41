/**
 * The SQLite store's inspector (see `src/inspect`): listings by index seeks and keyset pages, and the
 * administrative writes of import and migrate, on a store handle's connection or on a file opened
 * read-only.
 */
import type { StoredEvent, StoredSnapshot } from "../../core/event-store.js";
import { storedMetadata } from "../../core/metadata.js";
import { storeAccess } from "../../core/store-access.js";
import {
  type CheckpointSummary,
  type EventTypeSummary,
  type ImportedEvent,
  type ImportOutcome,
  ImportRefused,
  type ListStreamsOptions,
  type SnapshotCursor,
  type StoreAdmin,
  type StoreCounts,
  type StoredEventRow,
  type StreamSummary,
} from "../../inspect/inspector.js";
import {
  checkLimit,
  listStreamsBySeeks,
  mergeByPosition,
  placeOf,
  typesBySeeks,
} from "../../inspect/paging.js";
import { retryWhileBusy } from "./sqlite-busy.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-database.js";
import { formatSkipped, parseSkipped, type SqliteAccess } from "./sqlite-event-store.js";
import { metadataText, type SnapshotRow, toStoredEvent, toStoredSnapshot } from "./sqlite-rows.js";
import { SQLITE_SCHEMA_VERSION, tables } from "./sqlite-schema.js";

/** A connection to inspect through: a store handle's, or a file opened for the inspector alone. */
export interface SqliteHandle {
  read<T>(work: (database: SqliteDatabase) => T): Promise<T>;
  /** Absent when the file was opened read-only. */
  readonly write?: <T>(work: (database: SqliteDatabase) => T) => Promise<T>;
  onAppend(listener: () => void): () => void;
  /** Closes what the handle opened itself. */
  close(): Promise<void>;
}

/** The handle of a SQLite store of this package, or `null` for any other store. */
export function sqliteHandleOf(store: object): SqliteHandle | null {
  const access = (store as { [storeAccess]?: () => SqliteAccess })[storeAccess];
  if (typeof access !== "function") return null;
  const found = access.call(store);
  if (found.kind !== "sqlite") return null;
  return {
    read: found.read,
    write: found.write,
    onAppend: found.onAppend,
    close: async () => undefined,
  };
}

/**
 * Opens an existing store file read-only for inspection: no schema is created or migrated, nothing is
 * written. Rejects for a missing file, a file without the store's tables, or one at another schema
 * version (unless `anyVersion`, for a caller that only checks the file holds a store). Wake-ups come
 * from polling `PRAGMA data_version` every `pollMs`.
 */
export async function openSqliteReadOnly(
  path: string,
  pollMs = 200,
  { anyVersion = false }: { anyVersion?: boolean } = {},
): Promise<SqliteHandle> {
  const Database = await loadDriver();
  let database: SqliteDatabase;
  try {
    database = new Database(path, { readonly: true, fileMustExist: true });
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`cannot open the SQLite file "${path}": ${detail}`, { cause });
  }
  try {
    const present = database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(tables.version);
    if (present === undefined) {
      throw new Error(`"${path}" holds no eventsourcing store (no ${tables.version} table)`);
    }
    const row = database.prepare(`SELECT MAX(version) AS version FROM ${tables.version}`).get() as {
      version: number | null;
    };
    if (!anyVersion && row.version !== SQLITE_SCHEMA_VERSION) {
      throw new Error(
        `"${path}" is at schema version ${row.version}, this release reads ${SQLITE_SCHEMA_VERSION}: ` +
          (Number(row.version) < SQLITE_SCHEMA_VERSION
            ? "open it once with the application (or a writing command) to migrate it"
            : "upgrade eventsourcing"),
      );
    }
    database.exec("PRAGMA busy_timeout = 20");
  } catch (error) {
    database.close();
    throw error;
  }
  const listeners = new Set<() => void>();
  let timer: NodeJS.Timeout | undefined;
  let version: unknown;
  const dataVersion = () => {
    try {
      return (database.prepare("PRAGMA data_version").get() as { data_version: unknown }).data_version;
    } catch {
      return undefined;
    }
  };
  return {
    read: (work) => retryWhileBusy(() => work(database), 10_000),
    onAppend(listener) {
      const entry = () => listener();
      listeners.add(entry);
      if (timer === undefined) {
        version = dataVersion();
        timer = setInterval(() => {
          const now = dataVersion();
          if (now === undefined || now === version) return;
          version = now;
          for (const each of [...listeners]) each();
        }, pollMs);
      }
      return () => {
        listeners.delete(entry);
        if (listeners.size === 0 && timer !== undefined) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    async close() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      listeners.clear();
      database.close();
    },
  };
}

type ReadOnlyConstructor = new (
  path: string,
  options: { readonly: boolean; fileMustExist: boolean },
) => SqliteDatabase;

async function loadDriver(): Promise<ReadOnlyConstructor> {
  try {
    const module = (await import("better-sqlite3")) as unknown as { default: ReadOnlyConstructor };
    return module.default;
  } catch (cause) {
    throw new Error(
      "reading a SQLite store needs the better-sqlite3 package: `npm install better-sqlite3@12`",
      {
        cause,
      },
    );
  }
}

const EVENT_COLUMNS =
  "position, aggregate_type, aggregate_id, sequence, commit_start, event_id, event_type, event_version, " +
  "payload, metadata, recorded_at, command_id";
const E = tables.events;

/** Statements prepared once per connection (with safe integers: positions may pass 2^53). */
const prepared = new WeakMap<SqliteDatabase, Map<string, SqliteStatement>>();

function statement(database: SqliteDatabase, sql: string): SqliteStatement {
  let cache = prepared.get(database);
  if (cache === undefined) {
    cache = new Map();
    prepared.set(database, cache);
  }
  let found = cache.get(sql);
  if (found === undefined) {
    found = database.prepare(sql).safeIntegers(true);
    cache.set(sql, found);
  }
  return found;
}

const n = (value: unknown): number => Number(value);

/**
 * Event rows are read as arrays with plain numbers (safe integers cost a BigInt per column and most
 * of a large read's time); a position past 2^53 would be refused rather than rounded.
 */
const rawStatements = new WeakMap<
  SqliteDatabase,
  Map<string, SqliteStatement & { raw(on: boolean): unknown }>
>();

function rawStatement(database: SqliteDatabase, sql: string, exact = false): SqliteStatement {
  let cache = rawStatements.get(database);
  if (cache === undefined) {
    cache = new Map();
    rawStatements.set(database, cache);
  }
  const key = exact ? `exact:${sql}` : sql;
  let found = cache.get(key);
  if (found === undefined) {
    found = database.prepare(sql).safeIntegers(exact) as SqliteStatement & { raw(on: boolean): unknown };
    found.raw(true);
    cache.set(key, found);
  }
  return found;
}

/** A stored event from a raw row of {@link EVENT_COLUMNS}. */
function rawEvent(row: unknown[]): StoredEvent {
  const [
    position,
    aggregateType,
    aggregateId,
    sequence,
    commitStart,
    eventId,
    eventType,
    eventVersion,
    payload,
    metadata,
    recordedAt,
    commandId,
  ] = row as [
    number,
    string,
    string,
    number,
    number,
    string,
    string,
    number,
    string,
    string,
    number,
    string | null,
  ];
  if (
    !Number.isSafeInteger(position) ||
    typeof payload !== "string" ||
    typeof aggregateId !== "string" ||
    (commandId !== null && typeof commandId !== "string")
  ) {
    // The careful path: exact positions and the store's own checks and messages.
    return toStoredEvent({
      position: BigInt(position),
      aggregate_type: aggregateType,
      aggregate_id: aggregateId,
      sequence: BigInt(sequence),
      commit_start: BigInt(commitStart),
      event_id: eventId,
      event_type: eventType,
      event_version: BigInt(eventVersion),
      payload,
      metadata,
      recorded_at: BigInt(recordedAt),
      command_id: commandId,
    });
  }
  const stored: StoredEvent = {
    aggregateType,
    aggregateId,
    sequence,
    position: BigInt(position),
    commitStart,
    eventId,
    eventType,
    eventVersion,
    payload,
    metadata:
      metadata === "{}"
        ? {}
        : storedMetadata(metadata, () => `aggregate ${JSON.stringify(aggregateId)} sequence ${sequence}`),
    recordedAt: new Date(recordedAt),
  };
  return commandId === null ? stored : { ...stored, commandId };
}

/** The inspector of a SQLite store over `handle`. */
export function sqliteInspector(handle: SqliteHandle): StoreAdmin {
  const read = handle.read;
  const write = <T>(work: (database: SqliteDatabase) => T): Promise<T> => {
    if (handle.write === undefined) {
      return Promise.reject(new Error("the SQLite store was opened read-only"));
    }
    return handle.write(work);
  };
  const eventsOf = (rows: unknown[]) => (rows as unknown[][]).map(rawEvent);

  const seeks = {
    nextType: (after: string | null) =>
      read((db) => {
        const row = (
          after === null
            ? statement(db, `SELECT aggregate_type FROM ${E} ORDER BY aggregate_type LIMIT 1`).get()
            : statement(
                db,
                `SELECT aggregate_type FROM ${E} WHERE aggregate_type > ? ORDER BY aggregate_type LIMIT 1`,
              ).get(after)
        ) as { aggregate_type: string } | undefined;
        return row?.aggregate_type ?? null;
      }),
    nextStream: (type: string, from: string, inclusive: boolean) =>
      read((db) => {
        // One statement: the id is matched in SQL as stored, never as read back. An id that is not
        // well-formed text (a lone surrogate, written by other means) reads back changed, and looking
        // the changed id up again found no row.
        const last = statement(
          db,
          `SELECT aggregate_id, sequence, position FROM ${E} WHERE aggregate_type = ? AND aggregate_id = (` +
            `SELECT aggregate_id FROM ${E} WHERE aggregate_type = ? AND aggregate_id ${inclusive ? ">=" : ">"} ? ` +
            "ORDER BY aggregate_type, aggregate_id LIMIT 1) ORDER BY sequence DESC LIMIT 1",
        ).get(type, type, from) as { aggregate_id: string; sequence: bigint; position: bigint } | undefined;
        if (last === undefined) return null;
        return {
          aggregateId: last.aggregate_id,
          lastSequence: n(last.sequence),
          lastPosition: last.position,
        };
      }),
  };

  const logPage = (
    db: SqliteDatabase,
    bound: bigint | null,
    limit: number,
    descending: boolean,
    type: string | undefined,
  ): StoredEvent[] => {
    const where: string[] = [];
    const values: unknown[] = [];
    if (type !== undefined) {
      where.push("aggregate_type = ?");
      values.push(type);
    }
    if (bound !== null) {
      where.push(descending ? "position < ?" : "position > ?");
      values.push(bound);
    }
    const sql =
      `SELECT ${EVENT_COLUMNS} FROM ${E} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ` +
      `ORDER BY position ${descending ? "DESC" : ""} LIMIT ?`;
    return eventsOf(rawStatement(db, sql).all(...values, limit));
  };

  const readLogWith = (bound: bigint | null, limit: number, descending: boolean, types?: readonly string[]) =>
    read((db) => {
      if (types === undefined) return logPage(db, bound, limit, descending, undefined);
      const pages = [...new Set(types)].map((type) => logPage(db, bound, limit, descending, type));
      return mergeByPosition(pages, limit, descending);
    });

  return {
    kind: "sqlite",
    listStreams: (options: ListStreamsOptions): Promise<readonly StreamSummary[]> =>
      listStreamsBySeeks(seeks, options),

    aggregateTypes: () => typesBySeeks(seeks),

    eventTypes: (): Promise<readonly EventTypeSummary[]> =>
      read((db) => {
        const rows = statement(
          db,
          `SELECT event_type, event_version, COUNT(*) AS count FROM ${E} GROUP BY event_type, event_version ` +
            "ORDER BY event_type, event_version",
        ).all() as { event_type: string; event_version: bigint; count: bigint }[];
        return groupTypes(rows.map((r) => [r.event_type, n(r.event_version), n(r.count)]));
      }),

    listCheckpoints: (): Promise<readonly CheckpointSummary[]> =>
      read((db) => {
        const checkpoints = statement(
          db,
          `SELECT name, position, generation, reset_pending, skipped FROM ${tables.checkpoints}`,
        ).all() as {
          name: string;
          position: bigint;
          generation: bigint;
          reset_pending: bigint;
          skipped: string;
        }[];
        const leases = statement(db, `SELECT name, owner, expires_at FROM ${tables.leases}`).all() as {
          name: string;
          owner: string;
          expires_at: bigint;
        }[];
        const now = Date.now();
        const holders = new Map(
          leases
            .filter((lease) => n(lease.expires_at) > now)
            .map((lease) => [
              lease.name,
              `lease ${lease.owner} until ${new Date(n(lease.expires_at)).toISOString()}`,
            ]),
        );
        const names = new Map<string, CheckpointSummary>(
          checkpoints.map((c) => [
            c.name,
            {
              name: c.name,
              position: c.position,
              holder: holders.get(c.name) ?? null,
              generation: n(c.generation),
              resetPending: c.reset_pending !== 0n,
              skipped: parseSkipped(c.skipped),
            },
          ]),
        );
        for (const lease of leases) {
          if (!names.has(lease.name)) {
            names.set(lease.name, {
              name: lease.name,
              position: null,
              holder: holders.get(lease.name) ?? null,
            });
          }
        }
        return [...names.entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([, summary]) => summary);
      }),

    headPosition: () =>
      read((db) => {
        const row = statement(db, `SELECT MAX(position) AS head FROM ${E}`).get() as { head: bigint | null };
        return row.head ?? 0n;
      }),

    counts: (): Promise<StoreCounts> =>
      read((db) => {
        const count = (sql: string) => n((statement(db, sql).get() as { count: bigint }).count);
        return {
          events: count(`SELECT COUNT(*) AS count FROM ${E}`),
          // Every stream has exactly one event at sequence 1.
          streams: count(`SELECT COUNT(*) AS count FROM ${E} WHERE sequence = 1`),
          snapshots: count(`SELECT COUNT(*) AS count FROM ${tables.snapshots}`),
          checkpoints: count(`SELECT COUNT(*) AS count FROM ${tables.checkpoints}`),
        };
      }),

    readStream: (aggregateType, aggregateId, afterSequence, limit) => {
      checkLimit(limit, "readStream");
      return read((db) =>
        eventsOf(
          rawStatement(
            db,
            `SELECT ${EVENT_COLUMNS} FROM ${E} WHERE aggregate_type = ? AND aggregate_id = ? AND sequence > ? ` +
              "ORDER BY sequence LIMIT ?",
          ).all(aggregateType, aggregateId, Math.floor(afterSequence), limit),
        ),
      );
    },

    readLog: (afterPosition, limit, types) => {
      checkLimit(limit, "readLog");
      return readLogWith(afterPosition, limit, false, types);
    },

    readLogBefore: async (beforePosition, limit, types) => {
      checkLimit(limit, "readLogBefore");
      return (await readLogWith(beforePosition, limit, true, types)).reverse();
    },

    eventById: (eventId) =>
      read((db) => {
        const row = rawStatement(db, `SELECT ${EVENT_COLUMNS} FROM ${E} WHERE event_id = ?`).get(eventId);
        return row === undefined ? null : rawEvent(row as unknown[]);
      }),

    listSnapshots: (after: SnapshotCursor | null, limit: number) => {
      checkLimit(limit, "listSnapshots");
      return read((db) => {
        const columns = "aggregate_type, aggregate_id, sequence, version, state, timestamp";
        const rows =
          after === null
            ? statement(
                db,
                `SELECT ${columns} FROM ${tables.snapshots} ORDER BY aggregate_type, aggregate_id LIMIT ?`,
              ).all(limit)
            : statement(
                db,
                `SELECT ${columns} FROM ${tables.snapshots} WHERE (aggregate_type, aggregate_id) > (?, ?) ` +
                  "ORDER BY aggregate_type, aggregate_id LIMIT ?",
              ).all(after.aggregateType, after.aggregateId, limit);
        return (rows as SnapshotRow[]).map(toStoredSnapshot);
      });
    },

    readLogRows: (afterPosition, limit) => {
      checkLimit(limit, "readLogRows");
      return read((db) => {
        const sql = `SELECT ${EVENT_COLUMNS} FROM ${E} WHERE position > ? ORDER BY position LIMIT ?`;
        const rows = rawStatement(db, sql).all(afterPosition, limit) as unknown[][];
        // Plain numbers are exact up to 2^53; a page with a position past that is read again with exact
        // integers, the position kept as a bigint.
        if (rows.some((row) => !Number.isSafeInteger(row[0]))) {
          const exact = rawStatement(db, sql, true).all(afterPosition, limit) as unknown[][];
          return exact.map((row) =>
            row.map((value, column) => (column > 0 && typeof value === "bigint" ? Number(value) : value)),
          ) as unknown as StoredEventRow[];
        }
        return rows as unknown as StoredEventRow[];
      });
    },

    onAppend: (listener) => handle.onAppend(listener),

    importEvents: (events, { keepPositions }) => write((db) => importInto(db, events, keepPositions)),

    putSnapshots: async (snapshots: readonly StoredSnapshot[]) => {
      await write((db) => {
        const put = statement(
          db,
          `INSERT INTO ${tables.snapshots} (aggregate_type, aggregate_id, sequence, version, state, timestamp) ` +
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET " +
            "sequence = excluded.sequence, version = excluded.version, state = excluded.state, " +
            "timestamp = excluded.timestamp",
        );
        for (const s of snapshots) {
          put.run(s.aggregateType, s.aggregateId, s.sequence, s.version, s.state, s.timestamp.getTime());
        }
      });
    },

    putCheckpoint: async (name, position, record) => {
      await write((db) =>
        record === undefined
          ? statement(
              db,
              `INSERT INTO ${tables.checkpoints} (name, position) VALUES (?, ?) ` +
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            ).run(name, position)
          : statement(
              db,
              `INSERT INTO ${tables.checkpoints} (name, position, generation, reset_pending, skipped) ` +
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position, " +
                "generation = excluded.generation, reset_pending = excluded.reset_pending, " +
                "skipped = excluded.skipped",
            ).run(
              name,
              position,
              record.generation,
              record.resetPending ? 1 : 0,
              formatSkipped(record.skipped),
            ),
      );
    },

    close: () => handle.close(),
  };
}

/** Rows of (type, version, count) in type order, grouped by type. */
export function groupTypes(rows: readonly (readonly [string, number, number])[]): EventTypeSummary[] {
  const byType = new Map<string, { count: number; versions: number[] }>();
  for (const [type, version, count] of rows) {
    const entry = byType.get(type) ?? { count: 0, versions: [] };
    entry.count += count;
    entry.versions.push(version);
    byType.set(type, entry);
  }
  return [...byType.entries()].map(([eventType, { count, versions }]) => ({
    eventType,
    count,
    versions: versions.sort((a, b) => a - b),
  }));
}

/** A statement returning the first column of its row as a plain number (or string). */
function pluckStatement(database: SqliteDatabase, sql: string): SqliteStatement {
  let cache = rawStatements.get(database);
  if (cache === undefined) {
    cache = new Map();
    rawStatements.set(database, cache);
  }
  const key = `pluck:${sql}`;
  let found = cache.get(key);
  if (found === undefined) {
    const prepared = database.prepare(sql).safeIntegers(false) as SqliteStatement & {
      raw(on: boolean): unknown;
      pluck(on: boolean): unknown;
    };
    prepared.pluck(true);
    found = prepared;
    cache.set(key, found);
  }
  return found;
}

/** The import check and insert, inside the write transaction (see `StoreAdmin.importEvents`). */
function importInto(
  db: SqliteDatabase,
  events: readonly ImportedEvent[],
  keepPositions: boolean,
): ImportOutcome {
  const byId = statement(db, `SELECT aggregate_type, aggregate_id, sequence FROM ${E} WHERE event_id = ?`);
  // A stream's last sequence (at most 2^31 - 1, so a plain number), one index seek.
  const end = pluckStatement(
    db,
    `SELECT sequence FROM ${E} WHERE aggregate_type = ? AND aggregate_id = ? ORDER BY sequence DESC LIMIT 1`,
  );
  const columns =
    "aggregate_type, aggregate_id, sequence, commit_start, event_id, event_type, event_version, payload, " +
    "metadata, recorded_at, command_id";
  // A NULL position is numbered by the table (AUTOINCREMENT), as an append's is.
  const insert = statement(
    db,
    `INSERT INTO ${E} (position, ${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let head = keepPositions
    ? ((statement(db, `SELECT MAX(position) AS head FROM ${E}`).get() as { head: bigint | null }).head ?? 0n)
    : 0n;
  let written = 0;
  let skipped = 0;
  // The end of every stream this call has touched (by type, then id): a stream's commits interleave
  // with others' in the log, so each stream is looked up once per call, not once per commit.
  const ends = new Map<string, Map<string, number>>();
  for (const event of events) {
    let ofType = ends.get(event.aggregateType);
    if (ofType === undefined) {
      ofType = new Map();
      ends.set(event.aggregateType, ofType);
    }
    let current = ofType.get(event.aggregateId);
    if (current === undefined) {
      current = (end.get(event.aggregateType, event.aggregateId) as number | undefined) ?? 0;
      ofType.set(event.aggregateId, current);
    }
    // Only an event at or below its stream's end may be there already (a second run).
    if (event.sequence <= current) {
      const found = byId.get(event.eventId) as
        | { aggregate_type: string; aggregate_id: string; sequence: bigint }
        | undefined;
      if (
        found !== undefined &&
        found.aggregate_type === event.aggregateType &&
        found.aggregate_id === event.aggregateId &&
        n(found.sequence) === event.sequence
      ) {
        skipped++;
        continue;
      }
    }
    refuseOutOfOrder(event, current);
    if (keepPositions) {
      if (event.position <= head) {
        throw new ImportRefused(
          `event ${event.eventId} (${placeOf(event)}) has position ${event.position}, not past the store's ` +
            `last position ${head}`,
          event,
        );
      }
      head = event.position;
    }
    try {
      insert.run(
        keepPositions ? event.position : null,
        event.aggregateType,
        event.aggregateId,
        event.sequence,
        event.commitStart,
        event.eventId,
        event.eventType,
        event.eventVersion,
        event.payload,
        metadataText(event.metadata),
        event.recordedAt.getTime(),
        event.commandId ?? null,
      );
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === "SQLITE_CONSTRAINT_UNIQUE" && /event_id/.test(String((error as Error).message))) {
        const found = byId.get(event.eventId) as
          | { aggregate_type: string; aggregate_id: string; sequence: bigint }
          | undefined;
        const where =
          found === undefined
            ? "another place"
            : placeOf({
                aggregateType: found.aggregate_type,
                aggregateId: found.aggregate_id,
                sequence: n(found.sequence),
              });
        throw new ImportRefused(
          `event ${event.eventId} (${placeOf(event)}) is already stored at ${where}`,
          event,
        );
      }
      throw error;
    }
    ofType.set(event.aggregateId, event.sequence);
    written++;
  }
  return { written, skipped };
}

/** Throws {@link ImportRefused} unless `event` is the next of a stream that ends at `current`. */
export function refuseOutOfOrder(event: ImportedEvent, current: number): void {
  if (event.sequence === current + 1) return;
  throw new ImportRefused(
    event.sequence <= current
      ? `event ${event.eventId} (${placeOf(event)}) would overwrite that stream, which already holds ` +
          `sequences 1..${current} with other events`
      : `event ${event.eventId} (${placeOf(event)}) would leave a gap: that stream ends at sequence ${current}`,
    event,
  );
}
