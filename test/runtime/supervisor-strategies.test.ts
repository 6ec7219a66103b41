import { describe, expect, it } from "vitest";
import { createSupervisor, manualClock, type Strategy } from "../../src/runtime/index.js";
import { RecordingChildren } from "./recording-children.js";

async function threeChildren(strategy: Strategy) {
  const clock = manualClock();
  const children = new RecordingChildren();
  const supervisor = await createSupervisor({ strategy, clock })
    .add(children.child("a"))
    .add(children.child("b"))
    .add(children.child("c"))
    .start();
  children.clear();
  return { clock, children, supervisor };
}

describe("supervisor strategies, when the middle of three children crashes", () => {
  it("one-for-one restarts only the child that crashed", async () => {
    const { clock, children, supervisor } = await threeChildren("one-for-one");
    children.exit("b", new Error("boom"));
    await clock.advance(10);
    expect(children.log).toEqual(["start b"]);
    expect(supervisor.children()).toEqual([
      { id: "a", status: "running", restarts: 0 },
      { id: "b", status: "running", restarts: 1 },
      { id: "c", status: "running", restarts: 0 },
    ]);
    await supervisor.stop();
  });

  it("one-for-all stops the others in reverse order, then starts all three in order", async () => {
    const { clock, children, supervisor } = await threeChildren("one-for-all");
    children.exit("b", new Error("boom"));
    await clock.advance(10);
    expect(children.log).toEqual(["stop c", "stop a", "start a", "start b", "start c"]);
    expect(supervisor.children().map((child) => child.restarts)).toEqual([1, 1, 1]);
    await supervisor.stop();
  });

  it("rest-for-one stops the children added after it, then starts it and them in order", async () => {
    const { clock, children, supervisor } = await threeChildren("rest-for-one");
    children.exit("b", new Error("boom"));
    await clock.advance(10);
    expect(children.log).toEqual(["stop c", "start b", "start c"]);
    expect(supervisor.children().map((child) => child.status)).toEqual(["running", "running", "running"]);
    await supervisor.stop();
  });

  it("stops the siblings at once and marks the whole group restarting during the backoff", async () => {
    const { clock, children, supervisor } = await threeChildren("one-for-all");
    children.exit("b", new Error("boom"));
    await clock.advance(0);
    expect(children.log).toEqual(["stop c", "stop a"]);
    expect(supervisor.children().map((child) => child.status)).toEqual([
      "restarting",
      "restarting",
      "restarting",
    ]);
    await supervisor.stop();
  });
});

describe("the siblings of a group restart", () => {
  it("are restarted whatever their restart type, except temporary ones, which stay stopped", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({ strategy: "one-for-all", clock })
      .add(children.child("transient", { restart: "transient" }))
      .add(children.child("crasher"))
      .add(children.child("temporary", { restart: "temporary" }))
      .start();
    children.clear();
    children.exit("crasher", new Error("boom"));
    await clock.advance(10);
    expect(children.log).toEqual(["stop temporary", "stop transient", "start transient", "start crasher"]);
    expect(supervisor.children().map((child) => child.status)).toEqual(["running", "running", "stopped"]);
    await supervisor.stop();
  });

  it("include, as in OTP, a transient sibling that had exited normally", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({ strategy: "one-for-all", clock })
      .add(children.child("finished", { restart: "transient" }))
      .add(children.child("crasher"))
      .start();
    children.exit("finished");
    await clock.advance(0);
    expect(supervisor.children()[0]?.status).toBe("stopped");
    children.clear();
    children.exit("crasher", new Error("boom"));
    await clock.advance(10);
    expect(children.log).toEqual(["start finished", "start crasher"]);
    expect(supervisor.children()[0]).toEqual({ id: "finished", status: "running", restarts: 1 });
    await supervisor.stop();
  });

  it("leave alone the children added before the crashed one under rest-for-one", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({ strategy: "rest-for-one", clock })
      .add(children.child("a"))
      .add(children.child("b"))
      .add(children.child("c"))
      .start();
    children.clear();
    children.exit("c", new Error("boom"));
    await clock.advance(10);
    expect(children.log).toEqual(["start c"]);
    expect(supervisor.children().map((child) => child.restarts)).toEqual([0, 0, 1]);
    await supervisor.stop();
  });

  it("tell a stopped sibling that it is stopped for a restart, and a shutdown says shutdown", async () => {
    const clock = manualClock();
    const reasons: string[] = [];
    const sibling = {
      id: "sibling",
      async start() {
        return {
          async stop(reason?: string) {
            reasons.push(reason ?? "none");
          },
        };
      },
    };
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({ strategy: "one-for-all", clock })
      .add(sibling)
      .add(children.child("crasher"))
      .start();
    children.exit("crasher", new Error("boom"));
    await clock.advance(10);
    await supervisor.stop();
    expect(reasons).toEqual(["restart", "shutdown"]);
  });

  it("under rest-for-one, a crash of an earlier child takes over the pending restart of a later one", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({ strategy: "rest-for-one", clock, intensity: 5 })
      .add(children.child("a"))
      .add(children.child("b"))
      .add(children.child("c"))
      .start();
    children.clear();
    children.exit("c", new Error("first"));
    await clock.advance(0);
    children.exit("b", new Error("second"));
    await clock.advance(0);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(1_000);
    expect(children.log).toEqual(["start b", "start c"]);
    expect(supervisor.children().map((child) => child.status)).toEqual(["running", "running", "running"]);
    expect(clock.pendingTimers).toBe(0);
    await supervisor.stop();
  });
});
