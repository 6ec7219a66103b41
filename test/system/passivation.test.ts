/** Live aggregates are bounded and passivated when idle; a passivated aggregate is rebuilt from the store. */
import { expect, it } from "vitest";
import { manualClock } from "../../src/runtime/clock.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, until, useSystems } from "../support/system.js";

forEachStore("passivation", (kind) => {
  const systems = useSystems(kind);

  it("keeps at most maxLive idle aggregates live and rebuilds the others from the store", async () => {
    const bank = await systems.bank({ passivation: { maxLive: 3 } });
    const ids = Array.from({ length: 12 }, (_, i) => `acc-${i}`);
    for (const id of ids) expectOk(await bank.execute(id, open(id)));
    for (const [i, id] of ids.entries()) expectOk(await bank.execute(id, deposit(i + 1)));
    const stats = await bank.systemStats();
    expect(stats.liveAggregates).toBeLessThanOrEqual(3);
    expect(stats.passivations).toBeGreaterThanOrEqual(ids.length * 2 - 3 - 1);
    for (const [i, id] of ids.entries()) {
      expect(expectOk(await bank.loadAggregate(id))).toEqual({
        aggregateId: id,
        sequence: 2,
        state: { type: "BankAccount", balance: i + 1 },
      });
    }
  });

  it("passivates aggregates idle for idleMs, and serves them again from the store", async () => {
    const clock = manualClock();
    const bank = await systems.bank({ clock, passivation: { idleMs: 1_000 } });
    expectOk(await bank.execute("a", open("a")));
    expectOk(await bank.execute("b", open("b")));
    expect((await bank.systemStats()).liveAggregates).toBe(2);
    await clock.advance(600);
    expectOk(await bank.execute("b", deposit(5)));
    await clock.advance(600);
    expect((await bank.systemStats()).liveAggregates).toBe(1);
    await clock.advance(1_000);
    expect((await bank.systemStats()).liveAggregates).toBe(0);
    const again = expectOk(await bank.execute("a", deposit(2)));
    expect(again.aggregate).toEqual({
      aggregateId: "a",
      sequence: 2,
      state: { type: "BankAccount", balance: 2 },
    });
  });

  it("holds maxLive at every moment of a burst of concurrent commands to distinct ids", async () => {
    const maxLive = 20;
    const bank = await systems.bank({ passivation: { maxLive } });
    const ids = Array.from({ length: 600 }, (_, i) => `burst-${i}`);
    let unanswered = ids.length;
    const samples: { live: number; unanswered: number }[] = [];
    await Promise.all(
      ids.map(async (id) => {
        expectOk(await bank.execute(id, open(id)));
        const stillRunning = unanswered; // this one included: its actor may still be finishing its turn
        samples.push({ live: (await bank.systemStats()).liveAggregates, unanswered: stillRunning });
        unanswered--;
      }),
    );
    for (const sample of samples) expect(sample.live).toBeLessThanOrEqual(maxLive + sample.unanswered);
    await until(async () => (await bank.systemStats()).liveAggregates <= maxLive);
    const after = await bank.systemStats();
    expect(after.liveAggregates).toBeLessThanOrEqual(maxLive);
    expect(after.passivations).toBeGreaterThanOrEqual(ids.length - maxLive);
    for (const id of ids.slice(0, 40)) expectOk(await bank.execute(id, deposit(1)));
    expect((await bank.systemStats()).liveAggregates).toBeLessThanOrEqual(maxLive);
    expect(expectOk(await bank.loadAggregate("burst-0")).state).toEqual({ type: "BankAccount", balance: 1 });
  });
});
