import * as fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { EventStore } from "../../src/core/event-store.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { ContractContext, type EventStoreHarness } from "../../src/testing/contract-context.js";
import { describeEventStoreContract } from "../../src/testing/index.js";

/** Another handle on the same memory store, the way a second SQLite connection shares one file. */
function handleOn(store: EventStore, options: { readonly optionals: boolean }): EventStore {
  const handle: EventStore = {
    init: () => store.init(),
    append: (requests) => store.append(requests),
    readAggregate: (type, aggregateId, afterSequence) =>
      store.readAggregate(type, aggregateId, afterSequence),
    currentSequence: (type, aggregateId) => store.currentSequence(type, aggregateId),
    readAll: (afterPosition, limit, options) => store.readAll(afterPosition, limit, options),
    loadSnapshot: (type, aggregateId) => store.loadSnapshot(type, aggregateId),
    saveSnapshot: (snapshot) => store.saveSnapshot(snapshot),
    loadCheckpoint: (name) => store.loadCheckpoint(name),
    saveCheckpoint: (name, position) => store.saveCheckpoint(name, position),
    // Closing one handle leaves the shared storage to the others.
    close: async () => undefined,
  };
  const { lockQuery, onAppend } = store;
  if (!options.optionals || !lockQuery || !onAppend) return handle;
  return {
    ...handle,
    lockQuery: (name) => lockQuery.call(store, name),
    onAppend: (l) => onAppend.call(store, l),
    ...(store.loadQueryCheckpoint && {
      loadQueryCheckpoint: store.loadQueryCheckpoint.bind(store),
      requestQueryReset: store.requestQueryReset?.bind(store),
      skipQueryEvent: store.skipQueryEvent?.bind(store),
      headPosition: store.headPosition?.bind(store),
    }),
  };
}

describeEventStoreContract("memoryStore behind two handles", {
  create: async () => memoryStore(),
  openAnother: async (store) => handleOn(store, { optionals: true }),
});

describeEventStoreContract(
  "a store without the optional lockQuery and onAppend",
  { create: async () => handleOn(memoryStore(), { optionals: false }) },
  { numRuns: 5 },
);

describe("describeEventStoreContract", () => {
  it("refuses a harness without create, an empty name and a numRuns that is not a positive integer", () => {
    const harness = { create: async () => memoryStore() };
    expect(() => describeEventStoreContract("x", {} as EventStoreHarness)).toThrow(/needs create\(\)/);
    expect(() => describeEventStoreContract("", harness)).toThrow(/name the store/);
    expect(() => describeEventStoreContract("x", harness, { numRuns: 0 })).toThrow(
      /numRuns must be a positive/,
    );
    expect(() => describeEventStoreContract("x", harness, { numRuns: 2.5 })).toThrow(
      /numRuns must be a positive/,
    );
  });
});

describe("the contract's store lifecycle", () => {
  const tools = { describe, it, expect, afterEach, fc };

  it("initializes fresh stores and hands every store a test created to dispose, in creation order", async () => {
    const disposed: EventStore[][] = [];
    const context = new ContractContext(
      {
        create: async () => memoryStore(),
        openAnother: async (store) => handleOn(store, { optionals: true }),
        dispose: async (stores) => {
          disposed.push([...stores]);
        },
      },
      tools,
      25,
    );
    const first = await context.fresh();
    const second = await context.another(first);
    const third = await context.create();
    await context.dispose();
    await context.dispose();
    expect(disposed).toEqual([[first, second, third]]);
  });

  it("closes the stores of a test when the harness has no dispose", async () => {
    const context = new ContractContext({ create: async () => memoryStore() }, tools, 25);
    const store = await context.fresh();
    await context.dispose();
    await expect(store.currentSequence("default", "a")).rejects.toThrow(/closed/);
  });

  it("refuses a second handle when the harness cannot open one", async () => {
    const context = new ContractContext({ create: async () => memoryStore() }, tools, 25);
    expect(context.canOpenAnother).toBe(false);
    await expect(context.another(await context.fresh())).rejects.toThrow(/no openAnother/);
    await context.dispose();
  });
});
