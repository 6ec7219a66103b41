/**
 * The benchmark's workload, identical for every contender: N bank accounts, each receiving ten commands
 * (open, then deposits and withdrawals with deterministic amounts that never overdraw), and the expected
 * outcome of every account computed by plain arithmetic, independently of the domain code under test.
 */
import type { BankAccountCommand, BankAccountEvent } from "../../examples/bank-account/domain.js";

/** Commands per account: one open, then nine deposits and withdrawals. */
export const COMMANDS_PER_ACCOUNT = 10;

/** One event as read back from a store, in the domain's shape. */
export interface ReadBackEvent {
  readonly sequence: number;
  readonly event: BankAccountEvent;
}

/** What a contender's store holds for one account after a run. */
export type ReadBack = ReadonlyMap<string, readonly ReadBackEvent[]>;

/**
 * The commands of a run and their expected results.
 *
 * @example
 * ```ts
 * const plan = workload(1_000);
 * plan.command(0, 0); // { type: "OpenAccount", accountId: "acct-0" }
 * ```
 */
export interface Workload {
  readonly accounts: number;
  /** The number of the plan's first account (`acct-<first>`): 0, or a share's start in a larger plan. */
  readonly first: number;
  accountId(account: number): string;
  /** The `index`-th command (0-based) of the `account`-th account. */
  command(account: number, index: number): BankAccountCommand;
  /** The events an account must hold after its first `completed` commands. */
  expectedEvents(account: number, completed: number): readonly BankAccountEvent[];
}

/**
 * The workload for `accounts` accounts. Odd commands deposit 100 to 149, even ones withdraw 1 to 40,
 * so the balance never goes negative and no command is refused. With `first`, the plan is the share of
 * a larger plan that starts at account `first` (one process's share of a multi-process run).
 *
 * @example
 * ```ts
 * const plan = workload(2);
 * plan.expectedEvents(1, 2); // [AccountOpened, CustomerDepositedCash]
 * ```
 */
export function workload(accounts: number, first = 0): Workload {
  if (!Number.isInteger(accounts) || accounts < 1)
    throw new RangeError(`workload: accounts must be a positive integer, got ${accounts}`);
  if (!Number.isInteger(first) || first < 0)
    throw new RangeError(`workload: first must be a non-negative integer, got ${first}`);
  if (first === 0) return Object.freeze({ accounts, first, accountId, command, expectedEvents });
  // A share of a larger plan: account `i` here is account `first + i` there, same commands and events.
  return Object.freeze({
    accounts,
    first,
    accountId: (account: number) => accountId(first + account),
    command: (account: number, index: number) => command(first + account, index),
    expectedEvents: (account: number, completed: number) => expectedEvents(first + account, completed),
  });
}

function accountId(account: number): string {
  return `acct-${account}`;
}

function amount(account: number, index: number): number {
  return index % 2 === 1 ? 100 + ((account * 7 + index * 13) % 50) : 1 + ((account + index * 3) % 40);
}

function command(account: number, index: number): BankAccountCommand {
  if (index === 0) return { type: "OpenAccount", accountId: accountId(account) };
  return index % 2 === 1
    ? { type: "DepositMoney", amount: amount(account, index) }
    : { type: "WithDrawMoney", amount: amount(account, index) };
}

function expectedEvents(account: number, completed: number): readonly BankAccountEvent[] {
  const events: BankAccountEvent[] = [];
  let balance = 0;
  for (let index = 0; index < completed; index++) {
    if (index === 0) {
      events.push({ type: "AccountOpened", accountId: accountId(account) });
      continue;
    }
    const value = amount(account, index);
    if (index % 2 === 1) {
      balance += value;
      events.push({ type: "CustomerDepositedCash", amount: value, balance });
    } else {
      balance -= value;
      events.push({ type: "CustomerWithdrewCash", amount: value, balance });
    }
  }
  return events;
}

/**
 * Adds one read-back event to its account's stream in `streams`.
 *
 * @example
 * ```ts
 * addToStream(streams, "acct-0", { sequence: 1, event: { type: "AccountOpened", accountId: "acct-0" } });
 * ```
 */
export function addToStream(
  streams: Map<string, ReadBackEvent[]>,
  aggregateId: string,
  event: ReadBackEvent,
): void {
  const stream = streams.get(aggregateId);
  if (stream === undefined) streams.set(aggregateId, [event]);
  else stream.push(event);
}
