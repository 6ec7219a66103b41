/**
 * import refuses, through the real bin, every line the library itself would refuse to write (or could
 * not read back), naming the line and the field, with exit 1 and nothing of the batch written, the same
 * on SQLite and PostgreSQL; and the listing reads on past a row written by other means.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventBrowser } from "../../src/browser/index.js";
import { checkImported } from "../../src/cli/transfer.js";
import { inspectStore } from "../../src/inspect/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { runCli } from "./run-cli.js";
import { forEachCliStore, sqliteKind } from "./stores.js";

const good = {
  aggregateType: "account",
  aggregateId: "acct-1",
  sequence: 1,
  commitStart: 1,
  eventId: "0192f5a4-3c1e-7b2a-9d4e-5f6a7b8c9d0e",
  eventType: "Opened",
  eventVersion: 1,
  payload: { owner: "ann" },
  metadata: {},
  recordedAt: "2026-01-01T00:00:00.000Z",
};

/** Each bad line (second in its file, after a good one) and the field its refusal must name. */
const bad: [string, Record<string, unknown>, string][] = [
  ["payloadText not JSON", { payloadText: "{not json" }, "payloadText"],
  ["payloadText contradicting payload", { payloadText: '{"owner":"bob"}' }, "payloadText"],
  ["lone surrogate in the id", { aggregateId: "a\ud800" }, "aggregateId"],
  ["U+0000 in the id", { aggregateId: "a\u0000b" }, "aggregateId"],
  ["an id of 2,000 characters", { aggregateId: "x".repeat(2_000) }, "aggregateId"],
  ["an aggregate type of 300 characters", { aggregateType: "t".repeat(300) }, "aggregateType"],
  ["an event id that is no UUID", { eventId: "not-a-uuid" }, "eventId"],
  ["an event type with a lone surrogate", { eventType: "E\udc00" }, "eventType"],
  ["an event version over 2^31-1", { eventVersion: 2 ** 31 }, "eventVersion"],
  ["a sequence over 2^31-1", { sequence: 2 ** 31, commitStart: 2 ** 31 }, "sequence"],
  ["metadata with a lone surrogate", { metadata: { k: "\ud800" } }, "metadata"],
  ["a command id of 300 characters", { commandId: "c".repeat(300) }, "commandId"],
  ["a time that is no time", { recordedAt: "yesterday" }, "recordedAt"],
];

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "eventsourcing-cli-import-checks-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

forEachCliStore("import refuses what the library would not write", (kind) => {
  for (const [name, change, field] of bad) {
    it(name, async () => {
      const store = await kind.create();
      try {
        const file = join(directory, `${kind.name}-${field}-${Math.random().toString(36).slice(2)}.ndjson`);
        const first = { ...good, aggregateId: "acct-0" };
        await writeFile(file, `${JSON.stringify(first)}\n${JSON.stringify({ ...good, ...change })}\n`);
        const result = await runCli(["import", file, ...store.args]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`line 2: "${field}" must be`);
        expect(result.stderr.trim().split("\n")).toHaveLength(1);
        expect(await store.store.readAll(0n, 10)).toEqual([]);
      } finally {
        await store.cleanup();
      }
    });
  }
});

it("the same check refuses such an event on the memory store's path (migrate's)", async () => {
  const event = {
    ...good,
    aggregateId: "a\ud800",
    payload: "{}",
    recordedAt: new Date(),
    position: 1n,
  };
  expect(() => checkImported(event, "here")).toThrow('here: "aggregateId" must be');
  const store = memoryStore();
  await store.init();
  // What passes the check the memory store takes (the check is the one gate every store shares).
  await inspectStore(store).importEvents([{ ...event, aggregateId: "fine" }], { keepPositions: false });
  expect(await store.readAll(0n, 10)).toHaveLength(1);
});

sqliteKind.describe("a row written by other means", () => {
  it("does not stop streams from listing (SQLite reads a lone surrogate back changed)", async () => {
    const store = await sqliteKind.create();
    try {
      const base = { ...good, payload: "{}", recordedAt: new Date(), position: 0n };
      await inspectStore(store.store).importEvents(
        [
          { ...base, aggregateId: "a\ud800" },
          { ...base, aggregateId: "b", eventId: "0192f5a4-3c1e-7b2a-9d4e-5f6a7b8c9d0f" },
        ],
        { keepPositions: false },
      );
      const result = await runCli(["streams", ...store.args, "--json"]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('"b"');
      // The browser lists through the same reads.
      const browser = await eventBrowser({ store: store.store, port: 0 });
      try {
        const page = await fetch(`${browser.url}streams?type=account`);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain("stream-link");
      } finally {
        await browser.close();
      }
    } finally {
      await store.cleanup();
    }
  });
});

sqliteKind.describe("migrate from a source holding what the library would not write", () => {
  it("refuses the event before its batch is written, naming its position", async () => {
    const source = await sqliteKind.create();
    const target = await sqliteKind.create();
    try {
      const base = { ...good, payload: "{}", recordedAt: new Date(), position: 0n };
      await inspectStore(source.store).importEvents([{ ...base, eventId: "not-a-uuid" }], {
        keepPositions: false,
      });
      const result = await runCli([
        "migrate",
        "--from",
        source.args[1] as string,
        "--to",
        target.args[1] as string,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`the source's event at position 1: "eventId" must be a UUID`);
      expect(await target.store.readAll(0n, 10)).toEqual([]);
    } finally {
      await source.cleanup();
      await target.cleanup();
    }
  });
});
