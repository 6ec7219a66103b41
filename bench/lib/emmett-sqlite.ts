/**
 * Emmett's SQLite store, from the peer folder bench/peers/emmett-sqlite, in its sequential mode only: its
 * released versions fail under concurrent commands.
 */
import Database from "better-sqlite3";
import type { Contender } from "./contender.js";
import { type EmmettCore, type EmmettStore, emmettSession } from "./emmett-session.js";
import { EMMETT_SQLITE, importPeer } from "./peers.js";

interface SqliteConnection {
  close(): void;
}

interface EmmettSqlite {
  sqliteConnection(options: { fileName: string }): SqliteConnection;
  getSQLiteEventStore(options: {
    fileName: string;
    connectionOptions: { singleton: true; connection: SqliteConnection };
  }): EmmettStore;
}

/**
 * Emmett's `CommandHandler` on `getSQLiteEventStore(...)`: a fresh file per run from `freshFile`, set to WAL
 * beforehand (its file mode crashes otherwise), one shared connection.
 *
 * @example
 * ```ts
 * const contender = emmettSqlite(() => join(directory, `emmett-${++runs}.db`));
 * ```
 */
export function emmettSqlite(freshFile: () => string): Contender {
  return {
    name: "Emmett SQLite",
    modes: ["sequential"],
    open: async () => {
      const core = (await importPeer(EMMETT_SQLITE, "@event-driven-io/emmett")) as EmmettCore;
      const sqlite = (await importPeer(EMMETT_SQLITE, "@event-driven-io/emmett-sqlite")) as EmmettSqlite;
      const fileName = freshFile();
      const setup = new Database(fileName);
      setup.pragma("journal_mode = WAL");
      setup.close();
      const connection = sqlite.sqliteConnection({ fileName });
      const store = sqlite.getSQLiteEventStore({
        fileName,
        connectionOptions: { singleton: true, connection },
      });
      return emmettSession(core, store, async () => connection.close());
    },
  };
}
