import { describe, expect, it } from "vitest";
import { createSupervisor, manualClock, type RestartType } from "../../src/runtime/index.js";
import { RecordingChildren } from "./recording-children.js";

async function oneChild(restart: RestartType) {
  const clock = manualClock();
  const children = new RecordingChildren();
  const supervisor = await createSupervisor({ strategy: "one-for-one", clock })
    .add(children.child("worker", { restart }))
    .start();
  children.clear();
  return { clock, children, supervisor };
}

describe.each([
  { restart: "permanent", afterNormalExit: true, afterCrash: true },
  { restart: "transient", afterNormalExit: false, afterCrash: true },
  { restart: "temporary", afterNormalExit: false, afterCrash: false },
] as const)("a $restart child", ({ restart, afterNormalExit, afterCrash }) => {
  it(`is ${afterNormalExit ? "" : "not "}restarted after a normal exit`, async () => {
    const { clock, children, supervisor } = await oneChild(restart);
    children.exit("worker");
    await clock.advance(1_000);
    expect(children.log).toEqual(afterNormalExit ? ["start worker"] : []);
    expect(supervisor.children()[0]?.status).toBe(afterNormalExit ? "running" : "stopped");
    await supervisor.stop();
  });

  it(`is ${afterCrash ? "" : "not "}restarted after a crash`, async () => {
    const { clock, children, supervisor } = await oneChild(restart);
    children.exit("worker", new Error("boom"));
    await clock.advance(1_000);
    expect(children.log).toEqual(afterCrash ? ["start worker"] : []);
    expect(supervisor.children()[0]).toEqual({
      id: "worker",
      status: afterCrash ? "running" : "stopped",
      restarts: afterCrash ? 1 : 0,
    });
    await supervisor.stop();
  });
});

describe("a child that ends", () => {
  it("is restarted by the default (permanent) restart type when the spec names none", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({ strategy: "one-for-one", clock })
      .add(children.child("plain"))
      .start();
    children.exit("plain");
    await clock.advance(10);
    expect(supervisor.children()[0]).toEqual({ id: "plain", status: "running", restarts: 1 });
    await supervisor.stop();
  });

  it("counts only its first exit: a second exit of the same incarnation is ignored", async () => {
    const { clock, children, supervisor } = await oneChild("permanent");
    const context = children.contextOf("worker");
    context.exit(new Error("first"));
    context.exit(new Error("second"));
    await clock.advance(1_000);
    expect(children.log).toEqual(["start worker"]);
    expect(supervisor.children()[0]?.restarts).toBe(1);
    await supervisor.stop();
  });

  it("is not restarted by an exit of an earlier incarnation", async () => {
    const { clock, children, supervisor } = await oneChild("permanent");
    const firstContext = children.contextOf("worker");
    firstContext.exit(new Error("boom"));
    await clock.advance(10);
    children.clear();
    firstContext.exit(new Error("late"));
    await clock.advance(1_000);
    expect(children.log).toEqual([]);
    expect(supervisor.children()[0]).toEqual({ id: "worker", status: "running", restarts: 1 });
    await supervisor.stop();
  });

  it("is ignored once the supervisor has stopped it", async () => {
    const { clock, children, supervisor } = await oneChild("permanent");
    await supervisor.stop();
    children.exit("worker", new Error("after stop"));
    await clock.advance(1_000);
    expect(children.log).toEqual(["stop worker"]);
    expect(supervisor.children()[0]?.status).toBe("stopped");
    expect(supervisor.status).toBe("stopped");
  });

  it("may report its exit while it is still starting, and is then restarted", async () => {
    const clock = manualClock();
    let starts = 0;
    const supervisor = await createSupervisor({ strategy: "one-for-one", clock })
      .add({
        id: "short-lived",
        async start(context) {
          starts++;
          if (starts === 1) context.exit(new Error("died at once"));
          return { async stop() {} };
        },
      })
      .start();
    await clock.advance(10);
    expect(starts).toBe(2);
    expect(supervisor.children()[0]).toEqual({ id: "short-lived", status: "running", restarts: 1 });
    await supervisor.stop();
  });

  it("counts an exit reported during start first, even if that start then rejects", async () => {
    const clock = manualClock();
    let starts = 0;
    const supervisor = await createSupervisor({ strategy: "one-for-one", clock })
      .add({
        id: "confused",
        async start(context) {
          starts++;
          if (starts > 1) return { async stop() {} };
          context.exit(new Error("crashed while starting"));
          throw new Error("and then failed to start");
        },
      })
      .start();
    await clock.advance(10);
    expect(starts).toBe(2);
    expect(supervisor.children()[0]).toEqual({ id: "confused", status: "running", restarts: 1 });
    await supervisor.stop();
  });

  it("is handled after its exit() call returns, never inside it", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({ strategy: "one-for-all", clock })
      .add(children.child("a"))
      .add(children.child("b"))
      .start();
    await clock.advance(0);
    children.clear();
    children.exit("b", new Error("boom"));
    expect(children.log).toEqual([]);
    await clock.advance(0);
    expect(children.log).toEqual(["stop a"]);
    await supervisor.stop();
  });
});
