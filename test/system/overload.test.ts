/**
 * Guarantee 14, requests waiting: past `maxQueued` (the system) or `maxQueuedPerAggregate` (one
 * aggregate's mailbox), `execute` and `loadAggregate` answer `Overloaded` at once and nothing is done;
 * every other request is answered as usual, and once answers come back the bound admits new requests.
 */
import { expect, it } from "vitest";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, useSystems } from "../support/system.js";

type Answer = { ok: boolean; error?: { type: string; queued?: number; limit?: number } };

/** Counts answers by kind: "ok" or the error type. */
function tally(answers: readonly Answer[]): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const answer of answers) {
    const kind = answer.ok ? "ok" : (answer.error?.type ?? "?");
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return kinds;
}

forEachStore("bounded requests in flight", (kind) => {
  const systems = useSystems(kind);

  it("answers Overloaded at once past maxQueued, and every answer is a value", async () => {
    const bank = await systems.bank({ maxQueued: 50 });
    const ids = Array.from({ length: 400 }, (_, i) => `acc-${i}`);
    // Fired in one synchronous loop without awaiting: the first 50 wait, the other 350 are refused.
    const answers = await Promise.all(ids.map((id) => bank.execute(id, open(id))));
    const kinds = tally(answers);
    expect(kinds).toEqual(
      new Map([
        ["ok", 50],
        ["Overloaded", 350],
      ]),
    );
    for (const answer of answers.slice(50))
      expect(answer).toEqual({ ok: false, error: { type: "Overloaded", queued: 50, limit: 50 } });
    // Nothing was done for the refused ones, and the bound admits again once the answers are in.
    expect(expectOk(await bank.loadEvents("acc-60"))).toEqual([]);
    expectOk(await bank.execute("acc-60", open("acc-60")));
    expect((await bank.systemStats()).eventsCommitted).toBe(51);
  });

  it("answers Overloaded past maxQueuedPerAggregate for one aggregate while others go on", async () => {
    const bank = await systems.bank({ maxQueuedPerAggregate: 5 });
    // A fresh aggregate, so that no earlier message is still leaving its mailbox.
    const hot = Array.from({ length: 40 }, (_, i) => bank.execute("hot", i === 0 ? open("hot") : deposit(1)));
    const cold = bank.execute("cold", open("cold"));
    const load = bank.loadAggregate("hot");
    const answers = await Promise.all(hot);
    expect(tally(answers)).toEqual(
      new Map([
        ["ok", 5],
        ["Overloaded", 35],
      ]),
    );
    expect(answers[5]).toEqual({ ok: false, error: { type: "Overloaded", queued: 5, limit: 5 } });
    expectOk(await cold);
    expect(await load).toMatchObject({ ok: false, error: { type: "Overloaded", limit: 5 } });
    expect(expectOk(await bank.loadAggregate("hot")).state).toEqual({ type: "BankAccount", balance: 4 });
  });

  it("counts requests not yet answered: one at a time always passes, and a burst on a live aggregate gets the limit", async () => {
    const bank = await systems.bank({ maxQueuedPerAggregate: 1 });
    // Awaited one after another, each request is alone: the one answered before it no longer counts.
    expectOk(await bank.execute("one", open("one")));
    for (let i = 0; i < 5; i++) expectOk(await bank.execute("one", deposit(1)));
    expectOk(await bank.loadAggregate("one"));
    const busy = await systems.bank({ maxQueuedPerAggregate: 3 });
    expectOk(await busy.execute("live", open("live")));
    const burst = await Promise.all(Array.from({ length: 10 }, () => busy.execute("live", deposit(1))));
    expect(tally(burst)).toEqual(
      new Map([
        ["ok", 3],
        ["Overloaded", 7],
      ]),
    );
    expect(burst[3]).toEqual({ ok: false, error: { type: "Overloaded", queued: 3, limit: 3 } });
  });

  it("keeps every answer a value when far more than the default bound is fired without awaiting", async () => {
    const bank = await systems.bank({ maxQueued: 1_000 });
    const count = 20_000;
    const answers: Promise<Answer>[] = [];
    for (let i = 0; i < count; i++) answers.push(bank.execute(`acc-${i % 2_000}`, open(`acc-${i % 2_000}`)));
    const kinds = tally(await Promise.all(answers));
    // The 1,000 admitted are the first 1,000 fired, each a distinct account's open.
    expect(kinds.get("ok")).toBe(1_000);
    expect(kinds.get("Overloaded")).toBe(count - 1_000);
    expect([...kinds.keys()].sort()).toEqual(["Overloaded", "ok"]);
  });
});
