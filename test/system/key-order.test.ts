/** Live state equals replay when `apply` reads object keys in order: every store keeps the codec's text. */
import { expect, it } from "vitest";
import { type EventEnvelope, frequency, ok, start } from "../../src/index.js";
import { forEachStore } from "../support/stores.js";
import { expectOk, recorder, until, useSystems } from "../support/system.js";

type Jobs = { type: "Scheduled"; jobs: Record<string, number> };
type Queue = { order: string[]; jobs: Record<string, number> };

const emptyState: Queue = { order: [], jobs: {} };
const applyJobs = (state: Queue, event: Jobs): Queue => ({
  order: [...state.order, ...Object.keys(event.jobs)],
  jobs: { ...state.jobs, ...event.jobs },
});

const keysOf = (events: readonly EventEnvelope<Jobs>[]) => events.map((e) => Object.keys(e.event.jobs));

forEachStore("object key order", (kind) => {
  const systems = useSystems(kind);

  it("is kept live, on replay, from snapshots, in loadEvents, queries and metadata", async () => {
    const { store } = await systems.store();
    const seen = recorder<Jobs>();
    const config = {
      store,
      emptyState,
      handle: (_state: Queue, jobs: Record<string, number>) => ok([{ type: "Scheduled" as const, jobs }]),
      apply: applyJobs,
      queries: [seen.query],
      snapshot: { frequency: expectOk(frequency(1)) },
    };
    const writer = systems.track(await start(config));
    const metadata = { zeta: "1", alpha: "2", mid: "3" };
    const live = expectOk(await writer.execute("q", { urgent: 1, b: 2, a: 3 }, { metadata }));
    expect(live.aggregate.state.order).toEqual(["urgent", "b", "a"]);
    expect(keysOf(live.events)).toEqual([["urgent", "b", "a"]]);
    expect(Object.keys(live.events[0]?.metadata ?? {})).toEqual(["zeta", "alpha", "mid"]);
    expectOk(await writer.execute("q", { z: 1, "10": 2, y: 3 }));
    await seen.waitFor(2);
    expect(seen.calls.map((call) => keysOf(call.events)[0])).toEqual([
      ["urgent", "b", "a"],
      ["10", "z", "y"],
    ]);
    const events = expectOk(await writer.loadEvents("q"));
    expect(keysOf(events)).toEqual([
      ["urgent", "b", "a"],
      ["10", "z", "y"],
    ]);
    expect(Object.keys(events[0]?.metadata ?? {})).toEqual(["zeta", "alpha", "mid"]);
    const state = expectOk(await writer.loadAggregate("q")).state;
    await until(async () => (await writer.systemStats()).snapshotsTaken === 2);
    // Rebuilt from the snapshot, and replayed in full: both equal the live state, key order included.
    const fromSnapshot = systems.track(await start({ ...config, id: "from-snapshot", queries: [] }));
    const replayed = systems.track(
      await start({ ...config, id: "replayed", queries: [], snapshot: undefined }),
    );
    for (const other of [fromSnapshot, replayed]) {
      const rebuilt = expectOk(await other.loadAggregate("q")).state;
      expect(rebuilt).toEqual(state);
      expect(rebuilt.order).toEqual(["urgent", "b", "a", "10", "z", "y"]);
      expect(Object.keys(rebuilt.jobs)).toEqual(Object.keys(state.jobs));
    }
    const snapshot = expectOk(await writer.latestSnapshot("q"));
    expect(Object.keys(snapshot?.state.jobs ?? {})).toEqual(Object.keys(state.jobs));
  });
});
