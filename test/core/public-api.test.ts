/** The binding public names of each entry point are there. */
import { expect, it } from "vitest";

it("exports the core's public names from eventsourcing", async () => {
  const core = await import("../../src/index.js");
  for (const name of [
    "supervised",
    "start",
    "createSupervisor",
    "frequency",
    "timeout",
    "ok",
    "err",
    "describeError",
  ])
    expect(typeof (core as Record<string, unknown>)[name], name).toBe("function");
});

it("exports one store factory from each store entry", async () => {
  expect(typeof (await import("../../src/stores/memory/index.js")).memoryStore).toBe("function");
  expect(typeof (await import("../../src/stores/sqlite/index.js")).sqliteStore).toBe("function");
  expect(typeof (await import("../../src/stores/postgres/index.js")).postgresStore).toBe("function");
});

it("exports the contract suite and given/when/then from eventsourcing/testing", async () => {
  const testing = await import("../../src/testing/index.js");
  expect(typeof testing.describeEventStoreContract).toBe("function");
  expect(typeof testing.scenario).toBe("function");
  expect(typeof testing.manualClock).toBe("function");
});
