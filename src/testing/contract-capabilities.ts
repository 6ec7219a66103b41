import type { EventStore, QueryLock } from "../core/event-store.js";
import type { ContractContext } from "./contract-context.js";
import { appended, encoded, eventually } from "./contract-helpers.js";

const noLockQuery = "the store has no lockQuery (optional)";
const noOnAppend = "the store has no onAppend (optional)";
const noSecondHandle = "the harness has no openAnother, so one storage cannot be shared by two handles";

/**
 * The contract of the lifecycle and of the optional capabilities: `init()` twice, `lockQuery` and
 * `onAppend`. A store without an optional capability skips its tests, saying so.
 *
 * @example
 * ```ts
 * describeCapabilityContract(new ContractContext(harness, tools, 25));
 * ```
 */
export function describeCapabilityContract(context: ContractContext): void {
  const { it, expect } = context.tools;

  it("initializes harmlessly twice, and concurrently, keeping what is stored", async () => {
    const store = await context.create();
    await Promise.all([store.init(), store.init()]);
    appended(
      (
        await store.append([
          { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [encoded(1)] },
        ])
      )[0],
    );
    await store.init();
    await Promise.all([store.init(), store.init()]);
    expect(await store.currentSequence("default", "a")).toBe(1);
    appended(
      (
        await store.append([
          { aggregateType: "default", aggregateId: "a", expectedSequence: 1, events: [encoded(2)] },
        ])
      )[0],
    );
    expect((await store.readAggregate("default", "a", 0)).map((event) => event.sequence)).toEqual([1, 2]);
  });

  it("grants a query lock to one holder at a time, again after release", async ({ skip }) => {
    const store = await context.fresh();
    if (!store.lockQuery) return skip(noLockQuery);
    const first = await store.lockQuery("balances");
    expect(first?.held).toBe(true);
    expect(await store.lockQuery("balances")).toBeNull();
    await first?.release();
    expect(first?.held).toBe(false);
    const second = await store.lockQuery("balances");
    expect(second?.held).toBe(true);
    await second?.release();
  });

  it("locks query names independently", async ({ skip }) => {
    const store = await context.fresh();
    if (!store.lockQuery) return skip(noLockQuery);
    const balances = await store.lockQuery("balances");
    const statements = await store.lockQuery("statements");
    expect(balances?.held).toBe(true);
    expect(statements?.held).toBe(true);
    await balances?.release();
    expect(statements?.held).toBe(true);
    await statements?.release();
  });

  it("keeps a query lock exclusive across two handles on one storage", async ({ skip }) => {
    const store = await context.fresh();
    if (!store.lockQuery) return skip(noLockQuery);
    if (!context.canOpenAnother) return skip(noSecondHandle);
    const other = await context.another(store);
    const lockOf = (handle: EventStore): Promise<QueryLock | null> =>
      (handle.lockQuery as (name: string) => Promise<QueryLock | null>).call(handle, "balances");

    const held = await lockOf(store);
    expect(held?.held).toBe(true);
    expect(await lockOf(other)).toBeNull();
    await held?.release();
    const taken = await lockOf(other);
    expect(taken?.held).toBe(true);
    expect(await lockOf(store)).toBeNull();
    await taken?.release();
  });

  it("saves a checkpoint through a held query lock, and refuses it once the lock is released", async ({
    skip,
  }) => {
    const store = await context.fresh();
    if (!store.lockQuery) return skip(noLockQuery);
    const lock = await store.lockQuery("balances");
    expect(await lock?.saveCheckpoint(7n)).toBe(true);
    expect(await store.loadCheckpoint("balances")).toBe(7n);
    await lock?.release();
    expect(await lock?.saveCheckpoint(9n)).toBe(false);
    expect(await store.loadCheckpoint("balances")).toBe(7n);
  });

  it("refuses the checkpoint of a released lock on one handle after another handle took the query", async ({
    skip,
  }) => {
    const store = await context.fresh();
    if (!store.lockQuery) return skip(noLockQuery);
    if (!context.canOpenAnother) return skip(noSecondHandle);
    const other = await context.another(store);
    const lockOf = (handle: EventStore): Promise<QueryLock | null> =>
      (handle.lockQuery as (name: string) => Promise<QueryLock | null>).call(handle, "balances");
    const stale = await lockOf(store);
    await stale?.release();
    const taken = await lockOf(other);
    expect(await taken?.saveCheckpoint(5n)).toBe(true);
    expect(await stale?.saveCheckpoint(9n)).toBe(false);
    expect(await store.loadCheckpoint("balances")).toBe(5n);
    expect(await other.loadCheckpoint("balances")).toBe(5n);
    await taken?.release();
  });

  it("wakes onAppend listeners after an append, once its events are readable, until they unsubscribe", async ({
    skip,
  }) => {
    const store = await context.fresh();
    if (!store.onAppend) return skip(noOnAppend);
    let leaving = 0;
    let staying = 0;
    // A wake-up is a hint: a store may also wake listeners without a new event (e.g. on reconnecting),
    // but at least one wake-up must come once the appended event is readable.
    let sawEvent = false;
    const unsubscribe = store.onAppend(() => {
      leaving++;
      // A wake-up may come as the store closes at the end of the test: a refused read is no finding.
      void store.readAll(0n, 10).then(
        (events) => {
          if (events.length === 1) sawEvent = true;
        },
        () => undefined,
      );
    });
    store.onAppend(() => {
      staying++;
    });

    appended(
      (
        await store.append([
          { aggregateType: "default", aggregateId: "a", expectedSequence: 0, events: [encoded(1)] },
        ])
      )[0],
    );
    await eventually(() => sawEvent && staying > 0, "a wake-up that finds the appended event readable");

    unsubscribe();
    const leavingAtUnsubscribe = leaving;
    const stayingBefore = staying;
    appended(
      (
        await store.append([
          { aggregateType: "default", aggregateId: "a", expectedSequence: 1, events: [encoded(2)] },
        ])
      )[0],
    );
    await eventually(() => staying > stayingBefore, "the remaining listener to be woken");
    expect(leaving).toBe(leavingAtUnsubscribe);
  });
}
