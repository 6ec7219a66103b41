import { afterEach, expect, it } from "vitest";
import {
  apply,
  type BankAccount,
  type BankAccountEvent,
  emptyState,
  handle,
} from "../../examples/bank-account/domain.js";
import { frequency, start } from "../../src/index.js";
import { sqliteStore } from "../../src/stores/sqlite/index.js";
import { createSqliteTestStore, type SqliteTestStore } from "../support/sqlite.js";
import { spawnFixture } from "./fixtures/spawn-fixture.js";
import { acknowledgements, type EventRow, storedStreams } from "./fixtures/stored-events.js";

const opened: SqliteTestStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((created) => created.cleanup()));
});

async function freshFile(): Promise<string> {
  const created = await createSqliteTestStore();
  opened.push(created);
  await created.store.close();
  return created.path;
}

/** Every acknowledged command is in its stream, at its sequence, with its own tag. */
function expectAcknowledgedStored(lines: readonly string[], streams: Map<string, EventRow[]>): number {
  const acks = acknowledgements(lines);
  for (const { account, sequence, tag } of acks) {
    const row = streams.get(account)?.[sequence - 1];
    expect(row?.sequence, `${account} ${sequence}`).toBe(sequence);
    expect(JSON.parse(row?.metadata ?? "{}").tag, `${account} ${sequence}`).toBe(tag);
  }
  return acks.length;
}

function expectGaplessStreams(streams: Map<string, EventRow[]>): void {
  for (const [account, stream] of streams) {
    expect(
      stream.map((row) => row.sequence),
      account,
    ).toEqual(stream.map((_, i) => i + 1));
  }
}

it("keeps every command acknowledged before its writer was killed, gapless, with state equal to a replay", async () => {
  const path = await freshFile();
  const writer = spawnFixture("bank-load", [path, "killed", "50", "0", "7"]);
  // Kill it in the middle of the load: once a good number of commands were acknowledged.
  await writer.waitFor(/^ack account-\d+ 12 /);
  writer.process.kill("SIGKILL");
  const end = await writer.exited;
  expect(end.signal).toBe("SIGKILL");

  const streams = storedStreams(path);
  const acknowledged = expectAcknowledgedStored(writer.lines, streams);
  expect(acknowledged).toBeGreaterThan(50);
  expectGaplessStreams(streams);

  const store = sqliteStore({ path });
  const every = frequency(7);
  if (!every.ok) throw new Error("frequency(7) is valid");
  const bank = await start({ store, handle, apply, emptyState, snapshot: { frequency: every.value } });
  try {
    let snapshots = 0;
    for (const [account, stream] of streams) {
      const snapshot = await bank.latestSnapshot(account);
      if (snapshot.ok && snapshot.value !== null) snapshots++;
      const events = stream.map((row) => JSON.parse(row.payload) as BankAccountEvent);
      const replayed = events.reduce<BankAccount>(apply, emptyState);
      const loaded = await bank.loadAggregate(account);
      expect(loaded.ok && loaded.value).toEqual({
        aggregateId: account,
        state: replayed,
        sequence: stream.length,
      });
      // Every deposit's balance follows from the one before: no event was lost in between.
      let balance = 0;
      for (const event of events) {
        if (event.type === "CustomerDepositedCash") balance += event.amount;
        if (event.type !== "AccountOpened") expect(event.balance).toBe(balance);
      }
    }
    // Loading went through snapshots (taken by the killed process) plus the events after them.
    expect(snapshots).toBeGreaterThan(0);
  } finally {
    await bank.stop();
    await store.close();
  }
});

it("two processes executing on the same accounts of one file leave no duplicate or gap, and keep every deposit", async () => {
  const path = await freshFile();
  const writers = [
    spawnFixture("bank-load", [path, "left", "20", "15", "4", "--wait"]),
    spawnFixture("bank-load", [path, "right", "20", "15", "4", "--wait"]),
  ];
  await Promise.all(writers.map((writer) => writer.waitFor(/^ready$/)));
  for (const writer of writers) writer.process.stdin?.end("go\n");
  const ends = await Promise.all(writers.map((writer) => writer.exited));
  expect(ends.map((end) => [end.code, end.stderr])).toEqual([
    [0, ""],
    [0, ""],
  ]);
  for (const writer of writers) expect(writer.lines.filter((line) => line.startsWith("failed"))).toEqual([]);

  const streams = storedStreams(path);
  expectGaplessStreams(streams);
  const acknowledged = writers.reduce(
    (sum, writer) => sum + expectAcknowledgedStored(writer.lines, streams),
    0,
  );
  // Each account: opened once, then 15 deposits from each process.
  expect(acknowledged).toBe(20 * (1 + 2 * 15));
  expect([...streams.values()].every((stream) => stream.length === 31)).toBe(true);
  const retried = writers.map((writer) =>
    Number(writer.lines.find((line) => line.startsWith("done "))?.slice(5)),
  );
  expect(retried.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
});
