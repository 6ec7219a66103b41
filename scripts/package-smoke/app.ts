/**
 * A new user's app, compiled with a strict tsconfig against the packed tarball installed from
 * node_modules, then run: every subpath imports, the bank account runs on memory and SQLite, require()
 * behaves as the README says, and stack traces point at files that exist. Run by
 * scripts/check-package.sh in a scratch project; not part of the repository's own typecheck.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import {
  type Apply,
  createSupervisor,
  describeError,
  type EventEnvelope,
  type EventSourcing,
  type EventSourcingConfig,
  err,
  frequency,
  type Handle,
  ok,
  type Query,
  start,
  supervised,
  timeout,
} from "eventsourcing";
import { memoryStore } from "eventsourcing/memory";
import { postgresStore } from "eventsourcing/postgres";
import { sqliteStore } from "eventsourcing/sqlite";
import { describeEventStoreContract, manualClock, scenario } from "eventsourcing/testing";

type BankAccount = { readonly type: "Unopened" } | { readonly type: "BankAccount"; readonly balance: number };
type BankAccountCommand =
  | { readonly type: "OpenAccount"; readonly accountId: string }
  | { readonly type: "DepositMoney"; readonly amount: number }
  | { readonly type: "WithDrawMoney"; readonly amount: number };
type BankAccountEvent =
  | { readonly type: "AccountOpened"; readonly accountId: string }
  | { readonly type: "CustomerDepositedCash"; readonly amount: number; readonly balance: number }
  | { readonly type: "CustomerWithdrewCash"; readonly amount: number; readonly balance: number };
type BankAccountError =
  | "CantDepositNegativeAmount"
  | "CantOperateOnUnopenedAccount"
  | "CantWithdrawMoreThanCurrentBalance";

const emptyState: BankAccount = { type: "Unopened" };
const handle: Handle<BankAccount, BankAccountCommand, BankAccountEvent, BankAccountError> = (
  account,
  command,
) => {
  if (account.type === "Unopened")
    return command.type === "OpenAccount"
      ? ok([{ type: "AccountOpened", accountId: command.accountId }])
      : err("CantOperateOnUnopenedAccount");
  switch (command.type) {
    case "DepositMoney":
      return command.amount > 0
        ? ok([
            {
              type: "CustomerDepositedCash",
              amount: command.amount,
              balance: account.balance + command.amount,
            },
          ])
        : err("CantDepositNegativeAmount");
    case "WithDrawMoney":
      return command.amount > 0 && account.balance >= command.amount
        ? ok([
            {
              type: "CustomerWithdrewCash",
              amount: command.amount,
              balance: account.balance - command.amount,
            },
          ])
        : err("CantWithdrawMoreThanCurrentBalance");
    case "OpenAccount":
      return err("CantOperateOnUnopenedAccount");
  }
};
const apply: Apply<BankAccount, BankAccountEvent> = (_account, event) =>
  event.type === "AccountOpened"
    ? { type: "BankAccount", balance: 0 }
    : { type: "BankAccount", balance: event.balance };

// The pure domain, given/when/then.
const account = scenario({ handle, apply, emptyState });
account.when({ type: "DepositMoney", amount: 5 }).thenError("CantOperateOnUnopenedAccount");
account
  .given([{ type: "AccountOpened", accountId: "account-1" }])
  .when({ type: "DepositMoney", amount: 10 })
  .thenState({ type: "BankAccount", balance: 10 });
assert.equal(typeof describeEventStoreContract, "function");
assert.equal(manualClock().now(), 0);

async function bankOn(
  config: EventSourcingConfig<BankAccount, BankAccountCommand, BankAccountEvent, BankAccountError>,
) {
  const bank: EventSourcing<BankAccount, BankAccountCommand, BankAccountEvent, BankAccountError> =
    await start(config);
  const opened = await bank.execute("account-1", { type: "OpenAccount", accountId: "account-1" });
  assert.ok(opened.ok, opened.ok ? "" : describeError(opened.error));
  const deposited = await bank.execute(
    "account-1",
    { type: "DepositMoney", amount: 100 },
    { metadata: { user: "smoke" } },
  );
  if (!deposited.ok) throw new Error(describeError(deposited.error));
  const envelope: EventEnvelope<BankAccountEvent> | undefined = deposited.value.events[0];
  assert.equal(envelope?.sequence, 2);
  assert.equal(typeof envelope?.position, "bigint");
  assert.deepEqual(deposited.value.aggregate.state, { type: "BankAccount", balance: 100 });
  const refused = await bank.execute("account-1", { type: "WithDrawMoney", amount: 1_000 });
  assert.ok(
    !refused.ok &&
      refused.error.type === "DomainError" &&
      refused.error.error === "CantWithdrawMoreThanCurrentBalance",
  );
  // @ts-expect-error: a command outside the domain does not compile
  await bank.execute("account-1", { type: "CloseAccount" });
  await bank.stop();
}

const seen: string[] = [];
const audit: Query<BankAccountEvent> = {
  name: "audit",
  handle: (id, events) => void seen.push(`${id}:${events.length}`),
};
const every2 = frequency(2);
const fiveSeconds = timeout(5_000);
assert.ok(every2.ok && fiveSeconds.ok);

await bankOn({
  store: memoryStore(),
  handle,
  apply,
  emptyState,
  queries: [audit],
  snapshot: { frequency: every2.value },
});

const directory = mkdtempSync(join(tmpdir(), "eventsourcing-smoke-"));
try {
  const store = sqliteStore({ path: join(directory, "bank.db") });
  await bankOn({ store, handle, apply, emptyState, commandTimeout: fiveSeconds.value });
  await store.close();
} finally {
  rmSync(directory, { recursive: true, force: true });
}

// A supervisor of the user's own, and a PostgreSQL store that connects to nothing until started.
const system = supervised({ store: memoryStore(), handle, apply, emptyState });
const supervisor = await createSupervisor({ strategy: "one-for-one" }).add(system).start();
assert.equal((await system.loadAggregate("nobody")).ok, false);
await supervisor.stop();
await postgresStore({ connectionString: "postgres://nobody@127.0.0.1:1/none" }).close();

// Every subpath of the exports map, including any added after this file was written, imports; and
// require(): Node 20.19+ loads the ESM build synchronously, except for a module graph with a top-level
// await (eventsourcing/testing loads its optional peers so), which it refuses: import() is the way
// there. Older Node refuses require() of ESM with ERR_REQUIRE_ESM.
const require = createRequire(import.meta.url);
const packageRoot = dirname(require.resolve("eventsourcing/package.json"));
const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as {
  exports: Record<string, unknown>;
};
const subpaths = Object.keys(manifest.exports)
  .filter((key) => key !== "./package.json")
  .map((key) => `eventsourcing${key.slice(1)}`);
const canRequireEsm = (process.features as { require_module?: boolean }).require_module === true;
for (const subpath of subpaths) {
  const imported: unknown = await import(subpath);
  assert.ok(imported && Object.keys(imported).length > 0, `import("${subpath}") exports nothing`);
  const expected = !canRequireEsm
    ? "ERR_REQUIRE_ESM"
    : subpath === "eventsourcing/testing"
      ? "ERR_REQUIRE_ASYNC_MODULE"
      : undefined;
  if (expected) assert.throws(() => require(subpath), { code: expected }, subpath);
  else assert.equal(typeof require(subpath), "object", subpath);
}

// Every source map and declaration map names files that are shipped.
let maps = 0;
for (const entry of readdirSync(join(packageRoot, "dist"), { recursive: true, encoding: "utf8" })) {
  if (!entry.endsWith(".map")) continue;
  const mapPath = join(packageRoot, "dist", entry);
  const map = JSON.parse(readFileSync(mapPath, "utf8")) as { sourceRoot?: string; sources: string[] };
  for (const source of map.sources) {
    const file = resolve(dirname(mapPath), map.sourceRoot ?? "", source);
    assert.ok(existsSync(file), `${entry} points at ${file}, which is not in the package`);
  }
  maps += 1;
}
assert.ok(maps > 0, "no source maps found in dist/");

// A stack trace from inside the library names a readable .ts file (check-package.sh runs this app with
// node --enable-source-maps, as a user would to get them).
let frame = "";
try {
  supervised({} as never);
} catch (error) {
  const frames =
    (error as Error).stack?.split("\n").filter((line) => line.trimStart().startsWith("at ")) ?? [];
  frame = frames.find((line) => line.includes(packageRoot)) ?? frames.join("\n");
}
const file = /\((.+\.ts):\d+:\d+\)/.exec(frame)?.[1];
assert.ok(
  file && existsSync(file) && file.startsWith(packageRoot),
  `stack frame without a readable source: ${frame}`,
);

console.log(
  `smoke app: ${subpaths.length} subpaths imported (${subpaths.join(", ")}), bank account ran on memory and SQLite, require() ${
    canRequireEsm ? "loads the ESM build" : "says ERR_REQUIRE_ESM"
  }, ${maps} maps resolve, stack trace at ${file.slice(packageRoot.length + 1)}`,
);
