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
    expect(() => jsonCodec.encodeState(undefined)).toThrow(/^state is undefined$/);
  });
});

describe("the default codec's refusals", () => {
  class Money {
    constructor(
      readonly cents: number,
      readonly currency: string,
    ) {}
  }

  it.each([
    [{ type: "Paid", amount: Number.NaN }, "event.amount is NaN"],
    [{ type: "Paid", amount: Number.NEGATIVE_INFINITY }, "event.amount is -Infinity"],
    [{ type: "Paid", at: new Date(0) }, "event.at is a Date"],
    [{ type: "Paid", seen: new Map() }, "event.seen is a Map"],
    [{ type: "Paid", seen: new Set() }, "event.seen is a Set"],
    [{ type: "Paid", lines: [{ cents: 5n }] }, "event.lines[0].cents is a bigint"],
    [{ type: "Paid", lines: [1, undefined] }, "event.lines[1] is undefined"],
    // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
    [{ type: "Paid", lines: [1, , 3] }, "event.lines[1] is undefined"],
    [{ type: "Paid", run: () => 1 }, "event.run is a function"],
    [{ type: "Paid", tag: Symbol("t") }, "event.tag is a symbol"],
    [{ type: "Paid", pattern: /a/ }, "event.pattern is a RegExp"],
    [{ type: "Paid", bytes: new Uint8Array(2) }, "event.bytes is binary data"],
    [{ type: "Paid", boxed: new Number(1) }, "event.boxed is a boxed primitive"],
    [{ type: "Paid", custom: { toJSON: () => "x" } }, "event.custom has a toJSON method"],
    [{ type: "Paid", "odd key": { n: Number.NaN } }, 'event["odd key"].n is NaN'],
    [{ type: "Paid", text: "a\u0000b" }, "event.text is a string that contains U+0000"],
    [{ type: "Paid", text: "\ud800" }, "event.text is a string that is not well-formed Unicode"],
    [undefined, "event is undefined"],
  ])("refuses %o: %s", (event, message) => {
    expect(() => jsonCodec.encodeEvent(event)).toThrow(TypeError);
    expect(() => jsonCodec.encodeEvent(event)).toThrow(message);
  });

  it("refuses a cycle and nesting past 512 levels, without overflowing the stack", () => {
    const cyclic: Record<string, unknown> = { type: "Cycle" };
    cyclic.self = cyclic;
    expect(() => jsonCodec.encodeEvent(cyclic)).toThrow(
      /nested more than 512 levels deep \(or refers to itself\)/,
    );
    let deep: unknown = 1;
    for (let i = 0; i < 600; i++) deep = [deep];
    expect(() => jsonCodec.encodeState(deep)).toThrow(/^state(\[0\])+ is nested more than 512/);
  });

  it("refuses in states what it refuses in events", () => {
    expect(() => jsonCodec.encodeState({ seen: new Map() })).toThrow("state.seen is a Map");
    expect(() => jsonCodec.encodeState({ balance: Number.NaN })).toThrow("state.balance is NaN");
  });

  it("reads back equal whatever it accepts: undefined fields are left out, class instances become their fields", () => {
    const accepted = [
      { type: "Paid", amount: -0.5, note: undefined, nested: { list: [null, true, "🏦", 1e300] } },
      { type: "Paid", empty: {}, none: [], bare: Object.assign(Object.create(null), { a: "b" }) },
    ];
    for (const event of accepted) {
      const { payload } = jsonCodec.encodeEvent(event);
      expect(jsonCodec.decodeEvent("Paid", payload)).toEqual(event);
    }
    const { eventType, payload } = jsonCodec.encodeEvent(new Money(5, "EUR"));
    expect(eventType).toBe("Money");
    expect(jsonCodec.decodeEvent(eventType, payload)).toStrictEqual({ cents: 5, currency: "EUR" });
    expect(
      jsonCodec.decodeEvent(
        "Paid",
        jsonCodec.encodeEvent({ type: "Paid", price: new Money(1, "X") }).payload,
      ),
    ).toStrictEqual({ type: "Paid", price: { cents: 1, currency: "X" } });
  });
});
