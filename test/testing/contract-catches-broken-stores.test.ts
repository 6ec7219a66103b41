import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EventStore, StoredEvent, StoredSnapshot } from "../../src/core/event-store.js";
import { err } from "../../src/core/result.js";
import { type MemoryEventStore, memoryStore } from "../../src/stores/memory/index.js";
import { ContractContext, type ContractTools } from "../../src/testing/contract-context.js";
import { describeContractTopics } from "../../src/testing/event-store-contract.js";

class Skipped extends Error {}

interface CollectedTest {
  readonly name: string;
  readonly run: (context: { skip(note?: string): never }) => unknown;
}

/** Runs every contract test on stores from `create`, in this test, and names the ones that fail. */
async function contractFailures(create: () => EventStore): Promise<{ ran: number; failed: string[] }> {
  const tests: CollectedTest[] = [];
  const path: string[] = [];
  const tools = {
    describe: (name: string, body: () => void) => {
      path.push(name);
      body();
      path.pop();
    },
    it: (name: string, run: CollectedTest["run"]) => tests.push({ name: [...path, name].join(" > "), run }),
    expect,
    afterEach: () => undefined,
    fc,
  } as unknown as ContractTools;
  const context = new ContractContext({ create: async () => create() }, tools, 10);
  describeContractTopics(context);

  const failed: string[] = [];
  let ran = 0;
  for (const test of tests) {
    try {
      await test.run({
        skip: () => {
          throw new Skipped();
        },
      });
      ran++;
    } catch (error) {
      if (!(error instanceof Skipped)) failed.push(test.name);
    } finally {
      await context.dispose();
    }
  }
  return { ran, failed };
}

/** A memory store with some of its methods replaced by broken ones. */
function broken(breakIt: (store: MemoryEventStore) => Partial<MemoryEventStore>): () => EventStore {
  return () => {
    const store = memoryStore();
    const methods: MemoryEventStore = {
      init: () => store.init(),
      append: (requests) => store.append(requests),
      readAggregate: (type, id, after) => store.readAggregate(type, id, after),
      currentSequence: (type, id) => store.currentSequence(type, id),
      readAll: (after, limit, options) => store.readAll(after, limit, options),
      loadSnapshot: (type, id) => store.loadSnapshot(type, id),
      saveSnapshot: (snapshot) => store.saveSnapshot(snapshot),
      loadCheckpoint: (name) => store.loadCheckpoint(name),
      saveCheckpoint: (name, position) => store.saveCheckpoint(name, position),
      close: () => store.close(),
      lockQuery: (name) => store.lockQuery(name),
      onAppend: (listener) => store.onAppend(listener),
      readCommand: (type, id, commandId) => store.readCommand(type, id, commandId),
      loadQueryCheckpoint: (name) => store.loadQueryCheckpoint(name),
      requestQueryReset: (name) => store.requestQueryReset(name),
      skipQueryEvent: (name, position) => store.skipQueryEvent(name, position),
      headPosition: () => store.headPosition(),
    };
    return { ...methods, ...breakIt(store) };
  };
}

const mapEvents = (events: readonly StoredEvent[], change: (event: StoredEvent) => Partial<StoredEvent>) =>
  events.map((event) => ({ ...event, ...change(event) }));

/** A broken store, and (part of) the name of a contract test that must catch it. */
const brokenStores: [string, string, () => EventStore][] = [
  [
    "ignores the expected sequence",
    "refuses a stale expected sequence",
    broken((store) => ({
      append: async (requests) =>
        store.append(
          await Promise.all(
            requests.map(async (r) => ({
              ...r,
              expectedSequence: await store.currentSequence("default", r.aggregateId),
            })),
          ),
        ),
    })),
  ],
  [
    "reports the expected sequence as the actual one",
    "refuses an expected sequence ahead of the stream",
    broken((store) => ({
      append: async (requests) =>
        (await store.append(requests)).map((o) =>
          o.ok ? o : err({ ...o.error, actualSequence: o.error.expectedSequence }),
        ),
    })),
  ],
  [
    "writes nothing of a call when one of its requests conflicts",
    "writes the other requests of a multi-aggregate append",
    broken((store) => ({
      append: async (requests) => {
        const actual = await Promise.all(
          requests.map((r) => store.currentSequence("default", r.aggregateId)),
        );
        if (requests.every((r, i) => r.expectedSequence === actual[i])) return store.append(requests);
        return requests.map((r, i) =>
          err({
            aggregateType: "default",
            aggregateId: r.aggregateId,
            expectedSequence: r.expectedSequence,
            actualSequence: actual[i] ?? 0,
          }),
        );
      },
    })),
  ],
  [
    "forgets command ids",
    "stores a request's command id with every event of its commit",
    broken((store) => ({
      append: (requests) => store.append(requests.map(({ commandId: _dropped, ...r }) => r)),
    })),
  ],
  [
    "finds a command id on any stream of the same id",
    "finds a commit by its command id on its own stream only",
    broken((store) => ({
      readCommand: async (_type, id, commandId) => [
        ...(await store.readCommand("cart", id, commandId)),
        ...(await store.readCommand("order", id, commandId)),
      ],
    })),
  ],
  [
    "drops the first event of every readAll page",
    "pages through the global log",
    broken((store) => ({ readAll: async (after, limit) => (await store.readAll(after, limit)).slice(1) })),
  ],
  [
    "ignores the readAll limit",
    "reads the global log after a position, at most limit events",
    broken((store) => ({ readAll: (after) => store.readAll(after, 1_000_000) })),
  ],
  [
    "returns the event at afterPosition again",
    "gives a reader following positions every event exactly once",
    broken((store) => ({ readAll: (after, limit) => store.readAll(after > 0n ? after - 1n : 0n, limit) })),
  ],
  [
    "marks every event as the start of its commit",
    "marks each event of a later commit",
    broken((store) => ({
      readAll: async (after, limit) =>
        mapEvents(await store.readAll(after, limit), (event) => ({ commitStart: event.sequence })),
    })),
  ],
  [
    "loses metadata",
    "keeps metadata with several keys",
    broken((store) => ({
      append: (requests) =>
        store.append(requests.map((r) => ({ ...r, events: r.events.map((e) => ({ ...e, metadata: {} })) }))),
    })),
  ],
  [
    "truncates payloads to 64 KB",
    "a payload of 100 KB",
    broken((store) => ({
      append: (requests) =>
        store.append(
          requests.map((r) => ({
            ...r,
            events: r.events.map((e) => ({ ...e, payload: e.payload.slice(0, 65_536) })),
          })),
        ),
    })),
  ],
  [
    "folds aggregate ids to lower case",
    "keeps aggregate ids with quotes",
    broken((store) => ({
      append: (requests) =>
        store.append(requests.map((r) => ({ ...r, aggregateId: r.aggregateId.toLowerCase() }))),
      readAggregate: (type, id, after) => store.readAggregate(type, id.toLowerCase(), after),
      currentSequence: (type, id) => store.currentSequence(type, id.toLowerCase()),
    })),
  ],
  [
    "ignores the aggregate type, keying streams by id alone",
    "keeps two aggregate types with the same id as independent streams",
    broken((store) => ({
      append: (requests) => store.append(requests.map((r) => ({ ...r, aggregateType: "default" }))),
      readAggregate: (_type, id, after) => store.readAggregate("default", id, after),
      currentSequence: (_type, id) => store.currentSequence("default", id),
    })),
  ],
  [
    "ignores readAll's aggregate types",
    "reads the global log of some aggregate types only",
    broken((store) => ({ readAll: (after, limit) => store.readAll(after, limit) })),
  ],
  [
    "gives every event of a commit the same id",
    "gives every event a distinct UUID",
    broken((store) => ({
      append: async (requests) =>
        (await store.append(requests)).map((outcome) =>
          outcome.ok
            ? {
                ok: true,
                value: outcome.value.map((e) => ({ ...e, eventId: outcome.value[0]?.eventId ?? "" })),
              }
            : outcome,
        ),
    })),
  ],
  [
    "lets an older snapshot replace a newer one",
    "ignores an older one",
    broken(() => {
      const snapshots = new Map<string, StoredSnapshot>();
      return {
        saveSnapshot: async (snapshot) => void snapshots.set(snapshot.aggregateId, snapshot),
        loadSnapshot: async (id) => snapshots.get(id) ?? null,
      };
    }),
  ],
  [
    "rounds checkpoints through a number",
    "above 2^53",
    broken((store) => ({
      saveCheckpoint: (name, position) => store.saveCheckpoint(name, BigInt(Number(position))),
    })),
  ],
  [
    "hands out one query lock twice",
    "grants a query lock to one holder at a time",
    broken(() => ({
      lockQuery: async () => ({
        held: true,
        saveCheckpoint: async () => true,
        release: async () => undefined,
      }),
    })),
  ],
  [
    "lets a released query lock still move the checkpoint",
    "refuses it once the lock is released",
    broken((store) => ({
      lockQuery: async (name) => {
        const lock = await store.lockQuery(name);
        if (!lock) return null;
        return {
          get held() {
            return lock.held;
          },
          saveCheckpoint: async (position: bigint) => {
            await store.saveCheckpoint(name, position);
            return true;
          },
          release: () => lock.release(),
        };
      },
    })),
  ],
  [
    "lets a lock of an older generation overwrite a recorded reset",
    "refuses a lock's save of an older generation",
    broken((store) => ({
      lockQuery: async (name) => {
        const lock = await store.lockQuery(name);
        if (!lock) return null;
        return {
          get held() {
            return lock.held;
          },
          saveCheckpoint: (position) => lock.saveCheckpoint(position),
          release: () => lock.release(),
        };
      },
    })),
  ],
  [
    "forgets the skipped positions it was told",
    "records skipped positions once each",
    broken(() => ({
      skipQueryEvent: async () => undefined,
    })),
  ],
  [
    "keeps calling a listener after it unsubscribed",
    "until they unsubscribe",
    broken((store) => ({
      onAppend: (listener) => {
        store.onAppend(listener);
        return () => undefined;
      },
    })),
  ],
];

describe("the contract suite", () => {
  it("passes the memory store, running every test", async () => {
    const { ran, failed } = await contractFailures(() => memoryStore());
    expect(failed).toEqual([]);
    expect(ran).toBeGreaterThanOrEqual(25);
  });

  it.each(brokenStores)(
    'fails a store that %s, caught by the test named "...%s..."',
    async (_, catcher, create) => {
      const { failed } = await contractFailures(create);
      expect(failed.filter((name) => name.includes(catcher))).toHaveLength(1);
    },
  );
});
