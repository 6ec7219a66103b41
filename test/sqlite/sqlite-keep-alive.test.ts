/**
 * A running system keeps its process alive until stop(), even when nothing else would: a worker whose
 * only work is a named query on SQLite (no socket, no timer of its own) follows the log after it has
 * caught up, and exits by itself once stopped.
 */
import { afterEach, expect, it } from "vitest";
import { createSqliteTestStore, type SqliteTestStore } from "../support/sqlite.js";
import { spawnFixture } from "./fixtures/spawn-fixture.js";

const opened: SqliteTestStore[] = [];
afterEach(async () => {
  for (const created of opened.splice(0)) await created.cleanup();
});

const opening = (id: string) => ({
  aggregateType: "default",
  aggregateId: id,
  expectedSequence: 0,
  events: [
    {
      eventType: "AccountOpened",
      payload: JSON.stringify({ type: "AccountOpened", accountId: id }),
      metadata: {},
    },
  ],
});

it("keeps a named-query worker on SQLite alive after it caught up, until stop()", async () => {
  const created = await createSqliteTestStore();
  opened.push(created);
  await created.store.append([opening("a")]);
  const worker = spawnFixture("named-query-worker", [created.path]);
  try {
    await worker.waitFor(/^seen 1$/);
    // Caught up: only the running system can keep the worker there to see the next commit.
    await created.store.append([opening("b")]);
    await worker.waitFor(/^seen 2$/);
    worker.process.kill("SIGTERM");
    const exit = await worker.exited;
    expect(exit.code).toBe(0);
    expect(worker.lines).toContain("stopped");
  } finally {
    worker.process.kill("SIGKILL");
  }
});
