import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import type { EncodedEvent, EventStore } from "../../src/core/event-store.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { describePostgres, dropSchema, freshSchemaName, postgresUrl } from "../support/postgres.js";

const event = (n: number): EncodedEvent => ({
  eventType: "Counted",
  payload: JSON.stringify({ n }),
  metadata: {},
});

describePostgres("the PostgreSQL global log", () => {
  const schemas: string[] = [];
  const stores: EventStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(schemas.map(dropSchema));
  });
  const open = (schema: string) => {
    const store = postgresStore({ connectionString: postgresUrl, schema, max: 3 });
    stores.push(store);
    return store;
  };

  it("never lets a reader pass a transaction that holds its insert open while another writer commits", async () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    const store = open(schema);
    await store.init();
    await store.append([
      { aggregateType: "default", aggregateId: "before", expectedSequence: 0, events: [event(0)] },
    ]);

    const slow = new pg.Client({ connectionString: postgresUrl });
    slow.on("error", () => undefined);
    await slow.connect();
    try {
      // The slow writer inserts through the store's own append path and does not commit yet.
      await slow.query("BEGIN");
      await slow.query(
        `SELECT * FROM "${schema}".append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [["default"], ["slow"], [0], [1], [1], [randomUUID()], ["Counted"], [1], ['{"n":1}'], ["{}"], [null]],
      );
      // No global lock: the fast writer commits while the slow one is open...
      const [outcome] = await store.append([
        { aggregateType: "default", aggregateId: "fast", expectedSequence: 0, events: [event(2)] },
      ]);
      expect(outcome?.ok).toBe(true);
      const fastPosition = outcome?.ok ? (outcome.value[0]?.position ?? 0n) : 0n;
      expect((await store.readAggregate("default", "fast", 0)).map((e) => e.position)).toEqual([
        fastPosition,
      ]);

      // ...but a reader of the global log does not pass the open transaction: nothing after "before".
      const during = await store.readAll(0n, 100);
      expect(during.map((e) => e.aggregateId)).toEqual(["before"]);
      expect(await store.headPosition?.()).toBe(during[0]?.position);

      await slow.query("COMMIT");
      const after = await store.readAll(during[0]?.position ?? 0n, 100);
      expect(after.map((e) => e.aggregateId)).toEqual(["slow", "fast"]);
      expect((after[0]?.position ?? 0n) < (after[1]?.position ?? 0n)).toBe(true);
      expect(after[1]?.position).toBe(fastPosition);
    } finally {
      await slow.end();
    }
  });

  it("gives a follower every event exactly once while four pools append concurrently", async () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    const writers = [open(schema), open(schema), open(schema), open(schema)];
    const reader = open(schema);
    await Promise.all([...writers, reader].map((store) => store.init()));

    let writing = true;
    const seen: bigint[] = [];
    const follow = (async () => {
      let after = 0n;
      for (;;) {
        const done = !writing;
        const page = await reader.readAll(after, 50);
        for (const e of page) seen.push(e.position);
        after = page.at(-1)?.position ?? after;
        if (done && page.length === 0) return;
      }
    })();

    await Promise.all(
      writers.map(async (writer, w) => {
        for (let batch = 0; batch < 25; batch++) {
          await writer.append(
            Array.from({ length: 8 }, (_, i) => ({
              aggregateType: "default",
              aggregateId: `w${w}-b${batch}-${i}`,
              expectedSequence: 0,
              events: [event(i), event(i + 1)],
            })),
          );
        }
      }),
    );
    writing = false;
    await follow;

    const all = (await reader.readAll(0n, 10_000)).map((e) => e.position);
    expect(all).toHaveLength(4 * 25 * 8 * 2);
    expect(seen).toEqual(all);
  });
});
