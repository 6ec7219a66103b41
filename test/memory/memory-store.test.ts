import { describe, expect, it } from "vitest";
import { memoryStore } from "../../src/stores/memory/index.js";
import { describeEventStoreContract } from "../../src/testing/index.js";
import { expectEveryCallRefusedAfterClose } from "../support/closed-store.js";

describeEventStoreContract("memoryStore", { create: async () => memoryStore() });

const event = (n: number) => ({ eventType: "Tested", payload: JSON.stringify({ n }), metadata: {} });

describe("memoryStore", () => {
  it("is the only value the eventsourcing/memory entry exports", async () => {
    expect(Object.keys(await import("../../src/stores/memory/index.js"))).toEqual(["memoryStore"]);
  });

  it("rejects every method after close, saying the store is closed", async () => {
    const store = memoryStore();
    await store.init();
    await store.close();
    await expectEveryCallRefusedAfterClose(store, /memory store is closed/);
  });

  it("can be closed twice", async () => {
    const store = memoryStore();
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });

  it("loses held query locks when it closes", async () => {
    const store = memoryStore();
    const lock = await store.lockQuery("balances");
    await store.close();
    expect(lock?.held).toBe(false);
  });

  it("rejects a request without events with a TypeError and writes nothing of the call", async () => {
    const store = memoryStore();
    const call = store.append([
      { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [event(1)] },
      { aggregateType: "default", aggregateId: "b", expectedSequence: 0, events: [] },
    ]);
    await expect(call).rejects.toThrow(TypeError);
    await expect(call).rejects.toThrow(/request 1 \(aggregate "b"\) has no events/);
    expect(await store.currentSequence("default", "a")).toBe(0);
    expect(await store.readAll(0n, 10)).toEqual([]);
  });

  it("rejects one aggregate id in two requests of one call with a TypeError and writes nothing", async () => {
    const store = memoryStore();
    const call = store.append([
      { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [event(1)] },
      { aggregateType: "default", aggregateId: "a", expectedSequence: 1, events: [event(2)] },
    ]);
    await expect(call).rejects.toThrow(TypeError);
    await expect(call).rejects.toThrow(/aggregate "a" appears in two requests/);
    expect(await store.readAll(0n, 10)).toEqual([]);
  });

  it("rejects an expected sequence that is not a non-negative integer with a TypeError", async () => {
    const store = memoryStore();
    for (const expectedSequence of [-1, 1.5, Number.NaN])
      await expect(
        store.append([{ aggregateType: "default", aggregateId: "a", expectedSequence, events: [event(1)] }]),
      ).rejects.toThrow(/non-negative integer expectedSequence/);
  });

  it("records the time given by the now option and freezes stored rows", async () => {
    const at = new Date("2026-01-02T03:04:05.678Z");
    const store = memoryStore({ now: () => at });
    const [outcome] = await store.append([
      { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [event(1)] },
    ]);
    const [stored] = outcome?.ok ? outcome.value : [];
    expect(stored?.recordedAt.toISOString()).toBe("2026-01-02T03:04:05.678Z");
    expect(Object.isFrozen(stored)).toBe(true);
    expect(Object.isFrozen(stored?.metadata)).toBe(true);
  });

  it("keeps stored metadata apart from the caller's object", async () => {
    const store = memoryStore();
    const metadata: Record<string, string> = { userId: "u-1" };
    await store.append([
      {
        aggregateType: "default",
        aggregateId: "a",
        expectedSequence: 0,
        events: [{ ...event(1), metadata }],
      },
    ]);
    metadata.userId = "changed";
    const [stored] = await store.readAggregate("default", "a", 0);
    expect(stored?.metadata).toEqual({ userId: "u-1" });
  });

  it("numbers positions densely from 1 across aggregates", async () => {
    const store = memoryStore();
    await store.append([
      { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [event(1), event(2)] },
      { aggregateType: "default", aggregateId: "b", expectedSequence: 0, events: [event(3)] },
    ]);
    await store.append([
      { aggregateType: "default", aggregateId: "a", expectedSequence: 2, events: [event(4)] },
    ]);
    expect((await store.readAll(0n, 10)).map((stored) => stored.position)).toEqual([1n, 2n, 3n, 4n]);
    expect((await store.readAll(2n, 1)).map((stored) => stored.position)).toEqual([3n]);
  });

  it("wakes a listener once for the appends made in one turn, and keeps waking others when one throws", async () => {
    const store = memoryStore();
    let calls = 0;
    store.onAppend(() => {
      throw new Error("listener bug");
    });
    store.onAppend(() => {
      calls++;
    });
    await Promise.all([
      store.append([{ aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [event(1)] }]),
      store.append([{ aggregateType: "default", aggregateId: "b", expectedSequence: 0, events: [event(2)] }]),
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
  });

  it("does not wake listeners when every request of an append conflicts", async () => {
    const store = memoryStore();
    let calls = 0;
    store.onAppend(() => {
      calls++;
    });
    const [outcome] = await store.append([
      { aggregateType: "default", aggregateId: "a", expectedSequence: 3, events: [event(1)] },
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(outcome?.ok).toBe(false);
    expect(calls).toBe(0);
  });

  it("refuses options that are not an options object or a now function", () => {
    expect(() => memoryStore({ now: "today" as unknown as () => Date })).toThrow(/`now` must be a function/);
    expect(() => memoryStore(null as unknown as object)).toThrow(/pass an options object/);
  });
});
