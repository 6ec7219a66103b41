import { expect, it } from "vitest";
import type { QueryStats } from "../../src/index.js";
import { telemetryNames } from "../../src/index.js";
import { loadTelemetry, watchedSystems, watchSystem } from "../../src/telemetry/telemetry.js";
import { useTelemetry } from "../support/telemetry.js";

const { attributes: A, metrics: M } = telemetryNames;
const telemetry = useTelemetry();

const stats = (name: string, lag?: number): QueryStats =>
  ({
    name,
    named: true,
    status: "running",
    batchesProcessed: 0,
    pendingBatches: 0,
    failures: 0,
    checkpoint: 0n,
    holder: true,
    droppedBatches: 0,
    lastError: null,
    ...(lag === undefined ? {} : { lag }),
  }) as QueryStats;

it("reports each watched query's lag, and skips queries whose figures carry none", async () => {
  const otel = telemetry.register({ traces: false });
  await loadTelemetry();
  const unwatch = watchSystem({
    systemId: "orders",
    aggregateType: "order",
    liveAggregates: () => 4,
    queries: async () => [stats("totals", 7), stats("audit", 0), stats("old")],
  });
  try {
    const lag = await otel.points(M.queryLag);
    expect(lag.map((p) => [p.attributes[A.systemId], p.attributes[A.queryName], p.value])).toEqual([
      ["orders", "totals", 7],
      ["orders", "audit", 0],
    ]);
    const live = await otel.points(M.liveAggregates);
    expect(live.map((p) => [p.attributes, p.value])).toEqual([
      [{ [A.systemId]: "orders", [A.aggregateType]: "order" }, 4],
    ]);
  } finally {
    unwatch();
  }
  expect([...watchedSystems].some((system) => system.systemId === "orders")).toBe(false);
});
