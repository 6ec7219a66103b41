/**
 * Logging: every line of a system, its supervisors included, goes to its `logger` as (message, context),
 * the context carrying the system id, the aggregate id or query name and the position where known; the
 * levels a logger lacks are not called.
 */
import { expect, it } from "vitest";
import type { LogContext, Logger } from "../../src/index.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, recorder, until, useSystems } from "../support/system.js";

interface Line {
  readonly level: string;
  readonly message: string;
  readonly context: LogContext | undefined;
}

function recordingLogger(levels: readonly ("debug" | "info" | "warn" | "error")[]) {
  const lines: Line[] = [];
  const logger: Record<string, (message: string, context?: LogContext) => void> = {};
  for (const level of levels) logger[level] = (message, context) => lines.push({ level, message, context });
  return { lines, logger: logger as unknown as Logger };
}

forEachStore("logging", (kind) => {
  const systems = useSystems(kind);

  it("gives every line the system id in its text and context, with the aggregate, query and position it is about", async () => {
    const { lines, logger } = recordingLogger(["debug", "info", "warn", "error"]);
    const seen = recorder();
    const bank = await systems.bank({
      id: "bank-7",
      aggregateType: "account",
      logger,
      passivation: { maxLive: 1 },
      queries: [
        {
          name: "fragile",
          handle: (aggregateId, events) => {
            if (aggregateId === "b") throw new Error("cannot take b");
            seen.query(aggregateId, events);
          },
        },
      ],
      queryRetry: { onError: () => "skip" },
    });
    expectOk(await bank.execute("a", open("a")));
    const opened = expectOk(await bank.execute("b", open("b")));
    expectOk(await bank.execute("c", open("c")));
    // At most one aggregate stays live: the others are passivated, and loaded again by these.
    for (const id of ["a", "b", "c"]) expectOk(await bank.execute(id, deposit(5)));
    await seen.waitFor(2);
    await until(() => lines.filter((line) => line.message.includes("failed on")).length >= 2);

    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.message.startsWith("[bank-7] ")).toBe(true);
      expect(line.context).toMatchObject({ system: "bank-7", aggregateType: "account" });
      expect(Object.isFrozen(line.context)).toBe(true);
    }
    const about = (level: string, pattern: RegExp) =>
      lines.filter((line) => line.level === level && pattern.test(line.message)).map((line) => line.context);

    expect(about("info", /started/)).toHaveLength(1);
    const reloaded = lines.filter((line) =>
      /aggregate "\w" loaded at sequence 1 \(1 events/.test(line.message),
    );
    expect(reloaded.length).toBeGreaterThan(0);
    for (const line of reloaded)
      expect(line.context).toMatchObject({ aggregateId: line.message.split('"')[1], sequence: 1 });
    const passivated = lines.filter((line) => /aggregate "\w" passivated/.test(line.message));
    expect(passivated.length).toBeGreaterThan(0);
    for (const line of passivated)
      expect(line.context).toMatchObject({ aggregateId: line.message.split('"')[1] });
    expect(about("info", /named query fragile runs in this process/)).toContainEqual(
      expect.objectContaining({ query: "fragile", position: "0" }),
    );
    const failure = about("warn", /query fragile failed on "b" sequence 1 /);
    expect(failure).toEqual([
      expect.objectContaining({
        query: "fragile",
        aggregateId: "b",
        sequence: 1,
        position: String(opened.events[0]?.position),
        err: expect.objectContaining({ message: "cannot take b" }),
      }),
    ]);
    // The supervisor that start() made logs through the system's logger too.
    expect(about("debug", /supervisor "bank-7:supervisor": child "bank-7" started/)).toContainEqual(
      expect.objectContaining({ supervisor: "bank-7:supervisor", child: "bank-7" }),
    );
    // Positions are strings: the context goes through JSON as it is.
    expect(() => JSON.stringify(lines.map((line) => ({ ...line.context, err: undefined })))).not.toThrow();
  });

  it("works with a console-like logger that has only warn and error, calling no other level", async () => {
    const { lines, logger } = recordingLogger(["warn", "error"]);
    const bank = await systems.bank({
      id: "quiet-bank",
      logger,
      passivation: { maxLive: 1 },
      snapshot: { frequency: 1, codec: { encode: () => "{}", decode: () => ({ type: "Unopened" }) } },
    });
    expectOk(await bank.execute("a", open("a")));
    expectOk(await bank.execute("b", open("b")));
    expectOk(await bank.execute("a", deposit(1)));
    // The snapshot codec does not round-trip: said once, as a warning about the aggregate.
    expect(lines.map((line) => line.level)).toEqual(["warn"]);
    expect(lines[0]?.message).toMatch(/^\[quiet-bank\] snapshot of "a" at 1 skipped/);
    expect(lines[0]?.context).toMatchObject({ system: "quiet-bank", aggregateId: "a", sequence: 1 });
  });

  it("keeps working when every method of the logger throws", async () => {
    const throwing = () => {
      throw new Error("the log is full");
    };
    const logger: Logger = { debug: throwing, info: throwing, warn: throwing, error: throwing };
    const bank = await systems.bank({ logger, passivation: { maxLive: 1 } });
    expectOk(await bank.execute("a", open("a")));
    expectOk(await bank.execute("b", open("b")));
    expect(expectOk(await bank.execute("a", deposit(3))).aggregate.state).toEqual({
      type: "BankAccount",
      balance: 3,
    });
  });

  it("refuses a logger whose debug or info is there but not a function", async () => {
    await expect(
      systems.bank({ logger: { warn() {}, error() {}, info: "loud" } as unknown as Logger }),
    ).rejects.toThrow(/`logger.info` must be a function/);
  });
});
