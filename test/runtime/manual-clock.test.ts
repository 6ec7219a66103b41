import { describe, expect, it } from "vitest";
import { manualClock } from "../../src/runtime/index.js";

describe("manualClock", () => {
  it("fires timers in time order, and timers due at the same time in the order they were set", async () => {
    const clock = manualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("300"), 300);
    clock.setTimeout(() => fired.push("100"), 100);
    clock.setTimeout(() => fired.push("200 first"), 200);
    clock.setTimeout(() => fired.push("200 second"), 200);
    await clock.advance(1_000);
    expect(fired).toEqual(["100", "200 first", "200 second", "300"]);
  });

  it("fires nothing before its time, and a timer once its time is reached", async () => {
    const clock = manualClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 50);
    await clock.advance(49);
    expect(fired).toEqual([]);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(1);
    expect(fired).toEqual([50]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("does not fire a cleared timer", async () => {
    const clock = manualClock();
    const fired: string[] = [];
    const cleared = clock.setTimeout(() => fired.push("cleared"), 10);
    clock.setTimeout(() => fired.push("kept"), 20);
    clock.clearTimeout(cleared);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(100);
    expect(fired).toEqual(["kept"]);
  });

  it("does not fire a timer cleared by an earlier timer's callback during the same advance", async () => {
    const clock = manualClock();
    const fired: string[] = [];
    const later = clock.setTimeout(() => fired.push("later"), 20);
    clock.setTimeout(() => {
      fired.push("earlier");
      clock.clearTimeout(later);
    }, 10);
    await clock.advance(100);
    expect(fired).toEqual(["earlier"]);
  });

  it("shows each timer the time it was due, and ends at the time advanced to", async () => {
    const clock = manualClock(1_000);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 30);
    clock.setTimeout(() => seen.push(clock.now()), 70);
    await clock.advance(100);
    expect(seen).toEqual([1_030, 1_070]);
    expect(clock.now()).toBe(1_100);
  });

  it("fires, in the same advance, timers set by promise callbacks of an earlier timer", async () => {
    const clock = manualClock();
    const fired: number[] = [];
    const firstFired = new Promise<void>((resolve) => clock.setTimeout(resolve, 10));
    void firstFired.then(() => clock.setTimeout(() => fired.push(clock.now()), 15));
    await clock.advance(30);
    expect(fired).toEqual([25]);
  });

  it("leaves timers due after the advance for a later one", async () => {
    const clock = manualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("late"), 500);
    await clock.advance(100);
    expect(fired).toEqual([]);
    await clock.advance(400);
    expect(fired).toEqual(["late"]);
  });
});

it("refuses to move time backwards", async () => {
  const clock = manualClock(10);
  await expect(clock.advance(-1)).rejects.toThrow(RangeError);
  expect(clock.now()).toBe(10);
});
