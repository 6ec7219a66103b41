import { describe, expect, it } from "vitest";
import { manualClock } from "../../src/runtime/clock.js";
import { Deadlines } from "../../src/runtime/deadlines.js";

function item(log: string[], name: string) {
  return {
    settled: false,
    expiresAt: 0,
    expire() {
      this.settled = true;
      log.push(name);
    },
  };
}

describe("Deadlines", () => {
  it("expires unsettled items when their duration has passed, and not before", async () => {
    const clock = manualClock();
    const deadlines = new Deadlines(clock);
    const log: string[] = [];
    deadlines.add(100, item(log, "a"));
    await clock.advance(50);
    deadlines.add(100, item(log, "b"));
    deadlines.add(30, item(log, "c"));
    await clock.advance(29);
    expect(log).toEqual([]);
    await clock.advance(1);
    expect(log).toEqual(["c"]);
    await clock.advance(20);
    expect(log).toEqual(["c", "a"]);
    await clock.advance(50);
    expect(log).toEqual(["c", "a", "b"]);
  });

  it("never expires a settled item, and leaves no timer once all are settled", async () => {
    const clock = manualClock();
    const deadlines = new Deadlines(clock);
    const log: string[] = [];
    const items = Array.from({ length: 3_000 }, (_, i) => item(log, `i${i}`));
    for (const each of items) deadlines.add(10, each);
    for (const each of items.slice(0, 2_999)) each.settled = true;
    await clock.advance(10);
    expect(log).toEqual(["i2999"]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("cancels every timer on clear()", async () => {
    const clock = manualClock();
    const deadlines = new Deadlines(clock);
    const log: string[] = [];
    deadlines.add(10, item(log, "x"));
    deadlines.clear();
    await clock.advance(100);
    expect(log).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});
