/**
 * Failures show: a named query stuck on its store, and a query stuck on a poison event, are counted and
 * visible in `systemStats()`, with the aggregate, sequence and position of what failed given to
 * `queryRetry.onError` and kept as the query's `lastError`.
 */
import { expect, it } from "vitest";
import type { BankAccountEvent } from "../../examples/bank-account/domain.js";
import { jsonCodec } from "../../src/core/codec.js";
import type { EventStore } from "../../src/core/event-store.js";
import type { EventEnvelope, QueryFailure } from "../../src/index.js";
import { manualClock } from "../../src/runtime/clock.js";
import { faultyStore } from "../support/faulty-store.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, recorder, until, useSystems } from "../support/system.js";

const opened = (id: string) => ({
  eventType: "AccountOpened",
  payload: JSON.stringify({ type: "AccountOpened", accountId: id }),
  metadata: {},
});

async function positionOf(store: EventStore, aggregateId: string, sequence: number): Promise<bigint> {
  const events = await store.readAggregate("default", aggregateId, sequence - 1);
  return events[0]?.position ?? -1n;
}

forEachStore("query failures", (kind) => {
  const systems = useSystems(kind);

  it("show a named query stuck on a store failure as failing, counted, until the store heals", async () => {
    const created = await systems.store();
    await created.store.append([
      { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [opened("a")] },
    ]);
    const faulty = faultyStore(created.store);
    faulty.fail("readAll", new Error("database disk image is malformed"));
    const clock = manualClock();
    const seen = recorder();
    const bank = await systems.bank({
      store: faulty,
      clock,
      queries: [{ name: "ledger", handle: seen.query }],
    });
    await until(async () => (await bank.systemStats()).queries[0]?.status === "failing");
    await clock.advance(100);
    await until(async () => ((await bank.systemStats()).queries[0]?.failures ?? 0) >= 2);
    const stuck = await bank.systemStats();
    expect(stuck.queryFailures).toBeGreaterThanOrEqual(2);
    expect(stuck.queries[0]).toMatchObject({
      status: "failing",
      lastError: { message: "database disk image is malformed" },
    });
    expect(stuck.queries[0]?.lastError?.attempts).toBeGreaterThanOrEqual(2);
    expect(seen.calls).toHaveLength(0);

    faulty.heal("readAll");
    await clock.advance(1_000);
    await seen.waitFor(1);
    await until(async () => (await bank.systemStats()).queries[0]?.status === "running");
    expect((await bank.systemStats()).queries[0]?.holder).toBe(true);
  });

  for (const named of [false, true]) {
    it(`report a ${named ? "named" : "plain"} query's poison event with its aggregate, sequence and position`, async () => {
      const created = await systems.store();
      const clock = manualClock();
      const failures: [string, number, QueryFailure][] = [];
      const seen = recorder();
      const query = (id: string, events: readonly EventEnvelope<BankAccountEvent>[]) => {
        if (id === "b" && events[0]?.sequence === 2) throw new Error("poison");
        seen.query(id, events);
      };
      const bank = await systems.bank({
        store: created.store,
        clock,
        queries: [named ? { name: "ledger", handle: query } : query],
        queryRetry: {
          onError: (error, attempt, failed) => {
            failures.push([(error as Error).message, attempt, failed]);
            return attempt >= 2 ? "skip" : "retry";
          },
        },
      });
      expectOk(await bank.execute("a", open("a")));
      expectOk(await bank.execute("b", open("b")));
      expectOk(await bank.execute("b", deposit(5)));
      await until(() => failures.length === 1);
      await until(async () => (await bank.systemStats()).queries[0]?.status === "retrying");
      await clock.advance(100);
      expectOk(await bank.execute("a", deposit(1)));
      await seen.waitFor(3);
      const position = await positionOf(created.store, "b", 2);
      const failed = {
        query: named ? "ledger" : expect.any(String),
        aggregateId: "b",
        sequence: 2,
        position,
        events: 1,
      };
      expect(failures).toEqual([
        ["poison", 1, failed],
        ["poison", 2, failed],
      ]);
      const stats = await bank.systemStats();
      expect(stats.queryFailures).toBe(2);
      expect(stats.queries[0]).toMatchObject({
        failures: 2,
        lastError: { message: "poison", aggregateId: "b", sequence: 2, position, attempts: 2 },
      });
    });
  }

  it("report an event a named query cannot decode with the sequence and position of that event", async () => {
    const created = await systems.store();
    await created.store.append([
      {
        aggregateType: "default",
        aggregateId: "p",
        expectedSequence: 0,
        events: [
          opened("p"),
          { eventType: "Poison", payload: '{"type":"Poison"}', metadata: {} },
          opened("p"),
        ],
      },
    ]);
    const clock = manualClock();
    const failures: QueryFailure[] = [];
    await systems.bank({
      store: created.store,
      clock,
      codec: {
        ...jsonCodec,
        decodeEvent: (eventType, payload) => {
          if (eventType === "Poison") throw new Error("cannot decode Poison");
          return jsonCodec.decodeEvent(eventType, payload);
        },
      },
      queries: [{ name: "ledger", handle: () => undefined }],
      queryRetry: {
        onError: (_error, _attempt, failed) => {
          failures.push(failed);
          return "stop";
        },
      },
    });
    await until(() => failures.length === 1);
    expect(failures[0]).toEqual({
      query: "ledger",
      aggregateId: "p",
      sequence: 2,
      position: await positionOf(created.store, "p", 2),
      events: 3,
    });
  });
});
