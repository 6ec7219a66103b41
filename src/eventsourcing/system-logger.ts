import type { LogContext, Logger } from "../core/types.js";

/** What one line adds to the context its logger is bound to. */
export interface LogFields {
  readonly aggregateId?: string;
  readonly query?: string;
  readonly sequence?: number;
  readonly position?: bigint;
  readonly supervisor?: string;
  readonly child?: string;
  /** What was thrown, when an info or debug line is about a failure that a caller also sees. */
  readonly err?: unknown;
}

type Level = "debug" | "info" | "warn" | "error";

/** The default logger: warnings and errors on the console, nothing below them. */
export const defaultLogger: Logger = Object.freeze({
  warn: (message: string, context?: LogContext) => console.warn(message, context),
  error: (message: string, context?: LogContext) => console.error(message, context),
});

/**
 * The logger inside a system: the user's {@link Logger} with each line's text prefixed by the system id
 * and a {@link LogContext} built from what the logger is bound to (system, aggregate type, query) and
 * what the line adds. A level the user's logger lacks is a no-op; check {@link debugging} before
 * building a costly debug line. A logger that throws is ignored: logging never breaks the system.
 */
export class SystemLogger {
  readonly #target: Logger;
  readonly #base: LogContext;
  readonly #prefix: string;
  /** Whether the user's logger takes debug lines. */
  readonly debugging: boolean;
  /** Whether the user's logger takes info lines. */
  readonly informing: boolean;

  constructor(target: Logger, base: LogContext & { readonly system: string }) {
    this.#target = target;
    this.#base = Object.freeze({ ...base });
    this.#prefix = `[${base.system}] `;
    this.debugging = typeof target.debug === "function";
    this.informing = typeof target.info === "function";
  }

  debug(message: string, fields?: LogFields): void {
    if (this.debugging) this.#emit("debug", message, undefined, fields);
  }

  info(message: string, fields?: LogFields): void {
    if (this.informing) this.#emit("info", message, undefined, fields);
  }

  /** `cause`: what was thrown, given as `err`. */
  warn(message: string, cause?: unknown, fields?: LogFields): void {
    this.#emit("warn", message, cause, fields);
  }

  /** `cause`: what was thrown, given as `err`. */
  error(message: string, cause?: unknown, fields?: LogFields): void {
    this.#emit("error", message, cause, fields);
  }

  /** The same logger, its lines about the query `name`. */
  forQuery(name: string): SystemLogger {
    return new SystemLogger(this.#target, {
      ...this.#base,
      system: this.#base.system as string,
      query: name,
    });
  }

  /**
   * The logger given to a supervisor of this system: the runtime's lines (which carry `supervisor` and
   * `child` in their context) with the system's id and prefix added.
   */
  forSupervisor(): Logger {
    const line =
      (level: Level) =>
      (message: string, context?: LogContext): void => {
        const { err, ...fields } = context ?? {};
        this.#emit(level, message, err, fields);
      };
    const logger: { -readonly [K in keyof Logger]: Logger[K] } = { warn: line("warn"), error: line("error") };
    if (this.informing) logger.info = line("info");
    if (this.debugging) logger.debug = line("debug");
    return Object.freeze(logger);
  }

  #emit(level: Level, message: string, cause: unknown, fields: LogContext | LogFields | undefined): void {
    const write = this.#target[level];
    if (typeof write !== "function") return;
    const context: Record<string, unknown> = { ...this.#base };
    if (fields !== undefined) {
      for (const [key, value] of Object.entries(fields)) {
        if (value !== undefined) context[key] = typeof value === "bigint" ? value.toString() : value;
      }
    }
    if (cause !== undefined) context.err = cause;
    try {
      write.call(this.#target, this.#prefix + message, Object.freeze(context) as LogContext);
    } catch {
      // A logger that throws must not break an actor or a supervisor: the line is lost, nothing else.
    }
  }
}
