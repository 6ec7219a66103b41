/**
 * What a command runs with: its streams, environment and interruption flag, and the options every
 * command that reads a store shares (`--db`, `--schema`, `--json`).
 */
import type { Readable, Writable } from "node:stream";
import type { Command } from "commander";
import { type OpenedStore, openStore } from "../inspect/open-store.js";
import { UsageError } from "./errors.js";

/** The process around a command: injected so that a command never reaches for globals. */
export interface CliContext {
  readonly stdout: Writable & { readonly isTTY?: boolean };
  readonly stderr: Writable & { readonly isTTY?: boolean };
  readonly stdin: Readable & { readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** Set once Ctrl-C (SIGINT) was pressed: long commands stop at the next whole commit. */
  readonly interrupt: Interrupt;
  /** The exit code a command asks for when it ends without an error (default 0). */
  exitCode: number;
}

/** Ctrl-C as a flag to look at, and listeners for those who wait. */
export class Interrupt {
  #requested = false;
  readonly #listeners = new Set<() => void>();

  get requested(): boolean {
    return this.#requested;
  }

  request(): void {
    this.#requested = true;
    for (const listener of [...this.#listeners]) listener();
  }

  /** Calls `listener` on interruption (at once if already interrupted); returns an unsubscribe. */
  on(listener: () => void): () => void {
    if (this.#requested) queueMicrotask(listener);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Options of every command that reads a store. */
export interface StoreOptions {
  readonly db?: string;
  readonly schema?: string;
  readonly json?: boolean;
}

/** Adds `--db`, `--schema` and `--json` to a command. */
export function withStoreOptions(command: Command, json = true): Command {
  command
    .option("--db <db>", "the store: a SQLite file path or a postgres:// URL (default: $EVENTSOURCING_DB)")
    .option("--schema <name>", "the PostgreSQL schema (default: eventsourcing)");
  if (json) command.option("--json", "print JSON (one object per line for lists)");
  return command;
}

/** The store argument: `--db`, else `EVENTSOURCING_DB`, else a usage error. */
export function storeArgument(context: CliContext, options: StoreOptions): string {
  const db = options.db ?? context.env.EVENTSOURCING_DB;
  if (db === undefined || db.trim() === "") {
    throw new UsageError("no store given: pass --db <sqlite-path | postgres://url> or set EVENTSOURCING_DB");
  }
  return db;
}

/** A usage error when `--schema` is given with a store that is not PostgreSQL (a SQLite file has none). */
export function schemaFits(db: string, options: StoreOptions): void {
  if (options.schema !== undefined && !/^postgres(ql)?:\/\//i.test(db.trim()))
    throw new UsageError(
      `--schema names a PostgreSQL schema, but the store "${db}" is a SQLite file: drop --schema`,
    );
}

/**
 * Opens the store of `options`, runs `work`, and closes the store whatever happens. `readOnly`: `true`
 * reads only; `false` opens for writing, creating the store if needed; `"existing"` opens for writing
 * a store that must already exist (nothing is created when it does not).
 */
export async function withStore<T>(
  context: CliContext,
  options: StoreOptions,
  readOnly: boolean | "existing",
  work: (opened: OpenedStore) => Promise<T>,
): Promise<T> {
  const db = storeArgument(context, options);
  schemaFits(db, options);
  const opened = await openStore(db, {
    readOnly: readOnly === true,
    mustExist: readOnly !== false,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
  });
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}
