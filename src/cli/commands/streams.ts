/** `streams`: aggregate types and ids with their event counts and last sequence and position. */
import type { Command } from "commander";
import type { StreamCursor } from "../../inspect/inspector.js";
import { type CliContext, type StoreOptions, withStore, withStoreOptions } from "../context.js";
import { UsageError } from "../errors.js";
import { integerOption, LineWriter, table } from "../output.js";

interface Options extends StoreOptions {
  readonly type?: string;
  readonly prefix?: string;
  readonly limit?: string;
  readonly after?: string;
}

/** Adds `streams` to the program. */
export function streamsCommand(program: Command, context: CliContext): void {
  withStoreOptions(
    program
      .command("streams")
      .description("list streams: aggregate types and ids, event counts, last sequence and position")
      .option("--type <type>", "only streams of this aggregate type")
      .option("--prefix <prefix>", "only aggregate ids starting with this text")
      .option("--limit <n>", "at most this many streams (default: all)")
      .option(
        "--after <stream>",
        'start after this stream: TYPE/ID, or ["TYPE","ID"] as JSON (printed at the end of a limited page)',
      ),
  ).action((options: Options) => listStreams(context, options));
}

async function listStreams(context: CliContext, options: Options): Promise<void> {
  const limit = integerOption(options.limit, "--limit", 1);
  const after = options.after === undefined ? undefined : streamCursor(options.after);
  await withStore(context, options, true, async ({ inspector }) => {
    const out = new LineWriter(context.stdout);
    const rows: string[][] = [];
    let printed = 0;
    let last: StreamCursor | undefined = after;
    let more = false;
    for (;;) {
      const want = limit === undefined ? 500 : Math.min(500, limit - printed);
      const page = await inspector.listStreams({
        limit: want,
        ...(options.type === undefined ? {} : { aggregateType: options.type }),
        ...(options.prefix === undefined ? {} : { idPrefix: options.prefix }),
        ...(last === undefined ? {} : { after: last }),
      });
      for (const stream of page) {
        if (options.json) {
          await out.line(JSON.stringify({ ...stream, lastPosition: String(stream.lastPosition) }));
        } else {
          rows.push([
            stream.aggregateType,
            stream.aggregateId,
            String(stream.eventCount),
            String(stream.lastSequence),
            String(stream.lastPosition),
          ]);
        }
      }
      printed += page.length;
      last = page[page.length - 1] ?? last;
      if (page.length < want) break;
      if (limit !== undefined && printed >= limit) {
        more =
          (await inspector.listStreams({ limit: 1, ...filters(options), ...(last ? { after: last } : {}) }))
            .length > 0;
        break;
      }
    }
    if (!options.json) {
      if (rows.length === 0) await out.line("no streams");
      else
        for (const line of table(["TYPE", "ID", "EVENTS", "LAST SEQUENCE", "LAST POSITION"], rows))
          await out.line(line);
    }
    await out.flush();
    if (more && last !== undefined) {
      context.stderr.write(`more streams: add --after ${cursorArgument(last)}\n`);
    }
  });
}

function filters(options: Options) {
  return {
    ...(options.type === undefined ? {} : { aggregateType: options.type }),
    ...(options.prefix === undefined ? {} : { idPrefix: options.prefix }),
  };
}

/**
 * The stream of `--after`: a JSON array `["type","id"]` (what the page's hint prints: exact whatever
 * the type and id hold, "/" included), or `type/id` split at the first "/" (for types without one).
 */
function streamCursor(value: string): StreamCursor {
  if (value.trimStart().startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length !== 2 ||
      typeof parsed[0] !== "string" ||
      typeof parsed[1] !== "string" ||
      parsed[0] === ""
    )
      throw new UsageError(
        `--after as JSON must be ["<aggregateType>","<aggregateId>"], got ${JSON.stringify(value)}`,
      );
    return { aggregateType: parsed[0], aggregateId: parsed[1] };
  }
  const slash = value.indexOf("/");
  if (slash <= 0)
    throw new UsageError(`--after must be <aggregateType>/<aggregateId>, got ${JSON.stringify(value)}`);
  return { aggregateType: value.slice(0, slash), aggregateId: value.slice(slash + 1) };
}

/**
 * `--after`'s argument for a stream, ready to paste into a POSIX shell: the JSON array with every
 * character outside printable ASCII escaped (so nothing can drive the terminal), in single quotes.
 */
export function cursorArgument(stream: StreamCursor): string {
  const json = JSON.stringify([stream.aggregateType, stream.aggregateId]).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `'${json.replaceAll("'", "'\\''")}'`;
}
