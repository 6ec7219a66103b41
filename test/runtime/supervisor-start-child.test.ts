import { describe, expect, it } from "vitest";
import { type ChildSpec, createSupervisor, manualClock } from "../../src/runtime/index.js";
import { RecordingChildren } from "./recording-children.js";

async function running() {
  const clock = manualClock();
  const children = new RecordingChildren();
  const escalations: unknown[] = [];
  const supervisor = await createSupervisor({
    strategy: "rest-for-one",
    clock,
    onEscalate: (reason) => escalations.push(reason),
  })
    .add(children.child("a"))
    .add(children.child("b"))
    .start();
  children.clear();
  return { clock, children, escalations, supervisor };
}

describe("startChild on a running supervisor", () => {
  it("starts the child and lists it after the others", async () => {
    const { children, supervisor } = await running();
    await supervisor.startChild(children.child("late"));
    expect(children.log).toEqual(["start late"]);
    expect(supervisor.children().map((child) => child.id)).toEqual(["a", "b", "late"]);
    expect(supervisor.children()[2]).toEqual({ id: "late", status: "running", restarts: 0 });
    await supervisor.stop();
  });

  it("makes the child the first to stop", async () => {
    const { children, supervisor } = await running();
    await supervisor.startChild(children.child("late"));
    children.clear();
    await supervisor.stop();
    expect(children.log).toEqual(["stop late", "stop b", "stop a"]);
  });

  it("supervises the child like the others: it is restarted, and restarted with those before it", async () => {
    const { clock, children, supervisor } = await running();
    await supervisor.startChild(children.child("late"));
    children.clear();
    children.exit("late", new Error("boom"));
    await clock.advance(10);
    expect(children.log).toEqual(["start late"]);
    children.clear();
    children.exit("b", new Error("boom"));
    await clock.advance(1_000);
    expect(children.log).toEqual(["stop late", "start b", "start late"]);
    await supervisor.stop();
  });

  it("rejects naming the child when its start fails, keeps nothing, and counts no restart", async () => {
    const { children, escalations, supervisor } = await running();
    const cause = new Error("refused");
    const starting = supervisor.startChild(children.child("broken", { failStart: () => cause }));
    await expect(starting).rejects.toThrow(/could not start child "broken"/);
    await expect(starting).rejects.toMatchObject({ cause });
    expect(supervisor.children().map((child) => child.id)).toEqual(["a", "b"]);
    expect(escalations).toEqual([]);
    await supervisor.startChild(children.child("broken-2", { failStart: () => cause })).catch(() => {});
    await supervisor.startChild(children.child("broken-3", { failStart: () => cause })).catch(() => {});
    expect(supervisor.status).toBe("running");
    await supervisor.stop();
  });

  it("rejects a child whose id is already supervised", async () => {
    const { children, supervisor } = await running();
    await expect(supervisor.startChild(children.child("a"))).rejects.toThrow(/id "a" is already supervised/);
    expect(children.log).toEqual([]);
    await supervisor.stop();
  });

  it("rejects a value that is not a child spec with a TypeError", async () => {
    const { supervisor } = await running();
    await expect(supervisor.startChild({ id: "" } as unknown as ChildSpec)).rejects.toThrow(TypeError);
    await supervisor.stop();
  });

  it("rejects once the supervisor is stopping or stopped, starting nothing", async () => {
    const { children, supervisor } = await running();
    const stopping = supervisor.stop();
    await expect(supervisor.startChild(children.child("too-late"))).rejects.toThrow(
      /the supervisor is stopping/,
    );
    await stopping;
    await expect(supervisor.startChild(children.child("later"))).rejects.toThrow(/the supervisor is stopped/);
    expect(children.log).toEqual(["stop b", "stop a"]);
  });
});
