/**
 * `migrate --from <db> --to <db>`: every event (id, type, version, payload text, metadata, time,
 * position, commit and command id), snapshots and checkpoints (with their reset generation, pending
 * reset and skipped positions) from one store to another (SQLite and PostgreSQL
 * either way); each batch of whole commits is one transaction, so an interruption leaves whole commits
 * and the same command resumes after the target's last one. Verified at the end: counts and a
 * checksum over every event of both, the source's taken as it is read, the target's from reading it
 * back (a SQLite target on a second thread while the copy goes on, see `TargetVerifier`).
 */
import type { Command } from "commander";
import type { StoredEvent } from "../../core/event-store.js";
import type { StoreAdmin, StoredEventRow } from "../../inspect/inspector.js";
import { isPostgresUrl, type OpenedStore, openStore } from "../../inspect/open-store.js";
import type { CliContext } from "../context.js";
import { CommandFailed, UsageError } from "../errors.js";

import { Progress } from "../progress.js";
import { type TargetSum, TargetVerifier } from "../target-verifier.js";
import { batchEvents, checkImported, commitBatches, importProblem, LogChecksum } from "../transfer.js";

interface Options {
  readonly from?: string;
  readonly to?: string;
  readonly schema?: string;
  readonly fromSchema?: string;
  readonly toSchema?: string;
  readonly json?: boolean;
}

/** Adds `migrate` to the program. */
export function migrateCommand(program: Command, context: CliContext): void {
  program
    .command("migrate")
    .description(
      "copy a whole store (events, snapshots, checkpoints) between SQLite and PostgreSQL, verified",
    )
    .requiredOption("--from <db>", "the source store: a SQLite file or a postgres:// URL")
    .requiredOption("--to <db>", "the target store, empty or an interrupted migration of the same source")
    .option(
      "--schema <name>",
      "the PostgreSQL schema of the side that is PostgreSQL (default: eventsourcing)",
    )
    .option("--from-schema <name>", "the source's PostgreSQL schema, when both sides are PostgreSQL")
    .option("--to-schema <name>", "the target's PostgreSQL schema, when both sides are PostgreSQL")
    .option("--json", "print the summary as JSON")
    .action((options: Options) => migrate(context, options));
}

async function migrate(context: CliContext, options: Options): Promise<void> {
  batchEvents(context.env); // a bad EVENTSOURCING_BATCH_EVENTS is refused before any store is opened
  const from = options.from as string;
  const to = options.to as string;
  const fromSchema = options.fromSchema ?? (isPostgresUrl(from) ? options.schema : undefined);
  const toSchema = options.toSchema ?? (isPostgresUrl(to) ? options.schema : undefined);
  if (from === to && (fromSchema ?? "eventsourcing") === (toSchema ?? "eventsourcing")) {
    throw new UsageError("--from and --to name the same store");
  }
  const source = await openStore(from, { readOnly: true, ...(fromSchema ? { schema: fromSchema } : {}) });
  let target: OpenedStore | undefined;
  try {
    target = await openStore(to, { readOnly: false, ...(toSchema ? { schema: toSchema } : {}) });
    await run(context, source, target, options);
  } finally {
    await target?.close();
    await source.close();
  }
}

async function run(
  context: CliContext,
  sourceStore: OpenedStore,
  targetStore: OpenedStore,
  options: Options,
) {
  const source = sourceStore.inspector;
  const target = targetStore.inspector;
  const say = (text: string) => context.stderr.write(`${text}\n`);
  const total = (await source.counts()).events;
  const checksum = new LogChecksum();
  // Resuming: the target's last event must be the source's event at the same position.
  const head = await target.headPosition();
  if (head > 0n) {
    const [last] = await target.readLogBefore(null, 1);
    const match = last === undefined ? null : await source.eventById(last.eventId);
    if (last === undefined || match === null || match.position !== last.position) {
      throw new CommandFailed(
        `${targetStore.description} already holds events that are not an interrupted migration from ` +
          `${sourceStore.description}: migrate into an empty store`,
      );
    }
    say(`resuming after position ${head}: the target already holds the source's events up to it`);
    for await (const batch of commitBatches(
      (after, limit) => source.readLog(after, limit),
      0n,
      batchEvents(context.env),
    )) {
      const within = batch.filter((event) => event.position <= head);
      checksum.add(within);
      if (within.length < batch.length) break;
      if ((batch[batch.length - 1] as StoredEvent).position === head) break;
    }
  }
  const already = checksum.events;
  const size = batchEvents(context.env);
  // A SQLite target is read back for the verification on a second thread, batch by batch as it is
  // written; elsewhere (or when no thread starts) it is read back here after the copy.
  const verifier =
    targetStore.kind === "sqlite" && targetStore.path !== undefined
      ? TargetVerifier.start(targetStore.path, size)
      : null;
  try {
    verifier?.more();
    const copy = await copyEvents(context, source, target, head, size, total, already, checksum, verifier);
    if (copy.interrupted) {
      const [last] = await target.readLogBefore(null, 1);
      say(
        `migrate interrupted: ${already + copy.copied} events are in the target, up to position ${last?.position ?? 0} ` +
          "(whole commits only); run the same command again to resume",
      );
      context.exitCode = 1;
      return;
    }
    await finish(context, sourceStore, targetStore, options, checksum, copy, verifier, size);
  } finally {
    await verifier?.stop();
  }
}

/** Copies the events after `head` in batches of whole commits; stops after a batch on Ctrl-C. */
async function copyEvents(
  context: CliContext,
  source: StoreAdmin,
  target: StoreAdmin,
  head: bigint,
  size: number,
  total: number,
  already: number,
  checksum: LogChecksum,
  verifier: TargetVerifier | null,
): Promise<{ copied: number; interrupted: boolean; seconds: number }> {
  const progress = new Progress(context.stderr, "migrate", total);
  progress.update(already, already);
  let copied = 0;
  let interrupted = false;
  try {
    const batches = commitBatches((after, limit) => source.readLog(after, limit), head, size);
    // Reads the next batch while the target writes the current one.
    let next = batches.next();
    for (;;) {
      const { value: batch, done } = await next;
      if (done) break;
      next = batches.next();
      // The source may hold what the library would never write (a store written by other means): such
      // an event is refused before its batch is written, naming where it is.
      for (const event of batch) {
        if (importProblem(event) !== null)
          checkImported(event, `the source's event at position ${event.position}`);
      }
      await target.importEvents(batch, { keepPositions: true });
      verifier?.more();
      checksum.add(batch);
      copied += batch.length;
      progress.update(already + copied, already + copied);
      if (context.interrupt.requested) {
        interrupted = true;
        await batches.return(undefined);
        break;
      }
    }
  } finally {
    progress.stop();
  }
  return { copied, interrupted, seconds: progress.seconds };
}

/** Snapshots and checkpoints, then the verification and the summary. */
async function finish(
  context: CliContext,
  sourceStore: OpenedStore,
  targetStore: OpenedStore,
  options: Options,
  checksum: LogChecksum,
  copy: { copied: number; seconds: number },
  verifier: TargetVerifier | null,
  size: number,
): Promise<void> {
  const source = sourceStore.inspector;
  const target = targetStore.inspector;
  const { copied, seconds } = copy;
  const snapshots = await copySnapshots(source, target);
  const checkpoints = await source.listCheckpoints();
  for (const checkpoint of checkpoints) {
    if (checkpoint.position === null) continue;
    // Positions are kept, so a pending reset and the skipped positions mean the same in the target.
    await target.putCheckpoint(checkpoint.name, checkpoint.position, {
      generation: checkpoint.generation ?? 0,
      resetPending: checkpoint.resetPending ?? false,
      skipped: checkpoint.skipped ?? [],
    });
  }
  // Verification: the target read back in full, against what was read from the source.
  const targetSum = (await verifier?.finish().catch(() => null)) ?? (await readBack(target, size));
  const counts = await target.counts();
  const sourceDigest = checksum.digest();
  const targetDigest = targetSum.digest;
  const summary = {
    events: targetSum.events,
    copied,
    snapshots,
    checkpoints: checkpoints.length,
    checksum: targetDigest,
    seconds: Number(seconds.toFixed(1)),
    eventsPerSecond: Math.round(copied / Math.max(seconds, 0.001)),
  };
  if (
    targetSum.events !== checksum.events ||
    sourceDigest !== targetDigest ||
    counts.events !== checksum.events
  ) {
    throw new CommandFailed(
      `verification failed: the source has ${checksum.events} events (checksum ${sourceDigest}), the target ` +
        `${targetSum.events} (checksum ${targetDigest}); the target is not a faithful copy`,
    );
  }
  if (options.json) context.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    context.stdout.write(
      `migrated ${copied} events (${summary.eventsPerSecond} events/s), ${snapshots} snapshots, ` +
        `${checkpoints.length} checkpoints from ${sourceStore.description} to ${targetStore.description}\n` +
        `verified: ${targetSum.events} events in both, sha256 ${targetDigest}\n`,
    );
  }
}

/** The target read back in full on this thread: its event count and checksum. */
async function readBack(target: StoreAdmin, size: number): Promise<TargetSum> {
  const sum = new LogChecksum();
  const readRows = target.readLogRows?.bind(target);
  if (readRows !== undefined) {
    // Rows as stored: no event objects, no metadata parsed again.
    let after = 0n;
    for (;;) {
      const rows = await readRows(after, size);
      sum.addRows(rows);
      if (rows.length < size) break;
      after = BigInt((rows[rows.length - 1] as StoredEventRow)[0]);
    }
  } else {
    for await (const batch of commitBatches((after, limit) => target.readLog(after, limit), 0n, size))
      sum.add(batch);
  }
  return { events: sum.events, digest: sum.digest() };
}

async function copySnapshots(source: StoreAdmin, target: StoreAdmin): Promise<number> {
  let after = null as Parameters<StoreAdmin["listSnapshots"]>[0];
  let count = 0;
  for (;;) {
    const page = await source.listSnapshots(after, 1_000);
    if (page.length === 0) return count;
    await target.putSnapshots(page);
    count += page.length;
    const last = page[page.length - 1] as { aggregateType: string; aggregateId: string };
    after = { aggregateType: last.aggregateType, aggregateId: last.aggregateId };
    if (page.length < 1_000) return count;
  }
}
