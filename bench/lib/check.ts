/**
 * The correctness check run after every timed run: a fast wrong answer must not pass.
 */
import type { ReadBack, Workload } from "./workload.js";

/** A contender's store does not hold what its run should have produced. */
export class CheckFailed extends Error {
  override readonly name = "CheckFailed";
}

/**
 * Compares every account's stream, read back from the contender's store, with the expected one: exactly
 * the expected events (type, amount, balance), sequences 1, 2, 3 ... without gaps, and no stream for an
 * account that should have none. `completed[i]` is how many commands account `i` ran (all of them,
 * unless the run had a time budget). Throws {@link CheckFailed} naming the first accounts that differ.
 *
 * @example
 * ```ts
 * checkRun("ours", plan, completed, await session.readBack(ids));
 * ```
 */
export function checkRun(contender: string, plan: Workload, completed: Uint8Array, readBack: ReadBack): void {
  const problems: string[] = [];
  let accountsWithEvents = 0;
  for (let account = 0; account < plan.accounts && problems.length < 5; account++) {
    const id = plan.accountId(account);
    const expected = plan.expectedEvents(account, completed[account] ?? 0);
    const actual = readBack.get(id) ?? [];
    if (actual.length > 0) accountsWithEvents++;
    if (actual.length !== expected.length) {
      problems.push(`${id}: ${actual.length} events, expected ${expected.length}`);
      continue;
    }
    for (let index = 0; index < expected.length; index++) {
      const got = actual[index];
      const want = expected[index];
      if (got === undefined || got.sequence !== index + 1) {
        problems.push(`${id}: event ${index + 1} has sequence ${got?.sequence}`);
        break;
      }
      if (want === undefined || !sameFields(got.event, want)) {
        problems.push(`${id}#${index + 1}: ${JSON.stringify(got.event)}, expected ${JSON.stringify(want)}`);
        break;
      }
    }
  }
  const strangers = [...readBack.keys()].filter((id) => !isPlanned(plan, id));
  if (strangers.length > 0) problems.push(`unexpected streams: ${strangers.slice(0, 3).join(", ")}`);
  if (problems.length > 0)
    throw new CheckFailed(
      `${contender}: the store does not hold the expected events:\n  ${problems.join("\n  ")}`,
    );
  if (accountsWithEvents === 0 && plan.accounts > 0 && (completed[0] ?? 0) > 0)
    throw new CheckFailed(`${contender}: no account has any event`);
}

function isPlanned(plan: Workload, id: string): boolean {
  const match = /^acct-(\d+)$/.exec(id);
  const number = Number(match?.[1]);
  return match !== null && number >= plan.first && number < plan.first + plan.accounts;
}

/** The same keys with the same values, in any key order (PostgreSQL's JSONB does not keep the order). */
function sameFields(actual: object, expected: object): boolean {
  const got = actual as Record<string, unknown>;
  const want = expected as Record<string, unknown>;
  const keys = Object.keys(want);
  if (Object.keys(got).length !== keys.length) return false;
  for (const key of keys) if (got[key] !== want[key]) return false;
  return true;
}
