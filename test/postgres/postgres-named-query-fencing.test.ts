/**
 * Guarantee 11 on PostgreSQL: when the server ends the connection that holds a named query's lock while
 * the query catches up, the old runner hands over no further batch once another process took the
 * query over, and the store refuses its checkpoint.
 */
import { afterEach, expect, it } from "vitest";
import { apply, emptyState, handle } from "../../examples/bank-account/domain.js";
import type { EventStore, QueryLock } from "../../src/core/event-store.js";
import type { EventEnvelope } from "../../src/index.js";
import { start } from "../../src/index.js";
import { type PostgresEventStore, postgresStore } from "../../src/stores/postgres/index.js";
import {
  advisoryLockIds,
  describePostgres,
  dropSchema,
  freshSchemaName,
  postgresUrl,
  withPostgres,
} from "../support/postgres.js";
import { quiet, until } from "../support/system.js";

describePostgres("a named query's lock on PostgreSQL, ended by the server", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  async function twoHandles(): Promise<{ schema: string; a: PostgresEventStore; b: PostgresEventStore }> {
    const schema = freshSchemaName("es_fence");
    const a = postgresStore({ connectionString: postgresUrl, schema, max: 4 });
    const b = postgresStore({ connectionString: postgresUrl, schema, max: 4 });
    await a.init();
    await b.init();
    cleanups.push(
      () => dropSchema(schema),
      () => a.close(),
      () => b.close(),
    );
    return { schema, a, b };
  }

  /** Ends the server session holding the lock of query `name`. */
  async function terminateHolder(schema: string, name: string): Promise<number> {
    const ids = advisoryLockIds(schema, `query:${name}`);
    const { rows } = await withPostgres((client) =>
      client.query(
        "SELECT pg_terminate_backend(pid) AS ended FROM pg_locks WHERE locktype = 'advisory' AND granted " +
          "AND classid = $1 AND objid = $2 AND objsubid = 1",
        [ids.classid, ids.objid],
      ),
    );
    return rows.length;
  }

  /** Takes the lock on another handle, retrying until the server has freed it. */
  async function takeOver(store: EventStore, name: string): Promise<QueryLock> {
    for (;;) {
      const lock = await (store.lockQuery as (name: string) => Promise<QueryLock | null>).call(store, name);
      if (lock) return lock;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it("refuses the checkpoint of the session it ended, once another handle holds the query", async () => {
    const { schema, a, b } = await twoHandles();
    const stale = (await a.lockQuery("ledger")) as QueryLock;
    expect(await stale.saveCheckpoint(3n)).toBe(true);
    expect(await terminateHolder(schema, "ledger")).toBe(1);
    const taken = await takeOver(b, "ledger");
    expect(await taken.saveCheckpoint(5n)).toBe(true);
    expect(await stale.saveCheckpoint(9n)).toBe(false);
    expect(stale.held).toBe(false);
    expect(await b.loadCheckpoint("ledger")).toBe(5n);
    await taken.release();
  });

  it("hands the old runner no batch after another process took the query over mid-page", async () => {
    const { schema, a, b } = await twoHandles();
    await a.append(
      Array.from({ length: 200 }, (_, i) => ({
        aggregateType: "default",
        aggregateId: `acc-${i}`,
        expectedSequence: 0,
        events: [
          {
            eventType: "AccountOpened",
            payload: JSON.stringify({ type: "AccountOpened", accountId: `acc-${i}` }),
            metadata: {},
          },
        ],
      })),
    );
    const deliveries: { runner: "a" | "b"; position: bigint; afterTakeover: boolean }[] = [];
    let tookOver = false;
    const startSecond = async () => {
      const second = await start({
        store: b,
        handle,
        apply,
        emptyState,
        logger: quiet,
        id: "b",
        namedQueries: { lockRetryMs: 10, pollMs: 10 },
        queries: [
          {
            name: "ledger",
            handle: (_id: string, events: readonly EventEnvelope<unknown>[]) => {
              tookOver = true;
              for (const event of events)
                deliveries.push({ runner: "b", position: event.position, afterTakeover: true });
            },
          },
        ],
      });
      cleanups.push(() => second.stop());
    };
    let batches = 0;
    const first = await start({
      store: a,
      handle,
      apply,
      emptyState,
      logger: quiet,
      id: "a",
      namedQueries: { pollMs: 10, lockRetryMs: 10 },
      queries: [
        {
          name: "ledger",
          handle: async (_id: string, events: readonly EventEnvelope<unknown>[]) => {
            for (const event of events)
              deliveries.push({ runner: "a", position: event.position, afterTakeover: tookOver });
            if (++batches === 10) {
              expect(await terminateHolder(schema, "ledger")).toBe(1);
              await startSecond();
              await until(() => tookOver);
            }
          },
        },
      ],
    });
    cleanups.push(() => first.stop());

    const last = (await b.readAll(0n, 1_000)).at(-1)?.position;
    await until(async () => (await b.loadCheckpoint("ledger")) === last);
    expect(deliveries.filter((d) => d.runner === "a" && d.afterTakeover)).toEqual([]);
    expect(deliveries.filter((d) => d.runner === "a")).toHaveLength(10);
    const stats = await first.systemStats();
    expect(stats.queries[0]?.holder).toBe(false);
  });
});
