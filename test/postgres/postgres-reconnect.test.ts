/** The one reconnect schedule of the PostgreSQL store: bounded exponential backoff with jitter, and the gate. */
import { describe, expect, it } from "vitest";
import {
  Backoff,
  ConnectGate,
  ServerUnreachableError,
} from "../../src/stores/postgres/postgres-reconnect.js";

describe("Backoff", () => {
  it("doubles its wait up to the bound, drawn between half and all of it, and starts over after reset", () => {
    const low = new Backoff(100, 1_000, () => 0);
    expect(Array.from({ length: 6 }, () => low.next())).toEqual([50, 100, 200, 400, 500, 500]);
    const high = new Backoff(100, 1_000, () => 0.999_999);
    expect(Array.from({ length: 6 }, () => high.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    high.reset();
    expect(high.next()).toBe(100);
  });

  it("never waits longer than the bound, however many failures", () => {
    const backoff = new Backoff(1_000, 10_000);
    for (let i = 0; i < 200; i++) {
      const wait = backoff.next();
      expect(wait).toBeGreaterThanOrEqual(500);
      expect(wait).toBeLessThanOrEqual(10_000);
    }
  });
});

describe("ConnectGate", () => {
  const refused = () => Promise.reject(new Error("connect ECONNREFUSED"));

  it("after a failed attempt refuses at once until the wait has passed, then lets one attempt through", async () => {
    let now = 0;
    let attempts = 0;
    const gate = new ConnectGate(new Backoff(100, 1_000, () => 0.999_999), () => now);
    const connect = () => {
      attempts++;
      return refused();
    };
    await expect(gate.attempt(connect)).rejects.toThrow(/ECONNREFUSED/);
    for (let i = 0; i < 50; i++) {
      now += 1;
      await expect(gate.attempt(connect)).rejects.toBeInstanceOf(ServerUnreachableError);
    }
    expect(attempts).toBe(1);
    now = 100;
    await expect(gate.attempt(connect)).rejects.toThrow(/ECONNREFUSED/);
    expect(attempts).toBe(2);
    now = 299; // the second wait is 200
    await expect(gate.attempt(connect)).rejects.toThrow(
      /unreachable.*ECONNREFUSED.*next connection attempt is in 1 ms/,
    );
    now = 300;
    expect(await gate.attempt(async () => "connected")).toBe("connected");
    expect(await gate.attempt(async () => "again")).toBe("again");
  });

  it("counts attempts that fail together as one failure, and lets only one probe through at a time", async () => {
    let now = 0;
    const gate = new ConnectGate(new Backoff(100, 10_000, () => 0.999_999), () => now);
    const pending: ((error: Error) => void)[] = [];
    const slow = () => new Promise<never>((_, reject) => pending.push(reject));
    const together = [gate.attempt(slow), gate.attempt(slow), gate.attempt(slow)];
    await Promise.resolve();
    for (const fail of pending) fail(new Error("down"));
    await Promise.allSettled(together);
    now = 100; // one failure recorded: the first wait, not the third
    let release: (value: string) => void = () => undefined;
    const probe = gate.attempt(() => new Promise<string>((resolve) => (release = resolve)));
    await expect(gate.attempt(async () => "second")).rejects.toBeInstanceOf(ServerUnreachableError);
    release("up");
    expect(await probe).toBe("up");
  });
});
