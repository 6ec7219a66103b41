import { describe, expect, it } from "vitest";
import type { AppendOutcome, AppendRequest, EventStore } from "../../src/core/event-store.js";
import { GroupCommitter } from "../../src/eventsourcing/group-commit.js";
import { memoryStore } from "../../src/stores/memory/index.js";

const request = (aggregateId: string, expectedSequence = 0): AppendRequest => ({
  aggregateType: "default",
  aggregateId,
  expectedSequence,
  events: [{ eventType: "E", payload: "{}", metadata: {} }],
});

/** A memory store that records each append call and how many were in flight at once. */
function recordingStore(appendConcurrency?: number) {
  const inner = memoryStore();
  const calls: string[][] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const gates: (() => void)[] = [];
  const store: EventStore = Object.assign(Object.create(null), {
    appendConcurrency,
    init: () => inner.init(),
    append: async (requests: readonly AppendRequest[]): Promise<readonly AppendOutcome[]> => {
      calls.push(requests.map((r) => r.aggregateId));
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await new Promise<void>((resolve) => gates.push(resolve));
      inFlight--;
      return inner.append(requests);
    },
  });
  /** Lets every call through, turn after turn, until calls stop coming. */
  const releaseAll = async () => {
    for (let idleTurns = 0; idleTurns < 3; ) {
      await new Promise((resolve) => setImmediate(resolve));
      if (gates.length === 0) idleTurns++;
      else idleTurns = 0;
      for (const open of gates.splice(0)) open();
    }
  };
  return { store, calls, releaseAll, mostInFlight: () => mostInFlight };
}

describe("GroupCommitter", () => {
  it("writes requests that arrive together in one call, and later ones in the next", async () => {
    const { store, calls, releaseAll } = recordingStore();
    const committer = new GroupCommitter(store);
    const first = ["a", "b", "c"].map((id) => committer.append(request(id)));
    await new Promise((resolve) => setImmediate(resolve));
    const second = ["d", "e"].map((id) => committer.append(request(id)));
    await releaseAll();
    const outcomes = await Promise.all([...first, ...second]);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(calls).toEqual([
      ["a", "b", "c"],
      ["d", "e"],
    ]);
  });

  it("never puts two requests for one aggregate in one call, and keeps their order", async () => {
    const { store, calls, releaseAll } = recordingStore();
    const committer = new GroupCommitter(store);
    const pending = [
      committer.append(request("a", 0)),
      committer.append(request("a", 1)),
      committer.append(request("b", 0)),
      committer.append(request("a", 2)),
    ];
    await releaseAll();
    const outcomes = await Promise.all(pending);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, true, true]);
    expect(calls).toEqual([["a", "b"], ["a"], ["a"]]);
  });

  it("shares waiting requests among up to appendConcurrency calls in flight", async () => {
    const { store, calls, releaseAll, mostInFlight } = recordingStore(3);
    const committer = new GroupCommitter(store);
    const pending = Array.from({ length: 9 }, (_, i) => committer.append(request(`id-${i}`)));
    await releaseAll();
    expect((await Promise.all(pending)).every((outcome) => outcome.ok)).toBe(true);
    expect(mostInFlight()).toBe(3);
    expect(calls.map((call) => call.length)).toEqual([3, 3, 3]);
  });

  it("lets the writers woken by one answer of a networked store share the next batch", async () => {
    const inner = memoryStore();
    const calls: number[] = [];
    // Answers on a macrotask, like a reply read from a socket; takes several calls at once.
    const store: EventStore = Object.assign(Object.create(null), {
      appendConcurrency: 4,
      append: async (requests: readonly AppendRequest[]) => {
        calls.push(requests.length);
        await new Promise((resolve) => setImmediate(resolve));
        return inner.append(requests);
      },
    });
    const committer = new GroupCommitter(store);
    // 100 writers, each appending three times in a row, with 0 to 9 promise hops between its appends
    // (as an actor's reply, its caller's next command and its handle take).
    const writer = async (n: number) => {
      for (let sequence = 0; sequence < 3; sequence++) {
        const outcome = await committer.append(request(`w-${n}`, sequence));
        expect(outcome.ok).toBe(true);
        for (let hop = 0; hop < n % 10; hop++) await Promise.resolve();
      }
    };
    await Promise.all(Array.from({ length: 100 }, (_, i) => writer(i)));
    // Each round's appends share the calls of that round (up to four at once): none goes nearly alone
    // ahead of the others, as the first writers woken would if the pump ran before the rest appended.
    expect(calls.reduce((sum, n) => sum + n, 0)).toBe(300);
    expect(Math.min(...calls)).toBeGreaterThanOrEqual(10);
  });

  it("rejects every request when the whole store fails, within a bounded number of calls, and goes on with the next", async () => {
    let failing = true;
    let calls = 0;
    const inner = memoryStore();
    const store = Object.assign(Object.create(null), {
      append: async (requests: readonly AppendRequest[]) => {
        calls++;
        if (failing) throw new Error("connection lost");
        return inner.append(requests);
      },
    }) as EventStore;
    const committer = new GroupCommitter(store);
    const failed = Array.from({ length: 500 }, (_, i) => committer.append(request(`a-${i}`)));
    for (const each of failed) await expect(each).rejects.toThrow("connection lost");
    expect(calls).toBeLessThanOrEqual(1 + 64);
    failing = false;
    expect((await committer.append(request("a-0"))).ok).toBe(true);
  });

  it("sends a failed batch again in halves, so that only the requests the store refuses fail", async () => {
    const inner = memoryStore();
    const calls: string[][] = [];
    const store = Object.assign(Object.create(null), {
      append: async (requests: readonly AppendRequest[]) => {
        calls.push(requests.map((r) => r.aggregateId));
        if (requests.some((r) => r.aggregateId === "bad-7" || r.aggregateId === "bad-30"))
          throw new Error("value too long for the index");
        return inner.append(requests);
      },
    }) as EventStore;
    const committer = new GroupCommitter(store);
    const ids = Array.from({ length: 40 }, (_, i) => (i === 7 || i === 30 ? `bad-${i}` : `ok-${i}`));
    const settled = await Promise.allSettled(ids.map((id) => committer.append(request(id))));
    for (const [i, each] of settled.entries()) {
      if (ids[i]?.startsWith("bad")) expect(each).toMatchObject({ status: "rejected" });
      else expect(each).toMatchObject({ status: "fulfilled", value: { ok: true } });
    }
    expect(calls[0]?.length).toBe(40);
    expect(calls.length).toBeLessThanOrEqual(1 + 4 * Math.ceil(Math.log2(40)));
  });

  it("fails, rather than reports a conflict for, a request sent again after a failure of unknown outcome", async () => {
    const inner = memoryStore();
    let first = true;
    const store = Object.assign(Object.create(null), {
      append: async (requests: readonly AppendRequest[]) => {
        const outcomes = await inner.append(requests);
        if (first) {
          first = false;
          throw new Error("connection lost after COMMIT");
        }
        return outcomes;
      },
    }) as EventStore;
    const committer = new GroupCommitter(store);
    const both = await Promise.allSettled([committer.append(request("a")), committer.append(request("b"))]);
    expect(both).toMatchObject([{ status: "rejected" }, { status: "rejected" }]);
    expect((await inner.readAggregate("default", "a", 0)).length).toBe(1);
  });

  it("fails a batch at once, without sending it again, when the store says the failure is its own as a whole", async () => {
    let calls = 0;
    const store = Object.assign(Object.create(null), {
      isRequestError: (error: unknown) => !(error instanceof Error && error.message === "connection lost"),
      append: async () => {
        calls++;
        throw new Error("connection lost");
      },
    }) as EventStore;
    const committer = new GroupCommitter(store);
    const settled = await Promise.allSettled(["a", "b", "c"].map((id) => committer.append(request(id))));
    expect(settled.map((each) => each.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(calls).toBe(1);
  });
});

describe("GroupCommitter under a burst", () => {
  it("hands over to the event loop between store calls when the store answers without I/O", async () => {
    const inner = memoryStore();
    let calls = 0;
    // Each call resolves in a microtask, as the memory store and better-sqlite3 do; the next one starts
    // only when the previous resolved, so the whole burst is one long chain of store calls.
    const store: EventStore = Object.assign(Object.create(null), {
      init: () => inner.init(),
      append: async (requests: readonly AppendRequest[]) => {
        calls++;
        const start = performance.now();
        while (performance.now() - start < 1); // a millisecond of synchronous work per call
        return inner.append(requests);
      },
    });
    const committer = new GroupCommitter(store);
    let callsAtFirstImmediate = -1;
    // One aggregate: each request waits for the previous one's batch, so every call carries one.
    const done: Promise<AppendOutcome>[] = [];
    for (let i = 0; i < 200; i++) done.push(committer.append(request("a", i)));
    // Queued after the committer's first pump (itself on a macrotask): it runs once the chain of calls
    // that pump starts has handed over to the event loop.
    setImmediate(() => {
      callsAtFirstImmediate = calls;
    });
    const outcomes = await Promise.all(done);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(calls).toBe(200);
    expect(callsAtFirstImmediate).toBeGreaterThanOrEqual(1);
    expect(callsAtFirstImmediate).toBeLessThan(200);
  });
});
