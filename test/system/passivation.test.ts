/** Live aggregates are bounded and passivated when idle; a passivated aggregate is rebuilt from the store. */
import { expect, it } from "vitest";
import { manualClock } from "../../src/runtime/clock.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, useSystems } from "../support/system.js";

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
});
