/** Guarantees 4 and 9: crashes restart, and handles stay stable across restarts. */
import { expect, it } from "vitest";
import { apply, emptyState, handle } from "../../examples/bank-account/domain.js";
import { type ChildContext, createSupervisor, ok, start, supervised } from "../../src/index.js";
import { manualClock } from "../../src/runtime/clock.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { faultyStore } from "../support/faulty-store.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, until, useSystems } from "../support/system.js";

type Command = { readonly add: number } | { readonly explode: "handle" | "apply" };
type Event = { readonly type: "Added"; readonly add: number } | { readonly type: "Bomb" };

const handleCounter = (_count: number, command: Command) => {
  if ("explode" in command) {
    if (command.explode === "handle") throw new Error("handle blew up");
    return ok([{ type: "Bomb" } as Event]);
  }
  return ok([{ type: "Added", add: command.add } as Event]);
};
const applyCounter = (count: number, event: Event) => {
  if (event.type === "Bomb") throw new Error("apply blew up");
  return count + event.add;
};

forEachStore("crashes and stable handles", (kind) => {
  const systems = useSystems(kind);

  it("answers a throwing handle with ActorCrashed and rebuilds the aggregate from the store", async () => {
    const { store } = await systems.store();
    const counter = systems.track(
      await start({ store, emptyState: 0, handle: handleCounter, apply: applyCounter }),
    );
    expectOk(await counter.execute("c", { add: 5 }));
    const crashed = await counter.execute("c", { explode: "handle" });
    expect(crashed.ok).toBe(false);
    if (!crashed.ok && crashed.error.type === "ActorCrashed") {
      expect(crashed.error.operation).toBe("handle");
      expect((crashed.error.cause as Error).message).toBe("handle blew up");
    } else expect.fail(`expected ActorCrashed, got ${JSON.stringify(crashed)}`);
    const next = expectOk(await counter.execute("c", { add: 2 }));
    expect(next.aggregate).toEqual({ aggregateId: "c", state: 7, sequence: 2 });
    const stats = await counter.systemStats();
    expect(stats.aggregateCrashes).toBe(1);
    expect(stats.restarts).toBe(0);
  });

  it("answers a throwing apply with ActorCrashed and stores nothing of that command", async () => {
    const { store } = await systems.store();
    const counter = systems.track(
      await start({ store, emptyState: 0, handle: handleCounter, apply: applyCounter }),
    );
    expectOk(await counter.execute("c", { add: 1 }));
    const crashed = await counter.execute("c", { explode: "apply" });
    expect(!crashed.ok && crashed.error.type === "ActorCrashed" && crashed.error.operation).toBe("apply");
    expect(await store.currentSequence("default", "c")).toBe(1);
    expect(expectOk(await counter.execute("c", { add: 1 })).aggregate.state).toBe(2);
  });

  it("answers a handle that returns no Result with ActorCrashed on operation handle, storing nothing", async () => {
    const { store } = await systems.store();
    const returns = [
      undefined,
      null,
      7,
      { ok: true, value: "not an array" },
      { ok: "yes" },
      Promise.resolve(ok([])),
    ];
    const sloppy = systems.track(
      await start({
        store,
        emptyState: 0,
        handle: (_count: number, index: number) =>
          (index < returns.length ? returns[index] : ok([{ type: "Added", add: 1 }])) as never,
        apply: (count: number, event: { add: number }) => count + event.add,
      }),
    );
    for (let index = 0; index < returns.length; index++) {
      const crashed = await sloppy.execute("s", index);
      if (!crashed.ok && crashed.error.type === "ActorCrashed") {
        expect(crashed.error.operation).toBe("handle");
        expect(crashed.error.cause).toBeInstanceOf(TypeError);
        expect((crashed.error.cause as Error).message).toMatch(
          /^handle must return ok\(events\) or err\(error\)/,
        );
        if (returns[index] instanceof Promise)
          expect((crashed.error.cause as Error).message).toContain("handle must be synchronous");
      } else
        expect.fail(
          `expected ActorCrashed for ${JSON.stringify(returns[index])}, got ${JSON.stringify(crashed)}`,
        );
    }
    expect(await store.currentSequence("default", "s")).toBe(0);
    expect(expectOk(await sloppy.execute("s", returns.length)).aggregate.sequence).toBe(1);
  });

  it("survives a poison command repeated many times", async () => {
    const { store } = await systems.store();
    const counter = systems.track(
      await start({ store, emptyState: 0, handle: handleCounter, apply: applyCounter }),
    );
    for (let i = 0; i < 50; i++) expect((await counter.execute("c", { explode: "handle" })).ok).toBe(false);
    expect(expectOk(await counter.execute("c", { add: 3 })).aggregate.state).toBe(3);
  });

  it("keeps the same handle working after its supervisor restarts it", async () => {
    const { store } = await systems.store();
    const bank = supervised({ store, handle, apply, emptyState });
    let crashSibling: (reason: unknown) => void = () => {};
    const sibling = {
      id: "sibling",
      async start(context: ChildContext) {
        crashSibling = (reason) => context.exit(reason);
        return { async stop() {} };
      },
    };
    const supervisor = systems.track(
      await createSupervisor({ strategy: "one-for-all", backoff: { initialMs: 1, maxMs: 1 } })
        .add(bank)
        .add(sibling)
        .start(),
    );
    expectOk(await bank.execute("acc", open("acc")));
    crashSibling(new Error("sibling crashed"));
    await until(async () => (await bank.systemStats()).restarts === 1);
    const after = expectOk(await bank.execute("acc", deposit(5)));
    expect(after.aggregate).toEqual({
      aggregateId: "acc",
      sequence: 2,
      state: { type: "BankAccount", balance: 5 },
    });
    expect((await bank.systemStats()).restarts).toBe(1);
    expect(supervisor.children().map((c) => [c.id, c.status])).toEqual([
      ["eventsourcing", "running"],
      ["sibling", "running"],
    ]);
  });

  it("gives Stopped before its supervisor starts it and after it stops", async () => {
    const { store } = await systems.store();
    const bank = supervised({ store, handle, apply, emptyState });
    const stopped = { ok: false, error: { type: "Stopped" } };
    expect(await bank.execute("acc", open("acc"))).toEqual(stopped);
    expect(await bank.loadEvents("acc")).toEqual(stopped);
    const supervisor = await createSupervisor({ strategy: "one-for-one" }).add(bank).start();
    expectOk(await bank.execute("acc", open("acc")));
    await supervisor.stop();
    expect(await bank.execute("acc", deposit(1))).toEqual(stopped);
    expect(await bank.loadAggregate("acc")).toEqual(stopped);
    expect(await bank.registerQuery(() => {})).toEqual(stopped);
    expect((await bank.systemStats()).totalCommandsProcessed).toBe(1);
  });

  it("gives Stopped after stop() on a started system, keeping its last figures", async () => {
    const bank = await systems.bank();
    expectOk(await bank.execute("acc", open("acc")));
    await bank.stop();
    expect(await bank.execute("acc", deposit(1))).toEqual({ ok: false, error: { type: "Stopped" } });
    expect(await bank.latestSnapshot("acc")).toEqual({ ok: false, error: { type: "Stopped" } });
    const stats = await bank.systemStats();
    expect(stats.totalCommandsProcessed).toBe(1);
    expect(stats.liveAggregates).toBe(0);
  });

  it("fails to start with a clear error when the store cannot be initialized", async () => {
    const { store } = await systems.store();
    const broken = faultyStore(store);
    broken.init = () => Promise.reject(new Error("no such database"));
    await expect(start({ store: broken, handle, apply, emptyState })).rejects.toThrow(/no such database/);
  });
});

it("throws at once for a bad configuration, naming the option", () => {
  expect(() => supervised({ store: undefined as never, handle, apply, emptyState })).toThrow(/store/);
  expect(() => supervised({ store: {} as never, handle, apply, emptyState })).toThrow(/store/);
  expect(() =>
    supervised({
      store: memoryStore(),
      handle: 1 as never,
      apply,
      emptyState,
    }),
  ).toThrow(/handle/);
  expect(() =>
    supervised({
      store: memoryStore(),
      handle,
      apply,
      emptyState,
      conflictRetries: -1,
    }),
  ).toThrow(/conflictRetries/);
  expect(() =>
    supervised({
      store: memoryStore(),
      handle,
      apply,
      emptyState,
      queries: [{} as never],
    }),
  ).toThrow(/queries\[0\]/);
});

it("comes back, uptime running again, when a supervisor above restarts the one that stopped it", async () => {
  const clock = manualClock();
  const bank = supervised({ store: memoryStore(), handle, apply, emptyState, clock });
  let crashSibling: (reason: unknown) => void = () => {};
  const sibling = {
    id: "sibling",
    async start(context: ChildContext) {
      crashSibling = (reason) => context.exit(reason);
      return { async stop() {} };
    },
  };
  const inner = createSupervisor({ strategy: "one-for-one", intensity: 0, clock, id: "inner" })
    .add(bank)
    .add(sibling);
  const top = await createSupervisor({ strategy: "one-for-one", clock, backoff: { initialMs: 1, maxMs: 1 } })
    .add(inner)
    .start();
  try {
    expectOk(await bank.execute("acc", open("acc")));
    await clock.advance(2_000);
    crashSibling(new Error("sibling crashed")); // past inner's intensity: inner stops bank, top restarts inner
    await clock.advance(10);
    await until(async () => (await bank.systemStats()).restarts === 1);
    const before = (await bank.systemStats()).uptimeSeconds;
    await clock.advance(3_000);
    expect((await bank.systemStats()).uptimeSeconds).toBe(before + 3);
    expect(expectOk(await bank.execute("acc", deposit(1))).aggregate.sequence).toBe(2);
  } finally {
    await top.stop();
  }
});
