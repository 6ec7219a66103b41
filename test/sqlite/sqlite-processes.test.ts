import Database from "better-sqlite3";
import { afterEach, expect, it } from "vitest";
import { createSqliteTestStore, type SqliteTestStore } from "../support/sqlite.js";
import { spawnFixture } from "./fixtures/spawn-fixture.js";

const opened: SqliteTestStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((created) => created.cleanup()));
});

interface Row {
  aggregate_id: string;
  sequence: number;
  payload: string;
}

it("two processes appending to the same aggregates of one file leave no duplicate and no gap", async () => {
  const created = await createSqliteTestStore();
  opened.push(created);
  const accounts = 20;
  const appends = 15;
  const writers = [
    spawnFixture("store-writer", [created.path, "left", String(accounts), String(appends), "--wait"]),
    spawnFixture("store-writer", [created.path, "right", String(accounts), String(appends), "--wait"]),
  ];
  await Promise.all(writers.map((writer) => writer.waitFor(/^ready$/)));
  for (const writer of writers) writer.process.stdin?.end("go\n");
  const ends = await Promise.all(writers.map((writer) => writer.exited));
  expect(ends.map((end) => [end.code, end.stderr])).toEqual([
    [0, ""],
    [0, ""],
  ]);

  const database = new Database(created.path, { readonly: true });
  const rows = database
    .prepare(
      "SELECT aggregate_id, sequence, payload FROM eventsourcing_events ORDER BY aggregate_id, sequence",
    )
    .all() as Row[];
  database.close();

  const byAccount = new Map<string, Row[]>();
  for (const row of rows) byAccount.set(row.aggregate_id, [...(byAccount.get(row.aggregate_id) ?? []), row]);
  expect(byAccount.size).toBe(accounts);
  for (const [, stream] of byAccount) {
    expect(stream.map((row) => row.sequence)).toEqual(stream.map((_, i) => i + 1));
  }
  expect(rows).toHaveLength(accounts * appends * 2);
  const acknowledged = writers.flatMap((writer) => writer.lines.filter((line) => line.startsWith("ack ")));
  expect(acknowledged).toHaveLength(accounts * appends * 2);
  const stored = new Set(
    rows.map((row) => `ack ${row.aggregate_id} ${row.sequence} ${JSON.parse(row.payload).nonce}`),
  );
  for (const line of acknowledged) expect(stored.has(line), line).toBe(true);
  // The writers did contend: some appends were refused and retried.
  const conflicts = writers.map((writer) =>
    Number(writer.lines.find((l) => l.startsWith("done "))?.slice(5)),
  );
  expect(conflicts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
});

it("several processes opening a new file at once all create the same schema and write", async () => {
  const created = await createSqliteTestStore();
  opened.push(created);
  const path = `${created.path}.new`;
  const writers = ["p1", "p2", "p3", "p4"].map((name) =>
    spawnFixture("store-writer", [path, name, "3", "2"]),
  );
  const ends = await Promise.all(writers.map((writer) => writer.exited));
  expect(ends.map((end) => [end.code, end.stderr])).toEqual(writers.map(() => [0, ""]));
  const database = new Database(path, { readonly: true });
  const versions = database.prepare("SELECT version FROM eventsourcing_schema_version").all();
  const count = database.prepare("SELECT COUNT(*) AS n FROM eventsourcing_events").get();
  database.close();
  expect(versions).toEqual([{ version: 4 }]);
  expect(count).toEqual({ n: 4 * 3 * 2 });
});
