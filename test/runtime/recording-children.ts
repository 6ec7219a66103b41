import type { ChildContext, ChildSpec, RestartType } from "../../src/runtime/index.js";

/** How a recorded child behaves; `failStart` returns the error of a given start attempt (1-based), or nothing. */
export interface RecordedChildOptions {
  readonly restart?: RestartType;
  readonly failStart?: (attempt: number) => unknown;
  readonly failStop?: unknown;
}

/**
 * Children that write every start and stop to one shared log ("start a", "stop b"), and whose latest
 * context the test holds so that it can make them exit.
 */
export class RecordingChildren {
  readonly log: string[] = [];
  readonly #contexts = new Map<string, ChildContext>();
  readonly #starts = new Map<string, number>();

  child(id: string, options: RecordedChildOptions = {}): ChildSpec {
    return {
      id,
      restart: options.restart,
      start: async (context) => {
        const attempt = (this.#starts.get(id) ?? 0) + 1;
        this.#starts.set(id, attempt);
        const failure = options.failStart?.(attempt);
        if (failure !== undefined) {
          this.log.push(`failed start ${id}`);
          throw failure;
        }
        this.log.push(`start ${id}`);
        this.#contexts.set(id, context);
        return {
          stop: async () => {
            this.log.push(`stop ${id}`);
            if (options.failStop !== undefined) throw options.failStop;
          },
        };
      },
    };
  }

  /** Makes the latest incarnation of `id` report its end: `undefined` is a normal exit, anything else a crash. */
  exit(id: string, reason?: unknown): void {
    const context = this.#contexts.get(id);
    if (!context) throw new Error(`child ${id} never started`);
    context.exit(reason);
  }

  /** The context of the latest incarnation of `id`, to keep it past a restart. */
  contextOf(id: string): ChildContext {
    const context = this.#contexts.get(id);
    if (!context) throw new Error(`child ${id} never started`);
    return context;
  }

  /** Empties the log, to look only at what follows. */
  clear(): void {
    this.log.length = 0;
  }
}
