/**
 * Idempotent commands: the first commit made with a `commandId` on an aggregate answers every later
 * command with that id on that aggregate, across restarts, passivation, snapshots and processes.
 */
import { expect, it } from "vitest";
import type { BankAccountCommand } from "../../examples/bank-account/domain.js";
import { handle } from "../../examples/bank-account/domain.js";
import type { EventStore } from "../../src/core/event-store.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, useSystems, withdraw } from "../support/system.js";

/** `handle`, counting its calls. */
function countingHandle() {
  const counted = {
    calls: 0,
    handle: (state: Parameters<typeof handle>[0], command: BankAccountCommand) => {
      counted.calls++;
      return handle(state, command);
    },
  };
  return counted;
}

/** `inner` behind a wrapper whose next `lose` appends commit, then throw as a dropped connection would. */
function losingAnswers(inner: EventStore) {
  const control = { lose: 0 };
  const store: EventStore = {
    init: () => inner.init(),
    close: async () => undefined,
    append: async (requests) => {
      const outcomes = await inner.append(requests);
      if (control.lose > 0) {
        control.lose--;
        throw new Error("the connection dropped after COMMIT");
      }
      return outcomes;
    },
    readAggregate: (type, id, after) => inner.readAggregate(type, id, after),
    currentSequence: (type, id) => inner.currentSequence(type, id),
    readAll: (after, limit, options) => inner.readAll(after, limit, options),
    loadSnapshot: (type, id) => inner.loadSnapshot(type, id),
    saveSnapshot: (snapshot) => inner.saveSnapshot(snapshot),
    loadCheckpoint: (name) => inner.loadCheckpoint(name),
    saveCheckpoint: (name, position) => inner.saveCheckpoint(name, position),
  };
  return { store, control };
}

const eventIds = (result: { events: readonly { eventId: string }[] }) => result.events.map((e) => e.eventId);

forEachStore("idempotent commands", (kind) => {
  const systems = useSystems(kind);

  it("answers a repeated command id with the first commit's events and the aggregate as it is now, storing nothing and not deciding again", async () => {
    const counted = countingHandle();
    const bank = await systems.bank({ handle: counted.handle });
    expectOk(await bank.execute("a", open("a")));
    const first = expectOk(await bank.execute("a", deposit(10), { commandId: "dep-1" }));
    expectOk(await bank.execute("a", deposit(5)));
    const callsBefore = counted.calls;

    const again = expectOk(await bank.execute("a", deposit(10), { commandId: "dep-1" }));
    expect(counted.calls).toBe(callsBefore);
    expect(again.events).toEqual(first.events);
    expect(again.aggregate).toEqual({
      aggregateId: "a",
      sequence: 3,
      state: { type: "BankAccount", balance: 15 },
    });
    expect(expectOk(await bank.loadEvents("a")).map((e) => e.sequence)).toEqual([1, 2, 3]);
    // Even a different command with the same id gets the first answer: reuse is not detected.
    const reused = expectOk(await bank.execute("a", withdraw(1), { commandId: "dep-1" }));
    expect(eventIds(reused)).toEqual(eventIds(first));
    expect((await bank.systemStats()).eventsCommitted).toBe(3);
  });

  it("keeps command ids per aggregate: the same id on another aggregate is another command", async () => {
    const bank = await systems.bank();
    expectOk(await bank.execute("a", open("a"), { commandId: "open" }));
    const b = expectOk(await bank.execute("b", open("b"), { commandId: "open" }));
    expect(b.events.map((e) => [e.aggregateId, e.sequence])).toEqual([["b", 1]]);
  });

  it("remembers only commits: a refused command, or one that changed nothing, is decided again", async () => {
    const bank = await systems.bank();
    const refused = await bank.execute("a", deposit(1), { commandId: "early" });
    expect(refused).toEqual({
      ok: false,
      error: { type: "DomainError", error: "CantOperateOnUnopenedAccount" },
    });
    expectOk(await bank.execute("a", open("a")));
    const decided = expectOk(await bank.execute("a", deposit(1), { commandId: "early" }));
    expect(decided.events.map((e) => e.sequence)).toEqual([2]);
  });

  it("answers a repeat after a restart, a passivation and from a snapshot, whose events are no longer in memory", async () => {
    const { store } = await systems.store();
    const counted = countingHandle();
    const first = await systems.bank({ store, handle: counted.handle, snapshot: { frequency: 2 } });
    expectOk(await first.execute("a", open("a")));
    const committed = expectOk(await first.execute("a", deposit(7), { commandId: "c-7" }));
    for (let i = 0; i < 4; i++) expectOk(await first.execute("a", deposit(1)));
    await first.stop();

    const second = await systems.bank({
      store,
      handle: counted.handle,
      snapshot: { frequency: 2 },
      passivation: { maxLive: 1 },
    });
    const calls = counted.calls;
    const afterRestart = expectOk(await second.execute("a", deposit(7), { commandId: "c-7" }));
    expect(eventIds(afterRestart)).toEqual(eventIds(committed));
    expect(afterRestart.events[0]?.event).toEqual({ type: "CustomerDepositedCash", amount: 7, balance: 7 });
    expect(afterRestart.aggregate.sequence).toBe(6);
    // Rebuilt from the snapshot at 6: the repeat was found in the store.
    expect(expectOk(await second.latestSnapshot("a"))?.sequence).toBe(6);
    // Passivate "a" by using another aggregate (maxLive 1), then repeat again.
    expectOk(await second.execute("b", open("b")));
    const afterPassivation = expectOk(await second.execute("a", deposit(7), { commandId: "c-7" }));
    expect(eventIds(afterPassivation)).toEqual(eventIds(committed));
    expect(counted.calls).toBe(calls + 1); // only "b" was decided
    expect((await second.systemStats()).passivations).toBeGreaterThan(0);
    expect(expectOk(await second.loadAggregate("a")).sequence).toBe(6);
  });

  it("answers a repeat sent through another handle on the same storage, catching up with the commit it finds", async () => {
    const created = await systems.store();
    const here = await systems.bank({ store: created.store });
    const there = await systems.bank({ store: await created.openAnother() });
    expectOk(await there.execute("a", open("a")));
    expectOk(await here.execute("a", deposit(3)));
    const mine = expectOk(await here.execute("a", deposit(4), { commandId: "x" }));
    const theirs = expectOk(await there.execute("a", deposit(4), { commandId: "x" }));
    expect(eventIds(theirs)).toEqual(eventIds(mine));
    expect(theirs.aggregate).toEqual(mine.aggregate);
  });

  it("commits once when two systems send the same command id at the same time, and both answer ok with the same events", async () => {
    const created = await systems.store();
    const one = await systems.bank({ store: created.store, conflictRetries: 0 });
    const two = await systems.bank({ store: await created.openAnother(), conflictRetries: 0 });
    expectOk(await one.execute("a", open("a")));
    for (let round = 0; round < 10; round++) {
      // Both systems have the aggregate loaded, so both decide and append, and one conflicts.
      expectOk(await one.loadAggregate("a"));
      expectOk(await two.loadAggregate("a"));
      const commandId = `round-${round}`;
      const [a, b] = await Promise.all([
        one.execute("a", deposit(1), { commandId }),
        two.execute("a", deposit(1), { commandId }),
      ]);
      expect(eventIds(expectOk(a))).toEqual(eventIds(expectOk(b)));
      expect(expectOk(a).events).toHaveLength(1);
    }
    const events = expectOk(await one.loadEvents("a"));
    expect(events).toHaveLength(11);
    expect(expectOk(await one.loadAggregate("a")).state).toEqual({ type: "BankAccount", balance: 10 });
  });

  it("refuses a command id that is not a non-empty string of at most 256 characters of storable text, storing nothing", async () => {
    const bank = await systems.bank();
    for (const commandId of ["", "x".repeat(257), "a\u0000b", "\ud800", 42 as unknown as string]) {
      const refused = await bank.execute("a", open("a"), { commandId });
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.error.type).toBe("InvalidMetadata");
        expect(refused.error.type === "InvalidMetadata" && refused.error.reason).toMatch(/commandId/);
      }
    }
    expect(expectOk(await bank.loadEvents("a"))).toEqual([]);
    expectOk(await bank.execute("a", open("a"), { commandId: "x".repeat(256) }));
  });

  it("answers ok when the append's answer was lost but its commit is in the store, and only with a command id", async () => {
    const { store: inner } = await systems.store();
    const { store, control } = losingAnswers(inner);
    const bank = await systems.bank({ store });
    expectOk(await bank.execute("a", open("a")));
    control.lose = 1;
    const lost = await bank.execute("a", deposit(1));
    expect(lost.ok === false && lost.error.type).toBe("EventStoreError");
    control.lose = 1;
    const found = expectOk(await bank.execute("a", deposit(2), { commandId: "d-2" }));
    expect(found.events.map((e) => e.sequence)).toEqual([3]);
    expect(found.aggregate).toEqual({
      aggregateId: "a",
      sequence: 3,
      state: { type: "BankAccount", balance: 3 },
    });
    const again = expectOk(await bank.execute("a", deposit(2), { commandId: "d-2" }));
    expect(eventIds(again)).toEqual(eventIds(found));
    expect(expectOk(await bank.loadEvents("a"))).toHaveLength(3);
  });
});
