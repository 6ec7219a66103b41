/**
 * The reading commands on real stores, through the real bin: streams, events, tail (and --follow),
 * queries, stats, each in --json (one object per line, the envelope's field names) and for people;
 * and reset-query's confirmation.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { StoredEvent } from "../../src/core/event-store.js";
import { freshSchemaName, postgresUrl, withPostgres } from "../support/postgres.js";
import { jsonLines, runCli, seedStore, startCli } from "./run-cli.js";
import { type CliStore, forEachCliStore } from "./stores.js";

forEachCliStore("the reading commands", (kind) => {
  let store: CliStore;
  let log: readonly StoredEvent[];
  beforeAll(async () => {
    store = await kind.create();
    await seedStore(store.store);
    log = await store.store.readAll(0n, 1_000);
  });
  afterAll(async () => {
    await store.cleanup();
  });

  it("streams: every stream with counts and last positions, filtered and paged", async () => {
    const all = await runCli(["streams", ...store.args, "--json"]);
    expect(all.code).toBe(0);
    const streams = jsonLines(all.stdout);
    expect(streams).toHaveLength(13);
    expect(streams[0]).toEqual({
      aggregateType: "account",
      aggregateId: "acct-000",
      eventCount: 3,
      lastSequence: 3,
      lastPosition: String(log[log.length - 1]?.position),
    });
    expect(streams[12]).toMatchObject({ aggregateType: "user", aggregateId: "acct-000", eventCount: 2 });
    const page = await runCli([
      "streams",
      ...store.args,
      "--json",
      "--type",
      "account",
      "--prefix",
      "acct-00",
      "--limit",
      "2",
    ]);
    expect(jsonLines(page.stdout).map((s) => s.aggregateId)).toEqual(["acct-000", "acct-001"]);
    expect(page.stderr).toContain(`more streams: add --after '["account","acct-001"]'`);
    const next = await runCli(["streams", ...store.args, "--after", "account/acct-011"]);
    expect(next.stdout.split("\n")[0]).toMatch(/^TYPE\s+ID\s+EVENTS\s+LAST SEQUENCE\s+LAST POSITION$/);
    expect(next.stdout).toMatch(/\nuser\s+acct-000\s+2\s+2\s+\d+\n$/);
  });

  it("streams: following the page hint through a shell reaches every stream once, whatever the type and ids hold", async () => {
    const own = await kind.create();
    try {
      const odd = ["a/b", "quote'd\"", "\u001b[31mred", "rtl\u202eevil", "plain"];
      await own.store.append(
        odd.map((id) => ({
          aggregateType: "x/y",
          aggregateId: id,
          expectedSequence: 0,
          events: [{ eventType: "Opened", payload: "{}", metadata: {} }],
        })),
      );
      await own.store.append([
        {
          aggregateType: "x",
          aggregateId: "y/z",
          expectedSequence: 0,
          events: [{ eventType: "Opened", payload: "{}", metadata: {} }],
        },
      ]);
      const seen: string[] = [];
      let after: string[] = [];
      for (let page = 0; page < 20; page++) {
        const result = await runCli([
          "streams",
          ...own.args,
          "--json",
          "--type",
          "x/y",
          "--limit",
          "2",
          ...after,
        ]);
        expect(result.code).toBe(0);
        for (const line of jsonLines(result.stdout)) seen.push(line.aggregateId as string);
        const hint = /more streams: add --after (.*)\n/.exec(result.stderr)?.[1];
        if (hint === undefined) break;
        // The hint as a shell reads it: printed back by bash, then passed on.
        const argument = execFileSync("bash", ["-c", `printf %s ${hint}`], { encoding: "utf8" });
        after = ["--after", argument];
      }
      expect(seen).toEqual([...odd].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      const bad = await runCli(["streams", ...own.args, "--after", '["x/y"]']);
      expect(bad.code).toBe(2);
    } finally {
      await own.cleanup();
    }
  });

  it("events: one stream as stored, oldest first, from a sequence, the type asked when ambiguous", async () => {
    const ambiguous = await runCli(["events", "acct-000", ...store.args]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain("exists under several aggregate types (account, user): pass --type");
    const user = await runCli(["events", "acct-000", "--type", "user", ...store.args, "--json"]);
    expect(user.code).toBe(0);
    const stored = log.filter((e) => e.aggregateType === "user");
    expect(jsonLines(user.stdout)).toEqual(
      stored.map((e) => ({
        aggregateType: "user",
        aggregateId: "acct-000",
        sequence: e.sequence,
        position: String(e.position),
        commitStart: e.commitStart,
        eventId: e.eventId,
        eventType: e.eventType,
        eventVersion: e.eventVersion,
        payload: JSON.parse(e.payload),
        metadata: e.metadata,
        recordedAt: e.recordedAt.toISOString(),
      })),
    );
    const from = await runCli(["events", "acct-001", ...store.args, "--from", "1", "--json"]);
    expect(jsonLines(from.stdout).map((e) => e.sequence)).toEqual([2]);
    // The payload written with spaces: its text is carried as stored.
    const spaced = await runCli(["events", "acct-001", ...store.args, "--json"]);
    expect(jsonLines(spaced.stdout)[0]).toMatchObject({
      payload: { owner: "Zoë", limit: 1.5 },
      payloadText: '{ "owner" : "Zoë",  "limit": 1.50 }',
    });
    const human = await runCli(["events", "acct-001", ...store.args]);
    expect(human.stdout).toContain('account/acct-001 #1  Opened v1  { "owner" : "Zoë",  "limit": 1.50 }');
    const none = await runCli(["events", "nobody", ...store.args]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no stream has the aggregate id "nobody"');
  });

  it("tail: the last 20, or everything after a position, of some types", async () => {
    const last = await runCli(["tail", ...store.args, "--json"]);
    expect(jsonLines(last.stdout).map((e) => e.position)).toEqual(
      log.slice(-20).map((e) => String(e.position)),
    );
    const after = await runCli([
      "tail",
      ...store.args,
      "--json",
      "--from",
      String(log[3]?.position),
      "--type",
      "user",
    ]);
    expect(jsonLines(after.stdout).map((e) => e.eventType)).toEqual(["Registered", "Renamed"]);
    expect(jsonLines(after.stdout)[1]).toMatchObject({ eventVersion: 2, metadata: { by: "admin" } });
  });

  it("tail --follow prints new commits as they are stored, until Ctrl-C", async () => {
    const head = log[log.length - 1]?.position as bigint;
    const follow = startCli(["tail", ...store.args, "--json", "--from", String(head), "--follow"]);
    try {
      // Appended after the bin started: it only sees them by following.
      await new Promise((resolve) => setTimeout(resolve, 0));
      await store.store.append([
        {
          aggregateType: "account",
          aggregateId: "followed",
          expectedSequence: 0,
          events: [
            { eventType: "Opened", payload: "{}", metadata: {} },
            { eventType: "Deposited", payload: '{"amount":1}', metadata: {} },
          ],
        },
      ]);
      const lines = await follow.lines(2);
      expect(lines.map((line) => (JSON.parse(line) as { aggregateId: string }).aggregateId)).toEqual([
        "followed",
        "followed",
      ]);
    } finally {
      follow.child.kill("SIGINT");
    }
    const result = await follow.done;
    expect(result.code).toBe(0);
  });

  it("queries: checkpoint, lag, pending reset and skipped positions; stats: totals and event types", async () => {
    const queries = await runCli(["queries", ...store.args, "--json"]);
    // The lag counts the events of the log after the checkpoint.
    const behind = (await store.store.readAll(4n, 100_000)).length;
    expect(jsonLines(queries.stdout)).toEqual([
      {
        name: "balances",
        checkpoint: "4",
        lag: behind,
        holder: null,
        resetPending: false,
        generation: 0,
        skipped: [],
      },
    ]);
    await store.store.skipQueryEvent?.("balances", 7n);
    await store.store.skipQueryEvent?.("balances", 6n);
    const skipping = jsonLines((await runCli(["queries", ...store.args, "--json"])).stdout);
    expect(skipping[0]).toMatchObject({ lag: behind, skipped: ["6", "7"] });
    const table = (await runCli(["queries", ...store.args])).stdout.split("\n");
    expect(table[0]).toMatch(/^NAME\s+CHECKPOINT\s+LAG\s+RESET\s+SKIPPED\s+HOLDER$/);
    expect(table[1]).toMatch(new RegExp(`^balances\\s+4\\s+${behind}\\s+-\\s+6,7\\s+-$`));
    const stats = await runCli(["stats", ...store.args, "--json"]);
    const parsed = JSON.parse(stats.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      streams: 14,
      snapshots: 1,
      checkpoints: 1,
      headPosition: String((await store.store.readAll(0n, 100_000)).at(-1)?.position),
    });
    expect(parsed.eventTypes).toContainEqual({ eventType: "Renamed", count: 1, versions: [2] });
    const human = await runCli(["stats", ...store.args]);
    expect(human.stdout).toMatch(/streams\s+14/);
  });

  it("reset-query asks for --yes away from a terminal, and records the reset where the store can", async () => {
    const unconfirmed = await runCli(["reset-query", "balances", ...store.args]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("pass --yes when not run from a terminal");
    const unknown = await runCli(["reset-query", "nothing", "--yes", ...store.args]);
    expect(unknown.code).toBe(1);
    const reset = await runCli(["reset-query", "balances", "--yes", ...store.args]);
    if (typeof (store.store as { requestQueryReset?: unknown }).requestQueryReset === "function") {
      expect(reset.code).toBe(0);
      expect(reset.stdout).toContain('reset of "balances" recorded');
      expect(unknown.stderr).toContain('no named query "nothing"');
      // The reset is pending until a runner calls the query's reset(); it forgets the skipped positions.
      const after = jsonLines((await runCli(["queries", ...store.args, "--json"])).stdout);
      expect(after[0]).toMatchObject({ checkpoint: "0", resetPending: true, generation: 1, skipped: [] });
      expect((await runCli(["queries", ...store.args])).stdout).toMatch(/^balances\s+0\s+\d+\s+pending\s/m);
    } else {
      expect(reset.code).toBe(1);
      expect(reset.stderr).toContain("this store cannot record a query reset");
    }
  });

  it("reset-query refuses a store that does not exist, and creates nothing", async () => {
    if (kind.name === "sqlite") {
      const path = join(tmpdir(), `${freshSchemaName("missing")}.db`);
      const refused = await runCli(["reset-query", "balances", "--yes", "--db", path]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`no SQLite file at "${path}"`);
      expect(existsSync(path)).toBe(false);
    } else {
      const schema = freshSchemaName("es_cli_missing");
      const refused = await runCli([
        "reset-query",
        "balances",
        "--yes",
        "--db",
        postgresUrl,
        "--schema",
        schema,
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`schema "${schema}"`);
      expect(refused.stderr).toContain("holds no eventsourcing store");
      const found = await withPostgres((client) =>
        client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]),
      );
      expect(found.rowCount).toBe(0);
    }
  });
});
