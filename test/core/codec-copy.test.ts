/**
 * The system builds the live state from the copy the default codec's check makes, not from parsing the
 * text it stores: the copy must be exactly what a replay decodes, and refuse exactly what the codec
 * refuses, with the same message.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeJsonEvent, jsonCodec } from "../../src/core/codec.js";

class Money {
  constructor(
    readonly cents: number,
    readonly currency: string,
  ) {}
}

/** The outcome of `encode`, as a value: its text and decoded value, or the message it threw. */
function outcomeOf(encode: () => { payload: string; value: unknown }) {
  try {
    return { ok: true as const, ...encode() };
  } catch (error) {
    return { ok: false as const, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Keys in order, all the way down, and -0 told apart from 0: what `toStrictEqual` does not show. */
function shape(value: unknown): unknown {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : value;
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === "object" && value !== null)
    return [
      Object.getPrototypeOf(value) === Object.prototype,
      Object.entries(value).map(([k, v]) => [k, shape(v)]),
    ];
  return value;
}

const values = fc.oneof(
  fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    withUnicodeString: true,
    withBoxedValues: true,
  }),
  fc.record({ type: fc.string(), amount: fc.double(), note: fc.option(fc.string(), { nil: undefined }) }),
  fc.constant({ type: "Paid", price: new Money(5, "EUR"), zero: -0, list: [-0, 1e300, null] }),
  fc.constant(JSON.parse('{"__proto__":{"a":1},"10":2,"b":3,"2":4}')),
  fc.constant({ s: "lone \ud800 surrogate" }),
  fc.constant({ s: "nul \u0000 char" }),
);

describe("the default codec's copy", () => {
  it("is what decoding its text gives, and its text is the codec's, or both refuse alike", () => {
    fc.assert(
      fc.property(values, (event) => {
        const copied = outcomeOf(() => encodeJsonEvent(event));
        const coded = outcomeOf(() => {
          const { payload } = jsonCodec.encodeEvent(event);
          return { payload, value: jsonCodec.decodeEvent("", payload) };
        });
        expect(copied.ok).toBe(coded.ok);
        if (!copied.ok || !coded.ok) {
          expect(copied).toEqual(coded);
          return;
        }
        expect(copied.payload).toBe(coded.payload);
        expect(shape(copied.value)).toEqual(shape(coded.value));
        expect(copied.value).toStrictEqual(coded.value);
      }),
      { numRuns: 2_000 },
    );
  });

  it("shares nothing with the event it copies", () => {
    const items = [{ sku: "a" }];
    const event = { type: "Added", items };
    const { value } = encodeJsonEvent(event);
    expect(value).toEqual(event);
    expect((value as typeof event).items).not.toBe(items);
    expect((value as typeof event).items[0]).not.toBe(items[0]);
  });

  it("writes -0 as 0 and leaves out undefined fields, as the stored text reads back", () => {
    const { payload, value } = encodeJsonEvent({ type: "T", zero: -0, gone: undefined, nested: [{ z: -0 }] });
    expect(payload).toBe('{"type":"T","zero":0,"nested":[{"z":0}]}');
    expect(Object.is((value as { zero: number }).zero, 0)).toBe(true);
    expect(Object.keys(value as object)).toEqual(["type", "zero", "nested"]);
  });
});
