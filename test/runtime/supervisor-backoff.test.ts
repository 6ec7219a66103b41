import { describe, expect, it } from "vitest";
import { createSupervisor, manualClock } from "../../src/runtime/index.js";
import { RecordingChildren } from "./recording-children.js";

describe("restart backoff", () => {
  it("waits initialMs before the first restart: nothing restarts before, it does after", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({ strategy: "one-for-one", clock, backoff: { initialMs: 100 } })
      .add(children.child("worker"))
      .start();
    children.clear();
    children.exit("worker", new Error("boom"));
    await clock.advance(99);
    expect(children.log).toEqual([]);
    expect(supervisor.children()[0]?.status).toBe("restarting");
    await clock.advance(1);
    expect(children.log).toEqual(["start worker"]);
    expect(supervisor.children()[0]?.status).toBe("running");
    await supervisor.stop();
  });

  it("doubles the wait for each further restart within the period, up to maxMs", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({
      strategy: "one-for-one",
      clock,
      intensity: 10,
      periodMs: 60_000,
      backoff: { initialMs: 100, maxMs: 300 },
    })
      .add(children.child("worker"))
      .start();
    const waits: number[] = [];
    for (let restart = 0; restart < 4; restart++) {
      children.clear();
      children.exit("worker", new Error(`crash ${restart}`));
      let waited = 0;
      while (children.log.length === 0) {
        await clock.advance(10);
        waited += 10;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([100, 200, 300, 300]);
    await supervisor.stop();
  });

  it("starts again from initialMs once earlier restarts have left the period", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({
      strategy: "one-for-one",
      clock,
      periodMs: 1_000,
      backoff: { initialMs: 100 },
    })
      .add(children.child("worker"))
      .start();
    children.exit("worker", new Error("one"));
    await clock.advance(5_000);
    children.clear();
    children.exit("worker", new Error("two"));
    await clock.advance(100);
    expect(children.log).toEqual(["start worker"]);
    await supervisor.stop();
  });

  it("retries a restart whose start fails, counting it as another crash", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const escalations: unknown[] = [];
    const supervisor = await createSupervisor({
      strategy: "one-for-one",
      clock,
      onEscalate: (reason) => escalations.push(reason),
    })
      .add(children.child("flaky", { failStart: (attempt) => (attempt === 2 ? new Error("no") : undefined) }))
      .start();
    children.clear();
    children.exit("flaky", new Error("boom"));
    await clock.advance(10);
    expect(children.log).toEqual(["failed start flaky"]);
    expect(supervisor.children()[0]?.status).toBe("restarting");
    await clock.advance(19);
    expect(children.log).toEqual(["failed start flaky"]);
    await clock.advance(1);
    expect(children.log).toEqual(["failed start flaky", "start flaky"]);
    expect(supervisor.children()[0]).toEqual({ id: "flaky", status: "running", restarts: 2 });
    expect(escalations).toEqual([]);
    await supervisor.stop();
  });

  it("escalates when failing restarts exceed the intensity, with the start failure as cause", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const escalations: unknown[] = [];
    const refusal = new Error("refused");
    const supervisor = await createSupervisor({
      strategy: "one-for-one",
      clock,
      onEscalate: (reason) => escalations.push(reason),
    })
      .add(children.child("broken", { failStart: (attempt) => (attempt > 1 ? refusal : undefined) }))
      .start();
    children.exit("broken", new Error("boom"));
    await clock.advance(1_000);
    expect(supervisor.status).toBe("failed");
    expect(escalations).toHaveLength(1);
    expect((escalations[0] as Error).cause).toBe(refusal);
  });

  it("under one-for-all, a failing restart stops the children it had started again and retries them all", async () => {
    const clock = manualClock();
    const children = new RecordingChildren();
    const supervisor = await createSupervisor({ strategy: "one-for-all", clock })
      .add(children.child("a"))
      .add(children.child("b", { failStart: (attempt) => (attempt === 2 ? new Error("no") : undefined) }))
      .add(children.child("c"))
      .start();
    children.clear();
    children.exit("c", new Error("boom"));
    await clock.advance(10);
    expect(children.log).toEqual(["stop b", "stop a", "start a", "failed start b", "stop a"]);
    await clock.advance(20);
    expect(children.log.slice(5)).toEqual(["start a", "start b", "start c"]);
    expect(supervisor.children().map((child) => child.status)).toEqual(["running", "running", "running"]);
    await supervisor.stop();
  });
});
