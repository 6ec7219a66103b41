/**
 * States are values (guarantee 13, live state equals replay): a state handed out by `execute` or
 * `loadAggregate` cannot be changed behind the aggregate's back, and an `apply` that changes its state
 * in place crashes loudly instead of leaking into other aggregates through the empty state.
 */
import { expect, it } from "vitest";
import { ok, start } from "../../src/index.js";
import { forEachStore } from "../support/stores.js";
import { expectOk, useSystems } from "../support/system.js";

interface Ledger {
  readonly balance: number;
  readonly history: readonly number[];
}
type Added = { type: "Added"; amount: number };

const emptyState: Ledger = { balance: 0, history: [] };
const handle = (_state: Ledger, command: Added) => ok([command]);
const apply = (state: Ledger, event: Added): Ledger => ({
  balance: state.balance + event.amount,
  history: [...state.history, event.amount],
});

forEachStore("states are values", (kind) => {
  const systems = useSystems(kind);

  it("refuses changes to a state handed out, and keeps deciding and snapshotting from the true state", async () => {
    const { store } = await systems.store();
    const config = {
      store,
      emptyState,
      handle,
      apply,
      snapshot: { frequency: 2 },
      logger: { warn() {}, error() {} },
    };
    const ledger = systems.track(await start(config));
    const first = expectOk(await ledger.execute("l", { type: "Added", amount: 10 })).aggregate.state;
    expect(() => {
      (first as { balance: number }).balance -= 30;
    }).toThrow(TypeError);
    expect(() => (first.history as number[]).push(99)).toThrow(TypeError);
    const loaded = expectOk(await ledger.loadAggregate("l")).state;
    expect(() => {
      (loaded as { balance: number }).balance = 0;
    }).toThrow(TypeError);
    const second = expectOk(await ledger.execute("l", { type: "Added", amount: 1 })).aggregate.state;
    expect(second).toEqual({ balance: 11, history: [10, 1] });
    // The snapshot at 2 holds the true state: a fresh system rebuilds the same from it.
    const rebuilt = systems.track(await start({ ...config, id: "rebuilt" }));
    expect(expectOk(await rebuilt.loadAggregate("l")).state).toEqual({ balance: 11, history: [10, 1] });
    expect(emptyState).toEqual({ balance: 0, history: [] });
  });

  it("answers an apply that changes its state in place with ActorCrashed, and other aggregates stay clean", async () => {
    const { store } = await systems.store();
    const inPlace = (state: Ledger, event: Added): Ledger => {
      (state.history as number[]).push(event.amount);
      return state;
    };
    const ledger = systems.track(
      await start({
        store,
        emptyState: { balance: 0, history: [] },
        handle,
        apply: inPlace,
        logger: { warn() {}, error() {} },
      }),
    );
    const result = await ledger.execute("a", { type: "Added", amount: 1 });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatchObject({ type: "ActorCrashed", operation: "apply" });
    const other = await ledger.execute("b", { type: "Added", amount: 2 });
    expect(!other.ok && other.error).toMatchObject({ type: "ActorCrashed", operation: "apply" });
    expect(await store.readAll(0n, 10)).toEqual([]);
  });
});
