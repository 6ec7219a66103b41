import { afterEach, expect, it } from "vitest";
import type { AppendRequest, StoredEvent } from "../../src/core/event-store.js";
import { createSqliteTestStore, type SqliteTestStore } from "../support/sqlite.js";

let created: SqliteTestStore | undefined;
afterEach(async () => {
  await created?.cleanup();
  created = undefined;
});

const event = (n: number) => ({ eventType: "E", payload: JSON.stringify({ n }), metadata: {} });

/** One call of `streams` requests of 1 to 3 events (rows past several multi-row chunks and a ragged rest). */
function requests(streams: number, round: number, expected: (stream: number) => number): AppendRequest[] {
  return Array.from({ length: streams }, (_, stream) => ({
    aggregateType: stream % 2 === 0 ? "default" : "other",
    aggregateId: `s-${stream}`,
    expectedSequence: expected(stream),
    events: Array.from({ length: 1 + ((stream + round) % 3) }, (_, i) => event(round * 1000 + i)),
    ...(stream % 5 === 0 ? { commandId: `c-${round}-${stream}` } : {}),
  }));
}

it("gives each event of a large batch the position, id and sequence it is stored with", async () => {
  created = await createSqliteTestStore();
  const { store } = created;
  const ends = new Map<number, number>();
  const returned: StoredEvent[] = [];
  // 1, 37, 64, 65, 101 and 203 streams: row counts on both sides of every chunk size.
  for (const [round, streams] of [1, 37, 64, 65, 101, 203].entries()) {
    const outcomes = await store.append(requests(streams, round, (stream) => ends.get(stream) ?? 0));
    for (const [stream, outcome] of outcomes.entries()) {
      if (!outcome.ok) throw new Error(`stream ${stream} refused`);
      returned.push(...outcome.value);
      ends.set(stream, outcome.value.at(-1)?.sequence ?? 0);
    }
  }
  const stored = await store.readAll(0n, 100_000);
  expect(returned.length).toBeGreaterThan(600);
  expect(stored).toEqual(returned);
  // Positions follow the order of the requests, then of their events.
  expect(returned.map((e) => e.position)).toEqual(returned.map((_, i) => BigInt(i + 1)));
});

it("checks a second request for a stream in one batch against the first one's end", async () => {
  created = await createSqliteTestStore();
  const { store } = created;
  const filler = requests(70, 0, () => 0).map((request) => ({
    ...request,
    aggregateId: `f-${request.aggregateId}`,
  }));
  const batch: AppendRequest[] = [
    { aggregateType: "default", aggregateId: "twice", expectedSequence: 0, events: [event(1), event(2)] },
    ...filler,
    { aggregateType: "default", aggregateId: "twice", expectedSequence: 2, events: [event(3)] },
    // Stale: the stream ends at 3 by now. Refused alone; the rest are written.
    { aggregateType: "default", aggregateId: "twice", expectedSequence: 2, events: [event(4)] },
    { aggregateType: "default", aggregateId: "after", expectedSequence: 0, events: [event(5)] },
  ];
  const outcomes = await store.append(batch);
  expect(outcomes.map((outcome) => outcome.ok)).toEqual([...batch.map(() => true).slice(0, -2), false, true]);
  expect(outcomes.at(-2)).toEqual({
    ok: false,
    error: { aggregateType: "default", aggregateId: "twice", expectedSequence: 2, actualSequence: 3 },
  });
  const twice = await store.readAggregate("default", "twice", 0);
  expect(twice.map((e) => [e.sequence, e.commitStart, e.payload])).toEqual([
    [1, 1, '{"n":1}'],
    [2, 1, '{"n":2}'],
    [3, 3, '{"n":3}'],
  ]);
  const all = await store.readAll(0n, 10_000);
  const written = outcomes.flatMap((outcome) => (outcome.ok ? outcome.value : []));
  expect(all).toEqual(written);
});

it("refuses a batch whose rows did not get consecutive positions, and writes nothing of it", async () => {
  created = await createSqliteTestStore();
  const { store, path } = created;
  const Database = (await import("better-sqlite3")).default;
  const other = new Database(path);
  try {
    // A trigger of the application's that writes a row of its own in the middle of the batch: the rows
    // after it do not hold the positions counted from the last one.
    other.exec(
      "CREATE TRIGGER intruder AFTER INSERT ON eventsourcing_events WHEN NEW.aggregate_id = 's-3' BEGIN " +
        "INSERT INTO eventsourcing_events (aggregate_type, aggregate_id, sequence, commit_start, event_id, " +
        "event_type, event_version, payload, metadata, recorded_at) " +
        "VALUES ('x', 'intruder', 1, 1, 'intruder-id', 'E', 1, '{}', '{}', 0); END",
    );
  } finally {
    other.close();
  }
  await expect(store.append(requests(70, 0, () => 0))).rejects.toThrow(/did not get consecutive positions/);
  expect(await store.readAll(0n, 1_000)).toEqual([]);
});
