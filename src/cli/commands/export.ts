/** `export`: every event with all its fields as NDJSON, to a file or stdout, streaming. */
import { createWriteStream, existsSync } from "node:fs";
import type { Writable } from "node:stream";
import type { Command } from "commander";
import { type CliContext, type StoreOptions, withStore, withStoreOptions } from "../context.js";
import { CommandFailed } from "../errors.js";
import { eventLine, LineWriter } from "../output.js";
import { Progress } from "../progress.js";
import { batchEvents, commitBatches } from "../transfer.js";

interface Options extends StoreOptions {
  readonly out?: string;
  readonly force?: boolean;
}

/** Adds `export` to the program. */
export function exportCommand(program: Command, context: CliContext): void {
  withStoreOptions(
    program
      .command("export")
      .description("write every event, with all its fields, as NDJSON (one JSON object per line)")
      .option("--out <file>", "write to this file (default: stdout); an existing file is refused")
      .option("--force", "with --out: replace an existing file"),
    false,
  ).action((options: Options) => exportEvents(context, options));
}

async function exportEvents(context: CliContext, options: Options): Promise<void> {
  batchEvents(context.env); // a bad EVENTSOURCING_BATCH_EVENTS is refused before the store is opened
  if (options.out !== undefined && !options.force && existsSync(options.out))
    throw new CommandFailed(`"${options.out}" exists: pass --force to replace it, or choose another --out`);
  await withStore(context, options, true, async ({ inspector }) => {
    const total = (await inspector.counts()).events;
    let stream: Writable = context.stdout;
    if (options.out !== undefined) {
      // Without --force, "wx": a file made meanwhile is not overwritten either.
      const file = createWriteStream(options.out, { flags: options.force ? "w" : "wx" });
      await new Promise<void>((resolve, reject) => {
        file.once("open", () => resolve());
        file.once("error", (cause) => reject(new Error(`cannot write "${options.out}": ${cause.message}`)));
      });
      stream = file;
    }
    const out = new LineWriter(stream);
    const progress = new Progress(context.stderr, "export", total);
    let events = 0;
    let interrupted = false;
    try {
      for await (const batch of commitBatches(
        (after, limit) => inspector.readLog(after, limit),
        0n,
        batchEvents(context.env),
      )) {
        for (const event of batch) await out.line(eventLine(event));
        events += batch.length;
        progress.update(events, events);
        if (context.interrupt.requested) {
          interrupted = true;
          break;
        }
      }
      await out.flush();
    } finally {
      progress.stop();
      if (stream !== context.stdout) await new Promise<void>((resolve) => stream.end(resolve));
    }
    const where = options.out === undefined ? "" : ` to ${options.out}`;
    if (interrupted) {
      context.stderr.write(`export interrupted after ${events} events: the output${where} is incomplete\n`);
      context.exitCode = 1;
      return;
    }
    context.stderr.write(
      `exported ${events} events${where} in ${progress.seconds.toFixed(1)} s (${Math.round(progress.rate)} events/s)\n`,
    );
  });
}
