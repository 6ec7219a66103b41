import type * as FastCheck from "fast-check";
import type * as Vitest from "vitest";
import type { EventStore } from "../core/event-store.js";

/**
 * How the contract suite gets stores: one harness per store implementation.
 *
 * @example
 * ```ts
 * const harness: EventStoreHarness = { create: async () => memoryStore() };
 * ```
 */
export interface EventStoreHarness {
  /** A fresh, empty store for one test, initialized or not (the suite calls `init()` itself). */
  create(): Promise<EventStore>;
  /** Optional: a second handle on the same storage as `store` (same SQLite file, same PostgreSQL schema). */
  openAnother?(store: EventStore): Promise<EventStore>;
  /** Optional: called after each test with the stores it created, to close and clean them. Default: close each. */
  dispose?(stores: readonly EventStore[]): Promise<void>;
}

/**
 * The test framework and property library the suite runs on, loaded when the suite is described.
 *
 * @example
 * ```ts
 * const tools: ContractTools = { describe, it, expect, afterEach, fc };
 * ```
 */
export interface ContractTools {
  readonly describe: typeof Vitest.describe;
  readonly it: typeof Vitest.it;
  readonly expect: typeof Vitest.expect;
  readonly afterEach: typeof Vitest.afterEach;
  readonly fc: typeof FastCheck;
}

/**
 * What every topic of the contract suite shares: the tools, the number of property runs, and the stores
 * of the running test, disposed after it.
 *
 * @example
 * ```ts
 * it("keeps events", async () => {
 *   const store = await context.fresh();
 *   expect(await store.currentSequence("default", "a")).toBe(0);
 * });
 * ```
 */
export class ContractContext {
  readonly tools: ContractTools;
  readonly numRuns: number;
  readonly #harness: EventStoreHarness;
  #created: EventStore[] = [];

  constructor(harness: EventStoreHarness, tools: ContractTools, numRuns: number) {
    this.#harness = harness;
    this.tools = tools;
    this.numRuns = numRuns;
  }

  /** Whether the harness can open a second handle on a store's storage. */
  get canOpenAnother(): boolean {
    return this.#harness.openAnother !== undefined;
  }

  /** A new store from the harness, not initialized, disposed after the test. */
  async create(): Promise<EventStore> {
    const store = await this.#harness.create();
    this.#created.push(store);
    return store;
  }

  /** A new, initialized store, disposed after the test. */
  async fresh(): Promise<EventStore> {
    const store = await this.create();
    await store.init();
    return store;
  }

  /** A second, initialized handle on `store`'s storage; check {@link canOpenAnother} first. */
  async another(store: EventStore): Promise<EventStore> {
    const openAnother = this.#harness.openAnother;
    if (openAnother === undefined) throw new Error("the harness has no openAnother");
    const other = await openAnother.call(this.#harness, store);
    this.#created.push(other);
    await other.init();
    return other;
  }

  /** Disposes every store created since the last call: after each test, and after each property run. */
  async dispose(): Promise<void> {
    const stores = this.#created;
    this.#created = [];
    if (stores.length === 0) return;
    if (this.#harness.dispose) {
      await this.#harness.dispose(stores);
      return;
    }
    // Closing in reverse order closes second handles before the store they were opened on.
    for (const store of stores.reverse()) {
      try {
        await store.close();
      } catch {
        // A test may have closed the store already; a second close need not succeed.
      }
    }
  }
}
