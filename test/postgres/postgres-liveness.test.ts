/**
 * Guarantee 12 on PostgreSQL, with the faults injected by a TCP proxy between the store and the server:
 * a connection that goes silent is dropped and replaced, `stop()` and `close()` finish whatever the
 * server does, and a server that is down sees connection attempts that back off. Bounds on time are
 * generous (many times what the options ask for); the assertions are about what happens.
 */
import { afterEach, expect, it } from "vitest";
import { apply, emptyState, handle } from "../../examples/bank-account/domain.js";
import { start, type Timeout } from "../../src/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { describePostgres, dropSchema, freshSchemaName, postgresUrl } from "../support/postgres.js";
import { deposit, open, quiet } from "../support/system.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

const server = new URL(postgresUrl);
const THREE_SECONDS = 3_000 as Timeout;
const viaProxy = (proxy: TcpProxy) => {
  const url = new URL(postgresUrl);
  url.hostname = "127.0.0.1";
  url.port = String(proxy.port);
  return url.toString();
};

/** Whether `work` settles within `ms`. */
const settlesWithin = (work: Promise<unknown>, ms: number) =>
  new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(done, done);
  });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describePostgres("the PostgreSQL store when the network fails", () => {
  it("drops connections that went silent, writes again on fresh ones, and still stops and closes when everything is silent", async () => {
    const proxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
    cleanups.push(() => proxy.close());
    const schema = freshSchemaName("es_silent");
    cleanups.push(() => dropSchema(schema));
    const store = postgresStore({
      connectionString: viaProxy(proxy),
      schema,
      max: 4,
      queryTimeoutMs: 1_000,
      connectionTimeoutMillis: 1_000,
      closeTimeoutMs: 500,
      reconnectMs: 100,
    });
    const bank = await start({ store, handle, apply, emptyState, logger: quiet });
    const ids = Array.from({ length: 20 }, (_, i) => `acc-${i}`);
    // Concurrent commands open several pooled connections, all through the proxy.
    const opened = await Promise.all(ids.map((id) => bank.execute(id, open(id))));
    expect(opened.every((result) => result.ok)).toBe(true);

    proxy.silenceOpenSockets();
    const silencedAt = Date.now();
    let writtenAfter = false;
    const answers: string[] = [];
    for (let round = 0; !writtenAfter && Date.now() - silencedAt < 25_000; round++) {
      const result = await bank.execute(ids[round % ids.length] as string, deposit(1), {
        timeout: THREE_SECONDS,
      });
      answers.push(result.ok ? "ok" : result.error.type);
      writtenAfter = result.ok;
    }
    expect(answers).toContain("ok");
    expect(writtenAfter).toBe(true);

    // Now nothing answers at all, new connections included: stop() and close() must still finish.
    const inFlight = ids.map((id) => bank.execute(id, deposit(1)));
    proxy.silenceEverything();
    expect(await settlesWithin(bank.stop(), 20_000)).toBe(true);
    expect(await settlesWithin(store.close(), 10_000)).toBe(true);
    // Every command in flight when the silence began has answered, whatever the answer.
    expect(await settlesWithin(Promise.all(inFlight), 1_000)).toBe(true);
  }, 90_000);

  it("bounds its statements on a pool the caller gave too, replacing a silent connection in that pool", async () => {
    const proxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
    cleanups.push(() => proxy.close());
    const schema = freshSchemaName("es_given");
    cleanups.push(() => dropSchema(schema));
    const pg = await import("pg");
    const pool = new pg.default.Pool({ connectionString: viaProxy(proxy), max: 2 });
    pool.on("error", () => undefined);
    cleanups.push(() => pool.end().catch(() => undefined));
    const store = postgresStore({ pool, schema, queryTimeoutMs: 500 });
    cleanups.push(() => store.close());
    await store.init();
    expect(await store.readAggregate("default", "acc", 0)).toEqual([]);
    proxy.silenceOpenSockets();
    const failures: string[] = [];
    let answered = false;
    for (let call = 0; call < 10 && !answered; call++) {
      try {
        expect(await store.readAggregate("default", "acc", 0)).toEqual([]);
        answered = true;
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    expect(answered).toBe(true);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toMatch(/did not answer within 500 ms/);
  });

  it("drops a listening connection that went silent, listens again on a fresh one, and wakes its listeners", async () => {
    const proxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
    cleanups.push(() => proxy.close());
    const schema = freshSchemaName("es_listen");
    cleanups.push(() => dropSchema(schema));
    const listening = postgresStore({
      connectionString: viaProxy(proxy),
      schema,
      queryTimeoutMs: 500,
      reconnectMs: 50,
    });
    cleanups.push(() => listening.close());
    await listening.init();
    let wakes = 0;
    const unsubscribe = listening.onAppend(() => {
      wakes++;
    });
    cleanups.push(async () => unsubscribe());
    const deadline = Date.now() + 20_000;
    while (wakes === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(wakes).toBeGreaterThan(0); // listening: it wakes everyone once LISTEN is in place
    const accepted = proxy.accepted;
    proxy.silenceOpenSockets();
    const before = wakes;
    while (wakes === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    // Woken again: the heartbeat found the connection silent, and a new one listens.
    expect(wakes).toBeGreaterThan(before);
    expect(proxy.accepted).toBeGreaterThan(accepted);
  });

  it("backs off its connection attempts while the server is down, instead of one per call", async () => {
    const proxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
    cleanups.push(() => proxy.close());
    proxy.refuseNew();
    const store = postgresStore({
      connectionString: viaProxy(proxy),
      schema: freshSchemaName("es_down"),
      reconnectMs: 200,
      reconnectMaxMs: 5_000,
    });
    cleanups.push(() => store.close());
    // The LISTEN connection tries too, on its own schedule.
    const unsubscribe = store.onAppend(() => undefined);
    cleanups.push(async () => unsubscribe());
    const failures = new Set<string>();
    const calls = 100;
    for (let call = 0; call < calls; call++) {
      try {
        await store.readAggregate("default", "acc", 0);
      } catch (error) {
        failures.add(error instanceof Error ? error.message.replace(/\d+ ms/, "N ms") : String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    // 100 calls over at least 1.5 s: with waits of 200, 400, 800, 1,600 ms (jitter only shortens them
    // to no less than half), a handful of attempts, however the calls and the listener interleave.
    console.info(`connection attempts while the server was down: ${proxy.accepted} for ${calls} calls`);
    expect(proxy.accepted).toBeGreaterThanOrEqual(1);
    expect(proxy.accepted).toBeLessThanOrEqual(12);
    expect(
      [...failures].some((message) => /unreachable .*; the next connection attempt is in N ms/.test(message)),
    ).toBe(true);
  });
});
