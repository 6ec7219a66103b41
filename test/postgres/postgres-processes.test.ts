import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { afterAll, expect, it } from "vitest";
import type { EventStore, QueryLock } from "../../src/core/event-store.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { notifyChannel } from "../../src/stores/postgres/postgres-schema.js";
import {
  advisoryLockIds,
  describePostgres,
  dropSchema,
  type FixtureProcess,
  freshSchemaName,
  postgresUrl,
  spawnFixture,
  withPostgres,
} from "../support/postgres.js";

const FIXTURE = "test/postgres/fixtures/store-process.ts";

async function eventually<T>(attempt: () => Promise<T | null>, what: string, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await attempt();
    if (value !== null) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not happen`);
}

describePostgres("PostgreSQL stores in several processes", () => {
  const schemas: string[] = [];
  const stores: EventStore[] = [];
  const children: FixtureProcess[] = [];
  afterAll(async () => {
    for (const child of children) child.child.kill("SIGKILL");
    await Promise.all(children.map((child) => child.exited));
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(schemas.map(dropSchema));
  });
  const fresh = () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    return schema;
  };
  const open = (schema: string, options: { lockHeartbeatMs?: number; reconnectMs?: number } = {}) => {
    const store = postgresStore({ connectionString: postgresUrl, schema, max: 2, ...options });
    stores.push(store);
    return store;
  };

  it("creates the schema once when ten processes start at the same moment", { timeout: 90_000 }, async () => {
    const schema = fresh();
    const startAt = String(Date.now() + 1_500);
    const processes = Array.from({ length: 10 }, () => spawnFixture(FIXTURE, ["init", schema, startAt]));
    children.push(...processes);
    const codes = await Promise.all(processes.map((p) => p.exited));
    expect(codes, processes.map((p) => p.stderr()).join("\n")).toEqual(Array(10).fill(0));
    const versions = await withPostgres(async (client) => {
      const { rows } = await client.query(`SELECT version FROM "${schema}".schema_version ORDER BY version`);
      return rows.map((row) => row.version);
    });
    expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("runs a named query in one process at a time, and another takes over when that one is killed", {
    timeout: 90_000,
  }, async () => {
    const schema = fresh();
    const holder = spawnFixture(FIXTURE, ["hold-lock", schema, "balances"]);
    children.push(holder);
    expect(await holder.line(/locked|busy/)).toBe("locked");

    const store = open(schema);
    expect(await store.lockQuery("balances")).toBeNull();
    const other = await store.lockQuery("other-query");
    expect(other?.held).toBe(true);
    await other?.release();

    holder.child.kill("SIGKILL");
    await holder.exited;
    const lock = await eventually(() => store.lockQuery("balances"), "taking over the lock");
    expect(lock.held).toBe(true);

    const late = spawnFixture(FIXTURE, ["hold-lock", schema, "balances"]);
    children.push(late);
    expect(await late.line(/locked|busy/)).toBe("busy");
    await lock.release();
    expect(lock.held).toBe(false);
  });

  it("turns a lock's held to false when the server ends its connection, and frees it for others", async () => {
    const schema = fresh();
    const store = open(schema, { lockHeartbeatMs: 50 });
    const lock = (await store.lockQuery("projection")) as QueryLock;
    expect(lock.held).toBe(true);
    const ids = advisoryLockIds(schema, "query:projection");
    await withPostgres((client) =>
      client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted " +
          "AND classid = $1 AND objid = $2 AND objsubid = 1",
        [ids.classid, ids.objid],
      ),
    );
    await eventually(async () => (lock.held ? null : true), "noticing the lost lock");
    const again = await eventually(() => open(schema).lockQuery("projection"), "locking again");
    expect(again.held).toBe(true);
    await again.release();
  });

  it("turns a lock's held to false when its connection goes silent, before the server would free it", async () => {
    const schema = fresh();
    const target = new URL(postgresUrl);
    let silent = false;
    const sockets = new Set<Socket>();
    const proxy = createServer((downstream) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const socket of [downstream, upstream]) {
        sockets.add(socket);
        socket.on("error", () => undefined);
      }
      downstream.on("data", (data) => silent || upstream.write(data));
      upstream.on("data", (data) => silent || downstream.write(data));
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxied = new URL(postgresUrl);
    proxied.hostname = "127.0.0.1";
    proxied.port = String((proxy.address() as AddressInfo).port);
    const store = postgresStore({
      connectionString: proxied.toString(),
      schema,
      max: 2,
      lockHeartbeatMs: 100,
    });
    stores.push(store);
    try {
      const lock = (await store.lockQuery("projection")) as QueryLock;
      expect(lock.held).toBe(true);
      silent = true;
      await eventually(async () => (lock.held ? null : true), "noticing the silent connection");
      expect(lock.held).toBe(false);
    } finally {
      for (const socket of sockets) socket.destroy();
      proxy.close();
    }
  });

  it("wakes listeners in one process when another process's store appends", async () => {
    const schema = fresh();
    const listening = open(schema);
    const writing = open(schema);
    await Promise.all([listening.init(), writing.init()]);
    let wakes = 0;
    const unsubscribe = listening.onAppend(() => {
      wakes++;
    });
    // The first wake-up says the listener is connected.
    await eventually(async () => (wakes > 0 ? true : null), "listening");
    const before = wakes;
    await writing.append([
      {
        aggregateType: "default",
        aggregateId: "a",
        expectedSequence: 0,
        events: [{ eventType: "E", payload: "{}", metadata: {} }],
      },
    ]);
    await eventually(async () => (wakes > before ? true : null), "the wake-up");
    unsubscribe();
  });

  it("listens again after the server ends the listening connection, waking listeners when back", async () => {
    const schema = fresh();
    const listening = open(schema, { reconnectMs: 50 });
    const writing = open(schema);
    await writing.init();
    let wakes = 0;
    const unsubscribe = listening.onAppend(() => {
      wakes++;
    });
    await eventually(async () => (wakes > 0 ? true : null), "listening");
    const channel = await withPostgres(async (client) => {
      const { rows } = await client.query("SELECT pid FROM pg_stat_activity WHERE query = $1", [
        `LISTEN ${notifyChannel(schema)}`,
      ]);
      await client.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [
        rows.map((row) => row.pid),
      ]);
      return rows.length;
    });
    expect(channel).toBeGreaterThan(0);
    const afterDrop = wakes;
    await eventually(async () => (wakes > afterDrop ? true : null), "listening again");
    const beforeAppend = wakes;
    await writing.append([
      {
        aggregateType: "default",
        aggregateId: "b",
        expectedSequence: 0,
        events: [{ eventType: "E", payload: "{}", metadata: {} }],
      },
    ]);
    await eventually(async () => (wakes > beforeAppend ? true : null), "the wake-up after reconnecting");
    unsubscribe();
  });
});
