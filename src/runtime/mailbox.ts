import { deferToEventLoop, yieldDue } from "./cooperative.js";

/**
 * A first-in, first-out queue of messages handled one at a time: the heart of an actor. The next
 * message starts only when the previous one's handler has finished (its promise settled). A mailbox
 * that has been busy for a while hands over to the event loop between two messages (see
 * `cooperative.ts`), so that a burst of messages never starves timers and I/O.
 */
export class Mailbox<TMessage> {
  readonly #handler: (message: TMessage) => void | Promise<void>;
  readonly #onError: (error: unknown, message: TMessage) => void;
  readonly #report: (message: string, error: unknown) => void;
  #queue: TMessage[] = [];
  #head = 0;
  #running = false;
  /** True while a handler runs (not while the mailbox waits for its turn between messages). */
  #busy = false;
  #idleWaiters: (() => void)[] = [];

  /**
   * @param handler handles one message; the next waits until it returns or its promise settles.
   * @param onError called when the handler throws or rejects; the mailbox then goes on with the next message.
   * @param report where a failure of the mailbox itself goes (`onError` threw): default `console.error`.
   */
  constructor(
    handler: (message: TMessage) => void | Promise<void>,
    onError: (error: unknown, message: TMessage) => void,
    report: (message: string, error: unknown) => void = reportToConsole,
  ) {
    this.#handler = handler;
    this.#onError = onError;
    this.#report = report;
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
    this.#queue.push(message);
    if (!this.#running) void this.#run();
  }

  /** Resolves once the mailbox is idle. */
  whenIdle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Removes and returns every message not yet started. */
  drain(): TMessage[] {
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
        deferToEventLoop(() => void this.#run(), this.#report);
        return;
      }
      const message = this.#queue[this.#head] as TMessage;
      this.#busy = true;
      try {
        const pending = this.#handler(message);
        if (pending) await pending;
      } catch (error) {
        try {
          this.#onError(error, message);
        } catch (reportError) {
          try {
            this.#report("a mailbox's onError threw", reportError);
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
    this.#queue = [];
    this.#head = 0;
    this.#running = false;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function reportToConsole(message: string, error: unknown): void {
  console.error(message, error);
}
