/**
 * A PostgreSQL schema written by schema version 1 (a pg_dump made by the code before aggregate types,
 * see test/fixtures/schema-v1/make-fixtures.sh) opens with this code and keeps everything; a schema
 * newer than the code is refused.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { apply, type BankAccountEvent, emptyState, handle } from "../../examples/bank-account/domain.js";
import { start } from "../../src/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { SCHEMA_VERSION } from "../../src/stores/postgres/postgres-schema.js";
import {
  describePostgres,
  dropSchema,
  freshSchemaName,
  postgresUrl,
  withPostgres,
} from "../support/postgres.js";
import { expectOk, quiet, recorder } from "../support/system.js";

const dump = readFileSync(join(import.meta.dirname, "../fixtures/schema-v1/bank-v1.postgres.sql"), "utf8");
const dumpV3 = readFileSync(join(import.meta.dirname, "../fixtures/schema-v2/bank-v2.postgres.sql"), "utf8");
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Restores a dump (by default version 1's) into a schema of its own (psql's meta-commands left out). */
async function restore(schema: string, text = dump, dumped = "es_fixture_v1"): Promise<void> {
  const sql = text
    .split("\n")
    .filter((line) => !line.startsWith("\\"))
    .join("\n")
    .replaceAll(dumped, schema);
  await withPostgres(async (client) => {
    await client.query(sql);
  });
}

describePostgres("a PostgreSQL schema of version 1, dumped by the code before aggregate types", () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  it("migrates in place once, with four stores starting at once, keeping every event, snapshot and checkpoint; a newer schema is then refused", async () => {
    const schema = freshSchemaName("es_fixture");
    schemas.push(schema);
    await restore(schema);
    const stores = Array.from({ length: 4 }, () =>
      postgresStore({ connectionString: postgresUrl, schema, max: 2 }),
    );
    try {
      await Promise.all(stores.map((store) => store.init()));
      const [store] = stores;
      if (!store) throw new Error("no store");
      const versions = await withPostgres(async (client) => {
        const { rows } = await client.query(
          `SELECT version FROM "${schema}".schema_version ORDER BY version`,
        );
        return rows.map((row) => row.version);
      });
      expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
      const log = await store.readAll(0n, 100);
      expect(
        log.map((e) => [e.position, e.aggregateType, e.aggregateId, e.sequence, e.eventType, e.eventVersion]),
      ).toEqual([
        [1n, "default", "acc-1", 1, "AccountOpened", 1],
        [2n, "default", "acc-1", 2, "CustomerDepositedCash", 1],
        [3n, "default", "acc-1", 3, "CustomerWithdrewCash", 1],
        [4n, "default", "acc-2", 1, "AccountOpened", 1],
        [5n, "default", "acc-2", 2, "CustomerDepositedCash", 1],
      ]);
      expect(JSON.parse(log[2]?.payload ?? "null")).toEqual({
        type: "CustomerWithdrewCash",
        amount: 30,
        balance: 70,
      });
      expect(log[0]?.metadata).toEqual({ user: "u-1" });
      for (const event of log) expect(event.eventId).toMatch(UUID_V7);
      expect(new Set(log.map((e) => e.eventId)).size).toBe(5);
      expect(await store.loadSnapshot("default", "acc-2")).toMatchObject({ sequence: 2, version: 1 });
      expect(await store.loadCheckpoint("balances")).toBe(5n);

      const balances = recorder<BankAccountEvent>();
      const bank = await start({
        store,
        handle,
        apply,
        emptyState,
        logger: quiet,
        queries: [{ name: "balances", handle: balances.query }],
      });
      try {
        expect(expectOk(await bank.loadAggregate("acc-1"))).toMatchObject({
          sequence: 3,
          state: { balance: 70 },
        });
        const deposited = expectOk(await bank.execute("acc-2", { type: "DepositMoney", amount: 1 }));
        expect(deposited.events[0]?.sequence).toBe(3);
        expect(deposited.events[0]?.position).toBeGreaterThan(5n);
        await balances.waitFor(1);
        expect(balances.calls.map((call) => [call.aggregateId, call.events[0]?.sequence])).toEqual([
          ["acc-2", 3],
        ]);
      } finally {
        await bank.stop();
      }
      // A release after this one may migrate further: this code then refuses the schema, saying why.
      await withPostgres(async (client) => {
        await client.query(`INSERT INTO "${schema}".schema_version (version) VALUES (${SCHEMA_VERSION + 1})`);
      });
      const newer = postgresStore({ connectionString: postgresUrl, schema });
      try {
        await expect(newer.init()).rejects.toThrow(
          new RegExp(
            `version ${SCHEMA_VERSION + 1}, newer than this library's ${SCHEMA_VERSION}: upgrade eventsourcing`,
          ),
        );
      } finally {
        await newer.close();
      }
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it("migrates a version-3 schema (before command ids, see test/fixtures/schema-v2) in place: old events have none, a command id then works through its index", async () => {
    const schema = freshSchemaName("es_fixture");
    schemas.push(schema);
    await restore(schema, dumpV3, "es_fixture_v2");
    const stores = Array.from({ length: 3 }, () =>
      postgresStore({ connectionString: postgresUrl, schema, max: 2 }),
    );
    try {
      await Promise.all(stores.map((store) => store.init()));
      const [store] = stores;
      if (!store) throw new Error("no store");
      const versions = await withPostgres(async (client) => {
        const { rows } = await client.query(
          `SELECT version FROM "${schema}".schema_version ORDER BY version`,
        );
        return rows.map((row) => row.version);
      });
      expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
      const log = await store.readAll(0n, 100);
      expect(log.map((e) => [e.aggregateId, e.sequence, e.commandId])).toEqual([
        ["acc-1", 1, undefined],
        ["acc-1", 2, undefined],
        ["acc-1", 3, undefined],
        ["acc-2", 1, undefined],
        ["acc-2", 2, undefined],
      ]);
      const bank = await start({ store, handle, apply, emptyState, logger: quiet });
      try {
        const first = expectOk(
          await bank.execute("acc-1", { type: "DepositMoney", amount: 5 }, { commandId: "c-1" }),
        );
        const again = expectOk(
          await bank.execute("acc-1", { type: "DepositMoney", amount: 5 }, { commandId: "c-1" }),
        );
        expect(again.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
        expect(again.aggregate).toMatchObject({ sequence: 4, state: { balance: 75 } });
      } finally {
        await bank.stop();
      }
      // The lookup goes through the partial index, not a scan of the table.
      const plan = await withPostgres(async (client) => {
        await client.query("SET enable_seqscan = off");
        const { rows } = await client.query(
          `EXPLAIN SELECT * FROM "${schema}".events e WHERE e.aggregate_type = $1 AND md5(e.aggregate_id) = md5($2) ` +
            "AND e.command_id = $3 AND e.aggregate_id = $2",
          ["default", "acc-1", "c-1"],
        );
        return rows.map((row) => row["QUERY PLAN"]).join("\n");
      });
      expect(plan).toMatch(/events_command/);
    } finally {
      for (const store of stores) await store.close();
    }
  });
});
