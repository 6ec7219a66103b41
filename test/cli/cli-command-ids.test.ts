/**
 * Idempotent commands survive the command line's copies: the command id of every commit is shown by
 * `events --json` and `export`, written back by `import` and `migrate`, so that a command repeated on
 * the copy finds the first commit (same event ids, nothing stored). `migrate` also carries each
 * checkpoint's reset generation, pending reset and skipped positions.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  apply,
  type BankAccount,
  type BankAccountCommand,
  type BankAccountError,
  type BankAccountEvent,
  emptyState,
  handle,
} from "../../examples/bank-account/domain.js";
import type { EventStore } from "../../src/core/event-store.js";
import { start } from "../../src/index.js";
import { sqliteStore } from "../../src/stores/sqlite/index.js";
import { describePostgres } from "../support/postgres.js";
import { deposit, expectOk, open, quiet } from "../support/system.js";
import { jsonLines, runCli } from "./run-cli.js";
import { postgresKind, sqliteKind } from "./stores.js";

async function bankOn(store: EventStore) {
  return start<BankAccount, BankAccountCommand, BankAccountEvent, BankAccountError>({
    handle,
    apply,
    emptyState,
    logger: quiet,
    store,
  });
}

/** Repeats the deposit with `commandId` on `store`: the first commit's event ids, nothing stored. */
async function repeatOn(store: EventStore, commandId: string) {
  const before = (await store.readAll(0n, 1_000)).length;
  const bank = await bankOn(store);
  try {
    const again = expectOk(await bank.execute("a", deposit(10), { commandId }));
    return {
      eventIds: again.events.map((e) => e.eventId),
      stored: (await store.readAll(0n, 1_000)).length - before,
    };
  } finally {
    await bank.stop();
  }
}

describePostgres("command ids through export, import and migrate", () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "eventsourcing-cli-command-ids-"));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("a command repeated after a migrate SQLite -> PostgreSQL or an export/import finds the first commit", {
    timeout: 180_000,
  }, async () => {
    const source = await sqliteKind.create();
    const target = await postgresKind.create();
    const copyPath = join(directory, "copy.db");
    try {
      const bank = await bankOn(source.store);
      let firstIds: string[];
      try {
        expectOk(await bank.execute("a", open("a")));
        const first = expectOk(await bank.execute("a", deposit(10), { commandId: "dep-1" }));
        firstIds = first.events.map((e) => e.eventId);
        expect(firstIds).toHaveLength(1);
      } finally {
        await bank.stop();
      }

      // Shown as `commandId` by events --json and export, omitted for the commit without one.
      const listed = jsonLines((await runCli(["events", "a", ...source.args, "--json"])).stdout);
      expect(listed.map((line) => line.commandId)).toEqual([undefined, "dep-1"]);
      const human = (await runCli(["events", "a", ...source.args])).stdout.trim().split("\n");
      expect(human[0]).not.toContain("command");
      expect(human[1]).toMatch(/ {2}command "dep-1"$/);
      const file = join(directory, "events.ndjson");
      const exported = await runCli(["export", ...source.args, "--out", file]);
      expect(exported.code).toBe(0);
      const lines = jsonLines(await readFile(file, "utf8"));
      expect(lines.map((line) => line.commandId)).toEqual([undefined, "dep-1"]);
      expect(Object.hasOwn(lines[0] as object, "commandId")).toBe(false);

      // Checkpoints with what operators recorded beside them: a skipped position, a pending reset.
      await source.store.saveCheckpoint("balances", 2n);
      await source.store.skipQueryEvent?.("balances", 1n);
      await source.store.saveCheckpoint("audit", 2n);
      await source.store.requestQueryReset?.("audit");

      // migrate to PostgreSQL: the repeat there is answered by the first commit.
      const migrated = await runCli([
        "migrate",
        "--from",
        source.args[1] as string,
        "--to",
        target.args[1] as string,
        "--schema",
        target.args[3] as string,
        "--json",
      ]);
      expect(migrated.stderr).toBe("");
      expect(migrated.code).toBe(0);
      expect((await target.store.readAll(0n, 10)).map((e) => e.commandId)).toEqual([undefined, "dep-1"]);
      expect(await repeatOn(target.store, "dep-1")).toEqual({ eventIds: firstIds, stored: 0 });
      for (const name of ["balances", "audit"]) {
        expect(await target.store.loadQueryCheckpoint?.(name)).toEqual(
          await source.store.loadQueryCheckpoint?.(name),
        );
      }
      expect(await target.store.loadQueryCheckpoint?.("balances")).toMatchObject({ skipped: [1n] });
      expect(await target.store.loadQueryCheckpoint?.("audit")).toMatchObject({
        generation: 1,
        resetPending: true,
      });
      // Another id is another command: stored (the repeat above was not a store that refuses all).
      expect((await repeatOn(target.store, "dep-2")).stored).toBe(1);

      // export -> import into a fresh SQLite file keeps the command id too.
      const imported = await runCli(["import", file, "--db", copyPath]);
      expect(imported.code).toBe(0);
      const copy = sqliteStore({ path: copyPath });
      try {
        expect(await copy.readAll(0n, 10)).toEqual(await source.store.readAll(0n, 10));
        expect(await repeatOn(copy, "dep-1")).toEqual({ eventIds: firstIds, stored: 0 });
      } finally {
        await copy.close();
      }
      // And the re-export of the copy is the very same file.
      expect((await runCli(["export", "--db", copyPath])).stdout).toBe(await readFile(file, "utf8"));
    } finally {
      await source.cleanup();
      await target.cleanup();
    }
  });
});
