/**
 * Emmett's contenders: its in-memory store and its PostgreSQL store, both from the peer folder
 * bench/peers/emmett.
 */
import type { Contender } from "./contender.js";
import { type EmmettCore, type EmmettStore, emmettSession } from "./emmett-session.js";
import { EMMETT, importPeer } from "./peers.js";

interface EmmettMemory extends EmmettCore {
  getInMemoryEventStore(): EmmettStore;
}

interface EmmettPostgres {
  getPostgreSQLEventStore(connectionString: string): EmmettStore & {
    close(): Promise<void>;
    schema: { migrate(): Promise<unknown> };
  };
}

/**
 * Emmett's `CommandHandler` on `getInMemoryEventStore()`.
 *
 * @example
 * ```ts
 * const contenders = [emmettMemory()];
 * ```
 */
export function emmettMemory(): Contender {
  return {
    name: "Emmett memory",
    modes: ["sequential", "concurrent"],
    open: async () => {
      const core = (await importPeer(EMMETT, "@event-driven-io/emmett")) as EmmettMemory;
      return emmettSession(core, core.getInMemoryEventStore(), async () => {});
    },
  };
}

/**
 * Emmett's `CommandHandler` on `getPostgreSQLEventStore(...)`, each run in a fresh schema made by
 * `freshSchema` (its tables are unqualified, so the schema goes first in the connection's search path).
 *
 * @example
 * ```ts
 * const contender = emmettPostgres(url, () => freshSchema("emmett"));
 * ```
 */
export function emmettPostgres(connectionString: string, freshSchema: () => Promise<string>): Contender {
  return {
    name: "Emmett PostgreSQL",
    modes: ["sequential", "concurrent"],
    open: async () => {
      const core = (await importPeer(EMMETT, "@event-driven-io/emmett")) as EmmettCore;
      const postgres = (await importPeer(EMMETT, "@event-driven-io/emmett-postgresql")) as EmmettPostgres;
      const schema = await freshSchema();
      const url = new URL(connectionString);
      url.searchParams.set("options", `-c search_path=${schema}`);
      const store = postgres.getPostgreSQLEventStore(url.toString());
      await store.schema.migrate();
      return emmettSession(core, store, () => store.close());
    },
  };
}
