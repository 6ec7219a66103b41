import { describe, expect, it } from "vitest";
import { manualClock as runtimeManualClock } from "../../src/runtime/clock.js";
import * as testing from "../../src/testing/index.js";

describe("the eventsourcing/testing entry", () => {
  it("exports the contract suite, scenario and the runtime's manual clock, and nothing else", () => {
    expect(Object.keys(testing).sort()).toEqual(["describeEventStoreContract", "manualClock", "scenario"]);
    expect(testing.manualClock).toBe(runtimeManualClock);
  });

  it("gives a manual clock that fires timers only when advanced", async () => {
    const clock = testing.manualClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 1_000);
    await clock.advance(999);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual([1_000]);
  });
});
