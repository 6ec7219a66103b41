/** `streams`: aggregate types and ids with their event counts and last sequence and position. */
import type { Command } from "commander";
import type { StreamCursor } from "../../inspect/inspector.js";
import { type CliContext, type StoreOptions, withStore, withStoreOptions } from "../context.js";
import { UsageError } from "../errors.js";
import { integerOption, LineWriter, shown, table } from "../output.js";

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
      .option("--after <type/id>", "start after this stream (as printed at the end of a limited page)"),
  ).action((options: Options) => listStreams(context, options));
}

async function listStreams(context: CliContext, options: Options): Promise<void> {
  const limit = integerOption(options.limit, "--limit", 1);
  let after: StreamCursor | undefined;
  if (options.after !== undefined) {
    const slash = options.after.indexOf("/");
    if (slash <= 0)
      throw new UsageError(
        `--after must be <aggregateType>/<aggregateId>, got ${JSON.stringify(options.after)}`,
      );
    after = { aggregateType: options.after.slice(0, slash), aggregateId: options.after.slice(slash + 1) };
  }
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
      context.stderr.write(
        `more streams: add --after '${shown(`${last.aggregateType}/${last.aggregateId}`)}'\n`,
      );
    }
  });
}

function filters(options: Options) {
  return {
    ...(options.type === undefined ? {} : { aggregateType: options.type }),
    ...(options.prefix === undefined ? {} : { idPrefix: options.prefix }),
  };
}
