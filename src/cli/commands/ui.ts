/**
 * `ui`: serves the web event browser for the store `--db` names, until Ctrl-C. Read-only unless
 * `--allow-writes` (then the store is opened for writing, for query resets only).
 */
import type { Command } from "commander";
import { resolveListen } from "../../browser/browser-options.js";
import { serveBrowser } from "../../browser/event-browser.js";
import { type CliContext, type StoreOptions, withStore, withStoreOptions } from "../context.js";
import { UsageError } from "../errors.js";
import { integerOption } from "../output.js";

interface Options extends StoreOptions {
  readonly port?: string;
  readonly host?: string;
  readonly token?: string;
  readonly allowWrites?: boolean;
}

/** The environment variable that may hold the token instead of `--token` (kept out of `ps`). */
const TOKEN_VARIABLE = "EVENTSOURCING_UI_TOKEN";

/** Adds `ui` to the program. */
export function uiCommand(program: Command, context: CliContext): void {
  withStoreOptions(
    program
      .command("ui")
      .description("serve the web event browser (streams, events, the live log, queries, event types)")
      .option("--port <port>", "TCP port (default 4000; 0 picks a free one)")
      .option("--host <address>", "address to bind (default 127.0.0.1); any other address needs --token")
      .option("--token <token>", `a secret every request must present (or set ${TOKEN_VARIABLE})`)
      .option("--allow-writes", "offer a reset button for named queries (read-only without it)"),
    false,
  ).action((options: Options) => ui(context, options));
}

async function ui(context: CliContext, options: Options): Promise<void> {
  let listen: ReturnType<typeof resolveListen>;
  try {
    listen = resolveListen(
      {
        port: integerOption(options.port, "--port", 0, 65_535) ?? 4000,
        host: options.host,
        token: options.token ?? context.env[TOKEN_VARIABLE],
      },
      "ui",
    );
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message.replace("the token", "--token"));
    throw error;
  }
  const allowWrites = options.allowWrites === true;
  await withStore(context, options, !allowWrites, async (opened) => {
    const browser = await serveBrowser({
      reads: opened.inspector,
      store: opened.store,
      systems: [],
      ...listen,
      allowWrites,
    });
    try {
      context.stdout.write(
        `Event browser for ${opened.description} at ${browser.url}` +
          (listen.token === null ? "" : " (open it once as <url>?token=<your token>)") +
          `, ${allowWrites ? "writes enabled" : "read-only"}. Ctrl-C to stop.\n`,
      );
      await new Promise<void>((resolve) => context.interrupt.on(resolve));
    } finally {
      await browser.close();
    }
  });
}
