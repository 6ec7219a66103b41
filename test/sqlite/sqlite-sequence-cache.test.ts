import { afterEach, expect, it } from "vitest";
import type { EventStore } from "../../src/core/event-store.js";
import { sqliteStore } from "../../src/stores/sqlite/index.js";
import { createSqliteTestStore, type SqliteTestStore } from "../support/sqlite.js";

const event = { eventType: "E", payload: "{}", metadata: {} };
let created: SqliteTestStore | undefined;
let other: EventStore | undefined;
afterEach(async () => {
  await other?.close();
  await created?.cleanup();
});

it("sees another handle's append to an aggregate it wrote before, and refuses its own stale one", async () => {
  created = await createSqliteTestStore();
  const mine = created.store;
  other = sqliteStore({ path: created.path });
  await other.init();
  expect(
    (
      await mine.append([
        { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [event] },
      ])
    )[0]?.ok,
  ).toBe(true);
  expect(
    (
      await other.append([
        { aggregateType: "default", aggregateId: "a", expectedSequence: 1, events: [event] },
      ])
    )[0]?.ok,
  ).toBe(true);
  const stale = (
    await mine.append([{ aggregateType: "default", aggregateId: "a", expectedSequence: 1, events: [event] }])
  )[0];
  expect(stale).toEqual({
    ok: false,
    error: { aggregateType: "default", aggregateId: "a", expectedSequence: 1, actualSequence: 2 },
  });
  const fresh = (
    await mine.append([
      { aggregateType: "default", aggregateId: "a", expectedSequence: 2, events: [event, event] },
    ])
  )[0];
  expect(fresh?.ok && fresh.value.map((e) => e.sequence)).toEqual([3, 4]);
  expect(
    (
      await other.append([
        { aggregateType: "default", aggregateId: "a", expectedSequence: 2, events: [event] },
      ])
    )[0]?.ok,
  ).toBe(false);
  expect((await other.readAggregate("default", "a", 0)).map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
});
