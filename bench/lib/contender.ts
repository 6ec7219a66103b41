/**
 * What every contender provides to the harness, and the driver that feeds the workload to those that take
 * one command at a time.
 */
import type { BankAccountCommand } from "../../examples/bank-account/domain.js";
import { COMMANDS_PER_ACCOUNT, type ReadBack, type Workload } from "./workload.js";

/**
 * `sequential`: every command awaited one by one. `concurrent`: all accounts at once, each in order.
 * `windowed`: as concurrent, but at most {@link WINDOW} accounts' chains running at once (the next
 * account starts when one finishes).
 */
export type Mode = "sequential" | "concurrent" | "windowed";

/** Accounts' chains running at once in the `windowed` mode. */
export const WINDOW = 1_000;

/** One contender's fresh store for one timed run. */
export interface Session {
  /**
   * Runs the workload (timed by the harness). Stops starting commands once `deadline` (a
   * `performance.now()` value) has passed. Returns how many commands each account completed.
   */
  run(plan: Workload, mode: Mode, deadline?: number): Promise<Uint8Array>;
  /** Every stream of the run, read back from the store (not timed). */
  readBack(plan: Workload): Promise<ReadBack>;
  /** Releases the store (not timed). */
  close(): Promise<void>;
  /** Optional: how many aggregates the system under test holds live now (ours only). */
  liveAggregates?(): Promise<number>;
}

/**
 * A contender: a name and a way to open a fresh session. `modes` lists the modes it runs.
 *
 * @example
 * ```ts
 * const bare: Contender = { name: "bare loop", modes: ["sequential", "concurrent"], open: async () => session };
 * ```
 */
export interface Contender {
  readonly name: string;
  readonly modes: readonly Mode[];
  open(plan: Workload): Promise<Session>;
  /** Optional: why the contender cannot run here (its code is missing ...), or `null` when it can. */
  probe?(): Promise<string | null>;
}

/** Executes one command; rejects if the contender refused or failed it. */
export type Execute = (accountId: string, command: BankAccountCommand) => Promise<void>;

/**
 * Feeds the workload to `execute`: account after account, command after command (sequential), or every
 * account's chain of commands at once (concurrent), or at most {@link WINDOW} chains at once (windowed).
 * Every contender that takes commands one at a time
 * goes through this same driver, so its cost is the same for all.
 *
 * @example
 * ```ts
 * const completed = await drive(plan, "concurrent", (id, command) => execute(id, command));
 * ```
 */
export async function drive(
  plan: Workload,
  mode: Mode,
  execute: Execute,
  deadline?: number,
): Promise<Uint8Array> {
  const completed = new Uint8Array(plan.accounts);
  const open = (): boolean => deadline === undefined || performance.now() < deadline;
  const chain = async (account: number): Promise<void> => {
    const id = plan.accountId(account);
    for (let index = 0; index < COMMANDS_PER_ACCOUNT && open(); index++) {
      await execute(id, plan.command(account, index));
      completed[account] = index + 1;
    }
  };
  if (mode === "sequential") {
    for (let account = 0; account < plan.accounts && open(); account++) await chain(account);
  } else if (mode === "windowed") {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < plan.accounts) await chain(next++);
    };
    await Promise.all(Array.from({ length: Math.min(WINDOW, plan.accounts) }, lane));
  } else {
    const chains: Promise<void>[] = new Array(plan.accounts);
    for (let account = 0; account < plan.accounts; account++) chains[account] = chain(account);
    await Promise.all(chains);
  }
  return completed;
}
