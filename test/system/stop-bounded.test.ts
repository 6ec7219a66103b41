/**
 * Guarantee 12: `stop()` finishes within a bound whatever user code does. A query whose handler never
 * settles is waited for as long as a command may take (`commandTimeout`), then left behind, logged.
 */
import { expect, it } from "vitest";
import { manualClock } from "../../src/runtime/clock.js";
import { forEachStore } from "../support/stores.js";
import { expectOk, open, until, useSystems } from "../support/system.js";

forEachStore("stop() with a query that never settles", (kind) => {
  const systems = useSystems(kind);

  for (const named of [false, true]) {
    it(`finishes once the grace of commandTimeout has passed, for a ${named ? "named" : "plain"} query`, async () => {
      const clock = manualClock();
      const warnings: string[] = [];
      let calls = 0;
      const hang = () => {
        calls++;
        return new Promise<void>(() => undefined);
      };
      const bank = await systems.bank({
        clock,
        commandTimeout: 1_000,
        logger: { warn: (message: string) => warnings.push(message), error() {} },
        queries: [named ? { name: "hangs", handle: hang } : hang],
        namedQueries: { pollMs: 10 },
      });
      expectOk(await bank.execute("acc", open("acc")));
      await until(async () => {
        if (calls === 0) await clock.advance(10);
        return calls === 1;
      });
      let stopped = false;
      const stopping = bank.stop().then(() => {
        stopped = true;
      });
      await clock.advance(999);
      expect(stopped).toBe(false);
      await clock.advance(1);
      await stopping;
      expect(stopped).toBe(true);
      expect(warnings.some((w) => w.includes("did not settle within 1000 ms of stop()"))).toBe(true);
    });
  }
});
