import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, RestartWindow } from "../../src/runtime/restart-intensity.js";

describe("RestartWindow", () => {
  it("counts the restarts of the last period, the one recorded included", () => {
    const window = new RestartWindow(5_000);
    expect(window.record(0)).toBe(1);
    expect(window.record(4_999)).toBe(2);
    expect(window.record(5_000)).toBe(2);
    expect(window.record(20_000)).toBe(1);
  });

  it("agrees with counting the recorded times by hand", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.array(fc.nat(500), { maxLength: 30 }),
        (period, gaps) => {
          const window = new RestartWindow(period);
          const times: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            times.push(now);
            const expected = times.filter((time) => now - time < period).length;
            expect(window.record(now)).toBe(expected);
          }
        },
      ),
    );
  });
});

describe("backoffDelay", () => {
  it("doubles from initialMs for each restart and stops at maxMs", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((nth) => backoffDelay(nth, 10, 1_000))).toEqual([
      10, 20, 40, 80, 160, 320, 640, 1_000,
    ]);
  });

  it("stays a finite number for any restart count", () => {
    expect(backoffDelay(100_000, 10, 1_000)).toBe(1_000);
    expect(backoffDelay(100_000, 0, 1_000)).toBe(0);
  });
});
