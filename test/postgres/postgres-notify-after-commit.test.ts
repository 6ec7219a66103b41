/**
 * The wake-up of an append is sent after its COMMIT, not inside the appending transaction (whose
 * NOTIFY would take the database-wide notify lock at COMMIT): the function that appends no longer
 * notifies, in a fresh schema and in one migrated from version 3, and a listener in another
 * connection is still woken by every append.
 */
import pg from "pg";
import { afterEach, expect, it } from "vitest";
import type { EventStore } from "../../src/core/event-store.js";
import { notifyChannel } from "../../src/stores/postgres/postgres-schema.js";
import { createPostgresTestStore, describePostgres, postgresUrl, withPostgres } from "../support/postgres.js";

const stores: EventStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

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
});
