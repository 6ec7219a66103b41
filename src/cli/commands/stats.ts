/** `stats`: totals, the head position, aggregate types and event types with their versions. */
import type { Command } from "commander";
import { type CliContext, type StoreOptions, withStore, withStoreOptions } from "../context.js";
import { LineWriter, shown, table } from "../output.js";

/** Adds `stats` to the program. */
export function statsCommand(program: Command, context: CliContext): void {
  withStoreOptions(
    program
      .command("stats")
      .description("totals of events, streams, snapshots and checkpoints, and event types"),
  ).action((options: StoreOptions) => stats(context, options));
}

async function stats(context: CliContext, options: StoreOptions): Promise<void> {
  await withStore(context, options, true, async ({ inspector, description }) => {
    const [counts, head, types] = await Promise.all([
      inspector.counts(),
      inspector.headPosition(),
      inspector.eventTypes(),
    ]);
    const out = new LineWriter(context.stdout);
    if (options.json) {
      await out.line(JSON.stringify({ ...counts, headPosition: String(head), eventTypes: types }));
    } else {
      await out.line(`store         ${shown(description)}`);
      await out.line(`events        ${counts.events}`);
      await out.line(`streams       ${counts.streams}`);
      await out.line(`snapshots     ${counts.snapshots}`);
      await out.line(`checkpoints   ${counts.checkpoints}`);
      await out.line(`head position ${head}`);
      if (types.length > 0) {
        await out.line("");
        const rows = types.map((type) => [type.eventType, String(type.count), type.versions.join(", ")]);
        for (const line of table(["EVENT TYPE", "COUNT", "VERSIONS"], rows)) await out.line(line);
      }
    }
    await out.flush();
  });
}
