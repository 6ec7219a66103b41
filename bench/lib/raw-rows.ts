/**
 * The rows every store writes for the workload, made the cheapest way: the domain decides in a plain
 * map, and each event becomes one row (id, sequence, type, JSON payload). The raw-driver limits insert
 * these rows directly.
 */
import { apply, type BankAccount, emptyState, handle } from "../../examples/bank-account/domain.js";
import type { Mode } from "./contender.js";
import { COMMANDS_PER_ACCOUNT, type Workload } from "./workload.js";

/** One event row, as a driver inserts it. */
export interface EventRow {
  readonly aggregateId: string;
  readonly sequence: number;
  readonly eventType: string;
  readonly payload: string;
}

/**
 * Every command of the plan in the order a mode runs them (account by account for sequential, wave by
 * wave for concurrent), each decided with the domain and turned into its rows, one command at a time.
 *
 * @example
 * ```ts
 * for (const rows of commandRows(plan, "concurrent")) batch.push(...rows);
 * ```
 */
export function* commandRows(plan: Workload, mode: Mode): Generator<readonly EventRow[]> {
  const states: { state: BankAccount; sequence: number }[] = new Array(plan.accounts);
  const decide = (account: number, index: number): EventRow[] => {
    const current = states[account] ?? { state: emptyState, sequence: 0 };
    const aggregateId = plan.accountId(account);
    const decided = handle(current.state, plan.command(account, index));
    if (!decided.ok) throw new Error(`raw: ${aggregateId} refused command ${index}: ${decided.error}`);
    let { state, sequence } = current;
    const rows: EventRow[] = [];
    for (const event of decided.value) {
      state = apply(state, event);
      rows.push({ aggregateId, sequence: ++sequence, eventType: event.type, payload: JSON.stringify(event) });
    }
    states[account] = { state, sequence };
    return rows;
  };
  if (mode === "sequential") {
    for (let account = 0; account < plan.accounts; account++)
      for (let index = 0; index < COMMANDS_PER_ACCOUNT; index++) yield decide(account, index);
  } else {
    for (let index = 0; index < COMMANDS_PER_ACCOUNT; index++)
      for (let account = 0; account < plan.accounts; account++) yield decide(account, index);
  }
}

/** Every account ran all its commands. */
export function allCompleted(plan: Workload): Uint8Array {
  return new Uint8Array(plan.accounts).fill(COMMANDS_PER_ACCOUNT);
}
