import type { AppendRequest, EventStore, StoredEvent } from "../core/event-store.js";
import type { ContractContext } from "./contract-context.js";
import { appended, conflictOf, encoded, readLog, request } from "./contract-helpers.js";

/** A request carrying a command id. */
function withCommand(commandId: string, base: AppendRequest): AppendRequest {
  return { ...base, commandId };
}

/** The events of a stream with a command id: `readCommand` when the store has it, else a filtered read. */
async function eventsOfCommand(
  store: EventStore,
  aggregateType: string,
  aggregateId: string,
  commandId: string,
): Promise<readonly StoredEvent[]> {
  if (store.readCommand) return store.readCommand(aggregateType, aggregateId, commandId);
  return (await store.readAggregate(aggregateType, aggregateId, 0)).filter(
    (event) => event.commandId === commandId,
  );
}

const ids = (events: readonly StoredEvent[]) => events.map((event) => event.eventId);

/**
 * The contract of command ids (idempotent commands): an append request's `commandId` is stored with
 * every event of its commit, read back by every read, absent on events appended without one, and found
 * again by `readCommand` (when the store has it) for that stream only, from any handle.
 *
 * @example
 * ```ts
 * describeCommandContract(new ContractContext(harness, tools, 25));
 * ```
 */
export function describeCommandContract(context: ContractContext): void {
  const { it, expect } = context.tools;

  it("stores a request's command id with every event of its commit, and none on events without one", async () => {
    const store = await context.fresh();
    const [first] = await store.append([
      withCommand("cmd-1", request("cart", "1", 0, [encoded("a"), encoded("b")])),
    ]);
    expect(appended(first).map((event) => event.commandId)).toEqual(["cmd-1", "cmd-1"]);
    const [second] = await store.append([request("cart", "1", 2, [encoded("c")])]);
    expect(appended(second)[0]?.commandId).toBeUndefined();
    const stream = await store.readAggregate("cart", "1", 0);
    expect(stream.map((event) => event.commandId)).toEqual(["cmd-1", "cmd-1", undefined]);
    const log = await readLog(store);
    expect(log.map((event) => event.commandId)).toEqual(["cmd-1", "cmd-1", undefined]);
  });

  it("finds a commit by its command id on its own stream only, and nothing for an unknown id", async () => {
    const store = await context.fresh();
    const outcomes = await store.append([
      withCommand("shared", request("cart", "1", 0, [encoded(1), encoded(2)])),
      withCommand("shared", request("order", "1", 0, [encoded(3)])),
      withCommand("other", request("cart", "2", 0, [encoded(4)])),
    ]);
    const cart = appended(outcomes[0]);
    expect(await eventsOfCommand(store, "cart", "1", "shared")).toEqual(cart);
    expect(ids(await eventsOfCommand(store, "order", "1", "shared"))).toEqual(ids(appended(outcomes[1])));
    expect(await eventsOfCommand(store, "cart", "1", "other")).toEqual([]);
    expect(await eventsOfCommand(store, "cart", "2", "shared")).toEqual([]);
    expect(await eventsOfCommand(store, "cart", "3", "shared")).toEqual([]);
    // Later commits without an id, or with another, leave the answer as it was.
    appended((await store.append([request("cart", "1", 2, [encoded(5)])]))[0]);
    appended((await store.append([withCommand("third", request("cart", "1", 3, [encoded(6)]))]))[0]);
    expect(ids(await eventsOfCommand(store, "cart", "1", "shared"))).toEqual(ids(cart));
    expect((await eventsOfCommand(store, "cart", "1", "third")).map((event) => event.sequence)).toEqual([4]);
  });

  it("keeps nothing of a request that conflicts, command id included", async () => {
    const store = await context.fresh();
    appended((await store.append([request("cart", "1", 0, [encoded(1)])]))[0]);
    const [stale] = await store.append([withCommand("late", request("cart", "1", 0, [encoded(2)]))]);
    expect(conflictOf(stale).actualSequence).toBe(1);
    expect(await eventsOfCommand(store, "cart", "1", "late")).toEqual([]);
  });

  it("holds command ids of any text every store takes, long ones included", async () => {
    const store = await context.fresh();
    const awkward = ["ü-ß-漢字-😀", "a".repeat(256), "with 'quotes' and \"double\" and \\\\"];
    for (const [i, commandId] of awkward.entries()) {
      appended((await store.append([withCommand(commandId, request("cart", `x${i}`, 0, [encoded(i)]))]))[0]);
      const found = await eventsOfCommand(store, "cart", `x${i}`, commandId);
      expect(found.map((event) => event.commandId)).toEqual([commandId]);
    }
  });

  it("gives another handle on the same storage the same commit for a command id", async ({ skip }) => {
    if (!context.canOpenAnother) return skip("the harness cannot open a second handle");
    const store = await context.fresh();
    const other = await context.another(store);
    const written = appended(
      (await store.append([withCommand("cmd", request("cart", "1", 0, [encoded(1), encoded(2)]))]))[0],
    );
    expect(ids(await eventsOfCommand(other, "cart", "1", "cmd"))).toEqual(ids(written));
    expect((await other.readAggregate("cart", "1", 0)).map((event) => event.commandId)).toEqual([
      "cmd",
      "cmd",
    ]);
  });
}
