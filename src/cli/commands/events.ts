/** `events <aggregateId>`: one stream as stored, oldest first. */
import type { Command } from "commander";
import { type CliContext, type StoreOptions, withStore, withStoreOptions } from "../context.js";
import { CommandFailed } from "../errors.js";
import { eventLine, eventText, integerOption, LineWriter, shown } from "../output.js";

interface Options extends StoreOptions {
  readonly type?: string;
  readonly from?: string;
  readonly limit?: string;
}

/** Adds `events` to the program. */
export function eventsCommand(program: Command, context: CliContext): void {
  withStoreOptions(
    program
      .command("events")
      .description("one stream as stored: raw type and version, payload, metadata, recorded time")
      .argument("<aggregateId>", "the aggregate id")
      .option("--type <type>", "the aggregate type (needed when the id exists under several types)")
      .option("--from <n>", "only events with a sequence above n (exclusive)")
      .option("--limit <n>", "at most this many events"),
  ).action((aggregateId: string, options: Options) => showEvents(context, aggregateId, options));
}

async function showEvents(context: CliContext, aggregateId: string, options: Options): Promise<void> {
  const from = integerOption(options.from, "--from") ?? 0;
  const limit = integerOption(options.limit, "--limit", 1);
  await withStore(context, options, true, async ({ inspector }) => {
    let type = options.type;
    if (type === undefined) {
      // The exact id is the first stream of each type with it as a prefix: one seek per type.
      const found = [];
      for (const aggregateType of await inspector.aggregateTypes()) {
        const [first] = await inspector.listStreams({ aggregateType, idPrefix: aggregateId, limit: 1 });
        if (first?.aggregateId === aggregateId) found.push(first);
      }
      if (found.length === 0)
        throw new CommandFailed(`no stream has the aggregate id ${JSON.stringify(aggregateId)}`);
      if (found.length > 1) {
        throw new CommandFailed(
          `the id ${JSON.stringify(aggregateId)} exists under several aggregate types ` +
            `(${found.map((s) => s.aggregateType).join(", ")}): pass --type`,
        );
      }
      type = (found[0] as { aggregateType: string }).aggregateType;
    }
    const out = new LineWriter(context.stdout);
    let after = from;
    let printed = 0;
    for (;;) {
      const want = limit === undefined ? 1_000 : Math.min(1_000, limit - printed);
      if (want <= 0) break;
      const page = await inspector.readStream(type, aggregateId, after, want);
      for (const event of page) await out.line(options.json ? eventLine(event) : eventText(event));
      printed += page.length;
      if (page.length < want) break;
      after = (page[page.length - 1] as { sequence: number }).sequence;
    }
    if (printed === 0 && from === 0) {
      throw new CommandFailed(`no stream ${shown(`${type}/${aggregateId}`)}`);
    }
    if (printed === 0 && !options.json)
      await out.line(shown(`no events after sequence ${from} in ${type}/${aggregateId}`));
    await out.flush();
  });
}
