/**
 * Live state equals replay with snapshots: a state the snapshot codec cannot round-trip is not
 * snapshotted (counted, logged once); a codec that round-trips it has its snapshots used.
 */
import { expect, it } from "vitest";
import { frequency, ok, type StateCodec, start } from "../../src/index.js";
import { forEachStore } from "../support/stores.js";
import { expectOk, until, useSystems } from "../support/system.js";

class Tally {
  constructor(readonly count: number) {}
}

interface Seen {
  readonly seen: Map<string, number>;
  readonly tags: Set<string>;
  readonly last: Date | null;
  readonly ratio: number;
  readonly tally: Tally;
}

type Saw = { type: "Saw"; key: string; at: number; ratio: string };

const emptyState: Seen = { seen: new Map(), tags: new Set(), last: null, ratio: 0, tally: new Tally(0) };

const applySaw = (state: Seen, event: Saw): Seen => ({
  seen: new Map(state.seen).set(event.key, (state.seen.get(event.key) ?? 0) + 1),
  tags: new Set(state.tags).add(event.key.slice(0, 1)),
  last: new Date(event.at),
  ratio: Number(event.ratio),
  tally: new Tally(state.tally.count + 1),
});

const handleSaw = (_state: Seen, command: Saw) => ok([command]);

/** Tags what JSON cannot hold, and revives it. */
const taggedCodec: StateCodec<Seen> = {
  encode: (state) =>
    JSON.stringify({
      seen: [...state.seen],
      tags: [...state.tags],
      last: state.last?.getTime() ?? null,
      ratio: Object.is(state.ratio, -0) ? "-0" : String(state.ratio),
      tally: state.tally.count,
    }),
  decode: (text) => {
    const plain = JSON.parse(text) as {
      seen: [string, number][];
      tags: string[];
      last: number | null;
      ratio: string;
      tally: number;
    };
    return {
      seen: new Map(plain.seen),
      tags: new Set(plain.tags),
      last: plain.last === null ? null : new Date(plain.last),
      ratio: Number(plain.ratio),
      tally: new Tally(plain.tally),
    };
  },
};

const commands: Saw[] = [
  { type: "Saw", key: "apple", at: 1_000, ratio: "NaN" },
  { type: "Saw", key: "banana", at: 2_000, ratio: "Infinity" },
  { type: "Saw", key: "apple", at: 3_000, ratio: "-Infinity" },
  { type: "Saw", key: "cherry", at: 4_000, ratio: "-0" },
  { type: "Saw", key: "apple", at: 5_000, ratio: "0.5" },
];

forEachStore("snapshots of state JSON cannot hold", (kind) => {
  const systems = useSystems(kind);

  const run = async (codec: StateCodec<Seen> | undefined) => {
    const { store } = await systems.store();
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message), error() {} };
    const config = {
      store,
      emptyState,
      handle: handleSaw,
      apply: applySaw,
      logger,
      snapshot: { frequency: expectOk(frequency(2)), ...(codec ? { codec } : {}) },
    };
    const writer = systems.track(await start(config));
    for (const [i, command] of commands.entries()) {
      const live = expectOk(await writer.execute(`s-${i % 2}`, command)).aggregate.state;
      expect(live.tally).toBeInstanceOf(Tally);
    }
    const live = [expectOk(await writer.loadAggregate("s-0")), expectOk(await writer.loadAggregate("s-1"))];
    const stats = await writer.systemStats();
    // A fresh system rebuilds from the store: snapshot (if any) plus tail.
    const reader = systems.track(await start({ ...config, id: "reader" }));
    const rebuilt = [
      expectOk(await reader.loadAggregate("s-0")),
      expectOk(await reader.loadAggregate("s-1")),
    ];
    // And a full replay, without snapshots.
    const replayer = systems.track(await start({ ...config, id: "replayer", snapshot: undefined }));
    const replayed = [
      expectOk(await replayer.loadAggregate("s-0")),
      expectOk(await replayer.loadAggregate("s-1")),
    ];
    expect(rebuilt).toEqual(live);
    expect(replayed).toEqual(live);
    expect(rebuilt[0]?.state.seen).toBeInstanceOf(Map);
    expect(rebuilt[0]?.state.tally).toBeInstanceOf(Tally);
    expect(rebuilt[0]?.state.last).toEqual(new Date(5_000));
    expect(rebuilt[0]?.state.ratio).toBe(0.5);
    expect(Object.is(rebuilt[1]?.state.ratio, -0)).toBe(true);
    return { writer, stats, warnings };
  };

  it("are skipped with the default codec, counted and logged once, and the state is replayed", async () => {
    const { writer, stats, warnings } = await run(undefined);
    expect(stats.snapshotsTaken).toBe(0);
    expect(stats.snapshotsSkipped).toBe(2);
    expect(warnings.filter((w) => w.includes("snapshot")).length).toBe(1);
    expect(expectOk(await writer.latestSnapshot("s-0"))).toBeNull();
  });

  it("are saved and used with a state codec that round-trips them", async () => {
    const { writer, warnings } = await run(taggedCodec);
    await until(async () => (await writer.systemStats()).snapshotsTaken === 2);
    expect((await writer.systemStats()).snapshotsSkipped).toBe(0);
    expect(warnings).toEqual([]);
    const snapshot = expectOk(await writer.latestSnapshot("s-0"));
    expect(snapshot?.sequence).toBe(2);
    expect(snapshot?.state.seen).toEqual(new Map([["apple", 2]]));
    expect(snapshot?.state.tally).toBeInstanceOf(Tally);
  });
});

type SetText = { type: "Set"; text: string; code?: number };

forEachStore("snapshot text every store can hold", (kind) => {
  const systems = useSystems(kind);

  /** A state of text kept as it is, so that the codec decides the snapshot's text alone. */
  const textSystem = async (codec: StateCodec<string>) => {
    const { store } = await systems.store();
    return systems.track(
      await start({
        store,
        emptyState: "",
        handle: (_state: string, command: SetText) => ok([command]),
        // The code unit is added by apply: events never hold text a store cannot keep, but a state may.
        apply: (_state: string, event: SetText) =>
          event.text + (event.code === undefined ? "" : String.fromCharCode(event.code)),
        logger: { warn() {}, error() {} },
        snapshot: { frequency: 1, codec },
      }),
    );
  };

  it("is skipped, not stored altered, when the state codec's text is not well-formed or not JSON", async () => {
    const cases: [StateCodec<string>, SetText, string][] = [
      // Identity: a lone surrogate would come back as U+FFFD from SQLite, and PostgreSQL refuses it.
      [
        { encode: (state) => state, decode: (text) => text },
        { type: "Set", text: "x", code: 0xd800 },
        "x\ud800",
      ],
      // Not JSON: PostgreSQL keeps snapshots as JSON, so no store takes it.
      [
        { encode: (state) => `k=${state}`, decode: (text) => text.slice(2) },
        { type: "Set", text: "plain" },
        "plain",
      ],
    ];
    for (const [codec, command, state] of cases) {
      const system = await textSystem(codec);
      expect(expectOk(await system.execute("a", command)).aggregate.state).toBe(state);
      await until(async () => (await system.systemStats()).snapshotsSkipped === 1);
      const stats = await system.systemStats();
      expect([stats.snapshotsTaken, stats.snapshotFailures]).toEqual([0, 0]);
      expect(expectOk(await system.latestSnapshot("a"))).toBeNull();
    }
  });

  it("is saved when the state codec gives JSON text", async () => {
    const system = await textSystem({
      encode: (state) => JSON.stringify({ t: state }),
      decode: (text) => JSON.parse(text).t,
    });
    expectOk(await system.execute("a", { type: "Set", text: "x\ud83d\ude00" }));
    await until(async () => (await system.systemStats()).snapshotsTaken === 1);
    expect(expectOk(await system.latestSnapshot("a"))?.state).toBe("x\ud83d\ude00");
  });
});
