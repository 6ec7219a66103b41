/** Per-test set-up for system-level tests: fresh stores, started systems, and recorders for queries. */
import { afterEach } from "vitest";
import {
  apply,
  type BankAccount,
  type BankAccountCommand,
  type BankAccountError,
  type BankAccountEvent,
  emptyState,
  handle,
} from "../../examples/bank-account/domain.js";
import type { EventEnvelope, EventSourcing, EventSourcingConfig } from "../../src/index.js";
import { start } from "../../src/index.js";
import type { StoreKind, TestStore } from "./stores.js";

export type Bank = EventSourcing<BankAccount, BankAccountCommand, BankAccountEvent, BankAccountError>;
export type BankConfig = EventSourcingConfig<
  BankAccount,
  BankAccountCommand,
  BankAccountEvent,
  BankAccountError
>;

export const open = (accountId: string): BankAccountCommand => ({ type: "OpenAccount", accountId });
export const deposit = (amount: number): BankAccountCommand => ({ type: "DepositMoney", amount });
export const withdraw = (amount: number): BankAccountCommand => ({ type: "WithDrawMoney", amount });

/** A logger for tests that provoke failures on purpose: the failures are asserted, not printed. */
export const quiet = { warn() {}, error() {} };

/**
 * Fresh stores and systems for each test of a store kind, stopped and removed after it.
 */
export function useSystems(kind: StoreKind) {
  const stores: TestStore[] = [];
  const systems: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const system of systems.splice(0)) await system.stop();
    for (const store of stores.splice(0)) await store.cleanup();
  });
  return {
    async store(): Promise<TestStore> {
      const created = await kind.create();
      stores.push(created);
      return created;
    },
    /** Remembers something to stop after the test. */
    track<T extends { stop(): Promise<void> }>(system: T): T {
      systems.push(system);
      return system;
    },
    /** Starts a bank system on `store` (a fresh one if not given). */
    async bank(options: Partial<BankConfig> = {}): Promise<Bank> {
      const store = options.store ?? (await this.store()).store;
      const system = await start<BankAccount, BankAccountCommand, BankAccountEvent, BankAccountError>({
        handle,
        apply,
        emptyState,
        logger: quiet,
        ...options,
        store,
      });
      systems.push(system);
      return system;
    },
  };
}

/** One call of a query. */
export interface QueryCall<TEvent> {
  readonly aggregateId: string;
  readonly events: readonly EventEnvelope<TEvent>[];
}

/**
 * A query that records its calls; `waitFor(n)` resolves once it has been called `n` times (the test's
 * own timeout bounds the wait).
 */
export function recorder<TEvent = BankAccountEvent>() {
  const calls: QueryCall<TEvent>[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const query = (aggregateId: string, events: readonly EventEnvelope<TEvent>[]) => {
    calls.push({ aggregateId, events });
    for (const waiter of [...waiters]) {
      if (calls.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  return {
    calls,
    query,
    waitFor(count: number): Promise<void> {
      if (calls.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

/** Unwraps an ok result, failing the test with the error otherwise. */
export function expectOk<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok)
    throw new Error(
      `expected ok, got ${JSON.stringify(result.error, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`,
    );
  return result.value;
}

/**
 * Resolves once `condition` holds, checking after each turn of the event loop; for effects that happen
 * asynchronously but without any timer (the test's own timeout bounds the wait).
 */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setImmediate(resolve));
}
