import { afterAll, expect, it } from "vitest";
import {
  apply,
  type BankAccount,
  type BankAccountCommand,
  type BankAccountError,
  type BankAccountEvent,
  emptyState,
  handle,
} from "../../examples/bank-account/domain.js";
import type { EventStore } from "../../src/core/event-store.js";
import { type EventSourcing, frequency, start } from "../../src/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { advisoryKey } from "../../src/stores/postgres/postgres-schema.js";
import {
  describePostgres,
  dropSchema,
  freshSchemaName,
  postgresUrl,
  withPostgres,
} from "../support/postgres.js";

type Bank = EventSourcing<BankAccount, BankAccountCommand, BankAccountEvent, BankAccountError>;

const everyCommit = frequency(1);
if (!everyCommit.ok) throw new Error("frequency(1) must be valid");

describePostgres("an event-sourcing system on PostgreSQL", () => {
  const schemas: string[] = [];
  const stores: EventStore[] = [];
  const systems: Bank[] = [];
  afterAll(async () => {
    await Promise.all(systems.map((system) => system.stop()));
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(schemas.map(dropSchema));
  });
  const bank = async (schema: string, extra: { connectionString?: string; snapshots?: boolean } = {}) => {
    const store = postgresStore({ connectionString: extra.connectionString ?? postgresUrl, schema, max: 4 });
    stores.push(store);
    const system: Bank = await start({
      store,
      handle,
      apply,
      emptyState,
      snapshot: extra.snapshots === false ? undefined : { frequency: everyCommit.value },
      conflictRetries: 5,
    });
    systems.push(system);
    return { store, system };
  };
  const fresh = () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    return schema;
  };

  it("gives exactly 201 events, a snapshot at 201 and a zero balance for 100 deposits and 100 withdrawals sent at once", async () => {
    const { system } = await bank(fresh());
    const opened = await system.execute("acc", { type: "OpenAccount", accountId: "acc" });
    expect(opened.ok).toBe(true);
    const commands: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      // One mailbox per aggregate keeps arrival order: each withdrawal follows its deposit.
      commands.push(system.execute("acc", { type: "DepositMoney", amount: 10 }));
      commands.push(system.execute("acc", { type: "WithDrawMoney", amount: 10 }));
    }
    const results = (await Promise.all(commands)) as { ok: boolean }[];
    expect(results.filter((result) => !result.ok)).toEqual([]);

    const events = await system.loadEvents("acc");
    expect(events.ok && events.value.map((e) => e.sequence)).toEqual(
      Array.from({ length: 201 }, (_, i) => i + 1),
    );
    const aggregate = await system.loadAggregate("acc");
    expect(aggregate).toMatchObject({
      ok: true,
      value: { sequence: 201, state: { type: "BankAccount", balance: 0 } },
    });
    let snapshot = await system.latestSnapshot("acc");
    // Snapshots are saved after the commit, possibly after execute resolved.
    for (let i = 0; i < 100 && !(snapshot.ok && snapshot.value?.sequence === 201); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      snapshot = await system.latestSnapshot("acc");
    }
    expect(snapshot).toMatchObject({ ok: true, value: { sequence: 201, state: { balance: 0 } } });
  });

  it("lets a second system's stale actor reload and retry when the first wrote meanwhile", async () => {
    const schema = fresh();
    const one = await bank(schema);
    const two = await bank(schema);
    await one.system.execute("acc", { type: "OpenAccount", accountId: "acc" });
    // Both actors are live and agree on sequence 1.
    await one.system.execute("acc", { type: "DepositMoney", amount: 5 });
    await two.system.execute("acc", { type: "DepositMoney", amount: 5 });
    // Now `one` is stale at 2 while the stream is at 3.
    const result = await one.system.execute("acc", { type: "WithDrawMoney", amount: 3 });
    // Decided again on the reloaded state: 5 + 5 - 3, not the stale 5 - 3.
    expect(result).toMatchObject({ ok: true, value: { aggregate: { sequence: 4, state: { balance: 7 } } } });
    expect((await one.system.systemStats()).conflictsRetried).toBeGreaterThan(0);
    const events = await two.system.loadEvents("acc");
    expect(events.ok && events.value.map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
  });

  it("keeps every acknowledged command and gapless streams while the server kills its connections during a load", async () => {
    const schema = fresh();
    const application = `es_load_${schema.slice(-8)}`;
    const { system, store } = await bank(schema, {
      connectionString: `${postgresUrl}${postgresUrl.includes("?") ? "&" : "?"}application_name=${application}`,
      snapshots: false,
    });
    const ids = Array.from({ length: 50 }, (_, i) => `acc-${i}`);
    await Promise.all(ids.map((id) => system.execute(id, { type: "OpenAccount", accountId: id })));
    const acknowledged: string[] = [];
    const outcomes = new Map<string, number>();
    let running = true;
    const load = Promise.all(
      ids.map(async (id) => {
        while (running) {
          const result = await system.execute(id, { type: "DepositMoney", amount: 1 });
          const outcome = result.ok ? "ok" : result.error.type;
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          if (result.ok) for (const e of result.value.events) acknowledged.push(`${id}/${e.sequence}`);
        }
      }),
    );
    await withPostgres(async (client) => {
      for (let kill = 0; kill < 5; kill++) {
        const before = acknowledged.length;
        while (acknowledged.length < before + 50) await new Promise((resolve) => setTimeout(resolve, 5));
        await client.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
          [application],
        );
      }
    });
    const before = acknowledged.length;
    while (acknowledged.length < before + 100) await new Promise((resolve) => setTimeout(resolve, 5));
    running = false;
    await load;
    console.info(
      `connections killed five times during a load: ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );

    expect(
      [...outcomes.keys()].filter((outcome) => outcome !== "ok" && outcome !== "EventStoreError"),
    ).toEqual([]);
    const all = await store.readAll(0n, 100_000);
    const stored = new Set(all.map((e) => `${e.aggregateId}/${e.sequence}`));
    expect(acknowledged.filter((key) => !stored.has(key))).toEqual([]);
    for (const id of ids) {
      const stream = all.filter((e) => e.aggregateId === id).map((e) => e.sequence);
      expect(stream).toEqual(Array.from({ length: stream.length }, (_, i) => i + 1));
    }
  });

  it("answers EventStoreError for commands whose connection the server kills mid-load, then recovers without half-written commits", async () => {
    const schema = fresh();
    const application = `es_fault_${schema.slice(-8)}`;
    const { system, store } = await bank(schema, {
      connectionString: `${postgresUrl}${postgresUrl.includes("?") ? "&" : "?"}application_name=${application}`,
    });
    const ids = Array.from({ length: 20 }, (_, i) => `acc-${i}`);
    await Promise.all(ids.map((id) => system.execute(id, { type: "OpenAccount", accountId: id })));

    // Hold the append lock from outside, so the next appends are surely in flight when their backends die.
    const pg = await import("pg");
    const holder = new pg.default.Client({ connectionString: postgresUrl });
    holder.on("error", () => undefined);
    await holder.connect();
    let affected: { ok: boolean; error?: { type: string } }[];
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT pg_advisory_xact_lock($1::bigint)", [advisoryKey(schema, "append")]);
      const inFlight = ids.map((id) => system.execute(id, { type: "DepositMoney", amount: 1 }));
      await withPostgres(async (client) => {
        for (let i = 0; i < 500; i++) {
          const { rows } = await client.query(
            "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid) " +
              "WHERE a.application_name = $1 AND l.locktype = 'advisory' AND NOT l.granted",
            [application],
          );
          if (rows[0].n > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await client.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
          [application],
        );
      });
      affected = (await Promise.all(inFlight)) as typeof affected;
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      await holder.end();
    }
    const failed = affected.filter((result) => !result.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed.map((result) => result.error?.type))).toEqual(new Set(["EventStoreError"]));

    // The pool replaces its dead connections: later commands succeed.
    const later = await Promise.all(ids.map((id) => system.execute(id, { type: "DepositMoney", amount: 1 })));
    expect(later.filter((result) => !result.ok)).toEqual([]);

    // Nothing half-written: every stream is gapless, and each commit holds all of its events.
    const all = await store.readAll(0n, 10_000);
    for (const id of ids) {
      const stream = all.filter((e) => e.aggregateId === id).map((e) => e.sequence);
      expect(stream).toEqual(Array.from({ length: stream.length }, (_, i) => i + 1));
      expect(stream.length).toBeGreaterThanOrEqual(2);
    }
    expect(all.every((e) => e.commitStart === e.sequence)).toBe(true);
  });
});
