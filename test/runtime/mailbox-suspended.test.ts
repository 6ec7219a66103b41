import { describe, expect, it } from "vitest";
import { Mailbox, SUSPENDED } from "../../src/runtime/mailbox.js";

/** A mailbox whose handler finishes later through `resume`, as the aggregate actor's hot path does. */
class Deferred extends Mailbox<string> {
  readonly handled: string[] = [];
  readonly #finishers: (() => void)[] = [];

  protected override receive(message: string): typeof SUSPENDED | undefined {
    if (message.startsWith("sync")) {
      this.handled.push(message);
      return undefined;
    }
    this.#finishers.push(() => {
      this.handled.push(message);
      this.resume();
    });
    return SUSPENDED;
  }

  /** Finishes the message in progress. */
  finishOne(): void {
    this.#finishers.shift()?.();
  }

  get waiting(): number {
    return this.#finishers.length;
  }
}

describe("a mailbox whose handler answers SUSPENDED", () => {
  it("starts nothing else until resumed, then goes on in order, and is idle only at the end", async () => {
    const mailbox = new Deferred();
    mailbox.post("a");
    mailbox.post("sync b");
    mailbox.post("c");
    expect(mailbox.handled).toEqual([]);
    expect(mailbox.size).toBe(3);
    expect(mailbox.waiting).toBe(1);
    let idle = false;
    void mailbox.whenIdle().then(() => {
      idle = true;
    });
    mailbox.finishOne();
    // "sync b" ran in the same stack as the resume; "c" is now in progress.
    expect(mailbox.handled).toEqual(["a", "sync b"]);
    expect(mailbox.waiting).toBe(1);
    expect(mailbox.idle).toBe(false);
    await Promise.resolve();
    expect(idle).toBe(false);
    mailbox.finishOne();
    expect(mailbox.handled).toEqual(["a", "sync b", "c"]);
    expect(mailbox.idle).toBe(true);
    await Promise.resolve();
    expect(idle).toBe(true);
  });

  it("runs a message posted to an idle mailbox in the poster's stack", () => {
    const mailbox = new Deferred();
    mailbox.post("sync now");
    expect(mailbox.handled).toEqual(["sync now"]);
    expect(mailbox.idle).toBe(true);
  });

  it("drains only messages not yet started", () => {
    const mailbox = new Deferred();
    for (const message of ["a", "b", "c"]) mailbox.post(message);
    expect(mailbox.drain()).toEqual(["b", "c"]);
    expect(mailbox.size).toBe(1);
    mailbox.finishOne();
    expect(mailbox.handled).toEqual(["a"]);
    expect(mailbox.idle).toBe(true);
  });
});
