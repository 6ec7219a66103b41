/** A supervisor logs through the logger it is given: restarts at info, starts and stops at debug. */
import { expect, it, vi } from "vitest";
import type { LogContext, Logger } from "../../src/index.js";
import { createSupervisor, manualClock } from "../../src/runtime/index.js";
import { RecordingChildren } from "./recording-children.js";

it("says at info that a child crashed and when it restarts, and at debug that children start and stop, naming both", async () => {
  const lines: { level: string; message: string; context?: LogContext }[] = [];
  const logger: Logger = {
    debug: (message, context) => lines.push({ level: "debug", message, context }),
    info: (message, context) => lines.push({ level: "info", message, context }),
    warn: (message, context) => lines.push({ level: "warn", message, context }),
    error: (message, context) => lines.push({ level: "error", message, context }),
  };
  const clock = manualClock();
  const children = new RecordingChildren();
  const supervisor = await createSupervisor({ strategy: "one-for-one", id: "top", clock, logger })
    .add(children.child("worker"))
    .start();
  const boom = new Error("boom");
  children.exit("worker", boom);
  await clock.advance(1_000);
  await supervisor.stop();
  expect(lines.map((line) => [line.level, line.message])).toEqual([
    ["debug", 'supervisor "top": child "worker" started'],
    [
      "info",
      'supervisor "top": child "worker" crashed; restarting in 10 ms (1 of at most 2 restarts within 5000 ms)',
    ],
    ["debug", 'supervisor "top": child "worker" started again (restart 1)'],
    ["debug", 'supervisor "top": child "worker" stopping (shutdown)'],
  ]);
  expect(lines[1]?.context).toEqual({ supervisor: "top", child: "worker", err: boom });
  for (const line of lines) expect(line.context).toMatchObject({ supervisor: "top", child: "worker" });
});

it("calls no level a logger lacks, and reports a failed stop through its error", async () => {
  const errors: [string, LogContext | undefined][] = [];
  const logger: Logger = {
    warn: () => undefined,
    error: (message, context) => errors.push([message, context]),
  };
  const console = vi.spyOn(globalThis.console, "error").mockImplementation(() => {});
  const children = new RecordingChildren();
  const supervisor = await createSupervisor({ strategy: "one-for-one", clock: manualClock(), logger })
    .add(children.child("stuck", { failStop: new Error("stuck") }))
    .start();
  await supervisor.stop();
  expect(errors).toEqual([
    ['supervisor "supervisor": child "stuck" failed to stop', expect.objectContaining({ child: "stuck" })],
  ]);
  expect(console).not.toHaveBeenCalled();
});

it("refuses a logger without warn and error", () => {
  expect(() =>
    createSupervisor({ strategy: "one-for-one", logger: { error() {} } as unknown as Logger }),
  ).toThrow(/logger must have warn and error/);
});
