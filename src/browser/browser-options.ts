/**
 * The options of {@link eventBrowser}, checked and frozen before anything listens.
 */
import type { EventStore } from "../core/event-store.js";
import type { Apply, EventSourcing, SystemStats } from "../core/types.js";
import type { StoreReads } from "./store-reads.js";

/**
 * A running system shown alongside the store: its stream pages get the aggregate's state at any
 * sequence, replayed with the config's own `apply` over the events `system.loadEvents` returns (which
 * the system has already upcast and decoded), and its named queries' holder and last error appear on
 * the queries page. Pass the config the system was started with and the handle `start` returned.
 *
 * @example
 * ```ts
 * const bank = await start(bankConfig);
 * await eventBrowser({ store, systems: [{ config: bankConfig, system: bank }] });
 * ```
 */
export interface BrowserSystem<TState = unknown, TEvent = unknown> {
  /** The system's config: `apply` and `emptyState` replay state; `aggregateType` (default "default") picks its streams. */
  readonly config: {
    readonly apply: Apply<TState, TEvent>;
    readonly emptyState: TState;
    readonly aggregateType?: string;
  };
  /** The running system: its `loadEvents` reads a stream as `apply` receives it; `systemStats` gives query figures. */
  // biome-ignore lint/suspicious/noExplicitAny: any command and domain error type fits
  readonly system: Pick<EventSourcing<TState, any, TEvent, any>, "loadEvents"> & {
    systemStats(): Promise<SystemStats>;
  };
}

/** Options of {@link eventBrowser}. */
export interface EventBrowserOptions {
  /** The store to browse; the browser reads it and, with `allowWrites`, requests query resets. It is not closed by `close()`. */
  readonly store: EventStore;
  /** Running systems given from code (see {@link BrowserSystem}). */
  // biome-ignore lint/suspicious/noExplicitAny: systems of any state and event types
  readonly systems?: readonly BrowserSystem<any, any>[];
  /** TCP port; default 4000; 0 picks a free one (read it from `url`). */
  readonly port?: number;
  /** Address to bind; default "127.0.0.1". Any other address requires `token`. */
  readonly host?: string;
  /**
   * A secret every request must present: `Authorization: Bearer <token>`, or once `?token=<token>` in
   * the browser's address, which sets a session cookie and redirects to the same page without it.
   * At least 16 characters.
   */
  readonly token?: string;
  /** Enables the only write: requesting a named query's reset (when the store offers it). Default false. */
  readonly allowWrites?: boolean;
}

/** What the server runs on, checked: the store's reads, and the store itself for the one write. */
export interface BrowserSettings {
  readonly reads: StoreReads;
  /** `null` when the store was opened for reading only (no query reset, no checkpoint fallback). */
  readonly store: EventStore | null;
  // biome-ignore lint/suspicious/noExplicitAny: systems of any state and event types
  readonly systems: readonly BrowserSystem<any, any>[];
  readonly port: number;
  readonly host: string;
  readonly token: string | null;
  readonly allowWrites: boolean;
}

/** The listening options shared by {@link eventBrowser} and the `ui` command. */
export interface ListenOptions {
  readonly port?: number;
  readonly host?: string;
  readonly token?: string;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
const KEYS = new Set(["store", "systems", "port", "host", "token", "allowWrites"]);

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host);
}

/** Checks port, host and token; throws a `TypeError` saying what to change. */
export function resolveListen(
  options: ListenOptions,
  who: string,
): { port: number; host: string; token: string | null } {
  const port = options.port ?? 4000;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new TypeError(`${who}: the port must be an integer from 0 to 65535, got ${String(port)}`);
  const host = options.host ?? "127.0.0.1";
  if (typeof host !== "string" || host.length === 0)
    throw new TypeError(`${who}: the host must be a non-empty string`);
  const token = options.token ?? null;
  if (token !== null && (typeof token !== "string" || token.length < 16 || /\s/.test(token)))
    throw new TypeError(`${who}: the token must be a string of at least 16 characters without spaces`);
  if (!isLoopback(host) && token === null)
    throw new TypeError(
      `${who}: binding to ${host} lets other machines read the store; give a token ` +
        "(`token`, or --token on the command line) that every request must present, or bind to 127.0.0.1",
    );
  return { port, host, token };
}

/** Checks the options of {@link eventBrowser}; throws a `TypeError` saying what to change. */
export function resolveBrowserOptions(options: EventBrowserOptions): Omit<BrowserSettings, "reads"> & {
  readonly store: EventStore;
} {
  if (typeof options !== "object" || options === null)
    throw new TypeError("eventBrowser: options must be an object with a `store`");
  for (const key of Object.keys(options))
    if (!KEYS.has(key)) throw new TypeError(`eventBrowser: unknown option \`${key}\``);
  const { store } = options;
  if (typeof store !== "object" || store === null || typeof store.readAll !== "function")
    throw new TypeError("eventBrowser: `store` must be an EventStore");
  const listen = resolveListen(options, "eventBrowser");
  const systems = options.systems ?? [];
  if (!Array.isArray(systems)) throw new TypeError("eventBrowser: `systems` must be an array");
  for (const [i, entry] of systems.entries()) {
    if (
      typeof entry !== "object" ||
      entry === null ||
      typeof entry.config?.apply !== "function" ||
      typeof entry.system?.loadEvents !== "function"
    )
      throw new TypeError(
        `eventBrowser: \`systems[${i}]\` must be { config, system }: the config the system was started with and its handle`,
      );
  }
  if (options.allowWrites !== undefined && typeof options.allowWrites !== "boolean")
    throw new TypeError(
      `eventBrowser: \`allowWrites\` must be true or false, got ${JSON.stringify(options.allowWrites) ?? String(options.allowWrites)}`,
    );
  return Object.freeze({
    store,
    systems: Object.freeze([...systems]),
    ...listen,
    allowWrites: options.allowWrites === true,
  });
}
