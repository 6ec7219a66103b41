/** A store wrapper whose methods can be made to fail or wait, to test what the system does then. */
import type { EventStore } from "../../src/core/event-store.js";

type Method = "append" | "readAggregate" | "loadSnapshot" | "saveSnapshot" | "readAll" | "currentSequence";

export interface FaultyStore extends EventStore {
  /** Makes `method` throw `error` until `heal(method)`. */
  fail(method: Method, error?: Error): void;
  heal(method: Method): void;
  /** Makes the next calls of `method` wait until the returned function is called. */
  hold(method: Method): () => void;
  /** Makes every `append` call carrying a request for `aggregateId` throw, as a store refusing its data would. */
  refuse(aggregateId: string): void;
}

/** Wraps `inner`; everything passes through until told otherwise. */
export function faultyStore(inner: EventStore): FaultyStore {
  const failing = new Map<Method, Error>();
  const held = new Map<Method, Promise<void>>();
  const refused = new Set<string>();
  const guard =
    <A extends unknown[], R>(method: Method, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const gate = held.get(method);
      if (gate) await gate;
      const error = failing.get(method);
      if (error) throw error;
      return call(...args);
    };
  const store: FaultyStore = {
    init: () => inner.init(),
    close: () => inner.close(),
    append: guard("append", async (requests) => {
      const bad = requests.find((request) => refused.has(request.aggregateId));
      if (bad) throw new Error(`the store refuses the events of ${JSON.stringify(bad.aggregateId)}`);
      return inner.append(requests);
    }),
    readAggregate: guard("readAggregate", (type, id, after) => inner.readAggregate(type, id, after)),
    currentSequence: guard("currentSequence", (type, id) => inner.currentSequence(type, id)),
    readAll: guard("readAll", (after, limit, options) => inner.readAll(after, limit, options)),
    loadSnapshot: guard("loadSnapshot", (type, id) => inner.loadSnapshot(type, id)),
    saveSnapshot: guard("saveSnapshot", (snapshot) => inner.saveSnapshot(snapshot)),
    loadCheckpoint: (name) => inner.loadCheckpoint(name),
    saveCheckpoint: (name, position) => inner.saveCheckpoint(name, position),
    fail(method, error = new Error(`${method} is failing`)) {
      failing.set(method, error);
    },
    heal(method) {
      failing.delete(method);
    },
    refuse(aggregateId) {
      refused.add(aggregateId);
    },
    hold(method) {
      let release = () => {};
      held.set(method, new Promise<void>((resolve) => (release = resolve)));
      return () => {
        held.delete(method);
        release();
      };
    },
  };
  if (inner.lockQuery)
    store.lockQuery = (name) => (inner.lockQuery as NonNullable<EventStore["lockQuery"]>)(name);
  if (inner.onAppend)
    store.onAppend = (listener) => (inner.onAppend as NonNullable<EventStore["onAppend"]>)(listener);
  return store;
}
