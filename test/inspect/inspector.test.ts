/**
 * The inspection layer on every store: stream listings by type and prefix paged by key, the log forward
 * and backward, checkpoints, counts, snapshots, and imports that keep every field, skip what is there
 * and refuse what would overwrite or reorder a stream.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import type { AppendRequest, StoredEvent } from "../../src/core/event-store.js";
import { ImportRefused, inspectStore, type StoreAdmin } from "../../src/inspect/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { forEachStore, type TestStore } from "../support/stores.js";

const request = (
  aggregateType: string,
  aggregateId: string,
  expectedSequence: number,
  types: string[],
): AppendRequest => ({
  aggregateType,
  aggregateId,
  expectedSequence,
  events: types.map((eventType, i) => ({
    eventType,
    payload: JSON.stringify({ n: i, b: "x" }),
    metadata: { by: "test" },
    eventVersion: eventType === "Renamed" ? 2 : 1,
  })),
});

/** An event without its position, which an import that does not keep positions gives anew. */
function withoutPosition(event: StoredEvent): Omit<StoredEvent, "position"> {
  const { position: _, ...rest } = event;
  return rest;
}

forEachStore("the store inspector", (kind) => {
  let test: TestStore;
  let inspector: StoreAdmin;
  beforeEach(async () => {
    test = await kind.create();
    inspector = inspectStore(test.store);
    await test.store.append([
      request("account", "a-2", 0, ["Opened", "Deposited"]),
      request("account", "a-1", 0, ["Opened"]),
      request("user", "a-1", 0, ["Registered", "Renamed", "Renamed"]),
    ]);
    await test.store.append([
      request("account", "b-1", 0, ["Opened"]),
      request("account", "a-1", 1, ["Deposited"]),
    ]);
  });
  afterEach(async () => {
    await test.cleanup();
  });

  it("lists streams in (type, id) order with counts and last positions, paged by key", async () => {
    const all = await inspector.listStreams({ limit: 100 });
    expect(all.map((s) => `${s.aggregateType}/${s.aggregateId}:${s.eventCount}`)).toEqual([
      "account/a-1:2",
      "account/a-2:2",
      "account/b-1:1",
      "user/a-1:3",
    ]);
    expect(all[0]?.lastPosition).toBe((await inspector.readLog(0n, 100)).at(-1)?.position);
    expect(all[0]?.lastSequence).toBe(2);
    const first = await inspector.listStreams({ limit: 2 });
    const rest = await inspector.listStreams({ limit: 10, after: first[1] });
    expect([...first, ...rest]).toEqual(all);
    expect(
      (await inspector.listStreams({ limit: 10, aggregateType: "user" })).map((s) => s.aggregateId),
    ).toEqual(["a-1"]);
    const prefixed = await inspector.listStreams({ limit: 10, idPrefix: "a-" });
    expect(prefixed.map((s) => `${s.aggregateType}/${s.aggregateId}`)).toEqual([
      "account/a-1",
      "account/a-2",
      "user/a-1",
    ]);
    const afterFirst = await inspector.listStreams({ limit: 10, idPrefix: "a-", after: prefixed[0] });
    expect(afterFirst).toEqual(prefixed.slice(1));
    expect(await inspector.listStreams({ limit: 10, aggregateType: "account", idPrefix: "zz" })).toEqual([]);
    expect(await inspector.listStreams({ limit: 10, aggregateType: "nobody" })).toEqual([]);
    expect(await inspector.aggregateTypes()).toEqual(["account", "user"]);
  });

  it("reads streams and the log both ways, by type, and finds events by id", async () => {
    const stream = await inspector.readStream("user", "a-1", 1, 10);
    expect(stream.map((e) => [e.sequence, e.eventType, e.eventVersion])).toEqual([
      [2, "Renamed", 2],
      [3, "Renamed", 2],
    ]);
    expect(await inspector.readStream("user", "a-1", 0, 1)).toHaveLength(1);
    const log = await inspector.readLog(0n, 100);
    // Positions are the store's own (consecutive on SQLite, numbered by transaction on PostgreSQL).
    const p = log.map((e) => e.position);
    expect(p).toHaveLength(8);
    expect(p.every((position, i) => i === 0 || position > (p[i - 1] as bigint))).toBe(true);
    expect(log.map((e) => `${e.aggregateType}/${e.aggregateId}/${e.sequence}`)).toEqual([
      "account/a-2/1",
      "account/a-2/2",
      "account/a-1/1",
      "user/a-1/1",
      "user/a-1/2",
      "user/a-1/3",
      "account/b-1/1",
      "account/a-1/2",
    ]);
    expect((await inspector.readLog(p[1] as bigint, 3)).map((e) => e.position)).toEqual(p.slice(2, 5));
    expect((await inspector.readLog(0n, 100, ["user"])).map((e) => e.position)).toEqual(p.slice(3, 6));
    expect((await inspector.readLogBefore(null, 3)).map((e) => e.position)).toEqual(p.slice(5, 8));
    expect((await inspector.readLogBefore(p[6] as bigint, 2, ["account"])).map((e) => e.position)).toEqual(
      p.slice(1, 3),
    );
    expect(
      (await inspector.readLogBefore(p[6] as bigint, 2, ["account", "user"])).map((e) => e.position),
    ).toEqual(p.slice(4, 6));
    const byId = await inspector.eventById((log[4] as StoredEvent).eventId);
    expect(byId).toEqual(log[4]);
    expect(await inspector.eventById("00000000-0000-7000-8000-000000000000")).toBeNull();
    expect(await inspector.eventById("not an id")).toBeNull();
    expect(await inspector.headPosition()).toBe(p[7]);
  });

  it("counts, lists event types, checkpoints and snapshots", async () => {
    await test.store.saveCheckpoint("balances", 5n);
    await test.store.saveCheckpoint("audit", 8n);
    await test.store.saveSnapshot({
      aggregateType: "account",
      aggregateId: "a-2",
      sequence: 2,
      version: 3,
      state: '{"balance":1}',
      timestamp: new Date("2026-01-02T03:04:05.678Z"),
    });
    expect(await inspector.counts()).toEqual({ events: 8, streams: 4, snapshots: 1, checkpoints: 2 });
    expect(await inspector.eventTypes()).toEqual([
      { eventType: "Deposited", count: 2, versions: [1] },
      { eventType: "Opened", count: 3, versions: [1] },
      { eventType: "Registered", count: 1, versions: [1] },
      { eventType: "Renamed", count: 2, versions: [2] },
    ]);
    const checkpoints = await inspector.listCheckpoints();
    expect(checkpoints.map((c) => [c.name, c.position])).toEqual([
      ["audit", 8n],
      ["balances", 5n],
    ]);
    const snapshots = await inspector.listSnapshots(null, 10);
    expect(snapshots).toEqual([
      {
        aggregateType: "account",
        aggregateId: "a-2",
        sequence: 2,
        version: 3,
        state: '{"balance":1}',
        timestamp: new Date("2026-01-02T03:04:05.678Z"),
      },
    ]);
    expect(await inspector.listSnapshots(snapshots[0] ?? null, 10)).toEqual([]);
  });

  it("names the holder of a named query's lock where the store can tell", async () => {
    await test.store.saveCheckpoint("balances", 1n);
    const lock = await test.store.lockQuery?.("balances");
    try {
      const [entry] = await inspector.listCheckpoints();
      if (kind.name === "memory") expect(entry?.holder).toBeNull();
      else expect(entry?.holder).toMatch(kind.name === "sqlite" ? /^lease / : /^server process \d+/);
    } finally {
      await lock?.release();
    }
  });

  it("imports events keeping every field, skips them the second time, refuses overwrites and gaps", async () => {
    const source = await inspector.readLog(0n, 100);
    const target = await kind.create();
    try {
      const into = inspectStore(target.store);
      expect(await into.importEvents(source.slice(0, 5), { keepPositions: false })).toEqual({
        written: 5,
        skipped: 0,
      });
      expect(await into.importEvents(source, { keepPositions: false })).toEqual({ written: 3, skipped: 5 });
      // Without kept positions the target numbers the events itself, in the same order.
      const copied = await into.readLog(0n, 100);
      expect(copied.map(withoutPosition)).toEqual(source.map(withoutPosition));
      // The store appends after imported events as after its own.
      const [outcome] = await target.store.append([request("account", "a-1", 2, ["Closed"])]);
      expect(outcome?.ok).toBe(true);
      const stranger = { ...(source[0] as StoredEvent), eventId: "01900000-0000-7000-8000-000000000001" };
      await expect(into.importEvents([stranger], { keepPositions: false })).rejects.toThrow(
        /would overwrite/,
      );
      const gap = { ...stranger, sequence: 5 };
      await expect(into.importEvents([gap], { keepPositions: false })).rejects.toThrow(/would leave a gap/);
      const moved = { ...(source[1] as StoredEvent), aggregateId: "elsewhere", sequence: 1 };
      await expect(into.importEvents([moved], { keepPositions: false })).rejects.toBeInstanceOf(
        ImportRefused,
      );
      // A refused batch writes nothing of itself.
      const fresh = { ...stranger, aggregateId: "new-1", eventId: "01900000-0000-7000-8000-000000000002" };
      await expect(into.importEvents([fresh, gap], { keepPositions: false })).rejects.toThrow(ImportRefused);
      expect(await into.readStream("account", "new-1", 0, 10)).toEqual([]);
      // One id twice in a batch, into an empty stream each: the second is refused, naming the first's
      // place, the same way on every store.
      const first = { ...stranger, aggregateId: "twin-1", eventId: "01900000-0000-7000-8000-000000000003" };
      const second = { ...first, aggregateId: "twin-2" };
      const refused = await into
        .importEvents([first, second], { keepPositions: false })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ImportRefused);
      expect((refused as ImportRefused).event).toBe(second);
      expect((refused as Error).message).toBe(
        `event ${second.eventId} (account/"twin-2" sequence 1) is already stored at account/"twin-1" sequence 1`,
      );
    } finally {
      await target.cleanup();
    }
  });

  it("keeps positions when asked, past the head only", async () => {
    const source = await inspector.readLog(0n, 100);
    const target = await kind.create();
    try {
      const into = inspectStore(target.store);
      const picked = source;
      if (kind.name === "memory") {
        await into.importEvents(picked, { keepPositions: true });
      } else {
        // account/a-1 (the 3rd and 8th events) left out: the rest keep their positions, gap included.
        const withoutA1 = picked.filter((e) => !(e.aggregateType === "account" && e.aggregateId === "a-1"));
        await into.importEvents(withoutA1, { keepPositions: true });
        expect((await into.readLog(0n, 100)).map((e) => e.position)).toEqual(
          withoutA1.map((e) => e.position),
        );
        await expect(into.importEvents([source[2] as StoredEvent], { keepPositions: true })).rejects.toThrow(
          /not past the store's last position/,
        );
        const [outcome] = await target.store.append([request("account", "z", 0, ["Opened"])]);
        const next = outcome?.ok ? (outcome.value[0]?.position ?? 0n) : 0n;
        expect(next > (withoutA1.at(-1) as StoredEvent).position).toBe(true);
      }
    } finally {
      await target.cleanup();
    }
  });

  it("reads each event's command id and imports it, so the store finds the command again", async () => {
    const [outcome] = await test.store.append([
      { ...request("account", "c-1", 0, ["Opened", "Deposited"]), commandId: "cmd-1" },
    ]);
    expect(outcome?.ok).toBe(true);
    const stream = await inspector.readStream("account", "c-1", 0, 10);
    expect(stream.map((e) => e.commandId)).toEqual(["cmd-1", "cmd-1"]);
    expect((await inspector.readStream("account", "a-1", 0, 10)).map((e) => "commandId" in e)).toEqual([
      false,
      false,
    ]);
    const [last] = await inspector.readLogBefore(null, 1);
    expect(last?.commandId).toBe("cmd-1");
    expect((await inspector.eventById(last?.eventId as string))?.commandId).toBe("cmd-1");
    for (const keepPositions of [false, true]) {
      const target = await kind.create();
      try {
        const into = inspectStore(target.store);
        await into.importEvents(await inspector.readLog(0n, 100), { keepPositions });
        const copied = await into.readLog(0n, 100);
        const original = await inspector.readLog(0n, 100);
        if (keepPositions) expect(copied).toEqual(original);
        else expect(copied.map(withoutPosition)).toEqual(original.map(withoutPosition));
        const found = await target.store.readCommand?.("account", "c-1", "cmd-1");
        expect(found?.map((e) => e.eventId)).toEqual(stream.map((e) => e.eventId));
      } finally {
        await target.cleanup();
      }
    }
  });

  it("lists a checkpoint's generation, pending reset and skipped positions, and writes them as given", async () => {
    await test.store.saveCheckpoint("balances", 5n);
    await test.store.skipQueryEvent?.("balances", 7n);
    await test.store.skipQueryEvent?.("balances", 3n);
    expect((await inspector.listCheckpoints())[0]).toMatchObject({
      name: "balances",
      position: 5n,
      generation: 0,
      resetPending: false,
      skipped: [3n, 7n],
    });
    await test.store.requestQueryReset?.("balances");
    const [reset] = await inspector.listCheckpoints();
    expect(reset).toMatchObject({ position: 0n, generation: 1, resetPending: true, skipped: [] });
    const target = await kind.create();
    try {
      const into = inspectStore(target.store);
      await into.putCheckpoint("balances", 0n, { generation: 1, resetPending: true, skipped: [] });
      await into.putCheckpoint("audit", 6n, { generation: 3, resetPending: false, skipped: [8n, 2n, 8n] });
      expect(await target.store.loadQueryCheckpoint?.("balances")).toEqual({
        position: 0n,
        generation: 1,
        resetPending: true,
        skipped: [],
      });
      expect(await target.store.loadQueryCheckpoint?.("audit")).toEqual({
        position: 6n,
        generation: 3,
        resetPending: false,
        skipped: [2n, 8n],
      });
      // Without a record, the position moves and the rest stays.
      await into.putCheckpoint("audit", 9n);
      expect(await target.store.loadQueryCheckpoint?.("audit")).toEqual({
        position: 9n,
        generation: 3,
        resetPending: false,
        skipped: [2n, 8n],
      });
    } finally {
      await target.cleanup();
    }
  });

  it("wakes listeners on appends", async () => {
    let woken = 0;
    const stop = inspector.onAppend(() => {
      woken++;
    });
    await test.store.append([request("account", "c-1", 0, ["Opened"])]);
    await expect.poll(() => woken).toBeGreaterThan(0);
    stop();
  });
});

it("refuses a store it does not know", () => {
  const foreign = { ...memoryStore() };
  expect(() => inspectStore(foreign as never)).toThrow(/only the memory, SQLite and PostgreSQL stores/);
});
