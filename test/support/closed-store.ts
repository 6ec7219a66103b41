/** What every store must do once closed: refuse each call with an error that says so. */
import { expect } from "vitest";
import type { EventStore } from "../../src/core/event-store.js";

/** Asserts that every method of a closed `store` rejects (or, for `onAppend`, throws) with `message`. */
export async function expectEveryCallRefusedAfterClose(store: EventStore, message: RegExp): Promise<void> {
  const event = { eventType: "E", payload: "{}", metadata: {} };
  const calls: [string, () => Promise<unknown>][] = [
    ["init", () => store.init()],
    [
      "append",
      () =>
        store.append([{ aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [event] }]),
    ],
    ["readAggregate", () => store.readAggregate("default", "a", 0)],
    ["currentSequence", () => store.currentSequence("default", "a")],
    ["readAll", () => store.readAll(0n, 10)],
    ["loadSnapshot", () => store.loadSnapshot("default", "a")],
    [
      "saveSnapshot",
      () =>
        store.saveSnapshot({
          aggregateType: "default",
          aggregateId: "a",
          sequence: 1,
          version: 1,
          state: "{}",
          timestamp: new Date(),
        }),
    ],
    ["loadCheckpoint", () => store.loadCheckpoint("q")],
    ["saveCheckpoint", () => store.saveCheckpoint("q", 1n)],
    ["lockQuery", () => (store.lockQuery as NonNullable<EventStore["lockQuery"]>)("q")],
  ];
  for (const [method, call] of calls) await expect(call(), method).rejects.toThrow(message);
  expect(() => store.onAppend?.(() => undefined)).toThrow(message);
}
