/**
 * The PostgreSQL store's inspector (see `src/inspect`): listings by index seeks and keyset pages on
 * the store's pool, and the administrative writes of import and migrate, each batch one transaction
 * under the store's append lock taken exclusively (appends take it shared), so that no append is in
 * flight while imported positions are written and the log's base is raised above them. Log pages stop
 * at the log's horizon, as the store's own reads do.
 */
import type { StoredEvent, StoredSnapshot } from "../../core/event-store.js";
import { storeAccess } from "../../core/store-access.js";
import {
  type CheckpointSummary,
  type EventTypeSummary,
  type ImportedEvent,
  type ImportOutcome,
  ImportRefused,
  type StoreAdmin,
  type StoreCounts,
} from "../../inspect/inspector.js";
import {
  checkLimit,
  isUuid,
  listStreamsBySeeks,
  mergeByPosition,
  placeOf,
  typesBySeeks,
} from "../../inspect/paging.js";
import { groupTypes, refuseOutOfOrder } from "../sqlite/sqlite-inspect.js";
import type { PostgresAccess } from "./postgres-event-store.js";
import type { PostgresClient } from "./postgres-options.js";
import {
  belowHorizon,
  EVENT_COLUMNS,
  type EventRow,
  storedEvent,
  storedEventAt,
  toDate,
} from "./postgres-rows.js";
import { advisoryKey, EVENTS_PER_TRANSACTION, logHorizonQuery, POSITION_SHIFT } from "./postgres-schema.js";

/** The access of a PostgreSQL store of this package, or `null` for any other store. */
export function postgresAccessOf(store: object): PostgresAccess | null {
  const access = (store as { [storeAccess]?: () => PostgresAccess })[storeAccess];
  if (typeof access !== "function") return null;
  const found = access.call(store);
  return found.kind === "postgres" ? found : null;
}

const n = (value: unknown): number => Number(value);

/** The columns of {@link LogRow}: those of an event row, the time as milliseconds (text). */
const LOG_COLUMNS =
  "aggregate_type, aggregate_id, sequence, position::text AS position, commit_start, " +
  "event_id::text AS event_id, event_type, event_version, payload::text AS payload, " +
  "metadata::text AS metadata, " +
  "CASE WHEN isfinite(recorded_at) THEN floor(extract(epoch FROM recorded_at) * 1000)::int8::text END AS recorded_ms, " +
  "command_id";

/** An event row of the log as selected with {@link LOG_COLUMNS}. */
interface LogRow extends Omit<EventRow, "recorded_at"> {
  /** Milliseconds since the epoch, or `null` for an infinite time. */
  recorded_ms: string | null;
}

/** A stored event from a {@link LogRow}: as `storedEvent` makes one from an event row. */
function logEvent(row: LogRow): StoredEvent {
  return storedEventAt(row, new Date(row.recorded_ms === null ? Number.NaN : Number(row.recorded_ms)));
}

/** The inspector of a PostgreSQL store, on the store's own pool. */
export function postgresInspector(access: PostgresAccess): StoreAdmin {
  const { schema } = access;
  const s = schema.q;
  const rows = async (text: string, values: unknown[] = []) => (await access.query({ text, values })).rows;
  const events = async (text: string, values: unknown[]) =>
    (await rows(text, values)).map((r) => storedEvent(r as EventRow));

  const seeks = {
    nextType: async (after: string | null) => {
      const found =
        after === null
          ? await rows(`SELECT aggregate_type FROM ${s}.events ORDER BY aggregate_type LIMIT 1`)
          : await rows(
              `SELECT aggregate_type FROM ${s}.events WHERE aggregate_type > $1 ORDER BY aggregate_type LIMIT 1`,
              [after],
            );
      return (found[0]?.aggregate_type as string | undefined) ?? null;
    },
    // A loose index scan on the server: one round trip for the whole page.
    nextStreams: async (type: string, from: string, inclusive: boolean, prefix: string, limit: number) => {
      const found = await rows(
        "WITH RECURSIVE s(aggregate_id) AS (" +
          `(SELECT aggregate_id FROM ${s}.events WHERE aggregate_type = $1 AND aggregate_id ${inclusive ? ">=" : ">"} $2 ` +
          "ORDER BY aggregate_type, aggregate_id LIMIT 1) UNION ALL " +
          `SELECT (SELECT e.aggregate_id FROM ${s}.events e WHERE e.aggregate_type = $1 AND e.aggregate_id > s.aggregate_id ` +
          "ORDER BY e.aggregate_type, e.aggregate_id LIMIT 1) FROM s " +
          "WHERE s.aggregate_id IS NOT NULL AND starts_with(s.aggregate_id, $3)) " +
          "SELECT p.aggregate_id, l.sequence, l.position::text AS position FROM " +
          "(SELECT aggregate_id FROM s WHERE aggregate_id IS NOT NULL AND starts_with(aggregate_id, $3) LIMIT $4) p " +
          `CROSS JOIN LATERAL (SELECT sequence, position FROM ${s}.events e WHERE e.aggregate_type = $1 ` +
          "AND e.aggregate_id = p.aggregate_id ORDER BY e.sequence DESC LIMIT 1) l ORDER BY p.aggregate_id",
        [type, from, prefix, limit],
      );
      return found.map((row) => ({
        aggregateId: row.aggregate_id as string,
        lastSequence: row.sequence as number,
        lastPosition: BigInt(row.position as string),
      }));
    },
    nextStream: async (type: string, from: string, inclusive: boolean) => {
      const found = await rows(
        `SELECT n.aggregate_id, l.sequence, l.position::text AS position FROM ` +
          `(SELECT aggregate_id FROM ${s}.events WHERE aggregate_type = $1 AND aggregate_id ${inclusive ? ">=" : ">"} $2 ` +
          "ORDER BY aggregate_type, aggregate_id LIMIT 1) n CROSS JOIN LATERAL " +
          `(SELECT sequence, position FROM ${s}.events e WHERE e.aggregate_type = $1 AND e.aggregate_id = n.aggregate_id ` +
          "ORDER BY e.sequence DESC LIMIT 1) l",
        [type, from],
      );
      const row = found[0] as { aggregate_id: string; sequence: number; position: string } | undefined;
      if (row === undefined) return null;
      return {
        aggregateId: row.aggregate_id,
        lastSequence: row.sequence,
        lastPosition: BigInt(row.position),
      };
    },
  };

  // The log's horizon, asked before each read that stops at it (see `logHorizonQuery`).
  const horizon = async () => (await rows(logHorizonQuery(schema)))[0]?.horizon as string;

  const logPage = async (
    bound: bigint | null,
    limit: number,
    descending: boolean,
    type: string | undefined,
  ) => {
    // One bound in SQL only (see the store's readAll): backwards, the lower of the horizon and the
    // bound; forwards, the bound, and the page is cut at the horizon here.
    const below = BigInt(await horizon());
    const values: unknown[] = [];
    const where: string[] = [];
    if (type !== undefined) {
      values.push(type);
      where.push(`e.aggregate_type = $${values.length}`);
    }
    if (descending) {
      values.push((bound !== null && bound < below ? bound : below).toString());
      where.push(`e.position < $${values.length}`);
    } else if (bound !== null) {
      values.push(bound.toString());
      where.push(`e.position > $${values.length}`);
    }
    values.push(limit);
    const found = await rows(
      `SELECT ${EVENT_COLUMNS} FROM ${s}.events e ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ` +
        `ORDER BY e.position ${descending ? "DESC" : ""} LIMIT $${values.length}`,
      values,
    );
    return (descending ? found : belowHorizon(found as EventRow[], below)).map((r) =>
      storedEvent(r as EventRow),
    );
  };

  return {
    kind: "postgres",
    listStreams: (options) => listStreamsBySeeks(seeks, options),

    aggregateTypes: () => typesBySeeks(seeks),

    eventTypes: async (): Promise<readonly EventTypeSummary[]> => {
      const found = await rows(
        `SELECT event_type, event_version, count(*)::text AS count FROM ${s}.events ` +
          "GROUP BY event_type, event_version ORDER BY event_type, event_version",
      );
      return groupTypes(found.map((r) => [r.event_type as string, n(r.event_version), n(r.count)]));
    },

    listCheckpoints: async (): Promise<readonly CheckpointSummary[]> => {
      const found = await rows(
        "SELECT name, position::text AS position, generation, reset_pending, skipped::text[] AS skipped " +
          `FROM ${s}.checkpoints ORDER BY name`,
      );
      const names = found.map((r) => r.name as string);
      const holders = new Map<string, string>();
      if (names.length > 0) {
        const halves = names.map((name) => {
          const key = BigInt.asUintN(64, BigInt(advisoryKey(schema.name, `query:${name}`)));
          return [Number(key >> 32n), Number(key & 0xffffffffn)] as const;
        });
        const held = await rows(
          "SELECT k.i, a.pid, a.application_name, host(a.client_addr) AS addr FROM " +
            "unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS k(classid, objid, i) " +
            "JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 " +
            "AND l.classid::bigint = k.classid AND l.objid::bigint = k.objid " +
            "LEFT JOIN pg_stat_activity a ON a.pid = l.pid",
          [halves.map((h) => h[0]), halves.map((h) => h[1])],
        );
        for (const row of held) {
          const name = names[n(row.i) - 1] as string;
          const app = row.application_name ? ` ${row.application_name}` : "";
          holders.set(name, `server process ${row.pid}${app}${row.addr ? ` from ${row.addr}` : ""}`);
        }
      }
      return found.map((r) => ({
        name: r.name as string,
        position: BigInt(r.position as string),
        holder: holders.get(r.name as string) ?? null,
        generation: n(r.generation),
        resetPending: r.reset_pending === true,
        skipped: (r.skipped as string[]).map((position) => BigInt(position)),
      }));
    },

    countEventsAfter: (position, limit) => access.countEventsAfter(position, limit),

    headPosition: async () => {
      const below = await horizon();
      const found = await rows(`SELECT max(position)::text AS head FROM ${s}.events WHERE position < $1`, [
        below,
      ]);
      return found[0]?.head == null ? 0n : BigInt(found[0].head as string);
    },

    counts: async (): Promise<StoreCounts> => {
      const found = await rows(
        `SELECT (SELECT count(*) FROM ${s}.events)::text AS events, ` +
          `(SELECT count(*) FROM ${s}.events WHERE sequence = 1)::text AS streams, ` +
          `(SELECT count(*) FROM ${s}.snapshots)::text AS snapshots, ` +
          `(SELECT count(*) FROM ${s}.checkpoints)::text AS checkpoints`,
      );
      const row = found[0] as Record<string, string>;
      return {
        events: n(row.events),
        streams: n(row.streams),
        snapshots: n(row.snapshots),
        checkpoints: n(row.checkpoints),
      };
    },

    readStream: (aggregateType, aggregateId, afterSequence, limit) => {
      checkLimit(limit, "readStream");
      return events(
        `SELECT ${EVENT_COLUMNS} FROM ${s}.events e WHERE e.aggregate_type = $1 AND e.aggregate_id = $2 ` +
          "AND e.sequence > $3 ORDER BY e.sequence LIMIT $4",
        [aggregateType, aggregateId, Math.max(-1, Math.min(Math.floor(afterSequence), 2 ** 31 - 1)), limit],
      );
    },

    readLog: async (afterPosition, limit, types) => {
      checkLimit(limit, "readLog");
      // Of some types: the store's own readAll, one index range per type.
      if (types !== undefined) return access.readAll(afterPosition, limit, { aggregateTypes: types });
      // The whole log: the same range read as the store's readAll (cut at the log's horizon, asked first,
      // so it never passes a commit still in flight), with the time sent as milliseconds since the
      // epoch: no timestamp text parsed for each event of a long read (an export, a migration). The
      // driver's parse keeps whole milliseconds (it drops the microseconds), as floor() does here; a
      // time JavaScript cannot hold (infinity) comes back as an invalid Date.
      const below = BigInt(await horizon());
      const found = await rows(
        `SELECT ${LOG_COLUMNS} FROM ${s}.events e WHERE e.position > $1 ORDER BY e.position LIMIT $2`,
        [afterPosition.toString(), limit],
      );
      return belowHorizon(found as LogRow[], below).map(logEvent);
    },

    readLogBefore: async (beforePosition, limit, types) => {
      checkLimit(limit, "readLogBefore");
      const pages =
        types === undefined
          ? [await logPage(beforePosition, limit, true, undefined)]
          : await Promise.all([...new Set(types)].map((type) => logPage(beforePosition, limit, true, type)));
      return mergeByPosition(pages, limit, true).reverse();
    },

    eventById: async (eventId) => {
      if (!isUuid(eventId)) return null;
      const found = await events(`SELECT ${EVENT_COLUMNS} FROM ${s}.events e WHERE e.event_id = $1::uuid`, [
        eventId,
      ]);
      return found[0] ?? null;
    },

    listSnapshots: async (after, limit) => {
      checkLimit(limit, "listSnapshots");
      const columns = "aggregate_type, aggregate_id, sequence, version, state::text AS state, recorded_at";
      const found =
        after === null
          ? await rows(
              `SELECT ${columns} FROM ${s}.snapshots ORDER BY aggregate_type, aggregate_id LIMIT $1`,
              [limit],
            )
          : await rows(
              `SELECT ${columns} FROM ${s}.snapshots WHERE (aggregate_type, aggregate_id) > ($1, $2) ` +
                "ORDER BY aggregate_type, aggregate_id LIMIT $3",
              [after.aggregateType, after.aggregateId, limit],
            );
      return found.map(
        (r): StoredSnapshot => ({
          aggregateType: r.aggregate_type,
          aggregateId: r.aggregate_id,
          sequence: r.sequence,
          version: r.version,
          state: r.state,
          timestamp: toDate(r.recorded_at),
        }),
      );
    },

    onAppend: (listener) => access.onAppend(listener),

    importEvents: (batch, { keepPositions }) =>
      inTransaction(access, async (client) => importInto(client, access, batch, keepPositions)),

    putSnapshots: async (snapshots) => {
      if (snapshots.length === 0) return;
      await rows(
        `INSERT INTO ${s}.snapshots AS s (aggregate_type, aggregate_id, sequence, version, state, recorded_at) ` +
          "SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::integer[], $5::json[], $6::timestamptz[]) " +
          "ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET sequence = excluded.sequence, " +
          "version = excluded.version, state = excluded.state, recorded_at = excluded.recorded_at",
        [
          snapshots.map((x) => x.aggregateType),
          snapshots.map((x) => x.aggregateId),
          snapshots.map((x) => x.sequence),
          snapshots.map((x) => x.version),
          snapshots.map((x) => x.state),
          snapshots.map((x) => x.timestamp.toISOString()),
        ],
      );
    },

    putCheckpoint: async (name, position, record) => {
      if (record === undefined) {
        await rows(
          `INSERT INTO ${s}.checkpoints (name, position) VALUES ($1, $2) ` +
            "ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()",
          [name, position.toString()],
        );
        return;
      }
      await rows(
        `INSERT INTO ${s}.checkpoints (name, position, generation, reset_pending, skipped) ` +
          "VALUES ($1, $2, $3, $4, (SELECT COALESCE(array_agg(DISTINCT p ORDER BY p), '{}') FROM unnest($5::bigint[]) AS p)) " +
          "ON CONFLICT (name) DO UPDATE SET position = excluded.position, generation = excluded.generation, " +
          "reset_pending = excluded.reset_pending, skipped = excluded.skipped, updated_at = now()",
        [
          name,
          position.toString(),
          record.generation,
          record.resetPending,
          record.skipped.map((p) => p.toString()),
        ],
      );
    },

    close: async () => undefined,
  };
}

async function inTransaction<T>(
  access: PostgresAccess,
  work: (client: PostgresClient) => Promise<T>,
): Promise<T> {
  const { client, release } = await access.checkout();
  try {
    await client.query({ text: "BEGIN" });
    const result = await work(client);
    await client.query({ text: "COMMIT" });
    release();
    return result;
  } catch (error) {
    let broken = false;
    await client.query({ text: "ROLLBACK" }).catch(() => {
      broken = true;
    });
    release(broken);
    throw error;
  }
}

/** The import check and insert of one batch, inside its transaction (see `StoreAdmin.importEvents`). */
async function importInto(
  client: PostgresClient,
  access: PostgresAccess,
  batch: readonly ImportedEvent[],
  keepPositions: boolean,
): Promise<ImportOutcome> {
  const { schema } = access;
  const s = schema.q;
  if (batch.length === 0) return { written: 0, skipped: 0 };
  for (const event of batch) {
    if (!isUuid(event.eventId)) {
      throw new ImportRefused(
        `event ${JSON.stringify(event.eventId)} (${placeOf(event)}): the id is not a UUID`,
        event,
      );
    }
  }
  await lockForImport(client, schema.appendLockKey);
  // The end of every stream the batch touches, one seek each.
  const streams = new Map<string, { type: string; id: string }>();
  for (const e of batch)
    streams.set(JSON.stringify([e.aggregateType, e.aggregateId]), {
      type: e.aggregateType,
      id: e.aggregateId,
    });
  const keys = [...streams.values()];
  const ends = await client.query({
    text:
      "SELECT t.i, COALESCE(l.sequence, 0) AS sequence FROM unnest($1::text[], $2::text[]) WITH ORDINALITY " +
      "AS t(type, id, i) LEFT JOIN LATERAL (SELECT e.sequence FROM " +
      `${s}.events e WHERE e.aggregate_type = t.type AND e.aggregate_id = t.id ORDER BY e.sequence DESC LIMIT 1) l ON true`,
    values: [keys.map((k) => k.type), keys.map((k) => k.id)],
  });
  const end = new Map<string, number>();
  for (const row of ends.rows) {
    const key = keys[n(row.i) - 1] as { type: string; id: string };
    end.set(JSON.stringify([key.type, key.id]), n(row.sequence));
  }
  // Only events at or below their stream's end may be there already (a second run): look those up,
  // one index seek each. An id stored elsewhere that would be new here fails the unique index.
  const ids = batch
    .filter((e) => e.sequence <= (end.get(JSON.stringify([e.aggregateType, e.aggregateId])) ?? 0))
    .map((e) => e.eventId);
  const existing = new Map<string, { type: string; id: string; sequence: number }>();
  if (ids.length > 0) {
    const found = await client.query({
      text:
        "SELECT x.event_id, x.aggregate_type, x.aggregate_id, x.sequence FROM unnest($1::uuid[]) AS k(id) " +
        "CROSS JOIN LATERAL (SELECT e.event_id::text AS event_id, e.aggregate_type, e.aggregate_id, e.sequence " +
        `FROM ${s}.events e WHERE e.event_id = k.id) x`,
      values: [ids],
    });
    for (const row of found.rows) {
      existing.set(row.event_id as string, {
        type: row.aggregate_type,
        id: row.aggregate_id,
        sequence: row.sequence,
      });
    }
  }
  let head = 0n;
  if (keepPositions) {
    const h = await client.query({
      text: `SELECT COALESCE(max(position), 0)::text AS head FROM ${s}.events`,
    });
    head = BigInt(h.rows[0].head as string);
  }
  const write: ImportedEvent[] = [];
  // Ids this batch writes: a later event of the batch with one of them is refused like an id stored
  // before (as SQLite, which inserts row by row, refuses it), naming that event, not the first.
  const writing = new Map<string, ImportedEvent>();
  let skipped = 0;
  for (const event of batch) {
    const twin = writing.get(event.eventId.toLowerCase());
    if (twin !== undefined) {
      throw new ImportRefused(
        `event ${event.eventId} (${placeOf(event)}) is already stored at ${placeOf(twin)}`,
        event,
      );
    }
    const at = existing.get(event.eventId.toLowerCase());
    if (at !== undefined) {
      if (at.type === event.aggregateType && at.id === event.aggregateId && at.sequence === event.sequence) {
        skipped++;
        continue;
      }
      throw new ImportRefused(
        `event ${event.eventId} (${placeOf(event)}) is already stored at ${placeOf({
          aggregateType: at.type,
          aggregateId: at.id,
          sequence: at.sequence,
        })}`,
        event,
      );
    }
    const key = JSON.stringify([event.aggregateType, event.aggregateId]);
    refuseOutOfOrder(event, end.get(key) ?? 0);
    end.set(key, event.sequence);
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
    write.push(event);
    writing.set(event.eventId.toLowerCase(), event);
  }
  if (write.length === 0) return { written: 0, skipped };
  const columns =
    "aggregate_type, aggregate_id, sequence, commit_start, event_id, event_type, event_version, payload, " +
    "metadata, recorded_at, command_id";
  const arrays: unknown[] = [
    write.map((e) => e.aggregateType),
    write.map((e) => e.aggregateId),
    write.map((e) => e.sequence),
    write.map((e) => e.commitStart),
    write.map((e) => e.eventId),
    write.map((e) => e.eventType),
    write.map((e) => e.eventVersion),
    write.map((e) => e.payload),
    write.map((e) => JSON.stringify(e.metadata)),
    write.map((e) => e.recordedAt.toISOString()),
    write.map((e) => e.commandId ?? null),
  ];
  const unnest =
    "unnest($1::text[], $2::text[], $3::integer[], $4::integer[], $5::uuid[], $6::text[], $7::integer[], " +
    "$8::text[], $9::text[], $10::timestamptz[], $11::text[]" +
    (keepPositions ? ", $12::bigint[]" : "") +
    ") WITH ORDINALITY AS r(aggregate_type, aggregate_id, sequence, commit_start, event_id, event_type, " +
    `event_version, payload, metadata, recorded_at, command_id${keepPositions ? ", position" : ""}, k)`;
  const select =
    "r.aggregate_type, r.aggregate_id, r.sequence, r.commit_start, r.event_id, " +
    "r.event_type, r.event_version, r.payload::json, r.metadata::json, r.recorded_at, r.command_id";
  if (keepPositions) arrays.push(write.map((e) => e.position.toString()));
  // Without kept positions, the batch is numbered as an append numbers its events: from this
  // transaction's first position (see `append_events`), after any this transaction numbered already.
  // Asked in a statement of its own: as a join of the INSERT it made the statement about 10x slower.
  if (!keepPositions) {
    const { rows: numbered } = await client.query({
      text:
        `SELECT COALESCE((SELECT max(x.position) + 1 FROM ${s}.events x WHERE x.position >= g.first ` +
        `AND x.position < g.first + ${EVENTS_PER_TRANSACTION}), g.first)::text AS first FROM (SELECT ` +
        `(pg_current_xact_id()::text::bigint + b.base) << ${POSITION_SHIFT} AS first FROM ${s}.log_base b) g`,
    });
    arrays.push(numbered[0]?.first as string);
  }
  const position = keepPositions ? "r.position, " : "$12::bigint + r.k - 1, ";
  await insertRows(client, write, {
    text: `INSERT INTO ${s}.events (position, ${columns}) SELECT ${position}${select} FROM ${unnest} ORDER BY r.k`,
    values: arrays,
  });
  if (keepPositions) {
    // New positions (numbered from transaction ids) must stay above the imported ones.
    await client.query({
      text:
        `UPDATE ${s}.log_base SET base = GREATEST(base, ($1::bigint >> ${POSITION_SHIFT}) + 1 - ` +
        "pg_current_xact_id()::text::bigint)",
      values: [head.toString()],
    });
  }
  await client.query({ text: "SELECT pg_notify($1, '')", values: [schema.channel] });
  return { written: write.length, skipped };
}

/** How long an import batch tries for the append lock before giving up (ms). */
const IMPORT_LOCK_MS = 60_000;

/**
 * Takes the append lock exclusively for an import batch by trying, not waiting: a request waiting for
 * it in PostgreSQL's queue would make every append that comes after it wait too (appends take it
 * shared), for as long as an append in flight holds it. Tries with a growing pause (10 to 200 ms) for
 * up to a minute, then fails saying why.
 */
async function lockForImport(client: PostgresClient, key: string): Promise<void> {
  const deadline = performance.now() + IMPORT_LOCK_MS;
  for (let pause = 10; ; pause = Math.min(200, pause * 2)) {
    const { rows } = await client.query({ text: `SELECT pg_try_advisory_xact_lock(${key}) AS locked` });
    if (rows[0]?.locked === true) return;
    if (performance.now() > deadline)
      throw new Error(
        `appends to this schema held its append lock for ${IMPORT_LOCK_MS / 1000} s without a pause: run the import when they are fewer`,
      );
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** Runs the batch's INSERT; an event id stored elsewhere (the unique index) is an {@link ImportRefused}. */
async function insertRows(
  client: PostgresClient,
  write: readonly ImportedEvent[],
  query: { text: string; values: unknown[] },
): Promise<void> {
  try {
    await client.query(query);
  } catch (error) {
    const { code, detail } = error as { code?: unknown; detail?: unknown };
    if (code === "23505" && typeof detail === "string" && detail.includes("event_id")) {
      const id = /\(event_id\)=\(([^)]+)\)/.exec(detail)?.[1];
      const event = write.find((e) => e.eventId.toLowerCase() === id) ?? (write[0] as ImportedEvent);
      throw new ImportRefused(
        `event ${event.eventId} (${placeOf(event)}) is already stored in another place of this store`,
        event,
      );
    }
    throw error;
  }
}
