/**
 * The wake-up of an append is sent after its COMMIT, not inside the appending transaction (whose
 * NOTIFY would take the database-wide notify lock at COMMIT): the function that appends no longer
 * notifies, in a fresh schema and in one migrated from version 3, and a listener in another
 * connection is still woken by every append. This process's own listeners are woken at the commit,
 * without the server; other processes get at most one NOTIFY per interval, the last commits included,
 * and a store that closes sends the one still due.
 */
import pg from "pg";
import { afterEach, expect, it } from "vitest";
import type { EventStore } from "../../src/core/event-store.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { notifyChannel } from "../../src/stores/postgres/postgres-schema.js";
import {
  createPostgresTestStore,
  describePostgres,
  dropSchema,
  freshSchemaName,
  postgresUrl,
  withPostgres,
} from "../support/postgres.js";

const stores: EventStore[] = [];
const schemas: string[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

function oneEvent(aggregateId: string, expectedSequence = 0) {
  return {
    aggregateType: "default",
    aggregateId,
    expectedSequence,
    events: [{ eventType: "E", payload: "{}", metadata: {} }],
  };
}

/** A connection of its own listening on a schema's channel, with the times its notifications came. */
async function listenTo(schema: string): Promise<{ heard: number[]; end(): Promise<void> }> {
  const listener = new pg.Client({ connectionString: postgresUrl });
  await listener.connect();
  const heard: number[] = [];
  listener.on("notification", (message) => {
    if (message.channel === notifyChannel(schema)) heard.push(performance.now());
  });
  await listener.query(`LISTEN ${notifyChannel(schema)}`);
  return { heard, end: () => listener.end() };
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function appendDefinitions(schema: string): Promise<string[]> {
  return withPostgres(async (client) => {
    const { rows } = await client.query(
      `SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = $1 AND p.proname = 'append_events'`,
      [schema],
    );
    return rows.map((row) => row.def as string);
  });
}

describePostgres("PostgreSQL wake-ups after commit", () => {
  it("appends without notifying inside the transaction, and wakes a listener after each append", async () => {
    const store = await createPostgresTestStore();
    stores.push(store);
    const schema = (store as unknown as { schema: string }).schema;
    const definitions = await appendDefinitions(schema);
    expect(definitions).toHaveLength(1);
    expect(definitions[0]).toContain("pg_advisory_xact_lock");
    expect(definitions[0]).not.toContain("pg_notify");

    const listener = new pg.Client({ connectionString: postgresUrl });
    await listener.connect();
    try {
      let woken = 0;
      listener.on("notification", (message) => {
        if (message.channel === notifyChannel(schema)) woken++;
      });
      await listener.query(`LISTEN ${notifyChannel(schema)}`);
      const outcomes = await store.append([
        {
          aggregateType: "default",
          aggregateId: "a",
          expectedSequence: 0,
          events: [{ eventType: "E", payload: "{}", metadata: {} }],
        },
      ]);
      expect(outcomes[0]?.ok).toBe(true);
      for (let i = 0; i < 200 && woken === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(woken).toBeGreaterThan(0);
    } finally {
      await listener.end();
    }
  });

  it("wakes this process's listeners when the append answers, before any NOTIFY comes back", async () => {
    const store = await createPostgresTestStore();
    stores.push(store);
    let wakes = 0;
    const unsubscribe = store.onAppend?.(() => {
      wakes++;
    });
    try {
      await until(() => wakes > 0); // the listening connection is up
      const before = wakes;
      const outcomes = await store.append([oneEvent("a")]);
      expect(outcomes[0]?.ok).toBe(true);
      expect(wakes).toBeGreaterThan(before);
    } finally {
      unsubscribe?.();
    }
  });

  it("sends at most one NOTIFY per 20 ms to other processes, and one after the last commit", async () => {
    const schema = freshSchemaName("es_notify");
    schemas.push(schema);
    const store = postgresStore({ connectionString: postgresUrl, schema });
    stores.push(store);
    await store.init();
    const listener = await listenTo(schema);
    try {
      const appends = 60;
      const started = performance.now();
      for (let i = 0; i < appends; i++) expect((await store.append([oneEvent(`s${i}`)]))[0]?.ok).toBe(true);
      const lastCommit = performance.now();
      await until(() => listener.heard.some((at) => at > lastCommit));
      // The commits after the last NOTIFY that went out still get one.
      expect(listener.heard.some((at) => at > lastCommit)).toBe(true);
      const sent = listener.heard.length;
      const bound = 2 + Math.floor((performance.now() - started) / 20);
      console.info(`${appends} appends in ${(lastCommit - started).toFixed(0)} ms: ${sent} NOTIFYs`);
      expect(sent).toBeLessThanOrEqual(bound);
      expect(sent).toBeLessThan(appends);
    } finally {
      await listener.end();
    }
  });

  it("sends the NOTIFY still due when it closes", async () => {
    const schema = freshSchemaName("es_notify");
    schemas.push(schema);
    const store = postgresStore({ connectionString: postgresUrl, schema });
    stores.push(store);
    await store.init();
    const listener = await listenTo(schema);
    try {
      expect((await store.append([oneEvent("a")]))[0]?.ok).toBe(true);
      // Within the interval of the first: its NOTIFY waits, until the store closes.
      expect((await store.append([oneEvent("b")]))[0]?.ok).toBe(true);
      await store.close();
      await until(() => listener.heard.length >= 2);
      expect(listener.heard).toHaveLength(2);
    } finally {
      await listener.end();
    }
  });
});
