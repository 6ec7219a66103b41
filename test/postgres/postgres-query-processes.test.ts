/**
 * Read-your-writes and rebuilds across processes: a process waits for, and resets, a named query that
 * another process runs; checkpoints and resets travel through the store alone.
 */
import { afterAll, expect, it } from "vitest";
import { apply, emptyState, handle } from "../../examples/bank-account/domain.js";
import { start } from "../../src/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import {
  describePostgres,
  dropSchema,
  type FixtureProcess,
  freshSchemaName,
  postgresUrl,
  spawnFixture,
} from "../support/postgres.js";
import { expectOk, quiet } from "../support/system.js";

const FIXTURE = "test/postgres/fixtures/query-runner-process.ts";

describePostgres("named queries run by another process", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** A fresh schema, process A running the "ledger" query on it, and this process's system B. */
  async function twoProcesses() {
    const schema = freshSchemaName("es_rw");
    cleanups.push(() => dropSchema(schema));
    const runner: FixtureProcess = spawnFixture(FIXTURE, [schema]);
    cleanups.push(async () => {
      runner.child.kill("SIGKILL");
      await runner.exited;
    });
    await runner.line(/^ready$/);
    const store = postgresStore({ connectionString: postgresUrl, schema, max: 2 });
    const observer = await start({ store, handle, apply, emptyState, logger: quiet });
    cleanups.push(async () => {
      await observer.stop();
      await store.close();
    });
    return { runner, store, observer };
  }

  it("process B waits for a position that process A wrote and A's named query processed", {
    timeout: 60_000,
  }, async () => {
    const { runner, observer } = await twoProcesses();
    runner.send("hold");
    runner.send("open acc-1");
    const position = BigInt((await runner.line(/^committed acc-1 \d+$/)).split(" ")[2] as string);
    // Held in A: B's wait cannot be answered from anything but A's checkpoint in the store.
    const early = await observer.waitForQueries(position, { queries: ["ledger"], timeout: 300 });
    expect(early).toMatchObject({ ok: false, error: { type: "ActorTimeout", timeoutMs: 300 } });
    const waiting = observer.waitForQueries(position, { queries: ["ledger"], timeout: 30_000 });
    runner.send("release");
    expectOk(await waiting);
    runner.send("seen");
    expect(await runner.line(/^seen \d+$/)).toBe("seen 1");
  });

  it("process B resets the query process A holds: A calls its reset() and replays the whole log", {
    timeout: 60_000,
  }, async () => {
    const { runner, store, observer } = await twoProcesses();
    for (const id of ["a", "b", "c"]) {
      runner.send(`open ${id}`);
      await runner.line(new RegExp(`^committed ${id} \\d+$`));
    }
    const head = await store.headPosition();
    expectOk(await observer.waitForQueries(head, { queries: ["ledger"], timeout: 30_000 }));
    expect(await store.lockQuery("ledger")).toBeNull();

    expectOk(await observer.resetQuery("ledger"));
    expect(await runner.line(/^reset$/)).toBe("reset");
    expectOk(await observer.waitForQueries(head, { queries: ["ledger"], timeout: 30_000 }));
    runner.send("seen");
    expect(await runner.line(/^seen \d+$/)).toBe("seen 6");
    expect(await store.loadQueryCheckpoint("ledger")).toMatchObject({
      position: head,
      generation: 1,
      resetPending: false,
    });
  });
});
