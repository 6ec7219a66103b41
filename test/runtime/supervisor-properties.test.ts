import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ChildContext,
  type ChildSpec,
  createSupervisor,
  manualClock,
  type RestartType,
  type Strategy,
} from "../../src/runtime/index.js";

const periodMs = 1_000;

const scenario = fc.record({
  strategy: fc.constantFrom<Strategy>("one-for-one", "one-for-all", "rest-for-one"),
  intensity: fc.nat(3),
  restarts: fc.array(fc.constantFrom<RestartType>("permanent", "transient", "temporary"), {
    minLength: 1,
    maxLength: 4,
  }),
  steps: fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant("exit" as const), child: fc.nat(3), crash: fc.boolean() }),
      fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 400 }) }),
    ),
    { maxLength: 30 },
  ),
});

describe("a supervisor under any sequence of exits and waits", () => {
  it("never runs two incarnations of a child, escalates exactly when the intensity is exceeded, and stops clean", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ strategy, intensity, restarts, steps }) => {
        const clock = manualClock();
        const running = restarts.map(() => 0);
        const contexts: (ChildContext | undefined)[] = restarts.map(() => undefined);
        const violations: string[] = [];
        let escalated = false;
        const specs: ChildSpec[] = restarts.map((restart, index) => ({
          id: `child-${index}`,
          restart,
          async start(context) {
            if (running[index] !== 0) violations.push(`child-${index} started while running`);
            running[index] = 1;
            contexts[index] = context;
            return {
              async stop() {
                if (running[index] !== 1) violations.push(`child-${index} stopped while not running`);
                running[index] = 0;
              },
            };
          },
        }));
        const builder = createSupervisor({
          strategy,
          intensity,
          periodMs,
          clock,
          backoff: { initialMs: 10, maxMs: 100 },
          onEscalate: () => {
            escalated = true;
          },
        });
        for (const spec of specs) builder.add(spec);
        const supervisor = await builder.start();

        // The model: the times of the exits that call for a restart while the supervisor runs.
        const restartTimes: number[] = [];
        let expectEscalation = false;
        for (const step of steps) {
          if (step.kind === "advance") {
            await clock.advance(step.ms);
            continue;
          }
          const index = step.child % restarts.length;
          if (running[index] !== 1 || expectEscalation) continue;
          running[index] = 0;
          contexts[index]?.exit(step.crash ? new Error("crash") : undefined);
          const restart = restarts[index];
          if (restart === "permanent" || (restart === "transient" && step.crash)) {
            const now = clock.now();
            restartTimes.push(now);
            if (restartTimes.filter((time) => now - time < periodMs).length > intensity)
              expectEscalation = true;
          }
          await clock.advance(0);
        }

        expect(escalated).toBe(expectEscalation);
        expect(supervisor.status).toBe(expectEscalation ? "failed" : "running");
        await supervisor.stop();
        expect(violations).toEqual([]);
        expect(running.every((count) => count === 0)).toBe(true);
        expect(clock.pendingTimers).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
