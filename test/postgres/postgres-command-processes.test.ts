/**
 * Two processes send the same command ids at the same time: each command is committed once, and both
 * processes answer it `ok` with the same events.
 */
import { afterAll, expect, it } from "vitest";
import {
  describePostgres,
  dropSchema,
  type FixtureProcess,
  freshSchemaName,
  spawnFixture,
  withPostgres,
} from "../support/postgres.js";

const FIXTURE = "test/postgres/fixtures/command-process.ts";

interface RoundReport {
  readonly answers: readonly ({ ok: true; eventIds: string[] } | { ok: false; error: string })[];
  readonly conflictsRetried: number;
}

describePostgres("two processes sending the same command ids at once", () => {
  const schema = freshSchemaName("es_commands");
  const processes: FixtureProcess[] = [];
  afterAll(async () => {
    for (const p of processes) p.child.kill("SIGKILL");
    await Promise.all(processes.map((p) => p.exited));
    await dropSchema(schema);
  });

  it("commits each command once, and both processes answer ok with the same events", {
    timeout: 60_000,
  }, async () => {
    for (let i = 0; i < 2; i++) processes.push(spawnFixture(FIXTURE, [schema]));
    await Promise.all(processes.map((p) => p.line(/^ready$/)));
    const commands = 40;
    for (const round of ["r1", "r2", "r3"]) {
      for (const p of processes) p.send(`run ${round} ${commands}`);
      const lines = await Promise.all(processes.map((p) => p.line(new RegExp(`^done ${round} `))));
      const [a, b] = lines.map((line) => JSON.parse(line.slice(`done ${round} `.length)) as RoundReport);
      if (!a || !b) throw new Error("a process gave no report");
      expect(a.answers).toHaveLength(commands);
      expect(a.answers.every((answer) => answer.ok)).toBe(true);
      expect(b.answers).toEqual(a.answers);
    }
    const rows = await withPostgres(async (client) => {
      const { rows } = await client.query(
        `SELECT command_id, count(*)::int AS n FROM "${schema}".events WHERE command_id IS NOT NULL GROUP BY command_id`,
      );
      return rows as { command_id: string; n: number }[];
    });
    expect(rows).toHaveLength(3 * commands);
    expect(rows.every((row) => row.n === 1)).toBe(true);
    for (const p of processes) p.send("stop");
    expect(await Promise.all(processes.map((p) => p.exited))).toEqual([0, 0]);
  });
});
