/** One bad request fails only itself: the other requests of its group-commit batch still commit. */
import { expect, it } from "vitest";
import { type Codec, jsonCodec } from "../../src/core/codec.js";
import type { EventStore } from "../../src/core/event-store.js";
import { ok, start } from "../../src/index.js";
import { faultyStore } from "../support/faulty-store.js";
import { forEachStore } from "../support/stores.js";
import { expectOk, quiet, useSystems } from "../support/system.js";

type Note = { type: "Noted"; poison: boolean };

/** 50 commands sent in one tick, so that they share batches; the 25th is the poisoned one. */
async function burst(
  store: EventStore,
  systems: ReturnType<typeof useSystems>,
  codec?: Codec,
  poisonedId = "note-24",
) {
  const notes = systems.track(
    await start<number, boolean, Note, never>({
      store,
      emptyState: 0,
      handle: (_count, poison) => ok([{ type: "Noted", poison }]),
      apply: (count) => count + 1,
      logger: quiet,
      ...(codec ? { codec } : {}),
    }),
  );
  const ids = Array.from({ length: 50 }, (_, i) => (i === 24 ? poisonedId : `note-${i}`));
  const results = await Promise.all(ids.map((id, i) => notes.execute(id, i === 24)));
  return { notes, ids, results };
}

forEachStore("a request the store refuses", (kind) => {
  const systems = useSystems(kind);

  it("fails only its own command; the other 49 of its batch commit", async () => {
    const { store } = await systems.store();
    const faulty = faultyStore(store);
    faulty.refuse("note-24");
    const { notes, ids, results } = await burst(faulty, systems);
    for (const [i, result] of results.entries()) {
      if (i === 24) expect(result).toMatchObject({ ok: false, error: { type: "EventStoreError" } });
      else expect(expectOk(result).aggregate.sequence).toBe(1);
    }
    for (const id of ids) {
      const events = expectOk(await notes.loadEvents(id));
      expect(events.length).toBe(id === "note-24" ? 0 : 1);
    }
  });

  if (kind.name === "postgres")
    it("fails only its own command when the database refuses its payload", async () => {
      const { store } = await systems.store();
      const notJson: Codec = {
        ...jsonCodec,
        encodeEvent: (event) =>
          (event as Note).poison ? { eventType: "Noted", payload: "not json" } : jsonCodec.encodeEvent(event),
        decodeEvent: (eventType, payload) =>
          payload === "not json"
            ? { type: eventType, poison: true }
            : jsonCodec.decodeEvent(eventType, payload),
      };
      const { ids, results } = await burst(store, systems, notJson);
      expect(results[24]).toMatchObject({ ok: false, error: { type: "EventStoreError" } });
      const committed = results.filter((result) => result.ok).length;
      expect(committed).toBe(ids.length - 1);
    });

  if (kind.name === "postgres")
    it("fails only its own command when its id is too large for the database's index", async () => {
      const { store } = await systems.store();
      // Valid (1,024 characters), but 3,072 bytes of UTF-8 that do not compress: over the btree limit.
      const huge = Array.from({ length: 1_024 }, (_, i) =>
        String.fromCharCode(0x4e00 + ((i * 7_919) % 20_000)),
      ).join("");
      const { ids, results } = await burst(store, systems, undefined, huge);
      // EventStoreError from the database today; a rule refusing such ids up front would do as well.
      expect(results[24]?.ok).toBe(false);
      expect(results.filter((result) => result.ok).length).toBe(ids.length - 1);
    });
});
