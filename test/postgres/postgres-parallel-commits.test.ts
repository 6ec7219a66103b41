/**
 * PostgreSQL without a global lock: appends of several connections and processes commit in parallel,
 * and still a reader following the global log never skips an event that commits late, sees every
 * stream in commit order, and a conflict on one stream of a batch leaves the batch's others intact.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import type { AppendRequest, EncodedEvent, EventStore, StoredEvent } from "../../src/core/event-store.js";
import { inspectStore } from "../../src/inspect/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { describePostgres, dropSchema, freshSchemaName, postgresUrl } from "../support/postgres.js";

const event = (n: number): EncodedEvent => ({
  eventType: "Counted",
  payload: JSON.stringify({ n }),
  metadata: {},
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Arguments of `append_events` for one request, as the store sends them. */
function rawAppend(id: string, expected: number, count: number): unknown[] {
  const numbers = Array.from({ length: count }, (_, i) => i + 1);
  return [
    ["default"],
    [id],
    [expected],
    numbers.map(() => 1),
    numbers,
    numbers.map(() => randomUUID()),
    numbers.map(() => "Counted"),
    numbers.map(() => 1),
    numbers.map((n) => JSON.stringify({ n })),
    numbers.map(() => "{}"),
    [null],
  ];
}

const APPEND = (schema: string) =>
  `SELECT * FROM "${schema}".append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

describePostgres("PostgreSQL appends in parallel", () => {
  const schemas: string[] = [];
  const stores: EventStore[] = [];
  const clients: pg.Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(schemas.map(dropSchema));
  });
  const open = (schema: string, max = 3) => {
    const store = postgresStore({ connectionString: postgresUrl, schema, max });
    stores.push(store);
    return store;
  };
  const client = async () => {
    const c = new pg.Client({ connectionString: postgresUrl });
    c.on("error", () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  };
  /** A fresh schema and an initialized store on it. */
  const fresh = async (max = 3) => {
    const schema = freshSchemaName();
    schemas.push(schema);
    const store = open(schema, max);
    await store.init();
    return { schema, store };
  };

  it("commits while another transaction holds its append open, instead of waiting for it", async () => {
    const { schema, store } = await fresh();
    const slow = await client();
    await slow.query("BEGIN");
    await slow.query(APPEND(schema), rawAppend("slow", 0, 2));
    // With a global lock this append would wait for the slow transaction's COMMIT, which never comes here.
    const [outcome] = await Promise.race([
      store.append([
        { aggregateType: "default", aggregateId: "fast", expectedSequence: 0, events: [event(1)] },
      ]),
      sleep(5_000).then(() => {
        throw new Error("the append waited for an unrelated open transaction");
      }),
    ]);
    expect(outcome?.ok).toBe(true);
    await slow.query("ROLLBACK");
    // The rolled-back transaction leaves nothing; the log shows the fast commit once it is safe to.
    expect((await store.readAll(0n, 10)).map((e) => e.aggregateId)).toEqual(["fast"]);
  });

  it("makes a request that loses its stream to a concurrent writer a conflict, whole, and keeps the batch's others", async () => {
    const { schema, store } = await fresh();
    const other = await client();
    for (const finish of ["COMMIT", "ROLLBACK"] as const) {
      const s = `s-${finish}`;
      const t = `t-${finish}`;
      await other.query("BEGIN");
      await other.query(APPEND(schema), rawAppend(s, 0, 2));
      // Both expect the stream empty: the store's insert waits for the other writer, then loses or wins.
      const pending = store.append([
        {
          aggregateType: "default",
          aggregateId: s,
          expectedSequence: 0,
          events: [event(1), event(2), event(3)],
        },
        { aggregateType: "default", aggregateId: t, expectedSequence: 0, events: [event(4)] },
      ]);
      await sleep(100);
      await other.query(finish);
      const [onS, onT] = await pending;
      expect(onT?.ok).toBe(true);
      const stream = await store.readAggregate("default", s, 0);
      if (finish === "COMMIT") {
        expect(onS).toMatchObject({ ok: false, error: { expectedSequence: 0, actualSequence: 2 } });
        // Exactly the other writer's two events: none of the loser's third event is left behind.
        expect(stream.map((e) => e.payload)).toEqual(['{"n":1}', '{"n":2}']);
        expect(stream.map((e) => e.sequence)).toEqual([1, 2]);
      } else {
        expect(onS?.ok).toBe(true);
        expect(stream.map((e) => e.sequence)).toEqual([1, 2, 3]);
      }
    }
  });

  it("never deadlocks two appends naming the same streams in opposite orders: each stream won once, the others kept", async () => {
    const { schema, store } = await fresh();
    const raw = await client();
    // The raw transaction holds stream "a" open; the store's batch names "b" then "a"; then the raw
    // transaction writes "b". Inserting in the batch's order, the store would hold "b" while waiting
    // for "a", and the raw side wait for "b": a deadlock, which PostgreSQL ends by failing one of them.
    await raw.query("BEGIN");
    await raw.query(APPEND(schema), rawAppend("a", 0, 1));
    const batch = store.append([
      { aggregateType: "default", aggregateId: "b", expectedSequence: 0, events: [event(1)] },
      { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [event(1)] },
      { aggregateType: "default", aggregateId: "c", expectedSequence: 0, events: [event(1)] },
    ]);
    await sleep(200);
    await raw.query(APPEND(schema), rawAppend("b", 0, 1));
    await raw.query("COMMIT");
    const [onB, onA, onC] = await batch;
    expect(onA).toMatchObject({ ok: false, error: { actualSequence: 1 } });
    expect(onB).toMatchObject({ ok: false, error: { actualSequence: 1 } });
    expect(onC?.ok).toBe(true);
  });

  it("refuses append_events in a transaction that wrote before it, and allows a second call after a first", async () => {
    const { schema, store } = await fresh();
    const raw = await client();
    await raw.query("BEGIN");
    await raw.query("SELECT txid_current()");
    const refused = await raw
      .query(APPEND(schema), rawAppend("early", 0, 1))
      .catch((error: unknown) => error);
    await raw.query("ROLLBACK");
    expect(refused).toMatchObject({
      code: "55000",
      message: "append_events must be the first write of its transaction",
    });
    await raw.query("BEGIN");
    await raw.query(APPEND(schema), rawAppend("twice", 0, 1));
    await raw.query(APPEND(schema), rawAppend("twice", 1, 1));
    await raw.query("COMMIT");
    expect((await store.readAll(0n, 10)).map((e) => `${e.aggregateId}#${e.sequence}`)).toEqual([
      "twice#1",
      "twice#2",
    ]);
  });

  it("lets appends go on while an import waits for the append lock", async () => {
    const { schema, store } = await fresh(4);
    const held = await client();
    await held.query("BEGIN");
    await held.query(APPEND(schema), rawAppend("held", 0, 1));
    const stored = (await store.readAll(0n, 10)).length;
    expect(stored).toBe(0);
    const importing = inspectStore(store).importEvents(
      [
        {
          aggregateType: "default",
          aggregateId: "imported",
          sequence: 1,
          position: 0n,
          commitStart: 1,
          eventId: randomUUID(),
          eventType: "Counted",
          eventVersion: 1,
          payload: '{"n":9}',
          metadata: {},
          recordedAt: new Date(),
        },
      ],
      { keepPositions: false },
    );
    await sleep(300);
    // With the import queued for the lock, this append would wait for the held transaction.
    const [outcome] = await Promise.race([
      store.append([
        { aggregateType: "default", aggregateId: "meanwhile", expectedSequence: 0, events: [event(1)] },
      ]),
      sleep(5_000).then(() => {
        throw new Error("an append waited behind the import");
      }),
    ]);
    expect(outcome?.ok).toBe(true);
    await held.query("COMMIT");
    expect(await importing).toEqual({ written: 1, skipped: 0 });
  });

  it("refuses a batch holding a commit too large for a transaction before writing any of it", async () => {
    const { store } = await fresh();
    const huge = new Array<EncodedEvent>(2 ** 20 + 1).fill(event(0));
    const refused = await store
      .append([
        { aggregateType: "default", aggregateId: "small", expectedSequence: 0, events: [event(1)] },
        { aggregateType: "default", aggregateId: "huge", expectedSequence: 0, events: huge },
      ])
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "54000" });
    expect(store.isRequestError?.(refused)).toBe(true);
    expect(await store.readAggregate("default", "small", 0)).toEqual([]);
  });

  it("gives readers every committed event once, in one order, each stream in sequence order, whatever writers hold open or roll back", async () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    const writers = [open(schema, 4), open(schema, 4), open(schema, 4)];
    const readers = [open(schema, 2), open(schema, 2)];
    await Promise.all([...writers, ...readers].map((store) => store.init()));
    const holders = [await client(), await client()];
    let round = 0;

    // One step of a writer: a batch through a store, or an append held open by a raw transaction that
    // then commits or rolls back.
    const step = fc.oneof(
      fc.record({
        kind: fc.constant("batch" as const),
        writer: fc.integer({ min: 0, max: writers.length - 1 }),
        streams: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
        events: fc.integer({ min: 1, max: 3 }),
      }),
      fc.record({
        kind: fc.constant("held" as const),
        holder: fc.integer({ min: 0, max: holders.length - 1 }),
        stream: fc.integer({ min: 0, max: 5 }),
        holdMs: fc.integer({ min: 1, max: 40 }),
        commit: fc.boolean(),
      }),
    );

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { minLength: 2, maxLength: 4 }),
        async (lanes) => {
          round++;
          const prefix = `r${round}-`;
          let writing = true;
          const seen: StoredEvent[][] = readers.map(() => []);
          const follow = readers.map(async (reader, r) => {
            let after = 0n;
            for (;;) {
              const done = !writing;
              const page = await reader.readAll(after, 7);
              for (const e of page) if (e.aggregateId.startsWith(prefix)) seen[r]?.push(e);
              after = page.at(-1)?.position ?? after;
              if (done && page.length === 0) return;
              if (page.length === 0) await sleep(1);
            }
          });
          const sequences = new Map<string, number>();
          const next = (id: string) => sequences.get(id) ?? 0;
          // Each lane runs its steps in order; lanes run at once. A lane owns its raw holder while it holds.
          const holderBusy = holders.map(() => Promise.resolve());
          await Promise.all(
            lanes.map(async (steps, lane) => {
              for (const s of steps) {
                if (s.kind === "batch") {
                  const ids = [...new Set(s.streams.map((n) => `${prefix}${lane}-${n}`))];
                  const requests: AppendRequest[] = ids.map((id) => ({
                    aggregateType: "default",
                    aggregateId: id,
                    expectedSequence: next(id),
                    events: Array.from({ length: s.events }, (_, i) => event(i)),
                  }));
                  const outcomes = await writers[s.writer]?.append(requests);
                  outcomes?.forEach((outcome, i) => {
                    if (outcome.ok) sequences.set(ids[i] as string, outcome.value.at(-1)?.sequence ?? 0);
                  });
                } else {
                  const id = `${prefix}held-${s.holder}-${s.stream}`;
                  const previous = holderBusy[s.holder] as Promise<void>;
                  let done = () => {};
                  holderBusy[s.holder] = new Promise<void>((resolve) => (done = resolve));
                  await previous;
                  try {
                    const raw = holders[s.holder] as pg.Client;
                    const current = await readers[0]?.currentSequence("default", id);
                    await raw.query("BEGIN");
                    await raw.query(APPEND(schema), rawAppend(id, current ?? 0, 2));
                    await sleep(s.holdMs);
                    await raw.query(s.commit ? "COMMIT" : "ROLLBACK");
                  } finally {
                    done();
                  }
                }
              }
            }),
          );
          writing = false;
          await Promise.all(follow);

          const log = (await readers[0]?.readAll(0n, 1_000_000))?.filter((e) =>
            e.aggregateId.startsWith(prefix),
          );
          // Every reader saw exactly the final log, in its order: nothing skipped, nothing twice.
          for (const r of seen) expect(r.map((e) => e.position)).toEqual(log?.map((e) => e.position));
          const positions = log?.map((e) => e.position) ?? [];
          expect(positions.every((p, i) => i === 0 || p > (positions[i - 1] as bigint))).toBe(true);
          // Each stream appears in the log in sequence order, without gaps.
          const streams = new Map<string, number[]>();
          for (const e of log ?? [])
            streams.set(e.aggregateId, [...(streams.get(e.aggregateId) ?? []), e.sequence]);
          for (const [, list] of streams) expect(list).toEqual(list.map((_, i) => i + 1));
        },
      ),
      { numRuns: 8 },
    );
  }, 120_000);
});
