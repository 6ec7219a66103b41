/**
 * The real `eventsourcing` bin as a child process (its TypeScript source under tsx, so that no build
 * is needed), and stores seeded with the shapes the command line must carry: two aggregate types,
 * commits of several events, metadata, versions, payload text that JSON.stringify would not give back,
 * a snapshot and a checkpoint.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { AppendRequest, EventStore } from "../../src/core/event-store.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** What one run of the bin left. */
export interface CliResult {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running bin, for commands that run until interrupted. */
export interface RunningCli {
  readonly child: import("node:child_process").ChildProcess;
  /** Resolves once stdout holds at least `count` lines. */
  lines(count: number): Promise<string[]>;
  readonly done: Promise<CliResult>;
}

/** Starts the bin with `args`; the environment is this process's plus `env`, minus EVENTSOURCING_DB. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const { EVENTSOURCING_DB: _, ...inherited } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const wake of [...waiters]) wake();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => {
      for (const wake of [...waiters]) wake();
      resolve({ code: code ?? signal ?? "unknown", stdout, stderr });
    });
  });
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  return {
    child,
    done,
    lines: (count) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const lines = stdout.split("\n").filter((line) => line !== "");
          if (lines.length >= count) {
            waiters.delete(check);
            resolve(lines);
          } else if (exited) {
            waiters.delete(check);
            reject(new Error(`the bin exited with ${lines.length} lines: ${stderr}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

/** Runs the bin with `args` to its end. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

/** The lines of an NDJSON output, parsed. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Seeds `store`: `streams` accounts (type "account") and a few users (type "user", ids shared with
 * accounts), commits of 1 to 3 events, metadata on some, version 2 on renames, one payload written
 * with spaces, a snapshot and a checkpoint. Returns the number of events written.
 */
export async function seedStore(store: EventStore, streams = 12): Promise<number> {
  let written = 0;
  const requests: AppendRequest[] = [];
  for (let i = 0; i < streams; i++) {
    const id = `acct-${String(i).padStart(3, "0")}`;
    requests.push({
      aggregateType: "account",
      aggregateId: id,
      expectedSequence: 0,
      events: Array.from({ length: 1 + (i % 3) }, (_, k) => ({
        eventType: k === 0 ? "Opened" : "Deposited",
        payload:
          k === 0 && i === 1 ? '{ "owner" : "Zoë",  "limit": 1.50 }' : JSON.stringify({ amount: 10 * k, i }),
        metadata: (i % 2 === 0 ? { correlationId: `c-${i}`, "user agent": "cli test" } : {}) as Record<
          string,
          string
        >,
      })),
    });
  }
  requests.push({
    aggregateType: "user",
    aggregateId: "acct-000",
    expectedSequence: 0,
    events: [
      { eventType: "Registered", payload: '{"name":"Ann"}', metadata: {} },
      { eventType: "Renamed", payload: '{"name":"Anne"}', metadata: { by: "admin" }, eventVersion: 2 },
    ],
  });
  for (const outcome of await store.append(requests)) {
    if (!outcome.ok) throw new Error("seed conflict");
    written += outcome.value.length;
  }
  // A second commit on an existing stream, so that streams hold several commits.
  const [more] = await store.append([
    {
      aggregateType: "account",
      aggregateId: "acct-000",
      expectedSequence: 1,
      events: [
        { eventType: "Deposited", payload: '{"amount":5}', metadata: {} },
        { eventType: "Deposited", payload: '{"amount":6}', metadata: {} },
      ],
    },
  ]);
  if (!more?.ok) throw new Error("seed conflict");
  written += more.value.length;
  await store.saveSnapshot({
    aggregateType: "account",
    aggregateId: "acct-002",
    sequence: 3,
    version: 2,
    state: '{"balance":30}',
    timestamp: new Date("2026-05-06T07:08:09.010Z"),
  });
  await store.saveCheckpoint("balances", 4n);
  return written;
}
