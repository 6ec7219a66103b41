import { afterEach, describe, expect, it, vi } from "vitest";
import { type ChildSpec, createSupervisor, manualClock, type Strategy } from "../../src/runtime/index.js";
import { RecordingChildren } from "./recording-children.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("starting and stopping a supervisor", () => {
  it("starts children in the order added, each awaited before the next, and stops them in reverse", async () => {
    const log: string[] = [];
    const slow = (id: string): ChildSpec => ({
      id,
      async start() {
        log.push(`starting ${id}`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`started ${id}`);
        return {
          async stop() {
            await new Promise((resolve) => setImmediate(resolve));
            log.push(`stopped ${id}`);
          },
        };
      },
    });
    const supervisor = await createSupervisor({ strategy: "one-for-one", clock: manualClock() })
      .add(slow("a"))
      .add(slow("b"))
      .add(slow("c"))
      .start();
    expect(supervisor.status).toBe("running");
    expect(supervisor.children()).toEqual([
      { id: "a", status: "running", restarts: 0 },
      { id: "b", status: "running", restarts: 0 },
      { id: "c", status: "running", restarts: 0 },
    ]);
    await supervisor.stop();
    expect(log).toEqual([
      "starting a",
      "started a",
      "starting b",
      "started b",
      "starting c",
      "started c",
      "stopped c",
      "stopped b",
      "stopped a",
    ]);
    expect(supervisor.status).toBe("stopped");
    expect(supervisor.children().map((child) => child.status)).toEqual(["stopped", "stopped", "stopped"]);
  });

  it("stops what had started when a child fails to start, and rejects naming that child", async () => {
    const children = new RecordingChildren();
    const cause = new Error("port in use");
    const starting = createSupervisor({ strategy: "one-for-one", clock: manualClock() })
      .add(children.child("a"))
      .add(children.child("b"))
      .add(children.child("c", { failStart: () => cause }))
      .add(children.child("d"))
      .start();
    await expect(starting).rejects.toThrow('supervisor "supervisor" could not start child "c": port in use');
    await expect(starting).rejects.toMatchObject({ cause });
    expect(children.log).toEqual(["start a", "start b", "failed start c", "stop b", "stop a"]);
  });

  it("fails to start a child whose start() resolves to something without stop()", async () => {
    const starting = createSupervisor({ strategy: "one-for-one", clock: manualClock() })
      .add({ id: "odd", start: async () => ({}) as never })
      .start();
    await expect(starting).rejects.toThrow(/could not start child "odd"/);
  });

  it("keeps stopping the others when a child's stop rejects, and logs it", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({ strategy: "one-for-one", clock: manualClock() })
      .add(children.child("a"))
      .add(children.child("b", { failStop: new Error("stuck") }))
      .add(children.child("c"))
      .start();
    children.clear();
    await supervisor.stop();
    expect(children.log).toEqual(["stop c", "stop b", "stop a"]);
    expect(supervisor.status).toBe("stopped");
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]?.[0])).toMatch(/child "b" failed to stop/);
  });

  it("returns the same promise from a second stop() and stops each child once", async () => {
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({ strategy: "one-for-one", clock: manualClock() })
      .add(children.child("a"))
      .start();
    children.clear();
    const first = supervisor.stop();
    const second = supervisor.stop();
    expect(second).toBe(first);
    expect(supervisor.status).toBe("stopping");
    await second;
    expect(children.log).toEqual(["stop a"]);
  });

  it.each<Strategy>(["one-for-one", "one-for-all", "rest-for-one"])(
    "under %s, stop() cancels a pending restart: nothing starts after it",
    async (strategy) => {
      const clock = manualClock();
      const children = new RecordingChildren();
      const supervisor = await createSupervisor({ strategy, clock, backoff: { initialMs: 500 } })
        .add(children.child("a"))
        .add(children.child("b"))
        .start();
      children.exit("a", new Error("boom"));
      await clock.advance(100);
      await supervisor.stop();
      expect(clock.pendingTimers).toBe(0);
      children.clear();
      await clock.advance(10_000);
      expect(children.log).toEqual([]);
      expect(supervisor.children().map((child) => child.status)).toEqual(["stopped", "stopped"]);
    },
  );

  it("waits for a restart in progress before stopping, and starts no further child", async () => {
    const clock = manualClock();
    const log: string[] = [];
    let release = () => {};
    const gated: ChildSpec = {
      id: "gated",
      async start() {
        log.push("start gated");
        if (log.length > 1) await new Promise<void>((resolve) => (release = resolve));
        return { stop: async () => void log.push("stop gated") };
      },
    };
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({ strategy: "one-for-all", clock })
      .add(gated)
      .add(children.child("after"))
      .start();
    children.exit("after", new Error("boom"));
    await clock.advance(10);
    expect(log).toEqual(["start gated", "stop gated", "start gated"]);
    const stopping = supervisor.stop();
    release();
    await stopping;
    expect(log).toEqual(["start gated", "stop gated", "start gated", "stop gated"]);
    // "after" ended by itself, so it is neither stopped nor, the supervisor stopping, started again.
    expect(children.log).toEqual(["start after"]);
    expect(supervisor.children().map((child) => child.status)).toEqual(["stopped", "stopped"]);
  });

  it("stops a nested supervisor's children when the parent stops, deepest last-added first", async () => {
    const children = new RecordingChildren();
    const clock = manualClock();
    const inner = createSupervisor({ strategy: "one-for-one", id: "inner", clock })
      .add(children.child("x"))
      .add(children.child("y"));
    const outer = await createSupervisor({ strategy: "one-for-one", clock })
      .add(children.child("first"))
      .add(inner)
      .add(children.child("last"))
      .start();
    expect(children.log).toEqual(["start first", "start x", "start y", "start last"]);
    children.clear();
    await outer.stop();
    expect(children.log).toEqual(["stop last", "stop y", "stop x", "stop first"]);
  });

  it("can be started again from its builder once stopped, but not while running", async () => {
    const children = new RecordingChildren();
    const builder = createSupervisor({ strategy: "one-for-one", clock: manualClock() }).add(
      children.child("a"),
    );
    const first = await builder.start();
    await expect(builder.start()).rejects.toThrow(/already running: stop it before starting it again/);
    await first.stop();
    const second = await builder.start();
    expect(second.children()).toEqual([{ id: "a", status: "running", restarts: 0 }]);
    await second.stop();
    expect(children.log).toEqual(["start a", "stop a", "start a", "stop a"]);
  });
});

describe("building a supervisor", () => {
  it("throws on add() after start", async () => {
    const children = new RecordingChildren();
    const builder = createSupervisor({ strategy: "one-for-one" }).add(children.child("a"));
    const supervisor = await builder.start();
    expect(() => builder.add(children.child("b"))).toThrow(/add\(\) after start\(\)/);
    await supervisor.stop();
  });

  it("throws on a duplicate child id", () => {
    const children = new RecordingChildren();
    const builder = createSupervisor({ strategy: "one-for-one" }).add(children.child("a"));
    expect(() => builder.add(children.child("a"))).toThrow(/id "a" is already added/);
  });

  it("returns itself from add(), so that adds chain", () => {
    const builder = createSupervisor({ strategy: "one-for-one" });
    expect(builder.add(new RecordingChildren().child("a"))).toBe(builder);
  });

  it('takes its id from the options, "supervisor" by default', () => {
    expect(createSupervisor({ strategy: "one-for-one" }).id).toBe("supervisor");
    expect(createSupervisor({ strategy: "one-for-one", id: "queries" }).id).toBe("queries");
  });

  it.each([
    ["no id", { start: async () => ({ stop: async () => {} }) }, /non-empty string/],
    ["no start", { id: "x" }, /takes a child spec/],
    [
      "an unknown restart type",
      { id: "x", restart: "sometimes", start: async () => ({}) },
      /use "permanent"/,
    ],
  ])("throws a TypeError on a child spec with %s", (_, spec, message) => {
    const builder = createSupervisor({ strategy: "one-for-one" });
    expect(() => builder.add(spec as unknown as ChildSpec)).toThrow(TypeError);
    expect(() => builder.add(spec as unknown as ChildSpec)).toThrow(message);
  });
});

describe("supervisor options", () => {
  it.each([
    [
      "an unknown strategy",
      { strategy: "one-for-some" },
      /strategy must be "one-for-one", "one-for-all" or "rest-for-one"/,
    ],
    [
      "a negative intensity",
      { strategy: "one-for-one", intensity: -1 },
      /intensity must be an integer of 0 or more/,
    ],
    ["a fractional intensity", { strategy: "one-for-one", intensity: 1.5 }, /intensity must be an integer/],
    ["a zero period", { strategy: "one-for-one", periodMs: 0 }, /periodMs must be a positive number/],
    ["a negative period", { strategy: "one-for-one", periodMs: -5 }, /periodMs must be a positive number/],
    [
      "a negative initial backoff",
      { strategy: "one-for-one", backoff: { initialMs: -1 } },
      /backoff.initialMs/,
    ],
    [
      "an infinite maximum backoff",
      { strategy: "one-for-one", backoff: { maxMs: Infinity } },
      /backoff.maxMs/,
    ],
    ["an empty id", { strategy: "one-for-one", id: "" }, /id must be a non-empty string/],
    ["a clock that is not one", { strategy: "one-for-one", clock: {} }, /clock must be a Clock/],
    ["an onEscalate that is not a function", { strategy: "one-for-one", onEscalate: "log" }, /onEscalate/],
  ])("throw a TypeError at once on %s", (_, options, message) => {
    expect(() => createSupervisor(options as never)).toThrow(TypeError);
    expect(() => createSupervisor(options as never)).toThrow(message);
  });

  it("throw a TypeError when no options object is given", () => {
    expect(() => createSupervisor(undefined as never)).toThrow(/pass an options object/);
  });
});
