/** `queries` and `reset-query`: named queries' checkpoints, lag and lock holders; recording a reset. */
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { eventsBehind } from "../../core/log-lag.js";
import { type CliContext, type StoreOptions, withStore, withStoreOptions } from "../context.js";
import { CommandFailed, UsageError } from "../errors.js";
import { LineWriter, table } from "../output.js";

/** Adds `queries` and `reset-query` to the program. */
export function queriesCommands(program: Command, context: CliContext): void {
  withStoreOptions(
    program
      .command("queries")
      .description(
        "named queries: checkpoint, lag (events in the log after it), pending reset, skipped positions " +
          "and lock holder",
      ),
  ).action((options: StoreOptions) => listQueries(context, options));

  withStoreOptions(
    program
      .command("reset-query")
      .description("record a reset of a named query: whichever process runs it resets and replays it")
      .argument("<name>", "the named query")
      .option("--yes", "do not ask for confirmation"),
    false,
  ).action((name: string, options: StoreOptions & { yes?: boolean }) => resetQuery(context, name, options));
}

async function listQueries(context: CliContext, options: StoreOptions): Promise<void> {
  await withStore(context, options, true, async ({ inspector }) => {
    const [checkpoints, head] = await Promise.all([inspector.listCheckpoints(), inspector.headPosition()]);
    const out = new LineWriter(context.stdout);
    const lags = await Promise.all(
      checkpoints.map((query) =>
        query.position === null
          ? null
          : eventsBehind(inspector, head, query.position, Number.MAX_SAFE_INTEGER),
      ),
    );
    const rows = checkpoints.map((query, i) => ({
      name: query.name,
      checkpoint: query.position === null ? null : String(query.position),
      lag: lags[i] ?? null,
      holder: query.holder,
      ...(query.resetPending === undefined ? {} : { resetPending: query.resetPending }),
      ...(query.generation === undefined ? {} : { generation: query.generation }),
      ...(query.skipped === undefined ? {} : { skipped: query.skipped.map(String) }),
    }));
    if (options.json) {
      for (const row of rows) await out.line(JSON.stringify(row));
    } else if (rows.length === 0) {
      await out.line("no named queries (no checkpoints in this store)");
    } else {
      const lines = table(
        ["NAME", "CHECKPOINT", "LAG", "RESET", "SKIPPED", "HOLDER"],
        rows.map((row) => [
          row.name,
          row.checkpoint ?? "-",
          row.lag === null ? "-" : String(row.lag),
          row.resetPending === true ? "pending" : "-",
          row.skipped === undefined || row.skipped.length === 0 ? "-" : row.skipped.join(","),
          row.holder ?? "-",
        ]),
      );
      for (const line of lines) await out.line(line);
      await out.line(`head position ${head}; lag counts every event after the checkpoint`);
    }
    await out.flush();
  });
}

/** The optional store method that records a reset (stores that support `resetQuery`). */
type ResettingStore = { requestQueryReset?: (name: string) => Promise<unknown> };

async function resetQuery(
  context: CliContext,
  name: string,
  options: StoreOptions & { yes?: boolean },
): Promise<void> {
  if (!options.yes && !context.stdin.isTTY) {
    throw new UsageError("reset-query asks for confirmation: pass --yes when not run from a terminal");
  }
  // "existing": a missing SQLite file or PostgreSQL schema is refused, never created empty.
  await withStore(context, options, "existing", async ({ store, inspector, description }) => {
    const reset = (store as ResettingStore | null)?.requestQueryReset;
    if (store === null || typeof reset !== "function") {
      throw new CommandFailed(
        "this store cannot record a query reset (its eventsourcing release has no requestQueryReset): upgrade eventsourcing",
      );
    }
    const known = await inspector.listCheckpoints();
    const query = known.find((entry) => entry.name === name);
    if (query === undefined) {
      const names = known.map((entry) => entry.name).join(", ");
      throw new CommandFailed(
        `no named query ${JSON.stringify(name)} in ${description}${names === "" ? "" : ` (known: ${names})`}`,
      );
    }
    if (!options.yes) {
      const ask = createInterface({ input: context.stdin, output: context.stderr });
      const answer = await ask.question(
        `Reset named query ${JSON.stringify(name)} (checkpoint ${query.position ?? "none"}) in ${description}? ` +
          "Its reset() runs and it replays the whole log. [y/N] ",
      );
      ask.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        context.stderr.write("not reset\n");
        context.exitCode = 1;
        return;
      }
    }
    const outcome = await reset.call(store, name);
    // A store may answer a Result rather than throw.
    if (typeof outcome === "object" && outcome !== null && (outcome as { ok?: unknown }).ok === false) {
      const error = (outcome as { error?: unknown }).error;
      throw new CommandFailed(
        `the store refused the reset of ${JSON.stringify(name)}: ${typeof error === "object" ? JSON.stringify(error) : String(error)}`,
      );
    }
    context.stdout.write(
      `reset of ${JSON.stringify(name)} recorded: the process running it (or the next to start it) resets and replays it\n`,
    );
  });
}
