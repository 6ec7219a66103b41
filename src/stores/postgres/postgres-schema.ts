import { createHash } from "node:crypto";
import type { PostgresClient } from "./postgres-options.js";

/** The schema version this code writes and reads. Raise it with a new step in {@link migrations}. */
export const SCHEMA_VERSION = 6;

/** A name quoted as a PostgreSQL identifier, safe whatever it contains. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A text quoted as a PostgreSQL string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * A stable 64-bit advisory-lock key for a purpose within a schema, so that stores in different schemas
 * of one database never block each other.
 */
export function advisoryKey(schema: string, purpose: string): string {
  const digest = createHash("sha256").update(`${schema}\u0000${purpose}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/** The LISTEN/NOTIFY channel on which appends to a schema are announced (a plain lower-case identifier). */
export function notifyChannel(schema: string): string {
  return `eventsourcing_${createHash("sha256").update(schema).digest("hex").slice(0, 24)}`;
}

/** Names and statements of one schema, computed once per store. */
export interface PostgresSchema {
  readonly name: string;
  readonly q: string;
  readonly channel: string;
  readonly appendLockKey: string;
}

/** The two 32-bit halves under which `pg_locks` shows a 64-bit advisory-lock key. */
export function lockIds(key: string): { classid: number; objid: number } {
  const unsigned = BigInt.asUintN(64, BigInt(key));
  return { classid: Number(unsigned >> 32n), objid: Number(unsigned & 0xffffffffn) };
}

/** Builds the quoted names and lock keys of a schema. */
export function postgresSchema(name: string): PostgresSchema {
  return Object.freeze({
    name,
    q: quoteIdentifier(name),
    channel: notifyChannel(name),
    appendLockKey: advisoryKey(name, "append"),
  });
}

/**
 * Bits of a position below the transaction number: a position is `(transaction id + base) << 20`
 * plus the event's place in its transaction, so one transaction holds at most 2^20 (1,048,576) events
 * and transaction ids up to 2^43 fit a signed 64-bit position.
 */
export const POSITION_SHIFT = 20n;

/** Events one transaction can hold (see {@link POSITION_SHIFT}). */
export const EVENTS_PER_TRANSACTION = 1 << Number(POSITION_SHIFT);

/**
 * The statement that answers the global log's horizon (text, a position): every event below it that
 * will ever be committed is already committed, so a reader that reads below it in a *later* statement
 * never passes an event that commits late. It must run before the read, not inside it: the read's
 * snapshot has to be taken after the horizon was.
 *
 * Appends take the schema's append lock (shared) before their transaction has an id, and number their
 * events from `(id + base) << 20`. The horizon is the smallest id among the transactions holding that
 * lock now (each holds the lock on its own transaction id, so one read of `pg_locks` gives both), or,
 * when none holds it, the next transaction id of the statement's snapshot: a transaction that takes the
 * lock later gets a larger id. A holder that shows no id yet is bounded by the snapshot's oldest
 * running id: it may be in the instant between taking its id (PostgreSQL lists it as running first)
 * and locking that id (a concurrent test caught a reader passing such a transaction on a loaded
 * machine). Only while an append of the schema is that early can transactions of other schemas hold
 * its readers back.
 */
export function logHorizonQuery(schema: PostgresSchema): string {
  return `SELECT ${schema.q}.log_horizon()::text AS horizon`;
}

/**
 * `append_events`, inserting payloads and metadata as `type`: `jsonb` in version 1, `json` from version
 * 2 on (which keeps the codec's exact text).
 */
function appendFunction(schema: PostgresSchema, type: "json" | "jsonb"): string {
  const s = schema.q;
  return `
    CREATE OR REPLACE FUNCTION ${s}.append_events(
      p_ids text[], p_expected integer[],
      p_event_ids text[], p_event_requests integer[], p_event_numbers integer[],
      p_types text[], p_payloads text[], p_metadata text[]
    ) RETURNS TABLE (actual integer[], positions bigint[], recorded_at timestamptz)
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_actual integer[];
      v_positions bigint[];
    BEGIN
      PERFORM pg_advisory_xact_lock(${schema.appendLockKey});
      -- Read after taking the lock: each statement of a volatile function sees the latest commits.
      SELECT array_agg(
               COALESCE((SELECT max(e.sequence) FROM ${s}.events e WHERE e.aggregate_id = r.id), 0)
               ORDER BY r.idx)
        INTO v_actual
        FROM unnest(p_ids) WITH ORDINALITY AS r(id, idx);
      -- Identity values are drawn in the order rows are inserted, so positions follow e.k.
      WITH ins AS (
        INSERT INTO ${s}.events (aggregate_id, sequence, commit_start, event_type, payload, metadata)
        SELECT e.id, p_expected[e.request] + e.n, p_expected[e.request] + 1, e.type,
               e.payload::${type}, e.metadata::${type}
        FROM unnest(p_event_ids, p_event_requests, p_event_numbers, p_types, p_payloads, p_metadata)
               WITH ORDINALITY AS e(id, request, n, type, payload, metadata, k)
        WHERE v_actual[e.request] = p_expected[e.request]
        ORDER BY e.k
        RETURNING position
      )
      SELECT array_agg(ins.position ORDER BY ins.position) INTO v_positions FROM ins;
      IF v_positions IS NOT NULL THEN
        PERFORM pg_notify(${quoteLiteral(schema.channel)}, '');
      END IF;
      RETURN QUERY SELECT v_actual, COALESCE(v_positions, '{}'), now();
    END
    $fn$;`;
}

/**
 * Steps from one version to the next; step `i` takes the schema from version `i` to `i + 1`.
 *
 * Appends go through one function, `append_events`: it takes a transaction-scoped advisory lock before
 * it inserts, held until COMMIT, so positions are handed out in commit order and a reader following
 * positions can never pass an event that commits later (the gap problem). Each request's expected
 * sequence is checked under that lock; `UNIQUE (aggregate_id, sequence)` stays as the backstop.
 *
 * Version 2: payloads, metadata and snapshot states are `json`, not `jsonb`. `jsonb` keeps the value,
 * not the text: it reorders object keys, so an `apply` that reads keys in order built a different state
 * live (from the codec's text) than on replay. `json` keeps the text exactly and is still queryable with
 * `->` and `->>`. Existing rows keep the text `jsonb` gave them.
 *
 * Version 3: a stream is (aggregate_type, aggregate_id); every event has a unique `event_id` (UUID v7)
 * and an `event_version`; snapshots have a `version`; `(aggregate_type, position)` is indexed so a
 * named query reads the log of its types without scanning the others.
 *
 * Version 4: idempotent commands. Each event keeps the command id of its commit (`command_id`, NULL for
 * none), found through a partial index that events without one never enter; `append_events` takes one
 * command id per request, and no longer calls `pg_notify`: the store sends the wake-up after the commit
 * (a transaction that notifies takes PostgreSQL's database-wide notify lock at COMMIT, so notifying
 * inside the append serialized every appending transaction of the database behind that lock).
 * The id index holds an md5 of the aggregate id rather than the id itself, so that
 * its entries stay under PostgreSQL's btree limit (about 2,700 bytes) whatever the id's length.
 *
 * Version 5: a named query's checkpoint row records resets (`generation`, `reset_pending`) and the
 * positions an operator skipped (`skipped`).
 *
 * Version 6: no global lock. Appends from any number of connections and processes commit in parallel;
 * positions follow transaction ids instead of a lock (see {@link logHorizon}). `append_events`:
 * - takes the schema's append lock in shared mode (appends never wait for each other; only an import,
 *   which takes it exclusively, waits for them);
 * - reads each request's stream end, then numbers its events `(pg_current_xact_id() + base) << 20`
 *   onwards. The transaction id is assigned by that first write, after the reads: a request that saw
 *   another transaction's commit of its stream therefore has a larger id, so per stream the log order
 *   is the commit order;
 * - inserts with `ON CONFLICT DO NOTHING` on (type, id, sequence): a concurrent writer of the same stream
 *   makes the insert wait for it and then skip, and a request that lost any of its rows is a conflict
 *   (its other rows are deleted in the same transaction), leaving the batch's other requests intact.
 * `log_base` holds `base`, raised by imports that bring positions from elsewhere so that new positions
 * stay above them, and set here above every existing position. Existing positions are kept.
 */
export function migrations(schema: PostgresSchema): readonly string[] {
  const s = schema.q;
  return [
    `
    CREATE TABLE IF NOT EXISTS ${s}.events (
      position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      aggregate_id text NOT NULL,
      sequence integer NOT NULL CHECK (sequence > 0),
      commit_start integer NOT NULL,
      event_type text NOT NULL,
      payload jsonb NOT NULL,
      metadata jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (aggregate_id, sequence)
    );
    CREATE TABLE IF NOT EXISTS ${s}.snapshots (
      aggregate_id text PRIMARY KEY,
      sequence integer NOT NULL,
      state jsonb NOT NULL,
      recorded_at timestamptz NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${s}.checkpoints (
      name text PRIMARY KEY,
      position bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    ${appendFunction(schema, "jsonb")}
    `,
    `
    ALTER TABLE ${s}.events
      ALTER COLUMN payload TYPE json USING payload::json,
      ALTER COLUMN metadata TYPE json USING metadata::json;
    ALTER TABLE ${s}.snapshots ALTER COLUMN state TYPE json USING state::json;
    ${appendFunction(schema, "json")}
    `,
    // 2 -> 3: aggregate types, event ids and versions, snapshot versions. A stream becomes
    // (aggregate_type, aggregate_id). Existing events get the type 'default', version 1 and a UUID v7
    // made from their recorded time; snapshots get version 1.
    `
    ALTER TABLE ${s}.events ADD COLUMN aggregate_type text, ADD COLUMN event_id uuid,
      ADD COLUMN event_version integer;
    UPDATE ${s}.events SET aggregate_type = 'default', event_version = 1, event_id = (
      substr(t.hex, 1, 8) || '-' || substr(t.hex, 9, 4) || '-7' || substr(t.r, 1, 3) || '-' ||
      substr('89ab', 1 + floor(random() * 4)::integer, 1) || substr(t.r, 4, 3) || '-' || substr(t.r, 7, 12)
    )::uuid
    FROM (
      SELECT position AS p,
        lpad(to_hex(floor(extract(epoch FROM recorded_at) * 1000)::bigint), 12, '0') AS hex,
        md5(random()::text || position::text || clock_timestamp()::text) AS r
      FROM ${s}.events
    ) t
    WHERE ${s}.events.position = t.p;
    ALTER TABLE ${s}.events ALTER COLUMN aggregate_type SET NOT NULL, ALTER COLUMN event_id SET NOT NULL,
      ALTER COLUMN event_version SET NOT NULL, ADD CONSTRAINT events_event_version_check CHECK (event_version > 0),
      DROP CONSTRAINT IF EXISTS events_aggregate_id_sequence_key,
      ADD CONSTRAINT events_stream_sequence_key UNIQUE (aggregate_type, aggregate_id, sequence);
    CREATE UNIQUE INDEX events_event_id_key ON ${s}.events (event_id);
    CREATE INDEX events_type_position ON ${s}.events (aggregate_type, position);
    ALTER TABLE ${s}.snapshots ADD COLUMN aggregate_type text NOT NULL DEFAULT 'default',
      ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0);
    ALTER TABLE ${s}.snapshots ALTER COLUMN aggregate_type DROP DEFAULT, ALTER COLUMN version DROP DEFAULT,
      DROP CONSTRAINT snapshots_pkey, ADD PRIMARY KEY (aggregate_type, aggregate_id);
    DROP FUNCTION ${s}.append_events(text[], integer[], text[], integer[], integer[], text[], text[], text[]);
    CREATE FUNCTION ${s}.append_events(
      p_aggregate_types text[], p_ids text[], p_expected integer[],
      p_event_requests integer[], p_event_numbers integer[], p_event_ids text[],
      p_types text[], p_versions integer[], p_payloads text[], p_metadata text[]
    ) RETURNS TABLE (actual integer[], positions bigint[], recorded_at timestamptz)
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_actual integer[];
      v_positions bigint[];
    BEGIN
      PERFORM pg_advisory_xact_lock(${schema.appendLockKey});
      -- Read after taking the lock: each statement of a volatile function sees the latest commits.
      SELECT array_agg(
               COALESCE((SELECT max(e.sequence) FROM ${s}.events e
                         WHERE e.aggregate_type = r.type AND e.aggregate_id = r.id), 0)
               ORDER BY r.idx)
        INTO v_actual
        FROM unnest(p_aggregate_types, p_ids) WITH ORDINALITY AS r(type, id, idx);
      -- Identity values are drawn in the order rows are inserted, so positions follow e.k.
      WITH ins AS (
        INSERT INTO ${s}.events (aggregate_type, aggregate_id, sequence, commit_start, event_id, event_type,
                                 event_version, payload, metadata)
        SELECT p_aggregate_types[e.request], p_ids[e.request], p_expected[e.request] + e.n,
               p_expected[e.request] + 1, e.event_id::uuid, e.type, e.version,
               e.payload::json, e.metadata::json
        FROM unnest(p_event_requests, p_event_numbers, p_event_ids, p_types, p_versions, p_payloads, p_metadata)
               WITH ORDINALITY AS e(request, n, event_id, type, version, payload, metadata, k)
        WHERE v_actual[e.request] = p_expected[e.request]
        ORDER BY e.k
        RETURNING position
      )
      SELECT array_agg(ins.position ORDER BY ins.position) INTO v_positions FROM ins;
      IF v_positions IS NOT NULL THEN
        PERFORM pg_notify(${quoteLiteral(schema.channel)}, '');
      END IF;
      RETURN QUERY SELECT v_actual, COALESCE(v_positions, '{}'), now();
    END
    $fn$;
    `,
    // 3 -> 4: command ids, and no NOTIFY inside the appending transaction (see above).
    `
    ALTER TABLE ${s}.events ADD COLUMN command_id text;
    CREATE INDEX events_command ON ${s}.events (aggregate_type, md5(aggregate_id), command_id)
      WHERE command_id IS NOT NULL;
    DROP FUNCTION ${s}.append_events(text[], text[], integer[], integer[], integer[], text[], text[], integer[], text[], text[]);
    CREATE FUNCTION ${s}.append_events(
      p_aggregate_types text[], p_ids text[], p_expected integer[],
      p_event_requests integer[], p_event_numbers integer[], p_event_ids text[],
      p_types text[], p_versions integer[], p_payloads text[], p_metadata text[], p_command_ids text[]
    ) RETURNS TABLE (actual integer[], positions bigint[], recorded_at timestamptz)
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_actual integer[];
      v_positions bigint[];
    BEGIN
      PERFORM pg_advisory_xact_lock(${schema.appendLockKey});
      -- Read after taking the lock: each statement of a volatile function sees the latest commits.
      SELECT array_agg(
               COALESCE((SELECT max(e.sequence) FROM ${s}.events e
                         WHERE e.aggregate_type = r.type AND e.aggregate_id = r.id), 0)
               ORDER BY r.idx)
        INTO v_actual
        FROM unnest(p_aggregate_types, p_ids) WITH ORDINALITY AS r(type, id, idx);
      -- Identity values are drawn in the order rows are inserted, so positions follow e.k.
      WITH ins AS (
        INSERT INTO ${s}.events (aggregate_type, aggregate_id, sequence, commit_start, event_id, event_type,
                                 event_version, payload, metadata, command_id)
        SELECT p_aggregate_types[e.request], p_ids[e.request], p_expected[e.request] + e.n,
               p_expected[e.request] + 1, e.event_id::uuid, e.type, e.version,
               e.payload::json, e.metadata::json, p_command_ids[e.request]
        FROM unnest(p_event_requests, p_event_numbers, p_event_ids, p_types, p_versions, p_payloads, p_metadata)
               WITH ORDINALITY AS e(request, n, event_id, type, version, payload, metadata, k)
        WHERE v_actual[e.request] = p_expected[e.request]
        ORDER BY e.k
        RETURNING position
      )
      SELECT array_agg(ins.position ORDER BY ins.position) INTO v_positions FROM ins;
      RETURN QUERY SELECT v_actual, COALESCE(v_positions, '{}'), now();
    END
    $fn$;
    `,
    // 4 -> 5: what operators record beside a named query's checkpoint: resets (a generation that only
    // grows, and whether its reset still waits for the query's reset()) and positions to skip.
    `
    ALTER TABLE ${s}.checkpoints ADD COLUMN generation integer NOT NULL DEFAULT 0,
      ADD COLUMN reset_pending boolean NOT NULL DEFAULT false,
      ADD COLUMN skipped bigint[] NOT NULL DEFAULT '{}';
    `,
    // 5 -> 6: positions numbered by transaction id, no global lock (see above). The exclusive append lock
    // waits for appends of processes still on version 5 to finish.
    `
    SELECT pg_advisory_xact_lock(${schema.appendLockKey});
    CREATE TABLE ${s}.log_base (base bigint NOT NULL);
    INSERT INTO ${s}.log_base (base)
      SELECT GREATEST(0, (COALESCE(max(position), 0) >> ${POSITION_SHIFT}) + 1 - pg_current_xact_id()::text::bigint)
      FROM ${s}.events;
    ALTER TABLE ${s}.events ALTER COLUMN position DROP IDENTITY IF EXISTS;
    CREATE FUNCTION ${s}.log_horizon() RETURNS bigint LANGUAGE sql VOLATILE AS $fn$
      WITH l AS MATERIALIZED (
        SELECT locktype, classid, objid, objsubid, mode, granted, pid, transactionid FROM pg_locks
      ), n AS (
        SELECT pg_snapshot_xmax(c.s)::text::bigint AS next, pg_snapshot_xmin(c.s)::text::bigint AS oldest
        FROM (SELECT pg_current_snapshot() AS s) c
      ), holders AS (
        -- Each holder of the append lock, with the id of its transaction when pg_locks shows one. pg_locks
        -- gives 32-bit ids: each is widened (a running transaction's id is near the next one).
        SELECT (
          SELECT min(n.next + ((x.transactionid::text::bigint - n.next % 4294967296 + 6442450944) % 4294967296)
                            - 2147483648)
          FROM l x WHERE x.pid = a.pid AND x.locktype = 'transactionid' AND x.mode = 'ExclusiveLock' AND x.granted
        ) AS xid
        FROM l a, n
        WHERE a.locktype = 'advisory' AND a.classid = ${lockIds(schema.appendLockKey).classid}
          AND a.objid = ${lockIds(schema.appendLockKey).objid} AND a.objsubid = 1 AND a.granted
      )
      -- A holder showing no id may be between taking its id (already running in the snapshot) and
      -- locking it: the snapshot's oldest running id bounds it then.
      SELECT (LEAST(n.next, (SELECT min(COALESCE(h.xid, n.oldest)) FROM holders h)) + b.base) << ${POSITION_SHIFT}
      FROM n, ${s}.log_base b
    $fn$;
    CREATE OR REPLACE FUNCTION ${s}.append_events(
      p_aggregate_types text[], p_ids text[], p_expected integer[],
      p_event_requests integer[], p_event_numbers integer[], p_event_ids text[],
      p_types text[], p_versions integer[], p_payloads text[], p_metadata text[], p_command_ids text[]
    ) RETURNS TABLE (actual integer[], positions bigint[], recorded_at timestamptz)
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_actual integer[];
      v_first bigint;
      v_positions bigint[];
      v_lost integer[];
      v_request integer;
      v_events integer := coalesce(array_length(p_event_requests, 1), 0);
    BEGIN
      -- The ordering of the log needs the transaction's id to come after the lock and the reads below:
      -- a transaction that wrote before (and so has an id) may only be one that appended already.
      IF pg_current_xact_id_if_assigned() IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid() AND l.locktype = 'advisory' AND l.granted
          AND l.classid = ${lockIds(schema.appendLockKey).classid} AND l.objid = ${lockIds(schema.appendLockKey).objid}
          AND l.objsubid = 1
      ) THEN
        RAISE EXCEPTION 'append_events must be the first write of its transaction'
          USING ERRCODE = '55000', HINT = 'call it in a transaction of its own, before any other write';
      END IF;
      PERFORM pg_advisory_xact_lock_shared(${schema.appendLockKey});
      SELECT array_agg(
               COALESCE((SELECT max(e.sequence) FROM ${s}.events e
                         WHERE e.aggregate_type = r.type AND e.aggregate_id = r.id), 0)
               ORDER BY r.idx)
        INTO v_actual
        FROM unnest(p_aggregate_types, p_ids) WITH ORDINALITY AS r(type, id, idx);
      -- The transaction id is assigned here, after the reads above (see the schema's version 6).
      SELECT (pg_current_xact_id()::text::bigint + b.base) << ${POSITION_SHIFT} INTO v_first FROM ${s}.log_base b;
      -- A transaction that appends twice numbers on after its own events.
      SELECT COALESCE(max(e.position) + 1, v_first) INTO v_first FROM ${s}.events e
        WHERE e.position >= v_first AND e.position < v_first + ${EVENTS_PER_TRANSACTION};
      IF (v_first & ${EVENTS_PER_TRANSACTION - 1}) + v_events > ${EVENTS_PER_TRANSACTION} THEN
        RAISE EXCEPTION 'a transaction holds at most ${EVENTS_PER_TRANSACTION} events' USING ERRCODE = '54000';
      END IF;
      WITH ins AS (
        INSERT INTO ${s}.events (position, aggregate_type, aggregate_id, sequence, commit_start, event_id,
                                 event_type, event_version, payload, metadata, command_id)
        SELECT v_first + e.k - 1, p_aggregate_types[e.request], p_ids[e.request], p_expected[e.request] + e.n,
               p_expected[e.request] + 1, e.event_id::uuid, e.type, e.version,
               e.payload::json, e.metadata::json, p_command_ids[e.request]
        FROM unnest(p_event_requests, p_event_numbers, p_event_ids, p_types, p_versions, p_payloads, p_metadata)
               WITH ORDINALITY AS e(request, n, event_id, type, version, payload, metadata, k)
        WHERE v_actual[e.request] = p_expected[e.request]
        -- Rows go in in stream order, so two appends that wait for each other's rows wait in one
        -- order and never deadlock (two batches naming the same streams in opposite orders did).
        ORDER BY p_aggregate_types[e.request], p_ids[e.request], e.n
        ON CONFLICT (aggregate_type, aggregate_id, sequence) DO NOTHING
        RETURNING position
      )
      SELECT array_agg(ins.position ORDER BY ins.position) INTO v_positions FROM ins;
      -- Requests that lost a row to a concurrent writer of their stream: conflicts, all or nothing.
      IF coalesce(array_length(v_positions, 1), 0) <
         (SELECT count(*) FROM unnest(p_event_requests) AS r(request) WHERE v_actual[r.request] = p_expected[r.request]) THEN
      SELECT array_agg(x.request) INTO v_lost FROM (
        SELECT e.request, count(*) AS wanted, count(p.position) AS got
        FROM unnest(p_event_requests) WITH ORDINALITY AS e(request, k)
        LEFT JOIN unnest(v_positions) AS p(position) ON p.position = v_first + e.k - 1
        WHERE v_actual[e.request] = p_expected[e.request]
        GROUP BY e.request
      ) x WHERE x.got < x.wanted;
      END IF;
      IF v_lost IS NOT NULL THEN
        DELETE FROM ${s}.events e
          WHERE e.position = ANY (v_positions)
            AND p_event_requests[(e.position - v_first + 1)::integer] = ANY (v_lost);
        SELECT array_agg(p ORDER BY p) INTO v_positions FROM unnest(v_positions) AS p
          WHERE NOT (p_event_requests[(p - v_first + 1)::integer] = ANY (v_lost));
        -- The winner has committed (the insert waited for it): read the stream ends again.
        FOREACH v_request IN ARRAY v_lost LOOP
          v_actual[v_request] := (SELECT COALESCE(max(e.sequence), 0) FROM ${s}.events e
            WHERE e.aggregate_type = p_aggregate_types[v_request] AND e.aggregate_id = p_ids[v_request]);
        END LOOP;
      END IF;
      RETURN QUERY SELECT v_actual, COALESCE(v_positions, '{}'), now();
    END
    $fn$;
    `,
  ];
}

/**
 * Creates the schema or brings it to {@link SCHEMA_VERSION}. Idempotent and safe when many processes
 * run it at once: a transaction-scoped advisory lock makes them take turns, and the version table tells
 * the later ones there is nothing left to do.
 */
export async function ensureSchema(client: PostgresClient, schema: PostgresSchema): Promise<void> {
  const s = schema.q;
  const current = await readVersion(client, schema);
  if (current === SCHEMA_VERSION) return;
  await client.query({ text: "BEGIN" });
  try {
    await client.query({
      text: `SELECT pg_advisory_xact_lock(${advisoryKey(schema.name, "schema")})`,
    });
    await client.query({
      text: `CREATE SCHEMA IF NOT EXISTS ${s};
        CREATE TABLE IF NOT EXISTS ${s}.schema_version (
          version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now()
        )`,
    });
    const { rows } = await client.query({ text: `SELECT max(version) AS version FROM ${s}.schema_version` });
    const from = Number(rows[0]?.version ?? 0);
    if (from > SCHEMA_VERSION) throw newerSchema(schema, from);
    const steps = migrations(schema);
    for (let version = from; version < SCHEMA_VERSION; version++) {
      const step = steps[version] as string;
      if (step !== "") await client.query({ text: step });
      await client.query({ text: `INSERT INTO ${s}.schema_version (version) VALUES (${version + 1})` });
    }
    await client.query({ text: "COMMIT" });
  } catch (error) {
    await client.query({ text: "ROLLBACK" }).catch(() => undefined);
    throw error;
  }
}

async function readVersion(client: PostgresClient, schema: PostgresSchema): Promise<number | null> {
  const { rows } = await client.query({
    text: "SELECT to_regclass($1) IS NOT NULL AS present",
    values: [`${schema.q}.schema_version`],
  });
  if (rows[0]?.present !== true) return null;
  const result = await client.query({
    text: `SELECT max(version) AS version FROM ${schema.q}.schema_version`,
  });
  const version = Number(result.rows[0]?.version ?? 0);
  if (version > SCHEMA_VERSION) throw newerSchema(schema, version);
  return version;
}

function newerSchema(schema: PostgresSchema, version: number): Error {
  return new Error(
    `schema ${schema.q} is at version ${version}, newer than this library's ${SCHEMA_VERSION}: upgrade eventsourcing`,
  );
}
