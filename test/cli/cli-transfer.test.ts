/**
 * export, import and migrate through the real bin on real SQLite files and PostgreSQL schemas: a round
 * trip SQLite -> NDJSON -> PostgreSQL -> SQLite gives the very same events; import is idempotent and
 * refuses lines that would overwrite or reorder a stream; a migrate interrupted with SIGINT leaves
 * whole commits and, run again, finishes with the same result as an uninterrupted one.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { AppendRequest, EventStore, StoredEvent } from "../../src/core/event-store.js";
import { inspectStore } from "../../src/inspect/index.js";
import { sqliteStore } from "../../src/stores/sqlite/index.js";
import { describePostgres, withPostgres } from "../support/postgres.js";
import { jsonLines, runCli, seedStore, startCli } from "./run-cli.js";
import { postgresKind, sqliteKind } from "./stores.js";

async function everything(store: EventStore) {
  const inspector = inspectStore(store);
  return {
    events: await store.readAll(0n, 100_000),
    snapshots: await inspector.listSnapshots(null, 1_000),
    checkpoints: (await inspector.listCheckpoints()).map(({ name, position }) => ({ name, position })),
  };
}

describePostgres("export, import and migrate", () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "eventsourcing-cli-transfer-"));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("SQLite -> NDJSON -> PostgreSQL -> SQLite keeps every event exactly", { timeout: 180_000 }, async () => {
    const source = await sqliteKind.create();
    const middle = await postgresKind.create();
    const end = join(directory, "end.db");
    try {
      const count = await seedStore(source.store);
      const file = join(directory, "round-trip.ndjson");
      const exported = await runCli(["export", ...source.args, "--out", file]);
      expect(exported.code).toBe(0);
      expect(exported.stderr).toContain(`exported ${count} events`);
      expect(jsonLines(await readFile(file, "utf8"))).toHaveLength(count);

      const imported = await runCli(["import", file, ...middle.args]);
      expect(imported.code).toBe(0);
      expect(imported.stderr).toContain(`imported ${count} events`);
      const again = await runCli(["import", file, ...middle.args]);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain(`imported 0 events into`);
      expect(again.stderr).toContain(`(${count} already there)`);

      const migrated = await runCli([
        "migrate",
        "--from",
        middle.args[1] as string,
        "--schema",
        middle.args[3] as string,
        "--to",
        end,
        "--json",
      ]);
      expect(migrated.code).toBe(0);
      expect(JSON.parse(migrated.stdout)).toMatchObject({ events: count, copied: count });

      // `import` lets the target number the events (PostgreSQL numbers them by transaction), and
      // `migrate` keeps the numbers it finds: the same events in the same order, every field but the
      // position the same, byte for byte.
      const back = await runCli(["export", "--db", end]);
      const withoutPositions = (text: string) =>
        jsonLines(text).map((line) => {
          const { position: _, ...rest } = line as { position: string };
          return JSON.stringify(rest);
        });
      expect(withoutPositions(back.stdout)).toEqual(withoutPositions(await readFile(file, "utf8")));
      const endStore = sqliteStore({ path: end });
      try {
        const original: readonly StoredEvent[] = await source.store.readAll(0n, 1_000);
        const ended = await endStore.readAll(0n, 1_000);
        expect(ended.map(({ position: _, ...rest }) => rest)).toEqual(
          original.map(({ position: _, ...rest }) => rest),
        );
        expect(ended.map((e) => e.position)).toEqual(
          (await middle.store.readAll(0n, 1_000)).map((e) => e.position),
        );
        // The spaced payload kept its text through PostgreSQL's json column and back.
        expect((await endStore.readAggregate("account", "acct-001", 0))[0]?.payload).toBe(
          '{ "owner" : "Zoë",  "limit": 1.50 }',
        );
      } finally {
        await endStore.close();
      }
    } finally {
      await source.cleanup();
      await middle.cleanup();
    }
  });

  it("import refuses a line that would overwrite or reorder a stream, naming it", {
    timeout: 180_000,
  }, async () => {
    const target = await sqliteKind.create();
    try {
      await target.store.append([
        {
          aggregateType: "account",
          aggregateId: "taken",
          expectedSequence: 0,
          events: [{ eventType: "Opened", payload: "{}", metadata: {} }],
        },
      ]);
      const line = (id: string, sequence: number, eventId: string) =>
        JSON.stringify({
          aggregateType: "account",
          aggregateId: id,
          sequence,
          position: "1",
          commitStart: sequence,
          eventId,
          eventType: "Opened",
          eventVersion: 1,
          payload: {},
          metadata: {},
          recordedAt: "2026-01-01T00:00:00.000Z",
        });
      const overwrite = join(directory, "overwrite.ndjson");
      await writeFile(
        overwrite,
        `${line("fresh", 1, "01900000-0000-7000-8000-00000000000a")}\n${line("taken", 1, "01900000-0000-7000-8000-00000000000b")}\n`,
      );
      const refused = await runCli(["import", overwrite, ...target.args]);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split("\n")).toHaveLength(1);
      expect(refused.stderr).toMatch(
        /line 2: event 01900000-0000-7000-8000-00000000000b \(account\/"taken" sequence 1\) would overwrite/,
      );
      const reorder = join(directory, "reorder.ndjson");
      await writeFile(reorder, `${line("other", 2, "01900000-0000-7000-8000-00000000000c")}\n`);
      const gap = await runCli(["import", reorder, ...target.args]);
      expect(gap.code).toBe(1);
      expect(gap.stderr).toContain("line 1: event 01900000-0000-7000-8000-00000000000c");
      expect(gap.stderr).toContain("would leave a gap");
      const broken = join(directory, "broken.ndjson");
      await writeFile(
        broken,
        `${line("x", 1, "01900000-0000-7000-8000-00000000000d")}\n{"aggregateType": 3}\n`,
      );
      const bad = await runCli(["import", broken, ...target.args]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('line 2: "aggregateType" must be a non-empty string');
      // Nothing of a refused batch was written.
      expect(await target.store.readAggregate("account", "fresh", 0)).toEqual([]);
      expect(await target.store.readAggregate("account", "x", 0)).toEqual([]);
    } finally {
      await target.cleanup();
    }
  });

  it("migrate interrupted with SIGINT leaves whole commits, and resumes to the same result", {
    timeout: 240_000,
  }, async () => {
    const source = await sqliteKind.create();
    const target = await postgresKind.create();
    try {
      await seedStore(source.store);
      // More commits of 1 to 3 events, interleaved across streams.
      for (let round = 0; round < 20; round++) {
        const requests: AppendRequest[] = [];
        for (let i = 0; i < 40; i++) {
          const aggregateId = `bulk-${i}`;
          requests.push({
            aggregateType: "account",
            aggregateId,
            expectedSequence: await source.store.currentSequence("account", aggregateId),
            events: Array.from({ length: 1 + ((round + i) % 3) }, (_, k) => ({
              eventType: "Deposited",
              payload: JSON.stringify({ round, k }),
              metadata: { round: String(round) },
            })),
          });
        }
        await source.store.append(requests);
      }
      const expected = await everything(source.store);
      const sourcePath = source.args[1] as string;
      const [url, schema] = [target.args[1] as string, target.args[3] as string];
      const args = ["migrate", "--from", sourcePath, "--to", url, "--schema", schema];
      const running = startCli(args, { EVENTSOURCING_BATCH_EVENTS: "20" });
      // Interrupt once the first batches are in.
      for (;;) {
        const rows = await withPostgres((client) =>
          client
            .query(`SELECT count(*)::int AS n FROM "${schema}".events`)
            .catch(() => ({ rows: [{ n: 0 }] })),
        );
        if ((rows.rows[0] as { n: number }).n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      running.child.kill("SIGINT");
      const interrupted = await running.done;
      expect(interrupted.code).toBe(1);
      expect(interrupted.stderr).toMatch(
        /migrate interrupted: \d+ events are in the target, up to position \d+ \(whole commits only\); run the same command again to resume/,
      );
      const partial = await target.store.readAll(0n, 100_000);
      expect(partial.length).toBeGreaterThan(0);
      expect(partial.length).toBeLessThan(expected.events.length);
      expect(partial).toEqual(expected.events.slice(0, partial.length));
      // Whole commits: the next source event after the copied ones starts a commit.
      const next = expected.events[partial.length] as StoredEvent;
      expect(next.sequence).toBe(next.commitStart);

      const resumed = await runCli(args);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain("resuming after position");
      expect(resumed.stdout).toContain(`verified: ${expected.events.length} events in both`);
      expect(await everything(target.store)).toEqual(expected);

      // A straight migrate to a second schema gives the same checksum.
      const other = await postgresKind.create();
      try {
        const straight = await runCli([
          "migrate",
          "--from",
          sourcePath,
          "--to",
          url,
          "--schema",
          other.args[3] as string,
          "--json",
        ]);
        expect(straight.code).toBe(0);
        const digest = /sha256 ([0-9a-f]{64})/.exec(resumed.stdout)?.[1];
        expect(JSON.parse(straight.stdout).checksum).toBe(digest);
      } finally {
        await other.cleanup();
      }
      // A target holding other events is refused.
      const elsewhere = await sqliteKind.create();
      try {
        await seedStore(elsewhere.store);
        const refused = await runCli(["migrate", "--from", sourcePath, "--to", elsewhere.args[1] as string]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain("not an interrupted migration");
      } finally {
        await elsewhere.cleanup();
      }
    } finally {
      await source.cleanup();
      await target.cleanup();
    }
  });
});
