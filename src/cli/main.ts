#!/usr/bin/env node
/**
 * The `eventsourcing` bin: runs the command line on this process's arguments and streams. The first
 * Ctrl-C asks long work to stop at a whole commit; a second one ends the process at once.
 */
import { Interrupt } from "./context.js";
import { run } from "./program.js";

const interrupt = new Interrupt();
process.on("SIGINT", () => {
  if (interrupt.requested) process.exit(130);
  interrupt.request();
});
// A reader that went away (`eventsourcing export | head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  interrupt,
  exitCode: 0,
});
process.exitCode = code;
// Streams are flushed by Node before exit; pools and timers are closed by the commands.
