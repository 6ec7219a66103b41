/** Guarantee 1: one mailbox per aggregate. */
import { expect, it } from "vitest";
import { ok, start } from "../../src/index.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, useSystems } from "../support/system.js";

forEachStore("one mailbox per aggregate", (kind) => {
  const systems = useSystems(kind);

  it("runs one aggregate's commands strictly in arrival order, interleaved with another's", async () => {
    const bank = await systems.bank();
    expectOk(await bank.execute("a", open("a")));
    expectOk(await bank.execute("b", open("b")));
    const pending = [];
    for (let amount = 1; amount <= 30; amount++) {
      pending.push(bank.execute("a", deposit(amount)));
      pending.push(bank.execute("b", deposit(100 + amount)));
    }
    for (const result of await Promise.all(pending)) expectOk(result);
    const amounts = async (id: string) =>
      expectOk(await bank.loadEvents(id))
        .slice(1)
        .map((e) => (e.event as { amount: number }).amount);
    expect(await amounts("a")).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await amounts("b")).toEqual(Array.from({ length: 30 }, (_, i) => 101 + i));
  });

  it("answers a command to one aggregate while another has a long queue", async () => {
    const bank = await systems.bank();
    expectOk(await bank.execute("busy", open("busy")));
    let busyDone = 0;
    const queue = Array.from({ length: 200 }, () =>
      bank.execute("busy", deposit(1)).then((r) => {
        busyDone++;
        return r;
      }),
    );
    expectOk(await bank.execute("quick", open("quick")));
    expect(busyDone).toBeLessThan(200);
    for (const result of await Promise.all(queue)) expectOk(result);
  });

  it("keeps serving other aggregates while one keeps crashing", async () => {
    const { store } = await systems.store();
    const system = systems.track(
      await start({
        store,
        emptyState: 0,
        handle: (_count: number, command: { id: string }) => {
          if (command.id === "poison") throw new Error("poison");
          return ok([{ type: "Counted", by: 1 }]);
        },
        apply: (count: number) => count + 1,
      }),
    );
    const results = await Promise.all([
      system.execute("poison", { id: "poison" }),
      system.execute("fine", { id: "fine" }),
      system.execute("poison", { id: "poison" }),
      system.execute("fine", { id: "fine" }),
    ]);
    expect(results.map((r) => (r.ok ? r.value.aggregate.state : r.error.type))).toEqual([
      "ActorCrashed",
      1,
      "ActorCrashed",
      2,
    ]);
  });
});
