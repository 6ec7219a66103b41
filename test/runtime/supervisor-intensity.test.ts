import { afterEach, describe, expect, it, vi } from "vitest";
import { type ChildSpec, createSupervisor, manualClock } from "../../src/runtime/index.js";
import { RecordingChildren } from "./recording-children.js";

afterEach(() => {
  vi.restoreAllMocks();
});

async function escalating() {
  const clock = manualClock();
  const children = new RecordingChildren();
  const escalations: unknown[] = [];
  const supervisor = await createSupervisor({
    strategy: "one-for-one",
    clock,
    onEscalate: (reason) => escalations.push(reason),
  })
    .add(children.child("steady"))
    .add(children.child("crasher"))
    .start();
  children.clear();
  return { clock, children, escalations, supervisor };
}

describe("restart intensity (default 2 restarts in 5 s)", () => {
  it("allows two restarts within the period", async () => {
    const { clock, children, escalations, supervisor } = await escalating();
    children.exit("crasher", new Error("one"));
    await clock.advance(100);
    children.exit("crasher", new Error("two"));
    await clock.advance(100);
    expect(escalations).toEqual([]);
    expect(supervisor.status).toBe("running");
    expect(supervisor.children()[1]).toEqual({ id: "crasher", status: "running", restarts: 2 });
    await supervisor.stop();
  });

  it("escalates on a third restart within the period: children stopped, status failed, onEscalate called", async () => {
    const { clock, children, escalations, supervisor } = await escalating();
    for (const crash of ["one", "two"]) {
      children.exit("crasher", new Error(crash));
      await clock.advance(100);
    }
    children.clear();
    const lastCrash = new Error("three");
    children.exit("crasher", lastCrash);
    await clock.advance(100);
    expect(children.log).toEqual(["stop steady"]);
    expect(supervisor.status).toBe("failed");
    expect(supervisor.children()).toEqual([
      { id: "steady", status: "stopped", restarts: 0 },
      { id: "crasher", status: "failed", restarts: 2 },
    ]);
    expect(escalations).toHaveLength(1);
    const reason = escalations[0] as Error;
    expect(reason.message).toMatch(/child "crasher" exceeded the restart intensity/);
    expect(reason.cause).toBe(lastCrash);
    expect(clock.pendingTimers).toBe(0);
  });

  it("never escalates when the restarts are spread beyond the period", async () => {
    const { clock, children, escalations, supervisor } = await escalating();
    for (let crash = 0; crash < 10; crash++) {
      children.exit("crasher", new Error(`crash ${crash}`));
      await clock.advance(2_600);
    }
    expect(escalations).toEqual([]);
    expect(supervisor.status).toBe("running");
    expect(supervisor.children()[1]).toEqual({ id: "crasher", status: "running", restarts: 10 });
    await supervisor.stop();
  });

  it("counts the restarts of every child against one intensity", async () => {
    const { clock, children, escalations, supervisor } = await escalating();
    children.exit("steady", new Error("one"));
    await clock.advance(100);
    children.exit("crasher", new Error("two"));
    await clock.advance(100);
    children.exit("steady", new Error("three"));
    await clock.advance(100);
    expect(escalations).toHaveLength(1);
    expect((escalations[0] as Error).message).toMatch(/child "steady"/);
    expect(supervisor.status).toBe("failed");
  });

  it("with intensity 0, escalates on the first crash", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const escalations: unknown[] = [];
    const supervisor = await createSupervisor({
      strategy: "one-for-one",
      intensity: 0,
      clock,
      onEscalate: (reason) => escalations.push(reason),
    })
      .add(children.child("fragile"))
      .start();
    children.exit("fragile", new Error("boom"));
    await clock.advance(0);
    expect(escalations).toHaveLength(1);
    expect(supervisor.status).toBe("failed");
  });

  it("does not count ends that need no restart", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const escalations: unknown[] = [];
    const supervisor = await createSupervisor({
      strategy: "one-for-one",
      intensity: 0,
      clock,
      onEscalate: (reason) => escalations.push(reason),
    })
      .add(children.child("job", { restart: "temporary" }))
      .add(children.child("task", { restart: "transient" }))
      .start();
    children.exit("job", new Error("crashed, but temporary"));
    children.exit("task");
    await clock.advance(0);
    expect(escalations).toEqual([]);
    expect(supervisor.status).toBe("running");
    await supervisor.stop();
  });

  it("logs an escalation with console.error when no onEscalate is given, the error in the context", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const supervisor = await createSupervisor({ strategy: "one-for-one", intensity: 0, clock })
      .add(children.child("fragile"))
      .start();
    children.exit("fragile", new Error("boom"));
    await clock.advance(0);
    expect(supervisor.status).toBe("failed");
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]?.[0])).toMatch(/"fragile" exceeded the restart intensity/);
    expect(errors.mock.calls[0]?.[1]).toMatchObject({ supervisor: "supervisor", err: expect.any(Error) });
  });
});

describe("an onEscalate that throws", () => {
  it("is logged, and the supervisor is still failed with its children stopped", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const supervisor = await createSupervisor({
      strategy: "one-for-one",
      intensity: 0,
      clock,
      onEscalate: () => {
        throw new Error("no pager configured");
      },
    })
      .add(children.child("steady"))
      .add(children.child("fragile"))
      .start();
    children.exit("fragile", new Error("boom"));
    await clock.advance(0);
    expect(supervisor.status).toBe("failed");
    expect(children.log).toContain("stop steady");
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]?.[0])).toMatch(/reporting its escalation threw/);
  });
});

describe("a nested supervisor that exceeds its intensity", () => {
  it("escalates to its parent, which restarts it, and its children start again", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const escalations: unknown[] = [];
    const inner = createSupervisor({ strategy: "one-for-one", id: "inner", intensity: 1, clock })
      .add(children.child("x"))
      .add(children.child("y"));
    const outer = await createSupervisor({
      strategy: "one-for-one",
      id: "outer",
      clock,
      onEscalate: (reason) => escalations.push(reason),
    })
      .add(children.child("sibling"))
      .add(inner)
      .start();
    children.clear();
    children.exit("y", new Error("one"));
    await clock.advance(100);
    children.exit("y", new Error("two"));
    await clock.advance(100);
    expect(children.log).toEqual(["start y", "stop x", "start x", "start y"]);
    expect(outer.children()).toEqual([
      { id: "sibling", status: "running", restarts: 0 },
      { id: "inner", status: "running", restarts: 1 },
    ]);
    expect(escalations).toEqual([]);
    await outer.stop();
    expect(children.log.slice(-3)).toEqual(["stop y", "stop x", "stop sibling"]);
  });

  it("passes the parent an error naming the child that exceeded it, with the last crash as cause", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const reasons: unknown[] = [];
    const inner = createSupervisor({ strategy: "one-for-one", id: "inner", intensity: 0, clock }).add(
      children.child("x"),
    );
    const lastCrash = new Error("boom");
    await inner.start({ exit: (reason) => reasons.push(reason) });
    children.exit("x", lastCrash);
    await clock.advance(0);
    expect(reasons).toHaveLength(1);
    expect((reasons[0] as Error).message).toMatch(/supervisor "inner" gave up: child "x" exceeded/);
    expect((reasons[0] as Error).cause).toBe(lastCrash);
  });

  it("makes its parent escalate in turn when the parent's own intensity is exceeded", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const escalations: unknown[] = [];
    const inner = createSupervisor({ strategy: "one-for-one", id: "inner", intensity: 0, clock }).add(
      children.child("x"),
    );
    const outer = await createSupervisor({
      strategy: "one-for-one",
      id: "outer",
      intensity: 0,
      clock,
      onEscalate: (reason) => escalations.push(reason),
    })
      .add(inner)
      .start();
    children.exit("x", new Error("boom"));
    await clock.advance(0);
    expect(outer.status).toBe("failed");
    expect(escalations).toHaveLength(1);
    const reason = escalations[0] as Error;
    expect(reason.message).toMatch(/supervisor "outer" gave up: child "inner"/);
    expect((reason.cause as Error).message).toMatch(/supervisor "inner" gave up: child "x"/);
  });

  it("does not exit to its parent when the parent stops it while it is escalating", async () => {
    const clock = manualClock();
    const reasons: unknown[] = [];
    let release = () => {};
    const slowToStop: ChildSpec = {
      id: "slow",
      async start() {
        return { stop: () => new Promise<void>((resolve) => (release = resolve)) };
      },
    };
    const children = new RecordingChildren();
    const inner = await createSupervisor({ strategy: "one-for-one", id: "inner", intensity: 0, clock })
      .add(slowToStop)
      .add(children.child("x"))
      .start({ exit: (reason) => reasons.push(reason) });
    children.exit("x", new Error("boom"));
    await clock.advance(0);
    expect(inner.status).toBe("failed");
    const stopping = inner.stop();
    release();
    await stopping;
    expect(reasons).toEqual([]);
    expect(inner.status).toBe("failed");
  });
});
