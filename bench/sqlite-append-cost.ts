/**
 * The cost of one append batch of our SQLite store without the engine around it: the bench's concurrent
 * rows (1,000 accounts x 10 events, one request of one event per account per batch, as group commit
 * sends them) through `store.append`, against raw better-sqlite3 inserting the same rows in one
 * transaction per batch (the bench's raw contender), and the same on our store's table (its columns and
 * indexes, one event id per row). Optionally against a baseline checkout's store.
 *
 * ```sh
 * npx tsx bench/sqlite-append-cost.ts [--rounds 7] [--accounts 1000] [--baseline /tmp/base-sqlite] [--clock cpu|wall]
 * ```
 *
 * Contenders alternate round by round; before each, a forced collection and an untimed re-warm.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { newEventId } from "../src/core/event-id.js";
import type { AppendRequest, EventStore } from "../src/core/event-store.js";
import type { SqliteDatabase } from "../src/stores/sqlite/sqlite-database.js";
import { ensureSchema, tables } from "../src/stores/sqlite/sqlite-schema.js";
import { forceGc } from "./lib/measure.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? (args[at + 1] as string) : fallback;
};
const rounds = Number(option("rounds", "7"));
const accounts = Number(option("accounts", "1000"));
const baseline = option("baseline", "");

const directory = mkdtempSync(join(tmpdir(), "eventsourcing-append-"));
let files = 0;
const file = () => join(directory, `store-${++files}.db`);

/** Batch `index` (0-9): every account's event number `index + 1`. */
function batch(index: number, accountsInPlan: number): AppendRequest[] {
  const requests: AppendRequest[] = [];
  for (let account = 0; account < accountsInPlan; account++) {
    const payload =
      index === 0
        ? JSON.stringify({ accountId: `acct-${account}` })
        : JSON.stringify({ amount: 100 + index, balance: 1000 + index });
    requests.push({
      aggregateType: "default",
      aggregateId: `acct-${account}`,
      expectedSequence: index,
      events: [{ eventType: index === 0 ? "AccountOpened" : "CustomerDepositedCash", payload, metadata: {} }],
    });
  }
  return requests;
}

interface Contender {
  readonly name: string;
  /** Runs every batch; answers the ms spent. */
  run(batches: readonly AppendRequest[][]): Promise<number>;
}

/** Which time counts: wall clock, or this process's CPU time (user + system; steadier on a shared machine). */
const clock = option("clock", "cpu");
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1_000;
};
const now = clock === "cpu" ? cpuNow : () => performance.now();

function oursFrom(name: string, root: string): Contender {
  return {
    name,
    run: async (batches) => {
      const { sqliteStore } = (await import(`${root}/src/stores/sqlite/index.js`)) as {
        sqliteStore: (options: { path: string }) => EventStore;
      };
      const store = sqliteStore({ path: file() });
      await store.init?.();
      const started = now();
      for (const requests of batches) {
        const outcomes = await store.append(requests);
        if (!outcomes.every((outcome) => outcome.ok)) throw new Error(`${name}: a request was refused`);
      }
      const ms = now() - started;
      await store.close?.();
      return ms;
    },
  };
}

const raw: Contender = {
  name: "raw better-sqlite3",
  run: async (batches) => {
    const db = new Database(file());
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec(`CREATE TABLE events (
      position INTEGER PRIMARY KEY AUTOINCREMENT, aggregate_id TEXT NOT NULL,
      sequence INTEGER NOT NULL CHECK (sequence > 0), commit_start INTEGER NOT NULL,
      event_type TEXT NOT NULL, payload TEXT NOT NULL, metadata TEXT NOT NULL,
      recorded_at INTEGER NOT NULL, UNIQUE (aggregate_id, sequence))`);
    const insert = db.prepare(
      "INSERT INTO events (aggregate_id, sequence, commit_start, event_type, payload, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, '{}', ?)",
    );
    const write = db.transaction((requests: readonly AppendRequest[]) => {
      const now = Date.now();
      for (const request of requests)
        for (const [i, event] of request.events.entries())
          insert.run(
            request.aggregateId,
            request.expectedSequence + 1 + i,
            request.expectedSequence + 1,
            event.eventType,
            event.payload,
            now,
          );
    });
    const started = now();
    for (const requests of batches) write(requests);
    const ms = now() - started;
    db.close();
    return ms;
  },
};

/** Raw better-sqlite3 on our store's table (its columns and indexes), one INSERT per row, ids from our generator. */
const rawOnOurTable: Contender = {
  name: "raw on our table",
  run: async (batches) => {
    const db = new Database(file());
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    ensureSchema(db as unknown as SqliteDatabase);
    const insert = db.prepare(
      `INSERT INTO ${tables.events} (aggregate_type, aggregate_id, sequence, commit_start, event_id, event_type, ` +
        "event_version, payload, metadata, recorded_at, command_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, NULL)",
    );
    const write = db.transaction((requests: readonly AppendRequest[]) => {
      const now = Date.now();
      for (const request of requests)
        for (const [i, event] of request.events.entries())
          insert.run(
            request.aggregateType,
            request.aggregateId,
            request.expectedSequence + 1 + i,
            request.expectedSequence + 1,
            newEventId(),
            event.eventType,
            event.eventVersion ?? 1,
            event.payload,
            now,
          );
    });
    const started = now();
    for (const requests of batches) write(requests);
    const ms = now() - started;
    db.close();
    return ms;
  },
};

const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const contenders = [raw, rawOnOurTable, oursFrom("ours", here)];
if (baseline !== "") contenders.push(oursFrom("ours (baseline)", baseline));
const batches = Array.from({ length: 10 }, (_, index) => batch(index, accounts));
const warm = Array.from({ length: 10 }, (_, index) => batch(index, 100));
const rows = accounts * 10;
const results = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
try {
  console.log(
    `${accounts} accounts x 10 batches, ${clock} time; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  for (const contender of contenders) await contender.run(warm);
  for (let round = 1; round <= rounds; round++) {
    const line: string[] = [];
    // Ours and the baseline swap places every other round: neither always runs right after the raw ones.
    const order =
      round % 2 === 0 ? [...contenders.slice(0, 2), ...contenders.slice(2).reverse()] : contenders;
    for (const contender of order as Contender[]) {
      if (!args.includes("--no-gc")) forceGc();
      await contender.run(warm);
      const ms = await contender.run(batches);
      results.get(contender.name)?.push(ms);
      line.push(`${contender.name} ${((ms * 1000) / rows).toFixed(2)} us/row`);
    }
    console.log(`round ${round}: ${line.join(", ")}`);
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const rawMs = results.get(raw.name) as number[];
  for (const contender of contenders.slice(1)) {
    const ms = results.get(contender.name) as number[];
    const ratios = ms.map((m, i) => (rawMs[i] as number) / m);
    console.log(
      `${contender.name}: median ${((median(ms) * 1000) / rows).toFixed(2)} us/row; raw/ours per round ${ratios.map((r) => r.toFixed(2)).join(" ")}`,
    );
  }
  if (baseline !== "") {
    const a = results.get("ours") as number[];
    const b = results.get("ours (baseline)") as number[];
    console.log(
      `baseline/ours time per round: ${a.map((m, i) => ((b[i] as number) / m).toFixed(2)).join(" ")}`,
    );
  }
  console.log(
    `load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
} finally {
  rmSync(directory, { recursive: true, force: true });
}
