/**
 * The ceiling of the workload: per command only the domain's `handle`, `apply` and one array push, called
 * through the same driver as every other contender. No actor, no store, no encoding.
 */
import {
  apply,
  type BankAccount,
  type BankAccountEvent,
  emptyState,
  handle,
} from "../../examples/bank-account/domain.js";
import { type Contender, drive, type Session } from "./contender.js";
import { addToStream, type ReadBackEvent } from "./workload.js";

interface Row {
  readonly aggregateId: string;
  readonly sequence: number;
  readonly event: BankAccountEvent;
}

/**
 * The bare loop contender.
 *
 * @example
 * ```ts
 * const session = await bareLoop.open(workload(1_000));
 * ```
 */
export const bareLoop: Contender = Object.freeze({
  name: "bare loop",
  modes: ["sequential", "concurrent", "windowed"] as const,
  open: async (): Promise<Session> => {
    const states = new Map<string, { state: BankAccount; sequence: number }>();
    const log: Row[] = [];
    return {
      run: (plan, mode, deadline) =>
        drive(
          plan,
          mode,
          async (aggregateId, command) => {
            const current = states.get(aggregateId) ?? { state: emptyState, sequence: 0 };
            const decided = handle(current.state, command);
            if (!decided.ok)
              throw new Error(`bare loop: ${aggregateId} refused ${command.type}: ${decided.error}`);
            let { state, sequence } = current;
            for (const event of decided.value) {
              state = apply(state, event);
              sequence++;
              log.push({ aggregateId, sequence, event });
            }
            states.set(aggregateId, { state, sequence });
          },
          deadline,
        ),
      readBack: async () => {
        const streams = new Map<string, ReadBackEvent[]>();
        for (const row of log) {
          addToStream(streams, row.aggregateId, { sequence: row.sequence, event: row.event });
        }
        return streams;
      },
      close: async () => {},
    };
  },
});
