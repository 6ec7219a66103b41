/**
 * `eventsourcing ui` serves the same browser over the store `--db` names (SQLite file or PostgreSQL
 * schema), read-only unless `--allow-writes`, and refuses another address without a token.
 */
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { type CliContext, Interrupt } from "../../src/cli/context.js";
import { run } from "../../src/cli/program.js";
import type { EventStore } from "../../src/core/event-store.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { describePostgres, dropSchema, freshSchemaName, postgresUrl } from "../support/postgres.js";
import { createSqliteTestStore } from "../support/sqlite.js";

function context(): CliContext & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
  });
  stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: {},
    interrupt: new Interrupt(),
    exitCode: 0,
    out: () => out,
    err: () => err,
  };
}

/** Resolves with the URL the command prints once it listens. */
async function servedUrl(ctx: ReturnType<typeof context>, running: Promise<number>): Promise<string> {
  for (;;) {
    const url = /at (http:\/\/\S+\/)/.exec(ctx.out())?.[1];
    if (url !== undefined) return url;
    const ended = await Promise.race([running, new Promise((resolve) => setImmediate(resolve, null))]);
    if (typeof ended === "number") throw new Error(`ui ended with ${ended}: ${ctx.err()}`);
  }
}

async function seed(store: EventStore): Promise<void> {
  await store.append([
    {
      aggregateType: "account",
      aggregateId: "acct-1",
      expectedSequence: 0,
      events: [
        { eventType: "Opened", payload: JSON.stringify({ owner: "<script>x</script>" }), metadata: {} },
      ],
    },
  ]);
}

function uiSuite(
  name: string,
  describeIt: (name: string, body: () => void) => void,
  open: () => Promise<{ args: string[]; cleanup(): Promise<void> }>,
) {
  describeIt(`eventsourcing ui [${name}]`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });

    it("serves the store's streams until interrupted, read-only, and never prints the token", async () => {
      const { args, cleanup } = await open();
      cleanups.push(cleanup);
      const ctx = context();
      const token = "the-ui-token-0123456789";
      const running = run(["ui", ...args, "--port", "0", "--token", token], ctx);
      const url = await servedUrl(ctx, running);
      expect(ctx.out()).toContain("read-only");
      expect(ctx.out()).not.toContain(token);
      expect((await fetch(`${url}streams`)).status).toBe(401);
      const page = await fetch(`${url}stream?type=account&id=acct-1`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = await page.text();
      expect(page.status).toBe(200);
      expect(body).toContain("&lt;script&gt;x&lt;/script&gt;");
      expect(body).not.toContain("<script>x");
      expect(
        (await fetch(`${url}queries/reset?name=q`, { headers: { authorization: `Bearer ${token}` } })).status,
      ).toBe(404);
      ctx.interrupt.request();
      expect(await running).toBe(0);
      await expect(fetch(`${url}streams`)).rejects.toThrow();
    });

    it("refuses another address without a token, as a usage error", async () => {
      const { args, cleanup } = await open();
      cleanups.push(cleanup);
      const ctx = context();
      expect(await run(["ui", ...args, "--host", "0.0.0.0", "--port", "0"], ctx)).toBe(2);
      expect(ctx.err()).toMatch(/binding to 0\.0\.0\.0 lets other machines read the store; give a token/);
    });
  });
}

uiSuite("sqlite", describe, async () => {
  const created = await createSqliteTestStore();
  await seed(created.store);
  return { args: ["--db", created.path], cleanup: () => created.cleanup() };
});

uiSuite("postgres", describePostgres, async () => {
  const schema = freshSchemaName("es_ui");
  const store = postgresStore({ connectionString: postgresUrl, schema, max: 2 });
  await store.init();
  await seed(store);
  await store.close();
  return { args: ["--db", postgresUrl, "--schema", schema], cleanup: () => dropSchema(schema) };
});
