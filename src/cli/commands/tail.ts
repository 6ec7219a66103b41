/** `tail`: the global log from a position, or its last 20 events; `--follow` streams new commits live. */
import type { Command } from "commander";
import type { StoredEvent } from "../../core/event-store.js";
import { type CliContext, type StoreOptions, withStore, withStoreOptions } from "../context.js";
import { UsageError } from "../errors.js";
import { eventLine, eventText, integerOption, LineWriter, positionOption } from "../output.js";

interface Options extends StoreOptions {
  readonly from?: string;
  readonly follow?: boolean;
  readonly type?: string[];
  readonly limit?: string;
}

/** How often `--follow` reads even without a wake-up (a lost notification only delays). */
const POLL_MS = 1_000;

/** Adds `tail` to the program. */
export function tailCommand(program: Command, context: CliContext): void {
  withStoreOptions(
    program
      .command("tail")
      .description("the global log: the last 20 events, or every event after --from; --follow for new ones")
      .option("--from <position>", "only events after this position (exclusive)")
      .option("--follow", "keep printing new commits as they are stored, until Ctrl-C")
      .option("--type <type>", "only events of this aggregate type (repeat for several)", collect)
      .option("--limit <n>", "without --from: how many of the last events (default 20)"),
  ).action((options: Options) => tail(context, options));
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

async function tail(context: CliContext, options: Options): Promise<void> {
  const from = positionOption(options.from, "--from");
  if (from !== undefined && options.limit !== undefined)
    throw new UsageError("--limit counts the last events, without --from: drop one of them");
  const last = integerOption(options.limit, "--limit", 1) ?? 20;
  const types = options.type;
  await withStore(context, options, true, async ({ inspector }) => {
    const out = new LineWriter(context.stdout);
    const print = async (events: readonly StoredEvent[]) => {
      for (const event of events) await out.line(options.json ? eventLine(event) : eventText(event));
      await out.flush();
    };
    let position: bigint;
    if (from === undefined) {
      const events = await inspector.readLogBefore(null, last, types);
      await print(events);
      position = events[events.length - 1]?.position ?? (await inspector.headPosition());
    } else {
      position = from;
    }
    // Reads everything after `position`, page by page.
    const readOn = async () => {
      for (;;) {
        const page = await inspector.readLog(position, 1_000, types);
        if (page.length === 0) return;
        await print(page);
        position = (page[page.length - 1] as StoredEvent).position;
        if (page.length < 1_000) return;
      }
    };
    if (from !== undefined) await readOn();
    if (!options.follow) return;
    await new Promise<void>((resolve, reject) => {
      let reading = false;
      let again = false;
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        readOn().then(
          () => {
            reading = false;
            if (again && !context.interrupt.requested) {
              again = false;
              wake();
            }
          },
          (error: unknown) => {
            finish();
            reject(error);
          },
        );
      };
      const unsubscribe = inspector.onAppend(wake);
      timer = setInterval(wake, POLL_MS);
      const stopWaiting = context.interrupt.on(() => {
        finish();
        resolve();
      });
      function finish() {
        unsubscribe();
        stopWaiting();
        if (timer !== undefined) clearInterval(timer);
        timer = undefined;
      }
      wake();
    });
  });
}
