/**
 * Guarantees 10 and 13: every input the public API accepts reads back identical from every read path of
 * every store, and what some store cannot hold intact (lone surrogates, U+0000, metadata that is not
 * string pairs, values JSON cannot hold) is refused up front, the same way on every store, nothing stored.
 */
import { expect, it } from "vitest";
import {
  type Codec,
  describeError,
  type EventEnvelope,
  type EventSourcingError,
  type ExecuteOptions,
  jsonCodec,
  ok,
  start,
} from "../../src/index.js";
import { forEachStore } from "../support/stores.js";
import { expectOk, recorder, until, useSystems } from "../support/system.js";

/** A command is the event to record, as is: the test decides every field of every event. */
type Note = { readonly type: string; readonly [field: string]: unknown };
const passThrough = (_count: number, event: Note) => ok([event]);
const countUp = (count: number, _event: Note) => count + 1;

/** Ids no store may change or merge: each must come back exactly, and stay its own stream. */
const ACCEPTED_IDS = [
  "acct-\ufffd", // what SQLite and PostgreSQL made of lone surrogates: a real id of its own
  "caf\u00e9", // NFC
  "cafe\u0301", // NFD: the same text to a reader, another id to every store
  " padded\t",
  "line\nbreak",
  "\ufeffbom",
  "astral \u{1F3E6}\u{10FFFF}",
  "back\\slash 'quote\" %_",
];

const REFUSED_IDS = ["acct-\ud800", "acct-\udc00", "\udfff\ud800", "nul\u0000inside"];

function expectError(result: { ok: boolean; error?: unknown }, type: EventSourcingError<unknown>["type"]) {
  expect(result.ok).toBe(false);
  const error = (result as { error: EventSourcingError<unknown> }).error;
  expect(error.type).toBe(type);
  return error;
}

forEachStore("inputs stored intact or refused", (kind) => {
  const systems = useSystems(kind);

  const notes = async (options: { codec?: Codec; snapshotEvery?: number } = {}) => {
    const created = await systems.store();
    const plain = recorder<Note>();
    const named = recorder<Note>();
    const system = systems.track(
      await start({
        store: created.store,
        emptyState: 0,
        handle: passThrough,
        apply: countUp,
        queries: [plain.query, { name: "notes-by-id", handle: named.query }],
        namedQueries: { pollMs: 10 },
        logger: { warn() {}, error() {} },
        ...(options.codec ? { codec: options.codec } : {}),
        ...(options.snapshotEvery ? { snapshot: { frequency: options.snapshotEvery } } : {}),
      }),
    );
    return { created, system, plain, named };
  };

  it("refuses an execute option nobody reads, naming the nearest one, storing nothing", async () => {
    const { system } = await notes();
    const note: Note = { type: "Note", text: "once" };
    const misspelt = { comandId: "k" } as unknown as ExecuteOptions;
    const answer = await system.execute("n", note, misspelt);
    expect(answer).toMatchObject({ ok: false, error: { type: "ActorCrashed", operation: "execute" } });
    if (!answer.ok && answer.error.type === "ActorCrashed")
      expect(String(answer.error.cause)).toContain("did you mean `commandId`");
    expect(await system.execute("n", note, "fast" as unknown as ExecuteOptions)).toMatchObject({
      ok: false,
      error: { type: "ActorCrashed" },
    });
    expect(expectOk(await system.loadEvents("n"))).toEqual([]);
    expectOk(await system.execute("n", note, { commandId: "k", timeout: 5_000 }));
  });

  it("refuses ids that are not well-formed Unicode or hold U+0000 on every call, storing nothing", async () => {
    const { created, system } = await notes();
    for (const id of REFUSED_IDS) {
      for (const result of [
        await system.execute(id, { type: "Noted" }),
        await system.executeWithMetadata(id, { type: "Noted" }, { user: "u" }),
        await system.loadAggregate(id),
        await system.loadEvents(id),
        await system.loadEventsFrom(id, 0),
        await system.latestSnapshot(id),
        await system.aggregateStats(id),
      ]) {
        const error = expectError(result, "InvalidAggregateId");
        expect(error).toMatchObject({
          aggregateId: id,
          reason: expect.stringMatching(/well-formed|U\+0000/),
        });
      }
    }
    expect(await created.store.readAll(0n, 100)).toEqual([]);
  });

  it("takes ids up to 2,048 bytes of UTF-8 on every store and refuses longer ones up front", async () => {
    const { system } = await notes();
    // Code points that do not compress (as an index entry would): 3 bytes of UTF-8 each.
    const cjk = (count: number, from: number) =>
      Array.from({ length: count }, (_, i) => String.fromCharCode(from + ((i * 7_919) % 20_000))).join("");
    const atLimit = `${cjk(682, 0x4e00)}ab`; // 682 x 3 + 2 = 2,048 bytes, 684 characters
    const overLimit = cjk(683, 0x4e00); // 2,049 bytes, far under 1,024 characters
    expect(Buffer.byteLength(atLimit)).toBe(2_048);
    expect(expectOk(await system.execute(atLimit, { type: "Noted" })).aggregate.sequence).toBe(1);
    expect(expectOk(await system.loadEvents(atLimit)).map((e) => e.aggregateId)).toEqual([atLimit]);
    for (const result of [
      await system.execute(overLimit, { type: "Noted" }),
      await system.loadEvents(overLimit),
      await system.aggregateStats(overLimit),
    ])
      expect(expectError(result, "InvalidAggregateId")).toMatchObject({
        reason: expect.stringContaining("2049 bytes"),
      });
  });

  it("runs a named query whose name is as long as allowed, and keeps its checkpoint, on every store", async () => {
    const created = await systems.store();
    // 682 code points that do not compress, 3 bytes each, and 2 more bytes: 2,048 bytes of UTF-8.
    const name = `${Array.from({ length: 682 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7_919) % 20_000))).join("")}ab`;
    const named = recorder<Note>();
    const system = systems.track(
      await start({
        store: created.store,
        emptyState: 0,
        handle: passThrough,
        apply: countUp,
        queries: [{ name, handle: named.query }],
        namedQueries: { pollMs: 10 },
        logger: { warn() {}, error() {} },
      }),
    );
    expectOk(await system.execute("a", { type: "Noted" }));
    const last = expectOk(await system.execute("b", { type: "Noted" })).events[0]?.position;
    await until(async () => (await created.store.loadCheckpoint(name)) === last);
    await until(async () => (await system.systemStats()).queries[0]?.checkpoint === last);
    expect(named.calls.map((call) => call.aggregateId)).toEqual(["a", "b"]);
    expect((await system.systemStats()).queries[0]).toMatchObject({ name, failures: 0, status: "running" });
  });

  it("reads every accepted id and event type back identical from every read path, each its own stream", async () => {
    const { created, system, plain, named } = await notes({ snapshotEvery: 1 });
    const typeOf = (id: string) => `Noted ${id}`;
    for (const id of ACCEPTED_IDS) {
      const done = expectOk(await system.execute(id, { type: typeOf(id), id }));
      expect(done.aggregate).toMatchObject({ aggregateId: id, sequence: 1 });
      expect(done.events.map((e) => [e.aggregateId, e.eventType, e.event])).toEqual([
        [id, typeOf(id), { type: typeOf(id), id }],
      ]);
    }
    await until(
      () => plain.calls.length === ACCEPTED_IDS.length && named.calls.length === ACCEPTED_IDS.length,
    );
    const seen = (calls: readonly { aggregateId: string; events: readonly EventEnvelope<Note>[] }[]) =>
      calls.flatMap((call) =>
        call.events.map((e) => [call.aggregateId, e.aggregateId, e.eventType, e.event.id]),
      );
    const expected = ACCEPTED_IDS.map((id) => [id, id, typeOf(id), id]);
    expect(seen(plain.calls)).toEqual(expected);
    expect(seen(named.calls)).toEqual(expected);
    const another = await created.openAnother();
    expect((await another.readAll(0n, 100)).map((row) => [row.aggregateId, row.eventType])).toEqual(
      ACCEPTED_IDS.map((id) => [id, typeOf(id)]),
    );
    for (const id of ACCEPTED_IDS) {
      for (const events of [
        expectOk(await system.loadEvents(id)),
        expectOk(await system.loadEventsFrom(id, 0)),
      ])
        expect(events.map((e) => [e.aggregateId, e.eventType, e.event.id])).toEqual([[id, typeOf(id), id]]);
      expect(expectOk(await system.loadAggregate(id))).toEqual({ aggregateId: id, state: 1, sequence: 1 });
      expect(expectOk(await system.aggregateStats(id))).toMatchObject({ aggregateId: id, eventCount: 1 });
      await until(async () => expectOk(await system.latestSnapshot(id)) !== null);
      expect(expectOk(await system.latestSnapshot(id))).toMatchObject({
        aggregateId: id,
        state: 1,
        sequence: 1,
      });
      expect((await another.readAggregate("default", id, 0)).map((row) => row.aggregateId)).toEqual([id]);
    }
  });

  it("refuses an event type a store cannot hold, naming it, and stores nothing", async () => {
    // A codec that takes the type from another field than the payload's, so the type alone is at fault.
    const kindCodec: Codec = {
      ...jsonCodec,
      encodeEvent: (event) => ({
        eventType: (event as { kind: string }).kind,
        payload: JSON.stringify(event),
      }),
    };
    const { created, system } = await notes({ codec: kindCodec });
    for (const kindName of ["Bad\u0000Type", "Half\ud83c", ""]) {
      const error = expectError(
        await system.execute("n", { type: "Noted", kind: kindName }),
        "EventStoreError",
      );
      expect(describeError(error)).toContain("event type");
      if (kindName) expect(describeError(error)).toContain(JSON.stringify(kindName));
    }
    expect(await created.store.readAll(0n, 100)).toEqual([]);
    expectOk(await system.execute("n", { type: "Noted", kind: "Fine" }));
  });

  it("refuses payload text no store can hold intact, naming the field, and stores nothing", async () => {
    const { created, system } = await notes();
    const cases: [Note, RegExp][] = [
      [{ type: "Noted", text: "nul\u0000" }, /event\.text .*U\+0000/],
      [{ type: "Noted", items: ["ok", "lone \udc00"] }, /event\.items\[1\] .*well-formed/],
      [
        { type: "Noted", nested: { "bad\ud800key": "x" } },
        /event\.nested has a key "bad\\ud800key" that is not well-formed/,
      ],
      [{ type: "Noted\ud800" }, /event\.type .*well-formed/],
    ];
    for (const [event, message] of cases) {
      const error = expectError(await system.execute("n", event), "EventStoreError");
      expect(describeError(error)).toMatch(message);
    }
    expect(await created.store.readAll(0n, 100)).toEqual([]);
  });

  it("answers loadEventsFrom alike on every store for positions past any stream, and says what it takes", async () => {
    const { system } = await notes();
    expectOk(await system.execute("n", { type: "Noted" }));
    for (const startFrom of [1, 2 ** 31 - 1, 2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER])
      expect(expectOk(await system.loadEventsFrom("n", startFrom))).toEqual([]);
    expect(expectOk(await system.loadEventsFrom("n", 0)).map((e) => e.sequence)).toEqual([1]);
    const error = expectError(await system.loadEventsFrom("n", -1), "NonPositiveArgument");
    expect(describeError(error)).toBe("startFrom must be a non-negative integer, got -1");
  });

  it("refuses a codec's payload that is not JSON text on every store, and stores nothing", async () => {
    const keyValue: Codec = {
      ...jsonCodec,
      encodeEvent: (event) => ({ eventType: (event as Note).type, payload: `type=${(event as Note).type}` }),
      decodeEvent: (_type, payload) => ({ type: payload.slice(5) }),
    };
    const { created, system } = await notes({ codec: keyValue });
    const error = expectError(await system.execute("n", { type: "Noted" }), "EventStoreError");
    expect(describeError(error)).toMatch(/not JSON text/);
    expect(await created.store.readAll(0n, 100)).toEqual([]);
  });

  it("refuses values the default codec cannot round-trip, naming the path, and stores nothing", async () => {
    const { created, system } = await notes();
    const cases: [Note, string][] = [
      [{ type: "Paid", amount: Number.NaN }, "event.amount is NaN"],
      [{ type: "Paid", amount: Number.POSITIVE_INFINITY }, "event.amount is Infinity"],
      [{ type: "Paid", at: new Date(0) }, "event.at is a Date"],
      [{ type: "Paid", seen: new Map([["a", 1]]) }, "event.seen is a Map"],
      [{ type: "Paid", tags: new Set(["a"]) }, "event.tags is a Set"],
      [{ type: "Paid", lines: [{ cents: 1n }] }, "event.lines[0].cents is a bigint"],
      [{ type: "Paid", lines: [1, undefined] }, "event.lines[1] is undefined"],
      [{ type: "Paid", callback: () => 1 }, "event.callback is a function"],
    ];
    for (const [event, message] of cases) {
      const error = expectError(await system.execute("p", event), "EventStoreError");
      expect(describeError(error)).toContain(message);
    }
    expect(await created.store.readAll(0n, 100)).toEqual([]);
    const accepted = expectOk(await system.execute("p", { type: "Paid", amount: 1.5, note: undefined }));
    expect(accepted.events[0]?.event).toEqual({ type: "Paid", amount: 1.5 });
    expect(expectOk(await system.loadEvents("p"))[0]?.event).toStrictEqual(accepted.events[0]?.event);
  });

  it("refuses metadata that is not string pairs every store can hold, with InvalidMetadata, storing nothing", async () => {
    const { created, system } = await notes();
    const deep: Record<string, unknown> = {};
    let level = deep;
    for (let i = 0; i < 100; i++) level = level.next = {};
    const refused: [unknown, RegExp][] = [
      ["x", /plain object/],
      [[1, 2], /plain object.*array/],
      [42, /plain object.*number 42/],
      [null, /plain object.*null/],
      [new Map([["a", "b"]]), /plain object.*Map/],
      [{ user: 1 }, /"user" must be a string, got number 1/],
      [{ user: 1n }, /"user" must be a string, got bigint/],
      [{ user: undefined }, /"user" must be a string, got undefined/],
      [{ user: { id: "u" } }, /"user" must be a string/],
      [deep, /"next" must be a string/],
      [{ user: "lone \ud800" }, /"user".*well-formed/],
      [{ "nul\u0000key": "x" }, /key.*U\+0000/],
      [{ [Symbol("s")]: "x" }, /symbols/],
    ];
    for (const [metadata, reason] of refused) {
      for (const result of [
        await system.execute("m", { type: "Noted" }, { metadata: metadata as never }),
        await system.executeWithMetadata("m", { type: "Noted" }, metadata as never),
      ]) {
        const error = expectError(result, "InvalidMetadata");
        expect(error).toEqual({ type: "InvalidMetadata", reason: expect.stringMatching(reason) });
        expect(describeError(error)).toMatch(/^invalid metadata: /);
      }
    }
    expect(await created.store.readAll(0n, 100)).toEqual([]);
  });

  it("gives back from execute the metadata every read gives, a frozen copy and never the caller's object", async () => {
    const { created, system, plain } = await notes();
    const metadata: Record<string, string> = JSON.parse(
      '{"__proto__":"kept as a key","user":"zoë","":"empty"}',
    );
    const done = expectOk(await system.execute("m", { type: "Noted" }, { metadata }));
    metadata.user = "changed after";
    const returned = done.events[0]?.metadata;
    expect(returned).not.toBe(metadata);
    expect(Object.isFrozen(returned)).toBe(true);
    const expected = JSON.parse('{"__proto__":"kept as a key","user":"zoë","":"empty"}');
    expect(returned).toStrictEqual(expected);
    expect(expectOk(await system.loadEvents("m"))[0]?.metadata).toStrictEqual(expected);
    expect((await (await created.openAnother()).readAggregate("default", "m", 0))[0]?.metadata).toStrictEqual(
      expected,
    );
    await until(() => plain.calls.length === 1);
    expect(plain.calls[0]?.events[0]?.metadata).toStrictEqual(expected);
    const none = expectOk(await system.execute("m", { type: "Noted" }));
    expect(none.events[0]?.metadata).toStrictEqual({});
    expect(expectOk(await system.loadEventsFrom("m", 1))[0]?.metadata).toStrictEqual({});
  });

  it("takes a plain positive integer as execute's timeout and snapshot frequency, and refuses other numbers", async () => {
    const { system } = await notes({ snapshotEvery: 2 });
    expectOk(await system.execute("t", { type: "Noted" }, { timeout: 1_000 }));
    expectOk(await system.execute("t", { type: "Noted" }, { timeout: 1_000 }));
    await until(async () => expectOk(await system.latestSnapshot("t")) !== null);
    expect(expectOk(await system.latestSnapshot("t"))).toMatchObject({ sequence: 2, state: 2 });
    for (const value of [0, -5, 1.5, Number.NaN])
      expect(await system.execute("t", { type: "Noted" }, { timeout: value })).toEqual({
        ok: false,
        error: { type: "NonPositiveArgument", argument: "timeout", value },
      });
    expect(expectOk(await system.loadAggregate("t")).sequence).toBe(2);
  });
});
