/**
 * A prototype, for measurement only: our SQLite store with its appends written by a second
 * better-sqlite3 connection on a worker thread, so that the main thread does not run the insert
 * transaction. Everything but `append` goes to the ordinary store (its main-thread connection; WAL lets
 * it read what the worker committed once the worker has answered). The worker checks each request's
 * expected sequence and inserts its rows in one `BEGIN IMMEDIATE` transaction per call, `synchronous =
 * FULL` as the store's default, and answers after `COMMIT` with each request's first position (or the
 * sequence found). Event ids are made on the main thread and sent with the rows.
 *
 * `makeStore(path, "N")` gives the store `appendConcurrency` N (default 2): with 2, group commit keeps
 * a second batch queued in the worker while the main thread settles the first one's commands; the
 * worker's transactions still run one after another, in the order they were posted.
 *
 * Not a store to use: no busy retry beyond SQLite's own wait on the worker, no wake-up of this
 * process's queries (only the data_version poll), no isolation of one refused request.
 *
 * Used by `bench/sqlite-event-loop.ts --module ./sqlite-worker-prototype.ts --contenders sqlite,other:1,other:2`.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { newEventId } from "../src/core/event-id.js";
import type { AppendOutcome, AppendRequest, EventStore, StoredEvent } from "../src/core/event-store.js";
import { err, ok } from "../src/core/result.js";
import { sqliteStore } from "../src/stores/sqlite/index.js";
import { tables } from "../src/stores/sqlite/sqlite-schema.js";

const driverPath = createRequire(import.meta.url).resolve("better-sqlite3");

/** The worker's code: plain JavaScript, so that it needs no TypeScript loader. */
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driverPath);
const db = new Database(workerData.path);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.pragma("busy_timeout = 10000");
const begin = db.prepare("BEGIN IMMEDIATE");
const commit = db.prepare("COMMIT");
const rollback = db.prepare("ROLLBACK");
const version = db.prepare("PRAGMA data_version");
const current = db.prepare("SELECT COALESCE(MAX(sequence), 0) AS sequence FROM ${tables.events} WHERE aggregate_type = ? AND aggregate_id = ?");
const insert = db.prepare("INSERT INTO ${tables.events} (aggregate_type, aggregate_id, sequence, commit_start, event_id, event_type, event_version, payload, metadata, recorded_at, command_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").safeIntegers(true);
const cache = new Map();
let cachedVersion;
parentPort.on("message", ({ id, rows, now }) => {
  // rows: per request [type, id, expected, count, ...per event (eventId, eventType, version, payload, metadata), commandId]
  try {
    begin.run();
    const seen = version.get().data_version;
    if (seen !== cachedVersion) cache.clear();
    const answers = [];
    try {
      for (const request of rows) {
        const [type, aggregateId, expected, count] = request;
        const key = type + "\\u0000" + aggregateId;
        const actual = cache.get(key) ?? current.get(type, aggregateId).sequence;
        if (actual !== expected) { answers.push(-actual - 1); continue; }
        cache.set(key, actual + count);
        let first = 0n;
        const commandId = request[4 + count * 5] ?? null;
        for (let i = 0; i < count; i++) {
          const at = 4 + i * 5;
          const { lastInsertRowid } = insert.run(type, aggregateId, expected + 1 + i, expected + 1, request[at], request[at + 1], request[at + 2], request[at + 3], request[at + 4], now, commandId);
          if (i === 0) first = lastInsertRowid;
        }
        answers.push(first);
      }
      commit.run();
      cachedVersion = version.get().data_version;
    } catch (error) {
      if (db.inTransaction) rollback.run();
      cache.clear();
      cachedVersion = undefined;
      throw error;
    }
    parentPort.postMessage({ id, answers });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

/** The store at `path` with appends on a worker thread. */
export async function makeStore(path: string, variant = "2"): Promise<EventStore> {
  const concurrency = Number(variant === "" ? "2" : variant);
  const inner = sqliteStore({ path });
  await inner.init?.();
  const worker = new Worker(workerSource, { eval: true, workerData: { path, driverPath } });
  worker.unref();
  const waiting = new Map<
    number,
    { resolve: (answers: (bigint | number)[]) => void; reject: (e: unknown) => void }
  >();
  let next = 0;
  worker.on(
    "message",
    (message: { id: number; answers?: (bigint | number)[]; error?: { message: string; code?: string } }) => {
      const entry = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error !== undefined)
        entry?.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
      else entry?.resolve(message.answers as (bigint | number)[]);
    },
  );
  const append = async (requests: readonly AppendRequest[]): Promise<readonly AppendOutcome[]> => {
    const now = Date.now();
    const ids: string[][] = [];
    const rows = requests.map((request) => {
      const row: unknown[] = [
        request.aggregateType,
        request.aggregateId,
        request.expectedSequence,
        request.events.length,
      ];
      const eventIds: string[] = [];
      for (const event of request.events) {
        const eventId = newEventId();
        eventIds.push(eventId);
        const metadata = event.metadata;
        let text = "{}";
        for (const _ in metadata) {
          text = JSON.stringify(metadata);
          break;
        }
        row.push(eventId, event.eventType, event.eventVersion ?? 1, event.payload, text);
      }
      row.push(request.commandId ?? null);
      ids.push(eventIds);
      return row;
    });
    const id = next++;
    const answers = await new Promise<(bigint | number)[]>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, rows, now });
    });
    const recordedAt = new Date(now);
    return requests.map((request, index): AppendOutcome => {
      const answer = answers[index] as bigint | number;
      const { aggregateType, aggregateId, expectedSequence, commandId } = request;
      if (typeof answer === "number")
        return err({ aggregateType, aggregateId, expectedSequence, actualSequence: -answer - 1 });
      const eventIds = ids[index] as string[];
      return ok(
        request.events.map((event, i): StoredEvent => {
          const stored: StoredEvent = {
            aggregateType,
            aggregateId,
            sequence: expectedSequence + 1 + i,
            position: answer + BigInt(i),
            commitStart: expectedSequence + 1,
            eventId: eventIds[i] as string,
            eventType: event.eventType,
            eventVersion: event.eventVersion ?? 1,
            payload: event.payload,
            metadata: event.metadata,
            recordedAt,
          };
          return commandId === undefined ? stored : { ...stored, commandId };
        }),
      );
    });
  };
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key === "append") return append;
      if (key === "appendConcurrency") return concurrency;
      if (key === "close")
        return async () => {
          await worker.terminate();
          await target.close?.();
        };
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
