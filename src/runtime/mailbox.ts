import { deferToEventLoop, yieldDue } from "./cooperative.js";

/**
 * What {@link Mailbox.receive} returns when it will finish the message later without a promise: the
 * subclass calls {@link Mailbox.resume} once, when the message is done. A hot handler that waits on a
 * callback (an append in a group commit) so costs no promise and no closure per message.
 */
export const SUSPENDED: unique symbol = Symbol("mailbox: suspended");

/** Queued messages handled in one go before the mailbox lets pending promise callbacks run. */
const MESSAGES_PER_HOP = 64;

/** The queue of every mailbox with nothing waiting: shared, never written (`post` makes its own). */
const NO_MESSAGES: readonly unknown[] = Object.freeze([]);

/**
 * A first-in, first-out queue of messages handled one at a time: the heart of an actor. The next
 * message starts only when the previous one's handler has finished (its promise settled, or the
 * subclass resumed it). A mailbox that has been busy for a while hands over to the event loop between
 * two messages (see `cooperative.ts`), so that a burst of messages never starves timers and I/O.
 *
 * The loop is plain code, not an async function: a message posted to an idle mailbox is handled at
 * once, in the caller's stack, without a queue array, a promise or a microtask of the mailbox's own.
 */
export class Mailbox<TMessage> {
  readonly #handler: ((message: TMessage) => void | Promise<void>) | undefined;
  readonly #onError: ((error: unknown, message: TMessage) => void) | undefined;
  readonly #report: ((message: string, error: unknown) => void) | undefined;
  /** Messages not yet started, from `#head` on; made by the first `post` that has to wait. */
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

  /**
   * Handles one message: the constructor's `handler`, unless a subclass overrides it. A subclass may
   * answer {@link SUSPENDED} and call {@link resume} once the message is done.
   */
  protected receive(message: TMessage): void | Promise<void> | typeof SUSPENDED {
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
    return this.#queue.length - this.#head + (this.#busy ? 1 : 0);
  }

  /** True when nothing is queued or in progress. */
  get idle(): boolean {
    return !this.#running;
  }

  /** Queues a message; it is handled after every message posted before it. */
  post(message: TMessage): void {
    if (this.#running) {
      if (this.#queue === NO_MESSAGES) this.#queue = [];
      this.#queue.push(message);
      return;
    }
    this.#running = true;
    if (yieldDue()) {
      // As between two messages: a burst of work in this stack hands over to the event loop first.
      this.#queue = [message];
      deferToEventLoop(
        () => this.#next(),
        (text, error) => this.report(text, error),
      );
      return;
    }
    if (this.#start(message)) this.#next();
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
    const rest = this.#queue.slice(this.#head);
    this.#queue = NO_MESSAGES as TMessage[];
    this.#head = 0;
    return rest;
  }

  /**
   * Ends the message a subclass's {@link receive} answered {@link SUSPENDED} for, and goes on with the
   * next one (in this stack: the caller should have nothing left to do for that message).
   */
  protected resume(): void {
    this.#finished();
    this.#next();
  }

  /** Runs `message`'s handler; true when it finished in this stack (the caller goes on with the next). */
  #start(message: TMessage): boolean {
    this.#busy = true;
    let pending: void | Promise<void> | typeof SUSPENDED;
    try {
      pending = this.receive(message);
    } catch (error) {
      this.#fail(error, message);
      pending = undefined;
    }
    if (pending === SUSPENDED) return false;
    if (pending) {
      // A promise: settled later, possibly much later; the next message waits for it.
      pending.then(
        () => this.resume(),
        (error: unknown) => {
          this.#fail(error, message);
          this.resume();
        },
      );
      return false;
    }
    this.#finished();
    return true;
  }

  #finished(): void {
    this.#busy = false;
  }

  /** Starts queued messages while their handlers finish in this stack; goes idle when none is left. */
  #next(): void {
    for (let handled = 0; ; handled++) {
      if (this.#head >= this.#queue.length) {
        this.#idle();
        return;
      }
      if (handled === MESSAGES_PER_HOP) {
        // The answers given so far have queued promise callbacks (their callers' next steps): they run
        // before the next messages, so that the time slice of `yieldDue` counts them too and a long
        // queue of quick messages cannot stall the event loop for a slice plus all their callbacks.
        queueMicrotask(() => this.#next());
        return;
      }
      if (yieldDue()) {
        // Still running: the loop goes on from the event loop's next turn.
        deferToEventLoop(
          () => this.#next(),
          (text, error) => this.report(text, error),
        );
        return;
      }
      const message = this.#queue[this.#head] as TMessage;
      this.#head++;
      if (this.#head === this.#queue.length) {
        this.#queue = NO_MESSAGES as TMessage[];
        this.#head = 0;
      } else if (this.#head >= 1_024 && this.#head * 2 >= this.#queue.length) {
        // A mailbox that never goes idle must not keep every message it has handled.
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      if (!this.#start(message)) return;
    }
  }

  #fail(error: unknown, message: TMessage): void {
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

  #idle(): void {
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
