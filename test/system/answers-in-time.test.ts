/**
 * Guarantee 12, under load: a burst of commands never starves the event loop. Timers keep firing while
 * the burst is processed, so commands that wait longer than their timeout answer `ActorTimeout` instead
 * of all resolving ok long after their deadline. No timing is asserted: only that a timer got to run
 * before the burst settled, and which answers came back.
 */
import { expect, it } from "vitest";
import { type Timeout, timeout } from "../../src/index.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, until, useSystems, withdraw } from "../support/system.js";

const SHORT = expectOk(timeout(20)) as Timeout;

/** Counts the ticks of a 1 ms interval timer until stopped. */
function timerProbe() {
  let ticks = 0;
  const interval = setInterval(() => ticks++, 1);
  return {
    get ticks() {
      return ticks;
    },
    stop: () => clearInterval(interval),
  };
}

/** Fires `count` commands in one synchronous loop, and counts the answers by kind once all settled. */
async function burst(
  count: number,
  send: (i: number) => Promise<{ ok: boolean; error?: { type: string } }>,
  probe: { readonly ticks: number },
) {
  const pending: Promise<{ ok: boolean; error?: { type: string } }>[] = [];
  for (let i = 0; i < count; i++) pending.push(send(i));
  const results = await Promise.all(pending);
  const ticksWhenSettled = probe.ticks;
  const kinds = new Map<string, number>();
  for (const result of results) {
    const kind = result.ok ? "ok" : (result.error?.type ?? "?");
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return { ticksWhenSettled, kinds };
}

forEachStore("every call answers in time under a burst", (kind) => {
  const systems = useSystems(kind);

  it("lets timers run while a burst of commands to many aggregates is processed, and times out the commands left waiting", async () => {
    const created = await systems.store();
    const bank = await systems.bank({ store: created.store });
    const ids = Array.from({ length: 500 }, (_, i) => `acc-${i}`);
    for (const id of ids) expectOk(await bank.execute(id, open(id)));
    const probe = timerProbe();
    try {
      const count = kind.name === "postgres" ? 10_000 : 50_000;
      const { ticksWhenSettled, kinds } = await burst(
        count,
        (i) => bank.execute(ids[i % ids.length] as string, deposit(1), { timeout: SHORT }),
        probe,
      );
      expect(ticksWhenSettled).toBeGreaterThan(0);
      expect(kinds.get("ActorTimeout") ?? 0).toBeGreaterThan(0);
      expect([...kinds.keys()].sort()).toEqual(kinds.has("ok") ? ["ActorTimeout", "ok"] : ["ActorTimeout"]);
      // Every acknowledged deposit is stored (a timed-out one may be too).
      let stored = 0;
      for (const id of ids) stored += (await created.store.readAggregate("default", id, 1)).length;
      expect(stored).toBeGreaterThanOrEqual(kinds.get("ok") ?? 0);
    } finally {
      probe.stop();
    }
  });

  it("lets timers run while one aggregate works through a burst that never reaches the store", async () => {
    const created = await systems.store();
    // Bounds high enough that the whole burst waits in the one mailbox (the defaults refuse most of it).
    const bank = await systems.bank({
      store: created.store,
      maxQueued: 200_000,
      maxQueuedPerAggregate: 200_000,
    });
    expectOk(await bank.execute("acc", open("acc")));
    const probe = timerProbe();
    try {
      // Withdrawing from an empty account is a domain error: nothing is written, no I/O at all.
      const { ticksWhenSettled, kinds } = await burst(
        100_000,
        () => bank.execute("acc", withdraw(1), { timeout: SHORT }),
        probe,
      );
      expect(ticksWhenSettled).toBeGreaterThan(0);
      expect(kinds.get("ActorTimeout") ?? 0).toBeGreaterThan(0);
      expect([...kinds.keys()].sort()).toEqual(
        kinds.has("DomainError") ? ["ActorTimeout", "DomainError"] : ["ActorTimeout"],
      );
    } finally {
      probe.stop();
    }
  });
});

forEachStore("query actors let the event loop run", (kind) => {
  const systems = useSystems(kind);

  it("lets timers run while a named query catches up on a long log with a synchronous handler", async () => {
    const created = await systems.store();
    const commits = 20_000;
    for (let from = 0; from < commits; from += 1_000) {
      const requests = Array.from({ length: 1_000 }, (_, i) => ({
        aggregateType: "default",
        aggregateId: `acc-${from + i}`,
        expectedSequence: 0,
        events: [
          {
            eventType: "AccountOpened",
            payload: JSON.stringify({ type: "AccountOpened", accountId: `acc-${from + i}` }),
            metadata: {},
          },
        ],
      }));
      for (const outcome of await created.store.append(requests)) expect(outcome.ok).toBe(true);
    }
    const probe = timerProbe();
    let delivered = 0;
    let ticksWhenCaughtUp = -1;
    try {
      await systems.bank({
        store: created.store,
        queries: [
          {
            name: "catch-up",
            handle: () => {
              if (++delivered === commits) ticksWhenCaughtUp = probe.ticks;
            },
          },
        ],
      });
      await until(() => ticksWhenCaughtUp >= 0);
      expect(delivered).toBe(commits);
      expect(ticksWhenCaughtUp).toBeGreaterThan(0);
    } finally {
      probe.stop();
    }
  });
  it("lets timers run while a plain query works through a backlog with a synchronous handler", async () => {
    const created = await systems.store();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const commits = kind.name === "postgres" ? 5_000 : 20_000;
    let delivered = 0;
    let probe: ReturnType<typeof timerProbe> | undefined;
    let ticksWhenDone = -1;
    const bank = await systems.bank({
      store: created.store,
      queryRetry: { maxPending: commits + 10 },
      queries: [
        () => {
          delivered++;
          if (delivered === 1) return gate; // holds the query while the backlog builds up
          // About 20 µs of work per batch, so that the backlog takes longer than one slice of work.
          const busyUntil = performance.now() + 0.02;
          while (performance.now() < busyUntil);
          if (delivered === commits) ticksWhenDone = probe?.ticks ?? -1;
        },
      ],
    });
    const opened = await Promise.all(
      Array.from({ length: commits }, (_, i) => bank.execute(`acc-${i}`, open(`acc-${i}`))),
    );
    expect(opened.every((result) => result.ok)).toBe(true);
    probe = timerProbe();
    try {
      release();
      await until(() => ticksWhenDone >= 0);
      expect(ticksWhenDone).toBeGreaterThan(0);
    } finally {
      probe.stop();
    }
  });
});
