/**
 * DESIGN: "a bad option throws at once". Every mistake in a system's configuration is a TypeError at
 * construction that names the option and says what to pass; nothing starts half-configured.
 */
import { describe, expect, it } from "vitest";
import { apply, emptyState, handle } from "../../examples/bank-account/domain.js";
import { frequency, supervised } from "../../src/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";

const base = () => ({ store: memoryStore(), handle, apply, emptyState });

/** The TypeError `supervised(config)` throws, or a failure if it does not. */
function refusal(config: Record<string, unknown>): string {
  try {
    supervised(config as never);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  return expect.fail(`accepted ${Object.keys(config).join(", ")}`);
}

describe("a system's configuration", () => {
  it("refuses misspelt and unknown options, naming them and the nearest known one", () => {
    expect(refusal({ ...base(), snapshots: { frequency: 10 } })).toMatch(
      /unknown option `snapshots`; did you mean `snapshot`\?/,
    );
    expect(refusal({ ...base(), conflictRetry: 5 })).toMatch(
      /unknown option `conflictRetry`; did you mean `conflictRetries`\?/,
    );
    expect(refusal({ ...base(), passivation: { idleMS: 1_000 } })).toMatch(
      /unknown option `passivation.idleMS`; did you mean `passivation.idleMs`\?/,
    );
    expect(refusal({ ...base(), snapshot: { frequency: 2, every: 3 } })).toMatch(/`snapshot.every`/);
    expect(refusal({ ...base(), queryRetry: { initialMs: 1, onErorr: () => "skip" } })).toMatch(
      /`queryRetry.onErorr`; did you mean `queryRetry.onError`/,
    );
    expect(refusal({ ...base(), namedQueries: 5 })).toMatch(/`namedQueries` must be an object/);
    expect(refusal({ ...base(), wibble: true })).toMatch(/unknown option `wibble` \(known: store, handle/);
  });

  it("accepts every option the config type names, snapshot's version and codec included", () => {
    const system = supervised({
      ...base(),
      queries: [() => {}, { name: "q", handle: () => {} }],
      snapshot: { frequency: 5, version: 1, codec: { encode: JSON.stringify, decode: JSON.parse } } as never,
      id: "bank",
      commandTimeout: 1_000,
      conflictRetries: 0,
      passivation: { idleMs: 1_000, maxLive: 10 },
      queryRetry: { initialMs: 10, maxMs: 100, onError: () => "retry" },
      namedQueries: { pollMs: 10, pageSize: 10, lockRetryMs: 10 },
      logger: console,
    });
    expect(system.id).toBe("bank");
  });

  it("refuses a query backoff whose longest wait is shorter than its first", () => {
    expect(refusal({ ...base(), queryRetry: { initialMs: 500, maxMs: 100 } })).toMatch(
      /queryRetry\.maxMs` must be at least queryRetry\.initialMs \(500\)/,
    );
    expect(refusal({ ...base(), queryRetry: { initialMs: 60_000 } })).toMatch(/queryRetry\.maxMs/);
  });

  it("refuses a logger without warn and error, such as console.log", () => {
    expect(refusal({ ...base(), logger: console.log })).toMatch(
      /`logger` must be an object with warn and error methods, such as console, got the function log/,
    );
    expect(refusal({ ...base(), logger: { warn() {} } })).toMatch(/`logger`/);
  });

  it("refuses queries that are not an array", () => {
    expect(refusal({ ...base(), queries: () => {} })).toMatch(/`queries` must be an array of queries/);
    expect(refusal({ ...base(), queries: { name: "q", handle: () => {} } })).toMatch(
      /`queries` must be an array/,
    );
  });

  it("refuses a store factory passed instead of a store, without printing its source", () => {
    const message = refusal({ ...base(), store: memoryStore });
    expect(message).toMatch(/`store` must be an EventStore; call the factory: memoryStore\(\)/);
    expect(message).toMatch(/got the function memoryStore$/);
    expect(refusal({ ...base(), store: { append() {}, readAggregate() {} } })).toMatch(
      /`store` must be an EventStore .*missing init, currentSequence/,
    );
  });

  it("refuses a codec, clock or id of the wrong shape", () => {
    expect(refusal({ ...base(), codec: { encodeEvent() {} } })).toMatch(/`codec` must be a Codec/);
    expect(refusal({ ...base(), clock: Date })).toMatch(/`clock` must be a Clock/);
    expect(refusal({ ...base(), id: "" })).toMatch(/`id` must be a non-empty string/);
  });

  it("refuses an aggregate type a store cannot hold, and a named query's aggregateTypes of the wrong shape", () => {
    expect(refusal({ ...base(), aggregateType: "" })).toMatch(/`aggregateType` must be a non-empty string/);
    expect(refusal({ ...base(), aggregateType: "x".repeat(256) })).toMatch(/at most 255 characters/);
    expect(refusal({ ...base(), aggregateType: 7 })).toMatch(/`aggregateType` must be/);
    expect(refusal({ ...base(), aggregateType: "cart\u0000" })).toMatch(/`aggregateType`.*U\+0000/);
    expect(refusal({ ...base(), aggregateType: "cart\ud800" })).toMatch(/`aggregateType`.*well-formed/);
    expect(refusal({ ...base(), queries: [{ name: "q", handle: () => {}, aggregateTypes: [] }] })).toMatch(
      /queries\[0\]\.aggregateTypes/,
    );
    expect(
      refusal({ ...base(), queries: [{ name: "q", handle: () => {}, aggregateTypes: "cart" }] }),
    ).toMatch(/queries\[0\]\.aggregateTypes/);
    expect(
      supervised({
        ...base(),
        aggregateType: "cart",
        queries: [{ name: "q", handle: () => {}, aggregateTypes: "all" }],
      }).id,
    ).toBe("eventsourcing");
  });

  it("refuses event versions and upcasters of the wrong shape", () => {
    expect(refusal({ ...base(), eventVersions: { A: 1.5 } })).toMatch(
      /`eventVersions.A` must be a positive integer/,
    );
    expect(refusal({ ...base(), upcasters: {} })).toMatch(/`upcasters` must be an array/);
    expect(
      refusal({ ...base(), upcasters: [{ eventType: "A", fromVersion: 0, upcast: () => ({ payload: 1 }) }] }),
    ).toMatch(/`upcasters\[0\].fromVersion` must be a positive integer/);
    expect(refusal({ ...base(), upcasters: [{ eventType: "A", fromVersion: 1 }] })).toMatch(
      /`upcasters\[0\].upcast` must be a function/,
    );
    expect(
      refusal({
        ...base(),
        eventVersions: { A: 2 },
        upcasters: [{ eventType: "A", fromVersion: 2, upcast: () => ({ payload: 1 }) }],
      }),
    ).toMatch(/from version 2, but eventVersions says version 2 is current/);
  });

  it("refuses a named query whose name a store cannot hold as text", () => {
    expect(refusal({ ...base(), queries: [{ name: "q\u0000", handle: () => {} }] })).toMatch(
      /queries\[0\].*U\+0000/,
    );
    expect(refusal({ ...base(), queries: [{ name: "q\ud800", handle: () => {} }] })).toMatch(/well-formed/);
    // PostgreSQL's index on checkpoint names takes at most about 2,700 bytes: names are bounded as ids are.
    expect(refusal({ ...base(), queries: [{ name: "\u4e00".repeat(683), handle: () => {} }] })).toMatch(
      /queries\[0\].*2049 bytes/,
    );
    expect(refusal({ ...base(), queries: [{ name: "q".repeat(1_025), handle: () => {} }] })).toMatch(
      /1025 characters/,
    );
  });

  it("takes a plain positive integer for snapshot.frequency and commandTimeout, as it takes frequency(n)", () => {
    const made = frequency(3);
    if (!made.ok) throw new Error("frequency(3) refused");
    expect(() => supervised({ ...base(), snapshot: { frequency: made.value } })).not.toThrow();
    expect(() => supervised({ ...base(), snapshot: { frequency: 3 }, commandTimeout: 250 })).not.toThrow();
    for (const bad of [0, -1, 1.5, Number.NaN, "3"]) {
      expect(refusal({ ...base(), snapshot: { frequency: bad } })).toMatch(
        /`snapshot.frequency` must be a positive integer, or a Frequency made with frequency\(n\)/,
      );
      expect(refusal({ ...base(), commandTimeout: bad })).toMatch(
        /`commandTimeout` must be a positive integer/,
      );
    }
  });
});
