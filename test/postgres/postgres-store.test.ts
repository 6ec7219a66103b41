import { type AddressInfo, createServer, type Socket } from "node:net";
import { afterAll, expect, it } from "vitest";
import type { EncodedEvent, EventStore } from "../../src/core/event-store.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import type { PostgresPool } from "../../src/stores/postgres/postgres-options.js";
import { expectEveryCallRefusedAfterClose } from "../support/closed-store.js";
import {
  describePostgres,
  dropSchema,
  freshSchemaName,
  postgresUrl,
  withPostgres,
} from "../support/postgres.js";

const event = (n: number): EncodedEvent => ({
  eventType: "Counted",
  payload: JSON.stringify({ type: "Counted", n }),
  metadata: { source: "test" },
});

it("refuses options it cannot use, saying what to change", () => {
  expect(() => postgresStore({ connectionString: "" })).toThrow(/connectionString/);
  expect(() => postgresStore({ connectionString: "postgres://x/y", schema: "" })).toThrow(/schema/);
  expect(() => postgresStore({ connectionString: "postgres://x/y", schema: "s".repeat(64) })).toThrow(/63/);
  expect(() => postgresStore({ connectionString: "postgres://x/y", max: 0 })).toThrow(/max/);
  expect(() => postgresStore({ connectionString: "postgres://x/y", lockHeartbeatMs: 5_000 })).toThrow(
    /at most 3000/,
  );
  expect(() => postgresStore({ pool: {} as PostgresPool })).toThrow(/pg\.Pool/);
  expect(() => postgresStore({ connectionString: "postgres://x/y", queryTimeoutMs: 0 })).toThrow(
    /queryTimeoutMs/,
  );
  expect(() => postgresStore({ connectionString: "postgres://x/y", closeTimeoutMs: 1.5 })).toThrow(
    /closeTimeoutMs/,
  );
  expect(() =>
    postgresStore({ connectionString: "postgres://x/y", reconnectMs: 5_000, reconnectMaxMs: 1_000 }),
  ).toThrow(/reconnectMaxMs \(1000\) must be at least reconnectMs \(5000\)/);
});

it("refuses a misspelt or unknown option at once, naming the nearest known one", () => {
  expect(() => postgresStore({ conectionString: "postgres://h/db" } as never)).toThrow(
    /postgresStore: unknown option `conectionString`; did you mean `connectionString`\?/,
  );
  expect(() => postgresStore({ connectionString: "postgres://h/db", schemaName: "x" } as never)).toThrow(
    /unknown option `schemaName`/,
  );
});

it("refuses a connection string that is not a postgres URL at once, without echoing it", () => {
  for (const text of ["not a url", "user:secret@host/db", "http://host/db"]) {
    let message = "";
    try {
      postgresStore({ connectionString: text });
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /connectionString must be a URL such as postgres:\/\/user:password@host:5432\/database/,
    );
    expect(message).not.toContain("secret");
  }
  for (const text of [
    "postgres://h/db",
    "postgresql://u@h:5/db",
    "postgres:///db",
    "socket:/var/run/pg?db=x",
  ])
    expect(() => postgresStore({ connectionString: text })).not.toThrow();
});

it("connects lazily: making a store for an unreachable server succeeds, and init says why it failed", async () => {
  const store = postgresStore({ connectionString: "postgres://nobody@127.0.0.1:1/none" });
  await expect(store.init()).rejects.toThrow(/cannot initialize schema "eventsourcing".*ECONNREFUSED/);
  await store.close();
});

it("fails init instead of hanging when the server accepts connections but never answers", async () => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const { port } = silent.address() as AddressInfo;
  const store = postgresStore({
    connectionString: `postgres://nobody@127.0.0.1:${port}/none`,
    connectionTimeoutMillis: 200,
  });
  try {
    await expect(store.init()).rejects.toThrow(/cannot initialize schema.*timeout/i);
  } finally {
    await store.close();
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});

describePostgres("the PostgreSQL store", () => {
  const schemas: string[] = [];
  const stores: EventStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(schemas.map(dropSchema));
  });
  const open = (schema: string, extra: { max?: number } = {}) => {
    const store = postgresStore({ connectionString: postgresUrl, schema, max: extra.max ?? 3 });
    stores.push(store);
    return store;
  };
  const freshSchema = () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    return schema;
  };

  it("creates its schema on first use, with the version recorded, and again is a no-op", async () => {
    const schema = freshSchema();
    const store = open(schema);
    await store.init();
    await store.init();
    const tables = await withPostgres(async (client) => {
      const { rows } = await client.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
        [schema],
      );
      const version = await client.query(`SELECT version FROM "${schema}".schema_version ORDER BY version`);
      return { names: rows.map((row) => row.table_name), versions: version.rows.map((row) => row.version) };
    });
    expect(tables.names).toEqual(["checkpoints", "events", "log_base", "schema_version", "snapshots"]);
    expect(tables.versions).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("quotes a schema name safely, whatever it contains", async () => {
    const schema = `${freshSchema()} "odd"; name`;
    schemas.push(schema);
    const store = open(schema);
    const [outcome] = await store.append([
      { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [event(1)] },
    ]);
    expect(outcome?.ok).toBe(true);
    expect((await store.readAll(0n, 10)).map((e) => e.aggregateId)).toEqual(["a"]);
  });

  it("keeps stores of different schemas apart on one database", async () => {
    const one = open(freshSchema());
    const two = open(freshSchema());
    await one.append([
      { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [event(1)] },
    ]);
    expect(await one.currentSequence("default", "a")).toBe(1);
    expect(await two.currentSequence("default", "a")).toBe(0);
  });

  it("keeps payloads, metadata and snapshot states as the codec's exact text, in json columns queryable in SQL", async () => {
    const schema = freshSchema();
    const store = open(schema);
    const payload = '{"type":"Counted","n":7,"jobs":{"urgent":1,"b":2,"a":3}}';
    const metadata = { zeta: "1", alpha: "2" };
    await store.append([
      {
        aggregateType: "default",
        aggregateId: "a",
        expectedSequence: 0,
        events: [{ eventType: "Counted", payload, metadata }],
      },
    ]);
    await store.saveSnapshot({
      aggregateType: "default",
      aggregateId: "a",
      sequence: 1,
      version: 1,
      state: payload,
      timestamp: new Date(),
    });
    const row = await withPostgres(async (client) => {
      const { rows } = await client.query(
        `SELECT payload->>'n' AS n, payload->'jobs'->>'urgent' AS urgent, metadata->>'alpha' AS alpha,
                pg_typeof(payload)::text AS type FROM "${schema}".events`,
      );
      return rows[0];
    });
    expect(row).toEqual({ n: "7", urgent: "1", alpha: "2", type: "json" });
    const [read] = await store.readAggregate("default", "a", 0);
    expect(read?.payload).toBe(payload);
    expect(Object.keys(read?.metadata ?? {})).toEqual(["zeta", "alpha"]);
    expect((await store.readAll(0n, 10))[0]?.payload).toBe(payload);
    expect((await store.loadSnapshot("default", "a"))?.state).toBe(payload);
  });

  it("appends a batch of a thousand aggregates in one round trip, isolating each conflict", async () => {
    const schema = freshSchema();
    const pg = await import("pg");
    const pool = new pg.default.Pool({ connectionString: postgresUrl, max: 2 });
    let queries = 0;
    /** Whether a statement is the wake-up sent after a commit, which is not part of the append. */
    const isWakeUp = (config: unknown) =>
      typeof config === "object" &&
      config !== null &&
      String((config as { text?: unknown }).text).includes("pg_notify");
    // Counts the statements sent, whether through the pool or a connection checked out of it.
    const counted = <T extends object>(target: T): T =>
      new Proxy(target, {
        get(object, property) {
          const value = Reflect.get(object, property, object);
          if (property === "query")
            return (config: unknown) => {
              if (!isWakeUp(config)) queries++;
              return (value as (config: unknown) => unknown).call(object, config);
            };
          return typeof value === "function" ? value.bind(object) : value;
        },
      });
    const counting: PostgresPool = {
      query: (config) => {
        if (!isWakeUp(config)) queries++;
        return pool.query(config);
      },
      connect: async () => counted(await pool.connect()),
    };
    const store = postgresStore({ pool: counting, schema });
    try {
      await store.init();
      await store.append(
        Array.from({ length: 1_000 }, (_, i) => ({
          aggregateType: "default",
          aggregateId: `acc-${i}`,
          expectedSequence: 0,
          events: [event(0)],
        })),
      );
      queries = 0;
      // Every tenth request states a stale sequence: only those conflict.
      const outcomes = await store.append(
        Array.from({ length: 1_000 }, (_, i) => ({
          aggregateType: "default",
          aggregateId: `acc-${i}`,
          expectedSequence: i % 10 === 0 ? 0 : 1,
          events: [event(1), event(2)],
        })),
      );
      expect(queries).toBe(1);
      const conflicts = outcomes.flatMap((outcome, i) => (outcome.ok ? [] : [i]));
      expect(conflicts).toEqual(Array.from({ length: 100 }, (_, k) => k * 10));
      expect(outcomes[1]).toMatchObject({ ok: true });
      expect(outcomes[0]).toEqual({
        ok: false,
        error: { aggregateType: "default", aggregateId: "acc-0", expectedSequence: 0, actualSequence: 1 },
      });
      expect(await store.currentSequence("default", "acc-0")).toBe(1);
      expect(await store.currentSequence("default", "acc-1")).toBe(3);
      const all = await store.readAll(0n, 5_000);
      expect(all).toHaveLength(1_000 + 900 * 2);
      // The positions append reports are the ones the log holds, event by event.
      const logged = new Map(all.map((e) => [`${e.aggregateId}/${e.sequence}`, e.position]));
      const reported = outcomes.flatMap((outcome) => (outcome.ok ? outcome.value : []));
      expect(reported).toHaveLength(1_800);
      for (const e of reported) expect(e.position).toBe(logged.get(`${e.aggregateId}/${e.sequence}`));
      const positions = all.map((e) => e.position);
      expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    } finally {
      await store.close();
      await pool.end();
    }
    // The given pool is the caller's: closing the store left it to them.
    expect(pool.ending).toBe(true);
  });

  it("lets exactly one of two writers with the same expected sequence win, from two pools", async () => {
    const schema = freshSchema();
    const one = open(schema);
    const two = open(schema);
    await Promise.all([one.init(), two.init()]);
    for (let round = 0; round < 20; round++) {
      const [a, b] = await Promise.all([
        one.append([
          { aggregateType: "default", aggregateId: "x", expectedSequence: round, events: [event(round)] },
        ]),
        two.append([
          { aggregateType: "default", aggregateId: "x", expectedSequence: round, events: [event(round)] },
        ]),
      ]);
      const results = [a?.[0], b?.[0]];
      expect(results.filter((r) => r?.ok)).toHaveLength(1);
      expect(results.find((r) => r && !r.ok)).toMatchObject({
        ok: false,
        error: {
          aggregateType: "default",
          aggregateId: "x",
          expectedSequence: round,
          actualSequence: round + 1,
        },
      });
    }
    const stream = await one.readAggregate("default", "x", 0);
    expect(stream.map((e) => e.sequence)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("runs locks and wake-ups on a caller's pg.Pool, giving its connections back clean and the pool open", async () => {
    const schema = freshSchema();
    const pg = await import("pg");
    const pool = new pg.default.Pool({ connectionString: postgresUrl, max: 3 });
    pool.on("error", () => undefined);
    const store = postgresStore({ pool, schema });
    try {
      let wakes = 0;
      const unsubscribe = store.onAppend(() => {
        wakes++;
      });
      // The first wake-up says the listening connection is up.
      for (let i = 0; i < 200 && wakes < 1; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const lock = await store.lockQuery("q");
      expect(lock?.held).toBe(true);
      expect(await store.lockQuery("q")).toBeNull();
      await store.append([
        { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [event(1)] },
      ]);
      for (let i = 0; i < 200 && wakes < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(wakes).toBeGreaterThanOrEqual(2);
      await lock?.release();
      unsubscribe();
      await store.close();
      // Every connection given back carries only the pool's own error listener.
      const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
      for (const client of clients) expect(client.listenerCount("error")).toBe(0);
      for (const client of clients) client.release();
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".events`);
      expect(rows[0].n).toBe(1);
    } finally {
      await store.close();
      await pool.end();
    }
  });

  it("survives the server ending every one of its idle connections, and works on afterwards", async () => {
    const schema = freshSchema();
    const application = `es_idle_${schema.slice(-8)}`;
    const store = postgresStore({
      connectionString: `${postgresUrl}${postgresUrl.includes("?") ? "&" : "?"}application_name=${application}`,
      schema,
      max: 3,
      reconnectMs: 50,
    });
    stores.push(store);
    let wakes = 0;
    const unsubscribe = store.onAppend(() => {
      wakes++;
    });
    await Promise.all([
      store.currentSequence("default", "a"),
      store.currentSequence("default", "b"),
      store.currentSequence("default", "c"),
    ]);
    const lock = await store.lockQuery("q");
    for (let i = 0; i < 200 && wakes < 1; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const ended = await withPostgres(async (client) => {
      const { rows } = await client.query(
        "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1",
        [application],
      );
      return rows.length;
    });
    expect(ended).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < 200 && lock?.held; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lock?.held).toBe(false);
    // Idle connections of the pool may be handed out once more before their end is noticed.
    let outcome: unknown;
    for (let attempt = 0; attempt < 5 && outcome === undefined; attempt++) {
      outcome = await store
        .append([{ aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [event(1)] }])
        .then((outcomes) => outcomes[0])
        .catch(() => undefined);
    }
    expect(outcome).toMatchObject({ ok: true });
    const again = await store.lockQuery("q");
    expect(again?.held).toBe(true);
    await again?.release();
    unsubscribe();
  });

  it("refuses metadata rows that are JSON but not an object of strings, as every store does", async () => {
    const schema = freshSchema();
    const store = open(schema);
    const cases = ['"x"', "[1,2]", "42", '{"user":1}'];
    await store.append([
      ...cases.map((_, i) => ({
        aggregateType: "default",
        aggregateId: `bad-${i}`,
        expectedSequence: 0,
        events: [event(i)],
      })),
      { aggregateType: "default", aggregateId: "fine", expectedSequence: 0, events: [event(9)] },
    ]);
    await withPostgres(async (client) => {
      for (const [i, text] of cases.entries())
        await client.query(`UPDATE "${schema}".events SET metadata = $1::jsonb WHERE aggregate_id = $2`, [
          text,
          `bad-${i}`,
        ]);
    });
    for (const [i] of cases.entries())
      await expect(store.readAggregate("default", `bad-${i}`, 0)).rejects.toThrow(
        new RegExp(`corrupt event row at position \\d+: aggregate "bad-${i}" sequence 1: (the )?metadata`),
      );
    expect(await store.readAggregate("default", "fine", 0)).toHaveLength(1);
  });

  it("keeps the newer snapshot and ignores an older one", async () => {
    const store = open(freshSchema());
    const at = new Date("2026-01-02T03:04:05.000Z");
    await store.saveSnapshot({
      aggregateType: "default",
      aggregateId: "a",
      sequence: 5,
      version: 1,
      state: '{"v":5}',
      timestamp: at,
    });
    await store.saveSnapshot({
      aggregateType: "default",
      aggregateId: "a",
      sequence: 3,
      version: 1,
      state: '{"v":3}',
      timestamp: at,
    });
    const snapshot = await store.loadSnapshot("default", "a");
    expect(snapshot?.sequence).toBe(5);
    expect(JSON.parse(snapshot?.state ?? "null")).toEqual({ v: 5 });
    expect(snapshot?.timestamp.toISOString()).toBe(at.toISOString());
  });

  it("says its tables are missing when the schema is dropped under it", async () => {
    const schema = freshSchema();
    const store = open(schema);
    await store.append([
      { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [event(1)] },
    ]);
    await dropSchema(schema);
    await expect(store.readAll(0n, 10)).rejects.toThrow(/tables of schema .* are missing/);
    await expect(
      store.append([{ aggregateType: "default", aggregateId: "a", expectedSequence: 1, events: [event(2)] }]),
    ).rejects.toThrow(/are missing/);
  });

  it("fails a closed store's calls with a clear message", async () => {
    const store = open(freshSchema());
    await store.init();
    await store.close();
    await expect(store.currentSequence("default", "a")).rejects.toThrow(/closed/);
    await expectEveryCallRefusedAfterClose(store, /postgresStore: the store is closed/);
  });
});
