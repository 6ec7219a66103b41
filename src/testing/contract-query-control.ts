import type { EventStore, QueryCheckpoint, QueryLock } from "../core/event-store.js";
import type { ContractContext } from "./contract-context.js";
import { appended, encoded } from "./contract-helpers.js";

const noControl = "the store records no query resets and skips (loadQueryCheckpoint is optional)";
const noHead = "the store has no headPosition (optional)";
const noSecondHandle = "the harness has no openAnother, so one storage cannot be shared by two handles";

/** The optional methods of a store that records resets and skips, once checked to be there. */
interface ControlledStore extends EventStore {
  loadQueryCheckpoint(name: string): Promise<QueryCheckpoint | null>;
  requestQueryReset(name: string): Promise<void>;
  skipQueryEvent(name: string, position: bigint): Promise<void>;
  lockQuery(name: string): Promise<QueryLock | null>;
}

function controlled(store: EventStore): store is ControlledStore {
  return (
    typeof store.loadQueryCheckpoint === "function" &&
    typeof store.requestQueryReset === "function" &&
    typeof store.skipQueryEvent === "function" &&
    typeof store.lockQuery === "function"
  );
}

/**
 * The contract of what operators record beside a named query's checkpoint (resets and skipped
 * positions, with the generation that fences a stale runner) and of `headPosition`. A store without
 * these optional methods skips the tests, saying so.
 *
 * @example
 * ```ts
 * describeQueryControlContract(new ContractContext(harness, tools, 25));
 * ```
 */
export function describeQueryControlContract(context: ContractContext): void {
  const { it, expect } = context.tools;

  it("records a reset: the checkpoint goes back to 0, the generation grows, the reset is pending and skips are forgotten", async ({
    skip,
  }) => {
    const store = await context.fresh();
    if (!controlled(store)) return skip(noControl);
    expect(await store.loadQueryCheckpoint("balances")).toBeNull();
    await store.requestQueryReset("new-name");
    expect(await store.loadQueryCheckpoint("new-name")).toEqual({
      position: 0n,
      generation: 1,
      resetPending: true,
      skipped: [],
    });
    await store.saveCheckpoint("balances", 12n);
    await store.skipQueryEvent("balances", 5n);
    expect(await store.loadQueryCheckpoint("balances")).toEqual({
      position: 12n,
      generation: 0,
      resetPending: false,
      skipped: [5n],
    });
    await store.requestQueryReset("balances");
    await store.requestQueryReset("balances");
    expect(await store.loadQueryCheckpoint("balances")).toEqual({
      position: 0n,
      generation: 2,
      resetPending: true,
      skipped: [],
    });
    expect(await store.loadCheckpoint("balances")).toBe(0n);
  });

  it("refuses a lock's save of an older generation once a reset is recorded, keeping the lock, and a save of the new generation clears the pending reset", async ({
    skip,
  }) => {
    const store = await context.fresh();
    if (!controlled(store)) return skip(noControl);
    const lock = await store.lockQuery("balances");
    expect(await lock?.saveCheckpoint(7n, 0)).toBe(true);
    await store.requestQueryReset("balances");
    // The runner saves the checkpoint of the generation it started with, right after the reset: the
    // reset wins.
    expect(await lock?.saveCheckpoint(9n, 0)).toBe(false);
    expect(lock?.held).toBe(true);
    expect(await store.loadQueryCheckpoint("balances")).toMatchObject({
      position: 0n,
      generation: 1,
      resetPending: true,
    });
    expect(await lock?.saveCheckpoint(0n, 1)).toBe(true);
    expect(await store.loadQueryCheckpoint("balances")).toMatchObject({
      position: 0n,
      generation: 1,
      resetPending: false,
    });
    expect(await lock?.saveCheckpoint(3n, 1)).toBe(true);
    expect(await store.loadCheckpoint("balances")).toBe(3n);
    await lock?.release();
    expect(await lock?.saveCheckpoint(4n, 1)).toBe(false);
    expect(await store.loadCheckpoint("balances")).toBe(3n);
  });

  it("records skipped positions once each, in ascending order, seen by another handle", async ({ skip }) => {
    const store = await context.fresh();
    if (!controlled(store)) return skip(noControl);
    await store.skipQueryEvent("balances", 40n);
    await store.skipQueryEvent("balances", 3n);
    await store.skipQueryEvent("balances", 40n);
    await store.skipQueryEvent("balances", 9_007_199_254_740_993n);
    expect((await store.loadQueryCheckpoint("balances"))?.skipped).toEqual([3n, 40n, 9_007_199_254_740_993n]);
    // A skip leaves the checkpoint as it is.
    await store.saveCheckpoint("balances", 8n);
    await store.skipQueryEvent("balances", 41n);
    expect(await store.loadCheckpoint("balances")).toBe(8n);
    if (!context.canOpenAnother) return skip(noSecondHandle);
    const other = await context.another(store);
    expect((await other.loadQueryCheckpoint?.("balances"))?.skipped).toEqual([
      3n,
      40n,
      41n,
      9_007_199_254_740_993n,
    ]);
  });

  it("gives the last position of the log as headPosition, 0n when empty", async ({ skip }) => {
    const store = await context.fresh();
    if (!store.headPosition) return skip(noHead);
    expect(await store.headPosition()).toBe(0n);
    const first = appended(
      (
        await store.append([
          {
            aggregateType: "default",
            aggregateId: "a",
            expectedSequence: 0,
            events: [encoded(1), encoded(2)],
          },
        ])
      )[0],
    );
    expect(await store.headPosition()).toBe(first[1]?.position);
    const second = appended(
      (
        await store.append([
          { aggregateType: "other", aggregateId: "b", expectedSequence: 0, events: [encoded(3)] },
        ])
      )[0],
    );
    expect(await store.headPosition()).toBe(second[0]?.position);
  });
}
