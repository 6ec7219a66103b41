import { describeAppendContract } from "./contract-append.js";
import { describeCapabilityContract } from "./contract-capabilities.js";
import { describeCommandContract } from "./contract-commands.js";
import { describeConcurrencyContract } from "./contract-concurrency.js";
import { ContractContext, type ContractTools, type EventStoreHarness } from "./contract-context.js";
import { describeModelContract } from "./contract-model.js";
import { describeQueryControlContract } from "./contract-query-control.js";
import { describeReadAllContract } from "./contract-read-all.js";
import { describeRoundTripContract } from "./contract-round-trip.js";
import { describeSnapshotContract } from "./contract-snapshots.js";
import { describeStreamTypesContract } from "./contract-stream-types.js";

/**
 * Options of {@link describeEventStoreContract}.
 *
 * @example
 * ```ts
 * describeEventStoreContract("myStore", harness, { numRuns: 100 });
 * ```
 */
export interface EventStoreContractOptions {
  /** Runs of each property-based test, each on a fresh store. Default 25. */
  readonly numRuns?: number;
}

// vitest and fast-check are optional peers: loaded here so that the rest of `eventsourcing/testing`
// (scenario, manualClock) works without them, and this suite says what to install.
const tools: ContractTools | Error = await Promise.all([import("vitest"), import("fast-check")]).then(
  ([vitest, fc]): ContractTools => ({
    describe: vitest.describe,
    it: vitest.it,
    expect: vitest.expect,
    afterEach: vitest.afterEach,
    fc,
  }),
  (cause: unknown) =>
    new Error(
      "describeEventStoreContract runs on vitest and fast-check: install both as dev dependencies " +
        `(${cause instanceof Error ? cause.message : String(cause)})`,
      { cause },
    ),
);

/**
 * Describes the event store contract as vitest tests: the suite that the memory, SQLite and PostgreSQL
 * stores all pass, and that a store of your own should pass too. It tests only the `EventStore`
 * interface: appends and conflicts, single- and multi-aggregate, readAggregate, the global log and its
 * paging, streams of two aggregate types with one id kept apart, `readAll` filtered by type, event ids
 * and versions, command ids (stored with their commit and found by `readCommand`), concurrent writers
 * (on two handles when the harness can open another), snapshots,
 * checkpoints, awkward ids and payloads, `init()` twice, the optional `lockQuery` (with the checkpoint
 * a lock saves and refuses once released) and `onAppend`, the optional query resets and skips (a
 * reset recorded wins over a lock's save of an older generation) and `headPosition` (skipped, saying
 * so, when the store lacks them), and a property-based comparison with a model.
 *
 * Each test takes fresh stores from the harness and disposes of them afterwards.
 *
 * @example
 * ```ts
 * // test/my-store.test.ts
 * import { describeEventStoreContract } from "eventsourcing/testing";
 * import { memoryStore } from "eventsourcing/memory";
 *
 * describeEventStoreContract("memoryStore", { create: async () => memoryStore() });
 * ```
 */
export function describeEventStoreContract(
  name: string,
  harness: EventStoreHarness,
  options: EventStoreContractOptions = {},
): void {
  if (tools instanceof Error) throw tools;
  if (typeof name !== "string" || name === "")
    throw new TypeError('describeEventStoreContract: name the store being tested, e.g. "memoryStore"');
  if (typeof harness?.create !== "function")
    throw new TypeError("describeEventStoreContract: the harness needs create(): Promise<EventStore>");
  const numRuns = options.numRuns ?? 25;
  if (!Number.isSafeInteger(numRuns) || numRuns < 1)
    throw new TypeError(
      `describeEventStoreContract: numRuns must be a positive integer, got ${String(numRuns)}`,
    );

  const context = new ContractContext(harness, tools, numRuns);
  tools.describe(`EventStore contract: ${name}`, () => describeContractTopics(context));
}

/**
 * Every topic of the contract on one context, each in its own `describe`, stores disposed after each
 * test. Internal: {@link describeEventStoreContract} is the public way in.
 *
 * @example
 * ```ts
 * describe("my store", () => describeContractTopics(new ContractContext(harness, tools, 25)));
 * ```
 */
export function describeContractTopics(context: ContractContext): void {
  const { describe, afterEach } = context.tools;
  afterEach(() => context.dispose());
  describe("appends", () => describeAppendContract(context));
  describe("the global log", () => describeReadAllContract(context));
  describe("concurrency", () => describeConcurrencyContract(context));
  describe("snapshots and checkpoints", () => describeSnapshotContract(context));
  describe("aggregate types, event ids and versions", () => describeStreamTypesContract(context));
  describe("command ids", () => describeCommandContract(context));
  describe("round trips", () => describeRoundTripContract(context));
  describe("lifecycle and optional capabilities", () => describeCapabilityContract(context));
  describe("query resets, skips and the head position", () => describeQueryControlContract(context));
  describe("against a model", () => describeModelContract(context));
}
