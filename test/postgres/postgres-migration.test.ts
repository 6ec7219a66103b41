/** Schema migrations: a schema made by an earlier version is brought up to date in place, once. */
import { afterAll, expect, it } from "vitest";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { migrations, postgresSchema, SCHEMA_VERSION } from "../../src/stores/postgres/postgres-schema.js";
import {
  describePostgres,
  dropSchema,
  freshSchemaName,
  postgresUrl,
  withPostgres,
} from "../support/postgres.js";

describePostgres("PostgreSQL schema migrations", () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  it("migrate a version-1 schema to json columns, aggregate types, event ids and versions in place, once, with several processes starting at once", async () => {
    const name = freshSchemaName("es_migrate");
    schemas.push(name);
    const schema = postgresSchema(name);
    // Version 1 exactly as it was made: its statements, then an event written by its append_events.
    await withPostgres(async (client) => {
      await client.query(`CREATE SCHEMA ${schema.q}`);
      await client.query(
        `CREATE TABLE ${schema.q}.schema_version (version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      await client.query(migrations(schema)[0] as string);
      await client.query(`INSERT INTO ${schema.q}.schema_version (version) VALUES (1)`);
      await client.query(`SELECT * FROM ${schema.q}.append_events($1, $2, $3, $4, $5, $6, $7, $8)`, [
        ["old"],
        [0],
        ["old"],
        [1],
        [1],
        ["Old"],
        ['{"type":"Old","b":1,"a":2}'],
        ['{"k":"v"}'],
      ]);
      await client.query(`INSERT INTO ${schema.q}.snapshots VALUES ('old', 1, '{"b":1,"a":2}', now())`);
    });
    expect(SCHEMA_VERSION).toBe(6);
    const stores = Array.from({ length: 4 }, () =>
      postgresStore({ connectionString: postgresUrl, schema: name, max: 2 }),
    );
    try {
      await Promise.all(stores.map((store) => store.init()));
      const [store] = stores;
      if (!store) throw new Error("no store");
      const columns = await withPostgres(async (client) => {
        const { rows } = await client.query(
          `SELECT table_name, column_name, data_type FROM information_schema.columns
           WHERE table_schema = $1 AND data_type IN ('json', 'jsonb') ORDER BY table_name, column_name`,
          [name],
        );
        const versions = await client.query(
          `SELECT version FROM ${schema.q}.schema_version ORDER BY version`,
        );
        return { rows, versions: versions.rows.map((row) => row.version) };
      });
      expect(columns.rows).toEqual([
        { table_name: "events", column_name: "metadata", data_type: "json" },
        { table_name: "events", column_name: "payload", data_type: "json" },
        { table_name: "snapshots", column_name: "state", data_type: "json" },
      ]);
      expect(columns.versions).toEqual([1, 2, 3, 4, 5, 6]);
      // Step 4 took the NOTIFY out of the appending transaction, keeping the lock.
      const definitions = await withPostgres(async (client) => {
        const { rows } = await client.query(
          `SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = $1 AND p.proname = 'append_events'`,
          [name],
        );
        return rows.map((row) => row.def as string);
      });
      expect(definitions).toHaveLength(1);
      expect(definitions[0]).toContain("pg_advisory_xact_lock");
      expect(definitions[0]).not.toContain("pg_notify");
      // The old rows are still there, in the text jsonb gave them; new ones keep the codec's text.
      const [old] = await store.readAggregate("default", "old", 0);
      expect(JSON.parse(old?.payload ?? "null")).toEqual({ type: "Old", a: 2, b: 1 });
      expect(old?.metadata).toEqual({ k: "v" });
      // Written before types, ids and versions existed: type "default", version 1, a generated UUID v7.
      expect(old).toMatchObject({ aggregateType: "default", eventType: "Old", eventVersion: 1, sequence: 1 });
      expect(old?.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(await store.readAggregate("other-type", "old", 0)).toEqual([]);
      expect(await store.loadSnapshot("default", "old")).toMatchObject({ sequence: 1, version: 1 });
      expect(JSON.parse((await store.loadSnapshot("default", "old"))?.state ?? "null")).toEqual({
        a: 2,
        b: 1,
      });
      const payload = '{"type":"New","b":1,"a":2}';
      const [outcome] = await store.append([
        {
          aggregateType: "default",
          aggregateId: "old",
          expectedSequence: 1,
          events: [{ eventType: "New", payload, metadata: {} }],
        },
      ]);
      expect(outcome?.ok).toBe(true);
      expect((await store.readAggregate("default", "old", 1))[0]?.payload).toBe(payload);
      expect((await store.readAll(0n, 10)).map((e) => e.sequence)).toEqual([1, 2]);
    } finally {
      for (const store of stores) await store.close();
    }
  });
});
