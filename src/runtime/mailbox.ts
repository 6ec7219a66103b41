import { deferToEventLoop, yieldDue } from "./cooperative.js";

/** The queue of every mailbox with nothing queued: shared, never written (`post` makes its own). */
const NO_MESSAGES: readonly unknown[] = Object.freeze([]);

/**
 * A first-in, first-out queue of messages handled one at a time: the heart of an actor. The next
 * message starts only when the previous one's handler has finished (its promise settled). A mailbox
 * that has been busy for a while hands over to the event loop between two messages (see
 * `cooperative.ts`), so that a burst of messages never starves timers and I/O.
 */
export class Mailbox<TMessage> {
  readonly #handler: ((message: TMessage) => void | Promise<void>) | undefined;
  readonly #onError: ((error: unknown, message: TMessage) => void) | undefined;
  readonly #report: ((message: string, error: unknown) => void) | undefined;
  #queue: TMessage[] = NO_MESSAGES as TMessage[];
  #head = 0;
  #running = false;
  /** True while a handler runs (not while the mailbox waits for its turn between messages). */
  #busy = false;
  /** Made on the first `whenIdle` that has to wait: most mailboxes never need one. */
  #idleWaiters: (() => void)[] | undefined;

  /**
   * @param handler handles one message; the next waits until it returns or its promise settles.
   * Omitted: a subclass overrides {@link receive} (one method for every mailbox, no closure each).
   * @param onError called when the handler throws or rejects; the mailbox then goes on with the next
   * message. Omitted: a subclass overrides {@link failed}.
   * @param report where a failure of the mailbox itself goes (`onError` threw). Omitted: a subclass
   * overrides {@link report}, else `console.error`.
   */
  constructor(
    handler?: (message: TMessage) => void | Promise<void>,
    onError?: (error: unknown, message: TMessage) => void,
    report?: (message: string, error: unknown) => void,
  ) {
    this.#handler = handler;
    this.#onError = onError;
    this.#report = report;
  }

  /** Handles one message: the constructor's `handler`, unless a subclass overrides it. */
  protected receive(message: TMessage): void | Promise<void> {
    return this.#handler?.(message);
  }

  /** Told of a message whose handling threw or rejected: the constructor's `onError`, unless overridden. */
  protected failed(error: unknown, message: TMessage): void {
    this.#onError?.(error, message);
  }

  /** Told of a failure of the mailbox itself (its `onError` threw): the constructor's `report`, unless overridden. */
  protected report(message: string, error: unknown): void {
    (this.#report ?? reportToConsole)(message, error);
  }

  /** Messages queued or in progress. */
  get size(): number {
    return this.#queue.length - this.#head;
  }

  /** True when nothing is queued or in progress. */
  get idle(): boolean {
    return !this.#running;
  }

  /** Queues a message; it is handled after every message posted before it. */
  post(message: TMessage): void {
    if (this.#queue === NO_MESSAGES) this.#queue = [];
    this.#queue.push(message);
    if (!this.#running) void this.#run();
  }

  /** Resolves once the mailbox is idle. */
  whenIdle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idleWaiters ??= [];
      this.#idleWaiters.push(resolve);
    });
  }

  /** Removes and returns every message not yet started. */
  drain(): TMessage[] {
    if (this.#queue === NO_MESSAGES) return [];
    const start = this.#busy ? this.#head + 1 : this.#head;
    const rest = this.#queue.slice(start);
    this.#queue.length = start;
    return rest;
  }

  async #run(): Promise<void> {
    this.#running = true;
    while (this.#head < this.#queue.length) {
      if (yieldDue()) {
        // Still running: the loop goes on from the event loop's next turn (cheaper than awaiting).
        deferToEventLoop(
          () => void this.#run(),
          (text, error) => this.report(text, error),
        );
        return;
      }
      const message = this.#queue[this.#head] as TMessage;
      this.#busy = true;
      try {
        const pending = this.receive(message);
        if (pending) await pending;
      } catch (error) {
        try {
          this.failed(error, message);
        } catch (reportError) {
          try {
            this.report("a mailbox's onError threw", reportError);
          } catch {
            // Nowhere left to report to.
          }
        }
      }
      this.#busy = false;
      this.#head++;
      // A mailbox that never goes idle must not keep every message it has handled.
      if (this.#head >= 1_024 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
    }
    this.#queue = NO_MESSAGES as TMessage[];
    this.#head = 0;
    this.#running = false;
    const waiters = this.#idleWaiters;
    if (waiters === undefined) return;
    this.#idleWaiters = undefined;
    for (const resolve of waiters) resolve();
  }
}

function reportToConsole(message: string, error: unknown): void {
  console.error(message, error);
}
