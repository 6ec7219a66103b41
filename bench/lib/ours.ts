/**
 * This library's contender: the bank account under `start(...)` on one of our stores, driven through
 * the public handle (`execute`), read back through it (`loadEvents`).
 */
import type { BankAccountEvent } from "../../examples/bank-account/domain.js";
import type { EventStore } from "../../src/core/event-store.js";
import type { Contender } from "./contender.js";
import { drive } from "./contender.js";
import type { ReadBackEvent } from "./workload.js";

/** Options of the system under test, beyond the domain. */
export interface OursOptions {
  readonly passivation?: { readonly idleMs?: number; readonly maxLive?: number };
  /** The system's `commandTimeout` (ms); omitted: the library's default. */
  readonly commandTimeout?: number;
  /** Called when a session closes, once the system has stopped and before the store is closed. */
  readonly afterStop?: () => void;
  /** The root folder of the library checkout to run (see `--baseline`); omitted: this one. */
  readonly root?: string;
}

/** The library's root folder: `root`, or this checkout. */
function libraryRoot(root: string | undefined): string {
  return root ?? new URL("../..", import.meta.url).pathname;
}

/**
 * A module of the library at `root` (omitted: this checkout), such as `src/stores/memory/index.js`.
 *
 * @example
 * ```ts
 * const { memoryStore } = await libraryModule<typeof import("../../src/stores/memory/index.js")>(undefined, "src/stores/memory/index.js");
 * ```
 */
export function libraryModule<T>(root: string | undefined, path: string): Promise<T> {
  return import(`${libraryRoot(root).replace(/\/$/, "")}/${path}`) as Promise<T>;
}

/**
 * Our system on a fresh store made by `makeStore` for every run. Rejects at `open` with a message when
 * the library or the store module is not there yet, so the bench can say so and run the rest.
 *
 * @example
 * ```ts
 * const contender = ours("ours memory", async () => (await import("../../src/stores/memory/index.js")).memoryStore());
 * ```
 */
export function ours(
  name: string,
  makeStore: () => Promise<EventStore>,
  options: OursOptions = {},
): Contender {
  const settings = Object.freeze({ ...options });
  return {
    name,
    modes: ["sequential", "concurrent", "windowed"],
    probe: async () => {
      try {
        await libraryModule(settings.root, "src/index.js");
        await (await makeStore()).close();
        return null;
      } catch (error) {
        return `not available: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    open: async () => {
      const { start, describeError } = await libraryModule<typeof import("../../src/index.js")>(
        settings.root,
        "src/index.js",
      );
      const domain = await libraryModule<typeof import("../../examples/bank-account/domain.js")>(
        settings.root,
        "examples/bank-account/domain.js",
      );
      const store = await makeStore();
      const system = await start({
        store,
        handle: domain.handle,
        apply: domain.apply,
        emptyState: domain.emptyState,
        ...(settings.passivation === undefined ? {} : { passivation: settings.passivation }),
        ...(settings.commandTimeout === undefined ? {} : { commandTimeout: settings.commandTimeout }),
      });
      return {
        run: (plan, mode, deadline) =>
          drive(
            plan,
            mode,
            async (id, command) => {
              const outcome = await system.execute(id, command);
              if (!outcome.ok)
                throw new Error(`${name}: ${id} ${command.type}: ${describeError(outcome.error)}`);
            },
            deadline,
          ),
        readBack: async (plan) => {
          const streams = new Map<string, ReadBackEvent[]>();
          for (let account = 0; account < plan.accounts; account++) {
            const id = plan.accountId(account);
            const loaded = await system.loadEvents(id);
            if (!loaded.ok) throw new Error(`${name}: loadEvents(${id}): ${describeError(loaded.error)}`);
            if (loaded.value.length === 0) continue;
            streams.set(
              id,
              loaded.value.map((envelope) => ({
                sequence: envelope.sequence,
                event: envelope.event as BankAccountEvent,
              })),
            );
          }
          return streams;
        },
        liveAggregates: async () => (await system.systemStats()).liveAggregates,
        close: async () => {
          await system.stop();
          settings.afterStop?.();
          await store.close();
        },
      };
    },
  };
}
