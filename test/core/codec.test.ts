import { describe, expect, it } from "vitest";
import { eventTypeOf, jsonCodec } from "../../src/core/codec.js";

class AccountClosed {
  constructor(readonly reason: string) {}
}

describe("the default codec", () => {
  it("names an event by its string `type`, else by its class", () => {
    expect(eventTypeOf({ type: "AccountOpened" })).toBe("AccountOpened");
    expect(eventTypeOf(new AccountClosed("moved"))).toBe("AccountClosed");
    expect(eventTypeOf({ type: 3, amount: 1 })).toBe("Object");
    expect(jsonCodec.encodeEvent(new AccountClosed("moved"))).toEqual({
      eventType: "AccountClosed",
      payload: '{"reason":"moved"}',
    });
  });

  it("round-trips events and states as JSON", () => {
    const { eventType, payload } = jsonCodec.encodeEvent({ type: "Deposited", amount: 5, note: "ünï 🏦" });
    expect(jsonCodec.decodeEvent(eventType, payload)).toEqual({
      type: "Deposited",
      amount: 5,
      note: "ünï 🏦",
    });
    expect(jsonCodec.decodeState(jsonCodec.encodeState({ balance: 3 }))).toEqual({ balance: 3 });
  });

  it("refuses what JSON cannot represent instead of changing it", () => {
    expect(() => jsonCodec.encodeEvent({ type: "Big", amount: 1n })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = { type: "Cycle" };
    cyclic.self = cyclic;
    expect(() => jsonCodec.encodeEvent(cyclic)).toThrow(TypeError);
    expect(() => jsonCodec.encodeState(undefined)).toThrow(/cannot be represented as JSON/);
  });
});
