/**
 * Runs that need a process of their own (their peak memory, or several processes at once): the parent
 * re-runs the bench's entry with a job flag, relays the child's output, and reads back its one result
 * line; a child may wait at a barrier until the parent says go.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const RESULT = "BENCH_CHILD_RESULT ";
const READY = "BENCH_CHILD_READY";
const GO = "GO";

/** A child process running one job. */
export interface BenchChild<T> {
  /** Resolves once the child waits at its barrier ({@link waitForGo}). */
  readonly ready: Promise<void>;
  /** Lets a child waiting at its barrier go on. */
  go(): void;
  /** The child's result; rejects if it exits non-zero (a failed check included) or without a result. */
  readonly result: Promise<T>;
}

/**
 * Starts `script flag <job as JSON>` in a child process with the parent's Node options (tsx included).
 *
 * @example
 * ```ts
 * const result = await startChild<ScalingResult>(script, "--scaling-job", job).result;
 * ```
 */
export function startChild<T>(script: string, flag: string, job: object): BenchChild<T> {
  const child = spawn(process.execPath, [...process.execArgv, script, flag, JSON.stringify(job)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  // A child that has already exited closes its stdin: a late go() must not crash the parent.
  child.stdin.on("error", () => {});
  let output = "";
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    output += chunk;
    if (output.includes(READY)) markReady();
  });
  const result = new Promise<T>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      const line = output.split("\n").find((text) => text.startsWith(RESULT));
      if (code !== 0 || line === undefined) {
        reject(new Error(`child ${flag} ${JSON.stringify(job)} failed (exit ${code}):\n${output}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT.length)) as T);
    });
  });
  // A child that dies before its barrier must not leave the parent waiting for it to be ready.
  result.catch(() => markReady());
  return {
    ready,
    go: () => child.stdin.end(`${GO}\n`),
    result,
  };
}

/**
 * In a child: says it is ready and waits until the parent lets it go.
 *
 * @example
 * ```ts
 * await waitForGo();
 * ```
 */
export async function waitForGo(): Promise<void> {
  console.log(READY);
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === GO) break;
  lines.close();
}

/**
 * In a child: prints its result for the parent.
 *
 * @example
 * ```ts
 * reportToParent({ perSecond });
 * ```
 */
export function reportToParent(result: object): void {
  console.log(`${RESULT}${JSON.stringify(result)}`);
}
