import { describe, expect, it } from "vitest";
import { deepFreeze } from "../../src/core/freeze.js";

describe("deepFreeze", () => {
  it("freezes every plain part, symbol-keyed and non-enumerable ones too", () => {
    const hidden = { deep: [1, { x: 2 }] };
    const symbol = Symbol("s");
    const state = { a: { b: [{ c: 1 }] }, [symbol]: { d: 1 } };
    Object.defineProperty(state, "hidden", { value: hidden, enumerable: false });
    deepFreeze(state);
    expect(Object.isFrozen(state.a.b[0])).toBe(true);
    expect(Object.isFrozen(state[symbol])).toBe(true);
    expect(Object.isFrozen(hidden.deep[1])).toBe(true);
  });

  it("never calls a getter, and leaves what a getter returns alone", () => {
    let calls = 0;
    const inner = { n: 1 };
    const state = {
      get computed() {
        calls++;
        return inner;
      },
      plain: { m: 2 },
    };
    deepFreeze(state);
    expect(calls).toBe(0);
    expect(Object.isFrozen(state)).toBe(true);
    expect(Object.isFrozen(state.plain)).toBe(true);
    expect(Object.isFrozen(inner)).toBe(false);
  });

  it("freezes a Map or Set itself but not its contents, and leaves typed arrays as they are", () => {
    const entry = { v: 1 };
    const bytes = new Uint8Array(2);
    const state = { map: new Map([["k", entry]]), bytes };
    deepFreeze(state);
    expect(Object.isFrozen(state.map)).toBe(true);
    expect(Object.isFrozen(entry)).toBe(false);
    bytes[0] = 7;
    expect(bytes[0]).toBe(7);
  });
});
