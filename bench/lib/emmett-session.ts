/**
 * The bank account on Emmett, the same for each of its stores: Emmett's `CommandHandler` reads the
 * stream, folds it with `evolve`, decides and appends with the version it read. Events are the domain's
 * own, carried as Emmett's `{ type, data }`.
 */
import {
  apply,
  type BankAccount,
  type BankAccountCommand,
  type BankAccountEvent,
  emptyState,
  handle,
} from "../../examples/bank-account/domain.js";
import { drive, type Session } from "./contender.js";
import type { ReadBackEvent } from "./workload.js";

/** An event in Emmett's shape. */
export interface EmmettEvent {
  readonly type: string;
  readonly data: BankAccountEvent;
}

/** The part of an Emmett event store the bench uses. */
export interface EmmettStore {
  readStream(
    streamName: string,
  ): Promise<{ events: readonly { type: string; data: unknown; metadata: { streamPosition: bigint } }[] }>;
}

type EmmettHandle = (
  store: EmmettStore,
  id: string,
  decide: (state: BankAccount) => EmmettEvent[],
) => Promise<unknown>;

/** The part of `@event-driven-io/emmett` the bench uses. */
export interface EmmettCore {
  CommandHandler(options: {
    evolve: (state: BankAccount, event: EmmettEvent) => BankAccount;
    initialState: () => BankAccount;
  }): EmmettHandle;
}

/**
 * A session running the workload through Emmett's command handler on `store`.
 *
 * @example
 * ```ts
 * const session = emmettSession(core, core.getInMemoryEventStore(), async () => {});
 * ```
 */
export function emmettSession(core: EmmettCore, store: EmmettStore, close: () => Promise<void>): Session {
  const handleCommand = core.CommandHandler({
    evolve: (state, event) => apply(state, event.data),
    initialState: () => emptyState,
  });
  const decide =
    (command: BankAccountCommand) =>
    (state: BankAccount): EmmettEvent[] => {
      const decided = handle(state, command);
      if (!decided.ok) throw new Error(`Emmett: ${command.type} refused: ${decided.error}`);
      return decided.value.map((event) => ({ type: event.type, data: event }));
    };
  return {
    run: (plan, mode, deadline) =>
      drive(
        plan,
        mode,
        async (id, command) => {
          await handleCommand(store, id, decide(command));
        },
        deadline,
      ),
    readBack: async (plan) => {
      const streams = new Map<string, ReadBackEvent[]>();
      for (let account = 0; account < plan.accounts; account++) {
        const id = plan.accountId(account);
        const { events } = await store.readStream(id);
        if (events.length === 0) continue;
        streams.set(
          id,
          events.map((event) => ({
            sequence: Number(event.metadata.streamPosition),
            event: event.data as BankAccountEvent,
          })),
        );
      }
      return streams;
    },
    close,
  };
}
