/** Versioned snapshots: a snapshot of another version is ignored on load and replaced by the next one. */
import { expect, it } from "vitest";
import { ok, start } from "../../src/index.js";
import { forEachStore } from "../support/stores.js";
import { expectOk, quiet, until, useSystems } from "../support/system.js";

type Added = { type: "Added"; n: number };
const handle = (_state: unknown, n: number) => ok([{ type: "Added", n } as Added]);
/** Version 1 of the state: the total. */
const applyV1 = (state: { total: number }, event: Added) => ({ total: state.total + event.n });
/** Version 2: the total and how many additions made it, a shape version 1 snapshots do not have. */
const applyV2 = (state: { total: number; count: number }, event: Added) => ({
  total: state.total + event.n,
  count: state.count + 1,
});

forEachStore("snapshot versions", (kind) => {
  const systems = useSystems(kind);

  it("ignore a snapshot of another version on load, replace it with the next one, and report the version", async () => {
    const { store } = await systems.store();
    const v1 = systems.track(
      await start({
        store,
        handle,
        apply: applyV1,
        emptyState: { total: 0 },
        snapshot: { frequency: 2 },
        logger: quiet,
      }),
    );
    for (const n of [1, 2, 3, 4]) expectOk(await v1.execute("c", n));
    await until(async () => expectOk(await v1.aggregateStats("c")).snapshotSequence === 4);
    expect(expectOk(await v1.latestSnapshot("c"))).toMatchObject({
      sequence: 4,
      version: 1,
      state: { total: 10 },
    });
    expect(expectOk(await v1.aggregateStats("c")).snapshotVersion).toBe(1);
    await v1.stop();

    const v2 = systems.track(
      await start({
        store,
        handle,
        apply: applyV2,
        emptyState: { total: 0, count: 0 },
        snapshot: { frequency: 2, version: 2 },
        logger: quiet,
      }),
    );
    // Rebuilt by a full replay: a version-1 snapshot would have given a state without `count`.
    expect(expectOk(await v2.loadAggregate("c"))).toEqual({
      aggregateId: "c",
      sequence: 4,
      state: { total: 10, count: 4 },
    });
    // latestSnapshot shows what is stored, whatever its version.
    expect(expectOk(await v2.latestSnapshot("c"))).toMatchObject({ sequence: 4, version: 1 });
    expectOk(await v2.execute("c", 5));
    expectOk(await v2.execute("c", 6));
    await until(async () => expectOk(await v2.aggregateStats("c")).snapshotVersion === 2);
    expect(expectOk(await v2.latestSnapshot("c"))).toMatchObject({
      sequence: 6,
      version: 2,
      state: { total: 21, count: 6 },
    });
    expect(expectOk(await v2.aggregateStats("c"))).toMatchObject({ snapshotSequence: 6, snapshotVersion: 2 });
  });
});
