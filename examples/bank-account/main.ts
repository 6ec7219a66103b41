/**
 * The bank account, supervised, on the embedded default: a SQLite file. Run it twice: the accounts, and
 * the named query's checkpoint, survive the restart.
 *
 *   npm run demo                 uses .data/bank-demo.db
 *   npm run demo -- --fresh      starts from an empty file
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describeError, type EventEnvelope, frequency, start } from "../../src/index.js";
import { sqliteStore } from "../../src/stores/sqlite/index.js";
import { apply, type BankAccountCommand, type BankAccountEvent, emptyState, handle } from "./domain.js";

const directory = join(process.cwd(), ".data");
const path = join(directory, "bank-demo.db");
mkdirSync(directory, { recursive: true });
if (process.argv.includes("--fresh"))
  for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });

const say = (line: string) => console.log(line);
const money = (n: number) => `$${n.toFixed(2)}`;

// A plain query: a read model of balances, fed after every commit.
const balances = new Map<string, number>();
const balanceQuery = (accountId: string, events: readonly EventEnvelope<BankAccountEvent>[]) => {
  for (const { event } of events) balances.set(accountId, event.type === "AccountOpened" ? 0 : event.balance);
};

// A query whose read model is "offline" the first time it is called: it throws, is restarted with
// backoff, and gets the very same batch again.
let ledgerOffline = true;
const ledgerLines: string[] = [];
const ledgerQuery = (accountId: string, events: readonly EventEnvelope<BankAccountEvent>[]) => {
  if (ledgerOffline) {
    ledgerOffline = false;
    say(
      `  ! ledger query crashed on ${accountId}#${events[0]?.sequence} (read model offline): it will be restarted`,
    );
    throw new Error("ledger read model offline");
  }
  for (const e of events) ledgerLines.push(`${e.aggregateId}#${e.sequence} ${e.eventType}`);
};

// A named query: it keeps a checkpoint in the file, so a second run only sees what is new.
let auditedThisRun = 0;
const audit = {
  name: "audit",
  handle: (_id: string, events: readonly unknown[]) => {
    auditedThisRun += events.length;
  },
};

const every5 = frequency(5);
if (!every5.ok) throw new Error(describeError(every5.error));

const store = sqliteStore({ path });
const bank = await start({
  store,
  handle,
  apply,
  emptyState,
  queries: [balanceQuery, ledgerQuery, audit],
  snapshot: { frequency: every5.value },
  logger: { warn: () => {}, error: (message) => say(`  ! ${message}`) },
});
say(`Bank started on ${path} (SQLite, WAL, synchronous=FULL)`);

// The global position of the last event committed in this run: what the named query must reach.
let lastCommitted: bigint | null = null;
const execute = async (accountId: string, command: BankAccountCommand) => {
  const result = await bank.execute(accountId, command);
  for (const { position } of result.ok ? result.value.events : [])
    if (lastCommitted === null || position > lastCommitted) lastCommitted = position;
  return result;
};

async function run(accountId: string, command: BankAccountCommand): Promise<void> {
  const result = await execute(accountId, command);
  const label = `${command.type}${"amount" in command ? ` ${money(command.amount)}` : ""}`;
  if (result.ok) {
    const state = result.value.aggregate.state;
    const balance = state.type === "BankAccount" ? money(state.balance) : "-";
    say(
      `  ${accountId} ${label.padEnd(22)} ok    sequence ${result.value.aggregate.sequence}, balance ${balance}`,
    );
  } else {
    say(`  ${accountId} ${label.padEnd(22)} refused: ${describeError(result.error)}`);
  }
}

const existing = await bank.loadAggregate("alice");
if (existing.ok && existing.value.state.type === "BankAccount") {
  say(
    `\nalice exists from an earlier run: sequence ${existing.value.sequence}, balance ${money(existing.value.state.balance)}`,
  );
} else {
  say("\nalice is new (EntityNotFound): opening her account");
  await run("alice", { type: "OpenAccount", accountId: "alice" });
}

say("\nThe original's sequence: +1000 +500 +250 -300 -200");
for (const amount of [1000, 500, 250]) await run("alice", { type: "DepositMoney", amount });
for (const amount of [300, 200]) await run("alice", { type: "WithDrawMoney", amount });

say("\nDomain errors are values; nothing is stored and the actor goes on");
await run("alice", { type: "WithDrawMoney", amount: 1_000_000 });
await run("alice", { type: "DepositMoney", amount: -5 });
await run("nobody", { type: "DepositMoney", amount: 5 });

say("\nTen accounts opened concurrently, each in its own actor");
const ids = Array.from({ length: 10 }, (_, i) => `acct-${String(i).padStart(2, "0")}`);
const opened = await Promise.all(ids.map((id) => execute(id, { type: "OpenAccount", accountId: id })));
say(
  `  ${opened.filter((r) => r.ok).length} opened now, ${opened.filter((r) => !r.ok).length} already open from an earlier run`,
);

// Let the queries finish their batches (the ledger waits out its backoff).
// The audit query's checkpoint must reach the last event committed in this run, wherever it is in the
// log: on a later run the ten accounts are already open and alice's deposits are the newest events.
const expectedLedger = (await bank.systemStats()).eventsCommitted;
const caughtUp = async () => {
  const checkpoint = (await bank.systemStats()).queries[2]?.checkpoint ?? null;
  const audited = lastCommitted === null || (checkpoint !== null && checkpoint >= lastCommitted);
  return ledgerLines.length >= expectedLedger && audited;
};
for (let waited = 0; !(await caughtUp()) && waited < 5_000; waited += 50) {
  await new Promise((resolve) => setTimeout(resolve, 50));
}

const stats = await bank.systemStats();
const alice = await bank.aggregateStats("alice");
const snapshot = await bank.latestSnapshot("alice");
say("\nAfter the run");
say(`  balance read model: alice ${money(balances.get("alice") ?? Number.NaN)}`);
say(
  `  ledger query: ${ledgerLines.length} of ${stats.eventsCommitted} events committed this run, after ${stats.queryFailures} crash and restart: nothing lost`,
);
say(
  `  audit (named) query: ${auditedThisRun} events this run, checkpoint at position ${stats.queries[2]?.checkpoint}`,
);
if (alice.ok)
  say(
    `  alice: ${alice.value.eventCount} events, snapshot at sequence ${alice.value.snapshotSequence ?? "none"}`,
  );
if (snapshot.ok && snapshot.value) say(`  latest snapshot of alice: ${JSON.stringify(snapshot.value.state)}`);
say(
  `  system: ${stats.totalCommandsProcessed} commands processed, ${stats.domainErrors} domain errors, ` +
    `${stats.eventsCommitted} events committed, ${stats.liveAggregates} live aggregates, ${stats.queryActorsCount} queries`,
);

await bank.stop();
await store.close();
say("\nStopped. Run `npm run demo` again: alice's balance and the audit checkpoint carry over.");
