/**
 * The system clock takes any delay: Node's timers fire a delay over 2^31 - 1 ms after 1 ms (with a
 * warning), which made a long command timeout expire at once, again and again.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../src/runtime/clock.js";

const MAX_TIMER_MS = 2 ** 31 - 1;

describe("the system clock", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fires a delay longer than Node's timers take only once all of it has passed", () => {
    vi.useFakeTimers();
    let fired = 0;
    systemClock.setTimeout(() => fired++, MAX_TIMER_MS * 2 + 10);
    vi.advanceTimersByTime(1_000);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(MAX_TIMER_MS - 1_000 + 9);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
  });

  it("clears a long timer whichever step it is in", () => {
    vi.useFakeTimers();
    let fired = 0;
    const timer = systemClock.setTimeout(() => fired++, MAX_TIMER_MS + 5);
    vi.advanceTimersByTime(MAX_TIMER_MS + 1);
    systemClock.clearTimeout(timer);
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).toBe(0);
  });

  it("fires an ordinary delay as Node does, and clears it", () => {
    vi.useFakeTimers();
    let fired = 0;
    systemClock.setTimeout(() => fired++, 50);
    systemClock.clearTimeout(systemClock.setTimeout(() => fired++, 50));
    vi.advanceTimersByTime(50);
    expect(fired).toBe(1);
  });
});
