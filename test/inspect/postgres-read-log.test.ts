/**
 * The PostgreSQL inspector's read of the whole log gets each time as milliseconds from the server
 * rather than timestamp text: it must give the events, times included, that the store's own readAll
 * gives, for times written by other means too (microseconds, before 1970, years 0 to 99 and BC, an
 * offset, infinity, past what JavaScript holds).
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import type { EventStore } from "../../src/core/event-store.js";
import { inspectStore } from "../../src/inspect/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import {
  describePostgres,
  dropSchema,
  freshSchemaName,
  postgresUrl,
  withPostgres,
} from "../support/postgres.js";

const TIMES = [
  "2020-01-01 00:00:00.029999+00",
  "1969-12-31 23:59:59.9995+00",
  "0050-06-01 12:00:00.123456+00",
  "0044-03-15 00:00:00.5+00 BC",
  "1900-02-28 23:59:59.999999+05:30",
  "infinity",
  "-infinity",
  "275760-09-13 00:00:00+00",
  "275760-09-13 00:00:00.001+00",
];

describePostgres("the PostgreSQL inspector's readLog", () => {
  let schema: string;
  let store: EventStore;
  beforeEach(async () => {
    schema = freshSchemaName("es_read_log");
    store = postgresStore({ connectionString: postgresUrl, schema, max: 2 });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    await dropSchema(schema);
  });

  it("gives the events and times the store's readAll gives", async () => {
    for (let i = 0; i < TIMES.length + 3; i++) {
      await store.append([
        {
          aggregateType: "account",
          aggregateId: `a-${i}`,
          expectedSequence: 0,
          ...(i % 2 === 0 ? { commandId: `c-${i}` } : {}),
          events: [{ eventType: "Opened", payload: `{"i": ${i}}`, metadata: i % 3 === 0 ? {} : { by: "t" } }],
        },
      ]);
    }
    const positions = (await store.readAll(0n, 100)).map((e) => e.position);
    await withPostgres(async (client) => {
      for (const [i, time] of TIMES.entries()) {
        await client.query(`UPDATE "${schema}".events SET recorded_at = $1 WHERE position = $2`, [
          time,
          String(positions[i]),
        ]);
      }
    });
    const expected = await store.readAll(0n, 100);
    const read = await inspectStore(store).readLog(0n, 100);
    expect(read.length).toBe(TIMES.length + 3);
    const times = (events: readonly { recordedAt: Date }[]) => events.map((e) => e.recordedAt.getTime());
    expect(times(read)).toEqual(times(expected));
    // Microseconds dropped, as the driver does: the first time is .029 s, not .030.
    expect(read[0]?.recordedAt.toISOString()).toBe("2020-01-01T00:00:00.029Z");
    expect(Number.isNaN(read[5]?.recordedAt.getTime())).toBe(true);
    const withoutTimes = (events: readonly object[]) => events.map((e) => ({ ...e, recordedAt: undefined }));
    expect(withoutTimes(read)).toEqual(withoutTimes(expected));
    // Paged from a position, as migrate and export read it.
    expect(times(await inspectStore(store).readLog(positions[3] as bigint, 3))).toEqual(
      times(expected.slice(4, 7)),
    );
  });
});
