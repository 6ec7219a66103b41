import { describe, expect, it } from "vitest";
import { describeError, type EventSourcingError, err, frequency, ok, timeout } from "../../src/index.js";

describe("frequency and timeout", () => {
  it.each([
    [0],
    [-1],
    [1.5],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [Number.NEGATIVE_INFINITY],
    [2 ** 53],
  ])("refuse %s with NonPositiveArgument", (value) => {
    expect(frequency(value)).toEqual({
      ok: false,
      error: { type: "NonPositiveArgument", argument: "frequency", value },
    });
    expect(timeout(value)).toEqual({
      ok: false,
      error: { type: "NonPositiveArgument", argument: "timeout", value },
    });
  });

  it("accept positive integers", () => {
    expect(frequency(1)).toEqual({ ok: true, value: 1 });
    expect(timeout(5_000)).toEqual({ ok: true, value: 5_000 });
  });
});

describe("results", () => {
  it("are plain values", () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(err("no")).toEqual({ ok: false, error: "no" });
  });
});

describe("describeError", () => {
  const cases: [EventSourcingError<unknown>, RegExp][] = [
    [{ type: "DomainError", error: "CantDepositNegativeAmount" }, /domain error: CantDepositNegativeAmount/],
    [{ type: "DomainError", error: { code: 7 } }, /domain error: \{"code":7\}/],
    [{ type: "EventStoreError", message: "disk full" }, /event store error: disk full/],
    [
      { type: "NonPositiveArgument", argument: "frequency", value: 0 },
      /frequency must be a positive integer, got 0/,
    ],
    [{ type: "EntityNotFound", aggregateId: "a-1" }, /no events for aggregate "a-1"/],
    [
      { type: "ConcurrencyConflict", aggregateId: "a", expectedSequence: 1, actualSequence: 2 },
      /expected sequence 1, store has 2/,
    ],
    [{ type: "ActorTimeout", operation: "execute", timeoutMs: 50 }, /execute timed out after 50 ms/],
    [
      { type: "ActorCrashed", operation: "handle", cause: new TypeError("boom") },
      /handle threw: TypeError: boom/,
    ],
    [
      { type: "InvalidAggregateId", aggregateId: "", reason: "it is empty" },
      /invalid aggregate id "": it is empty/,
    ],
    [
      { type: "InvalidMetadata", reason: 'metadata "user" must be a string, got number 1' },
      /invalid metadata: metadata "user" must be a string, got number 1/,
    ],
    [
      { type: "Overloaded", queued: 100, limit: 100 },
      /overloaded: 100 requests already waiting, the limit is 100/,
    ],
    [{ type: "Stopped" }, /not running/],
  ];
  it.each(cases)("describes %o in one line", (error, expected) => {
    const text = describeError(error);
    expect(text).toMatch(expected);
    expect(text).not.toContain("\n");
  });

  it("says a position must be a bigint, not a number", () => {
    const text = describeError({ type: "NonPositiveArgument", argument: "position", value: 3 });
    expect(text).toContain("bigint");
    expect(text).toContain("got 3");
  });

  it("shortens a very long aggregate id", () => {
    const text = describeError({
      type: "InvalidAggregateId",
      aggregateId: "x".repeat(2_000),
      reason: "too long",
    });
    expect(text.length).toBeLessThan(120);
  });
});
