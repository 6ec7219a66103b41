/**
 * `npm run bench -- --self-test`: shows that the check catches wrong answers. It runs the bare loop, then
 * feeds the check its streams altered in each way a fast wrong store could be wrong, and fails unless
 * the honest streams pass and every altered one is refused.
 */
import { bareLoop } from "./bare-loop.js";
import { CheckFailed, checkRun } from "./check.js";
import type { ReadBack, ReadBackEvent } from "./workload.js";
import { workload } from "./workload.js";

type Alteration = (streams: Map<string, ReadBackEvent[]>) => void;

const ALTERATIONS: Readonly<Record<string, Alteration>> = {
  "a lost last event": (streams) => streams.get("acct-3")?.pop(),
  "a lost stream": (streams) => streams.delete("acct-4"),
  "a wrong balance": (streams) => {
    const stream = streams.get("acct-5") ?? [];
    const last = stream.at(-1);
    if (last !== undefined)
      stream[stream.length - 1] = {
        ...last,
        event: { ...last.event, balance: -1 } as ReadBackEvent["event"],
      };
  },
  "a gap in sequences": (streams) => {
    const stream = streams.get("acct-6") ?? [];
    const last = stream.at(-1);
    if (last !== undefined) stream[stream.length - 1] = { ...last, sequence: last.sequence + 1 };
  },
  "two events swapped": (streams) => {
    const stream = streams.get("acct-7") ?? [];
    const [second, third] = [stream[1], stream[2]];
    if (second !== undefined && third !== undefined) {
      stream[1] = { sequence: 2, event: third.event };
      stream[2] = { sequence: 3, event: second.event };
    }
  },
  "a duplicated event": (streams) => {
    const stream = streams.get("acct-8") ?? [];
    const last = stream.at(-1);
    if (last !== undefined) stream.push({ ...last, sequence: last.sequence + 1 });
  },
  "a stream just past the plan's last account": (streams) =>
    streams.set("acct-20", [{ sequence: 1, event: { type: "AccountOpened", accountId: "acct-20" } }]),
  "a stream nobody asked for": (streams) =>
    streams.set("acct-999999", [{ sequence: 1, event: { type: "AccountOpened", accountId: "acct-999999" } }]),
};

/**
 * Runs the self-test; returns the number of failures (0: the check catches every alteration).
 *
 * @example
 * ```ts
 * process.exitCode = (await selfTest()) === 0 ? 0 : 1;
 * ```
 */
export async function selfTest(): Promise<number> {
  const plan = workload(20);
  const session = await bareLoop.open(plan);
  const completed = await session.run(plan, "concurrent");
  const honest = await session.readBack(plan);
  let failures = 0;
  try {
    checkRun("honest", plan, completed, honest);
    console.log("  ok    the honest streams pass");
  } catch (error) {
    failures++;
    console.log(`  FAIL  the honest streams were refused: ${(error as Error).message}`);
  }
  for (const [name, alter] of Object.entries(ALTERATIONS)) {
    const streams = copy(honest);
    alter(streams);
    try {
      checkRun(name, plan, completed, streams);
      failures++;
      console.log(`  FAIL  ${name} passed the check`);
    } catch (error) {
      if (!(error instanceof CheckFailed)) throw error;
      console.log(`  ok    ${name} is refused`);
    }
  }
  console.log(`${Object.keys(ALTERATIONS).length + 1 - failures} passed, ${failures} failed`);
  return failures;
}

function copy(streams: ReadBack): Map<string, ReadBackEvent[]> {
  return new Map([...streams].map(([id, events]) => [id, [...events]]));
}
