/**
 * @module eventsourcing/testing
 *
 * Testing aids: the event store contract suite that every store passes (it runs on vitest and
 * fast-check, optional peer dependencies), given/when/then for a domain's `handle` and `apply`, and the
 * manual clock.
 *
 * @example
 * ```ts
 * import { describeEventStoreContract, scenario } from "eventsourcing/testing";
 * import { memoryStore } from "eventsourcing/memory";
 *
 * describeEventStoreContract("memoryStore", { create: async () => memoryStore() });
 * scenario({ handle, apply, emptyState })
 *   .given([{ type: "AccountOpened", accountId: "account-123" }])
 *   .when({ type: "DepositMoney", amount: 100 })
 *   .then([{ type: "CustomerDepositedCash", amount: 100, balance: 100 }]);
 * ```
 */
export { type ManualClock, manualClock } from "../runtime/clock.js";
export type { EventStoreHarness } from "./contract-context.js";
export { describeEventStoreContract, type EventStoreContractOptions } from "./event-store-contract.js";
export {
  type Scenario,
  type ScenarioDomain,
  type ScenarioGiven,
  type ScenarioWhen,
  scenario,
} from "./scenario.js";
