import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Mailbox } from "../../src/runtime/index.js";

/** Lets `turns` rounds of the event loop pass, so that handlers finish in an order other than their start. */
async function yieldTurns(turns: number): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe("Mailbox", () => {
  it("handles messages in the order posted, one at a time, whatever each handler's duration", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ turns: fc.nat(3), postAfter: fc.nat(2) }), { minLength: 1, maxLength: 20 }),
        async (messages) => {
          const handled: number[] = [];
          let running = 0;
          let mostAtOnce = 0;
          const mailbox = new Mailbox<number>(
            async (index) => {
              running++;
              mostAtOnce = Math.max(mostAtOnce, running);
              await yieldTurns(messages[index]?.turns ?? 0);
              handled.push(index);
              running--;
            },
            () => {},
          );
          const posted: number[] = [];
          // Two producers post alternately, each pausing between posts while handlers run.
          const producer = async (parity: number) => {
            for (const [index, message] of messages.entries()) {
              if (index % 2 !== parity) continue;
              posted.push(index);
              mailbox.post(index);
              await yieldTurns(message.postAfter);
            }
          };
          await Promise.all([producer(0), producer(1)]);
          await mailbox.whenIdle();
          expect(handled).toEqual(posted);
          expect(mostAtOnce).toBe(1);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("reports a throwing handler to onError with its message, and handles the next message", async () => {
    const errors: [unknown, string][] = [];
    const handled: string[] = [];
    const failure = new Error("sync failure");
    const mailbox = new Mailbox<string>(
      (message) => {
        if (message === "bad") throw failure;
        handled.push(message);
      },
      (error, message) => errors.push([error, message]),
    );
    mailbox.post("bad");
    mailbox.post("good");
    await mailbox.whenIdle();
    expect(errors).toEqual([[failure, "bad"]]);
    expect(handled).toEqual(["good"]);
  });

  it("reports a rejecting handler to onError with its message, and handles the next message", async () => {
    const errors: [unknown, string][] = [];
    const handled: string[] = [];
    const mailbox = new Mailbox<string>(
      async (message) => {
        await yieldTurns(1);
        if (message.startsWith("bad")) throw new Error(message);
        handled.push(message);
      },
      (error, message) => errors.push([(error as Error).message, message]),
    );
    for (const message of ["bad 1", "good 1", "bad 2", "good 2"]) mailbox.post(message);
    await mailbox.whenIdle();
    expect(errors).toEqual([
      ["bad 1", "bad 1"],
      ["bad 2", "bad 2"],
    ]);
    expect(handled).toEqual(["good 1", "good 2"]);
  });

  it("resolves whenIdle at once when nothing is queued", async () => {
    const mailbox = new Mailbox<string>(
      () => {},
      () => {},
    );
    expect(mailbox.idle).toBe(true);
    expect(mailbox.size).toBe(0);
    await expect(mailbox.whenIdle()).resolves.toBeUndefined();
  });

  it("resolves whenIdle only after every message, including those posted by a handler meanwhile", async () => {
    const handled: string[] = [];
    const mailbox: Mailbox<string> = new Mailbox<string>(
      async (message) => {
        await yieldTurns(1);
        handled.push(message);
        if (message === "first") mailbox.post("posted by a handler");
      },
      () => {},
    );
    mailbox.post("first");
    mailbox.post("second");
    expect(mailbox.idle).toBe(false);
    expect(mailbox.size).toBe(2);
    await mailbox.whenIdle();
    expect(handled).toEqual(["first", "second", "posted by a handler"]);
    expect(mailbox.idle).toBe(true);
    expect(mailbox.size).toBe(0);
  });

  it("drains the messages not yet started, leaving the one in progress to finish", async () => {
    const handled: string[] = [];
    const mailbox = new Mailbox<string>(
      async (message) => {
        await yieldTurns(1);
        handled.push(message);
      },
      () => {},
    );
    for (const message of ["a", "b", "c"]) mailbox.post(message);
    expect(mailbox.drain()).toEqual(["b", "c"]);
    expect(mailbox.size).toBe(1);
    await mailbox.whenIdle();
    expect(handled).toEqual(["a"]);
  });

  it("goes on with messages posted after a drain", async () => {
    const handled: string[] = [];
    const mailbox = new Mailbox<string>(
      async (message) => {
        await yieldTurns(1);
        handled.push(message);
      },
      () => {},
    );
    mailbox.post("a");
    mailbox.post("dropped");
    mailbox.drain();
    mailbox.post("b");
    await mailbox.whenIdle();
    expect(handled).toEqual(["a", "b"]);
    expect(mailbox.drain()).toEqual([]);
  });
});

describe("Mailbox under long or faulty use", () => {
  it("keeps handling messages after onError itself throws", async () => {
    const handled: number[] = [];
    const original = console.error;
    console.error = () => {};
    try {
      const mailbox = new Mailbox<number>(
        (n) => {
          if (n === 1) throw new Error("bad message");
          handled.push(n);
        },
        () => {
          throw new Error("the error reporter is broken too");
        },
      );
      mailbox.post(1);
      mailbox.post(2);
      await mailbox.whenIdle();
      expect(handled).toEqual([2]);
      expect(mailbox.idle).toBe(true);
    } finally {
      console.error = original;
    }
  });

  it("keeps FIFO order across the compaction of a long-busy queue", async () => {
    const handled: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const mailbox = new Mailbox<number>(
      async (n) => {
        if (n === 0) await gate;
        handled.push(n);
      },
      () => {},
    );
    for (let n = 0; n < 5_000; n++) mailbox.post(n);
    release();
    await mailbox.whenIdle();
    expect(handled).toEqual(Array.from({ length: 5_000 }, (_, n) => n));
  });
});

describe("Mailbox under a burst", () => {
  it("hands over to the event loop between messages, in order, when its handlers only ever await promises", async () => {
    const handled: number[] = [];
    const mailbox = new Mailbox<number>(
      async (n) => {
        await Promise.resolve();
        handled.push(n);
      },
      () => {},
    );
    let immediates = 0;
    let handledAtFirstImmediate = -1;
    const probe = () =>
      setImmediate(() => {
        if (immediates++ === 0) handledAtFirstImmediate = handled.length;
        if (mailbox.size > 0) probe();
      });
    probe();
    const count = 200_000;
    for (let n = 0; n < count; n++) mailbox.post(n);
    await mailbox.whenIdle();
    expect(handledAtFirstImmediate).toBeGreaterThanOrEqual(0);
    expect(handledAtFirstImmediate).toBeLessThan(count);
    expect(handled).toEqual(Array.from({ length: count }, (_, n) => n));
  });

  it("never hands a message drained while it waited for its turn to the handler", async () => {
    const handled: number[] = [];
    const mailbox = new Mailbox<number>(
      async (n) => {
        await Promise.resolve();
        handled.push(n);
      },
      () => {},
    );
    for (let n = 0; n < 200_000; n++) mailbox.post(n);
    let drained: number[] = [];
    await new Promise((resolve) => setImmediate(resolve));
    drained = mailbox.drain();
    await mailbox.whenIdle();
    expect(drained.length).toBeGreaterThan(0);
    expect([...handled, ...drained]).toEqual(Array.from({ length: 200_000 }, (_, n) => n));
  });
});
