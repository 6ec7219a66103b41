/**
 * The `eventsourcing` command line: the program, its commands, and the mapping of every outcome to an
 * exit code (0 ok, 1 failure, 2 usage) with errors on stderr in one line.
 */
import { Command, CommanderError } from "commander";
import { eventsCommand } from "./commands/events.js";
import { exportCommand } from "./commands/export.js";
import { importCommand } from "./commands/import.js";
import { migrateCommand } from "./commands/migrate.js";
import { queriesCommands } from "./commands/queries.js";
import { statsCommand } from "./commands/stats.js";
import { streamsCommand } from "./commands/streams.js";
import { tailCommand } from "./commands/tail.js";
import { uiCommand } from "./commands/ui.js";
import type { CliContext } from "./context.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, oneLine, UsageError } from "./errors.js";

/** Adds one command (or several) to the program. */
export type RegisterCommand = (program: Command, context: CliContext) => void;

/** Every command, in the order `--help` lists them. A new command adds its register function here. */
export const commands: readonly RegisterCommand[] = [
  streamsCommand,
  eventsCommand,
  tailCommand,
  queriesCommands,
  statsCommand,
  exportCommand,
  importCommand,
  migrateCommand,
  uiCommand,
];

const VERSION = "0.1.0";

/** The program with every command, its errors turned into exceptions rather than exits. */
export function buildProgram(context: CliContext): Command {
  const program = new Command("eventsourcing")
    .description(
      "See, follow, export, import and migrate the events of an eventsourcing store (SQLite or PostgreSQL).\n" +
        "The store comes from --db or EVENTSOURCING_DB. Exit codes: 0 ok, 1 failure, 2 usage.",
    )
    .version(VERSION, "-V, --version")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
      outputError: (text, write) =>
        write(
          `eventsourcing: ${text
            .replace(/^error: /, "")
            .replace(/\s*\n\s*/g, " ")
            .trim()} (see --help)\n`,
        ),
    });
  for (const register of commands) register(program, context);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the command line `args` (without `node` and the script); resolves with the exit code. */
export async function run(args: readonly string[], context: CliContext): Promise<number> {
  const program = buildProgram(context);
  if (args.length === 0) {
    context.stderr.write(program.helpInformation());
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...args], { from: "user" });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (error instanceof UsageError) {
      context.stderr.write(`eventsourcing: ${oneLine(error)} (see --help)\n`);
      return EXIT_USAGE;
    }
    context.stderr.write(`eventsourcing: ${oneLine(error)}\n`);
    return EXIT_FAILURE;
  }
}
