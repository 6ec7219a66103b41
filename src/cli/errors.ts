/** The command line's failures: each is one line on stderr and an exit code. */

/** Exit codes: 0 ok, 1 failure, 2 usage. */
export const EXIT_OK = 0;
/** The command ran and failed (a missing file, a server that does not answer, a refused import). */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong (a flag, a value, a missing argument). */
export const EXIT_USAGE = 2;

/** A wrong command line: exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A failure that is the command's own outcome (exit code 1), its message already said for the user. */
export class CommandFailed extends Error {
  override readonly name = "CommandFailed";
}

/** An error's message on one line, with its causes when they add something. */
export function oneLine(error: unknown): string {
  let text = error instanceof Error ? error.message || error.name : String(error);
  let cause = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; depth < 3 && cause instanceof Error; depth++) {
    if (cause.message && !text.includes(cause.message)) text += `: ${cause.message}`;
    cause = cause.cause;
  }
  return text.replace(/\s*\n\s*/g, " ").trim();
}
