/**
 * `import <file>`: events from an export into new streams only, keeping ids, versions, metadata, times,
 * commits and order; idempotent (events already there are skipped), and refusing any line that would
 * overwrite or reorder a stream.
 */
import { createReadStream, existsSync, rmSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { type ImportedEvent, ImportRefused } from "../../inspect/inspector.js";
import { isPostgresUrl } from "../../inspect/open-store.js";
import {
  type CliContext,
  type StoreOptions,
  storeArgument,
  withStore,
  withStoreOptions,
} from "../context.js";
import { CommandFailed } from "../errors.js";
import { Progress } from "../progress.js";
import { batchEvents, parseEventLine, sameCommit } from "../transfer.js";

/** Adds `import` to the program. */
export function importCommand(program: Command, context: CliContext): void {
  withStoreOptions(
    program
      .command("import")
      .description("import an NDJSON export into new streams only; running it again writes nothing twice")
      .argument("<file>", "the NDJSON file (as written by export), or - for standard input"),
    false,
  ).action((file: string, options: StoreOptions) => importEvents(context, file, options));
}

async function importEvents(context: CliContext, file: string, options: StoreOptions): Promise<void> {
  const fromStdin = file === "-";
  if (!fromStdin && (!existsSync(file) || !statSync(file).isFile()))
    throw new CommandFailed(`no file "${file}" to import`);
  const size = batchEvents(context.env);
  const bytes = fromStdin ? 0 : statSync(file).size;
  // A SQLite file this run creates is removed again when the run fails before writing any event.
  const db = storeArgument(context, options);
  const newFile = isPostgresUrl(db) ? null : existsSync(db) ? null : db;
  let wroteAny = false;
  try {
    await importInto(context, options, fromStdin ? null : file, size, bytes, () => {
      wroteAny = true;
    });
  } catch (error) {
    if (newFile !== null && !wroteAny)
      for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${newFile}${suffix}`, { force: true });
    throw error;
  }
}

async function importInto(
  context: CliContext,
  options: StoreOptions,
  file: string | null,
  size: number,
  bytes: number,
  wrote: () => void,
): Promise<void> {
  await withStore(context, options, false, async ({ inspector, description }) => {
    const input = file === null ? context.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    const progress = new Progress(context.stderr, "import", bytes, "bytes");
    let batch: ImportedEvent[] = [];
    let lineOf: number[] = [];
    let written = 0;
    let skipped = 0;
    let lineNumber = 0;
    let lastLine = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      try {
        const outcome = await inspector.importEvents(batch, { keepPositions: false });
        written += outcome.written;
        if (outcome.written > 0) wrote();
        skipped += outcome.skipped;
      } catch (error) {
        if (error instanceof ImportRefused) {
          const at = lineOf[batch.indexOf(error.event)] ?? lineOf[0];
          throw new CommandFailed(
            `line ${at}: ${error.message}; nothing from line ${lineOf[0]} on was written ` +
              `(${written} events imported before it, ${skipped} already there)`,
          );
        }
        throw error;
      }
      lastLine = lineOf[lineOf.length - 1] ?? lastLine;
      batch = [];
      lineOf = [];
      progress.update("bytesRead" in input ? input.bytesRead : 0, written + skipped);
    };
    let interrupted = false;
    try {
      for await (const text of lines) {
        lineNumber++;
        if (text.trim() === "") continue;
        const event = parseEventLine(text, lineNumber);
        const previous = batch[batch.length - 1];
        if (batch.length >= size && previous !== undefined && !sameCommit(previous, event)) {
          await flush();
          if (context.interrupt.requested) {
            interrupted = true;
            break;
          }
        }
        batch.push(event);
        lineOf.push(lineNumber);
      }
      if (!interrupted) await flush();
    } finally {
      lines.close();
      if (file !== null) input.destroy();
      progress.stop();
    }
    if (interrupted) {
      context.stderr.write(
        `import interrupted after line ${lastLine}: ${written} events imported (whole commits), ` +
          `${skipped} already there; run the same command again to resume (imported events are skipped)\n`,
      );
      context.exitCode = 1;
      return;
    }
    context.stderr.write(
      `imported ${written} events into ${description} (${skipped} already there) in ` +
        `${progress.seconds.toFixed(1)} s (${Math.round(progress.rate)} events/s)\n`,
    );
  });
}
