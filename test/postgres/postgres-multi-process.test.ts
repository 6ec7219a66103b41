import { afterAll, expect, it } from "vitest";
import {
  advisoryLockIds,
  describePostgres,
  dropSchema,
  type FixtureProcess,
  freshSchemaName,
  spawnFixture,
  withPostgres,
} from "../support/postgres.js";

const FIXTURE = "test/postgres/fixtures/bank-process.ts";

interface PhaseReport {
  readonly ms: number;
  readonly outcomes: Record<string, number>;
  readonly acknowledged: readonly [string, number, string][];
  readonly conflictsRetried: number;
}

interface EventRow {
  aggregate_id: string;
  sequence: number;
  event_type: string;
  amount: number | null;
  balance: number | null;
}

async function phase(processes: readonly FixtureProcess[], name: string, commands: number) {
  processes.forEach((p, i) => {
    p.send(`run ${name} ${commands} ${i * 7_919 + name.length * 104_729 + 1}`);
  });
  const lines = await Promise.all(processes.map((p) => p.line(new RegExp(`^done ${name} `))));
  return lines.map((line) => JSON.parse(line.slice(`done ${name} `.length)) as PhaseReport);
}

describePostgres("four processes running one bank on one PostgreSQL database", () => {
  const schema = freshSchemaName("es_multi");
  const q = `"${schema}"`;
  const processes: FixtureProcess[] = [];
  afterAll(async () => {
    for (const p of processes) p.child.kill("SIGKILL");
    await Promise.all(processes.map((p) => p.exited));
    await dropSchema(schema);
  });

  it("keeps every stream gapless, no balance below zero, every acknowledged command, and read models equal to the events, across a SIGKILL", {
    timeout: 90_000,
  }, async () => {
    await withPostgres(async (client) => {
      await client.query(`CREATE SCHEMA ${q}`);
      await client.query(
        `CREATE TABLE ${q}.rm_balances (account_id text PRIMARY KEY, balance int NOT NULL, sequence int NOT NULL)`,
      );
      await client.query(
        `CREATE TABLE ${q}.rm_ledger (account_id text, sequence int, event_type text, balance int,
         PRIMARY KEY (account_id, sequence))`,
      );
    });
    for (let i = 0; i < 4; i++)
      processes.push(spawnFixture(FIXTURE, [schema, `es_mp_${schema.slice(-8)}_${i}`]));
    await Promise.all(processes.map((p) => p.line(/^ready$/)));

    const first = await phase(processes, "one", 300);

    // Kill the process that runs the "balances" query: another one must take it over.
    const { classid, objid } = advisoryLockIds(schema, "query:balances");
    const holder = await withPostgres(async (client) => {
      const { rows } = await client.query(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) " +
          "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 1",
        [classid, objid],
      );
      return rows[0]?.application_name as string | undefined;
    });
    expect(holder).toMatch(/^es_mp_/);
    const victim = Number(holder?.split("_").at(-1));
    processes[victim]?.child.kill("SIGKILL");
    await processes[victim]?.exited;
    const survivors = processes.filter((_, i) => i !== victim);

    const second = await phase(survivors, "two", 300);
    const reports = [...first, ...second];

    const events = await withPostgres(async (client) => {
      const { rows } = await client.query(
        `SELECT aggregate_id, sequence, event_type, (payload->>'amount')::int AS amount,
                (payload->>'balance')::int AS balance
         FROM ${q}.events ORDER BY aggregate_id, sequence`,
      );
      return rows as EventRow[];
    });
    const streams = new Map<string, EventRow[]>();
    for (const row of events) streams.set(row.aggregate_id, [...(streams.get(row.aggregate_id) ?? []), row]);

    expect(streams.size).toBe(100);
    for (const [id, stream] of streams) {
      expect(
        stream.map((e) => e.sequence),
        id,
      ).toEqual(stream.map((_, i) => i + 1));
      expect(stream[0]?.event_type, id).toBe("AccountOpened");
      let balance = 0;
      for (const e of stream.slice(1)) {
        balance += e.event_type === "CustomerDepositedCash" ? (e.amount ?? 0) : -(e.amount ?? 0);
        expect(e.balance, `${id} at ${e.sequence}`).toBe(balance);
        expect(balance).toBeGreaterThanOrEqual(0);
      }
    }

    const stored = new Set(events.map((e) => `${e.aggregate_id}/${e.sequence}/${e.event_type}`));
    const acknowledged = reports.flatMap((r) =>
      r.acknowledged.map(([id, seq, type]) => `${id}/${seq}/${type}`),
    );
    expect(acknowledged.filter((key) => !stored.has(key))).toEqual([]);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);

    // The read models catch up (the killed process's query was taken over) and equal the events.
    const expectedBalances = [...streams].map(([id, stream]) => ({
      account_id: id,
      balance: stream.at(-1)?.balance ?? 0,
      sequence: stream.length,
    }));
    const expectedLedger = events.map((e) => ({
      account_id: e.aggregate_id,
      sequence: e.sequence,
      event_type: e.event_type,
      balance: e.balance ?? 0,
    }));
    let models = { balances: [] as unknown[], ledger: [] as unknown[] };
    for (let attempt = 0; attempt < 300; attempt++) {
      models = await withPostgres(async (client) => ({
        balances: (await client.query(`SELECT * FROM ${q}.rm_balances ORDER BY account_id`)).rows,
        ledger: (await client.query(`SELECT * FROM ${q}.rm_ledger ORDER BY account_id, sequence`)).rows,
      }));
      if (
        models.ledger.length === events.length &&
        JSON.stringify(models.balances) === JSON.stringify(expectedBalances)
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(models.balances).toEqual(expectedBalances);
    expect(models.ledger).toEqual(expectedLedger);

    const retried = reports.map((r) => r.conflictsRetried);
    const outcomes: Record<string, number> = {};
    for (const r of reports)
      for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
    const commands = Object.values(outcomes).reduce((a, b) => a + b, 0);
    const slowest = (rs: readonly PhaseReport[]) => Math.max(...rs.map((r) => r.ms));
    console.info(
      `multi-process bank: ${commands} commands (${JSON.stringify(outcomes)}), ${events.length} events; ` +
        `phase one 4 processes ${Math.round((4 * 300 * 1000) / slowest(first))} commands/s, ` +
        `phase two 3 processes ${Math.round((3 * 300 * 1000) / slowest(second))} commands/s; ` +
        `conflicts retried per process (cumulative) ${JSON.stringify(retried)}`,
    );
    expect(commands).toBe(4 * 300 + 3 * 300);
  });
});
