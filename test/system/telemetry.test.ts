import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { expect, it } from "vitest";
import { telemetryNames } from "../../src/index.js";
import { activeTelemetry, watchedSystems } from "../../src/telemetry/telemetry.js";
import { faultyStore } from "../support/faulty-store.js";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, recorder, until, useSystems, withdraw } from "../support/system.js";
import { useTelemetry } from "../support/telemetry.js";

const { spans: S, attributes: A, metrics: M } = telemetryNames;

const traceparentOf = (span: ReadableSpan) =>
  `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;

forEachStore("OpenTelemetry", (kind) => {
  const systems = useSystems(kind);
  const telemetry = useTelemetry();

  it("gives each execute a span with its attributes, and the load and the append as its children", async () => {
    const otel = telemetry.register();
    const bank = await systems.bank({ id: "bank-7", aggregateType: "account" });
    expectOk(await bank.execute("acc-1", open("acc-1")));
    expectOk(await bank.execute("acc-1", deposit(50)));

    const [first, second] = otel.spans(S.execute);
    expect(otel.spans(S.execute)).toHaveLength(2);
    expect(first?.attributes).toEqual({
      [A.systemId]: "bank-7",
      [A.aggregateType]: "account",
      [A.aggregateId]: "acc-1",
      [A.commandType]: "OpenAccount",
      [A.outcome]: "ok",
      [A.events]: 1,
      [A.sequence]: 1,
      [A.conflictsRetried]: 0,
    });
    expect(second?.attributes).toMatchObject({ [A.commandType]: "DepositMoney", [A.sequence]: 2 });
    expect(first?.status.code).toBe(0);

    // The first command rebuilt the aggregate; the second found it in memory.
    const firstLoads = otel.childrenOf(first as ReadableSpan, S.load);
    expect(firstLoads.map((span) => span.attributes[A.loadKind])).toEqual(["rebuild"]);
    expect(firstLoads[0]?.attributes[A.sequence]).toBe(0);
    expect(otel.childrenOf(second as ReadableSpan, S.load)).toEqual([]);

    for (const [span, expected] of [
      [first, 0],
      [second, 1],
    ] as const) {
      const appends = otel.childrenOf(span as ReadableSpan, S.append);
      expect(appends).toHaveLength(1);
      expect(appends[0]?.attributes).toMatchObject({
        [A.expectedSequence]: expected,
        [A.events]: 1,
        [A.batchSize]: 1,
        [A.appendOutcome]: "ok",
      });
    }
  });

  it("stores the span's traceparent in the events' metadata, and keeps a caller's own", async () => {
    const otel = telemetry.register();
    const bank = await systems.bank();
    const opened = expectOk(await bank.execute("acc-1", open("acc-1"), { metadata: { userId: "u1" } }));
    const span = otel.spans(S.execute)[0] as ReadableSpan;
    expect(opened.events[0]?.metadata).toEqual({ userId: "u1", traceparent: traceparentOf(span) });
    const stored = expectOk(await bank.loadEvents("acc-1"));
    expect(stored[0]?.metadata.traceparent).toBe(traceparentOf(span));

    const own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const deposited = expectOk(await bank.execute("acc-1", deposit(5), { metadata: { traceparent: own } }));
    expect(deposited.events[0]?.metadata).toEqual({ traceparent: own });
  });

  it("makes the span of a command a child of the span active when execute is called", async () => {
    const otel = telemetry.register();
    const bank = await systems.bank();
    const { context, trace } = await import("@opentelemetry/api");
    const outer = trace.getTracer("test").startSpan("http request");
    await context.with(trace.setSpan(context.active(), outer), () => bank.execute("acc-1", open("acc-1")));
    outer.end();
    const span = otel.spans(S.execute)[0] as ReadableSpan;
    expect(span.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(outer.spanContext().traceId);
  });

  it("links the span of each query batch, plain and named, to the command that wrote it", async () => {
    const otel = telemetry.register();
    const plain = recorder();
    const named = recorder();
    const bank = await systems.bank({
      queries: [plain.query, { name: "balances", handle: named.query }],
    });
    expectOk(await bank.execute("acc-1", open("acc-1")));
    expectOk(await bank.execute("acc-1", deposit(5)));
    await plain.waitFor(2);
    await named.waitFor(2);
    const commands = otel.spans(S.execute);
    await until(() => otel.spans(S.query).length === 4);
    for (const [name, isNamed] of [
      ["balances", true],
      ["query#1", false],
    ] as const) {
      const batches = otel
        .spans(S.query)
        .filter((span) => span.attributes[A.queryNamed] === isNamed)
        .sort((a, b) => Number(a.attributes[A.queryPosition]) - Number(b.attributes[A.queryPosition]));
      expect(batches).toHaveLength(2);
      for (const [i, batch] of batches.entries()) {
        const command = commands[i] as ReadableSpan;
        expect(batch.links.map((link) => link.context.spanId)).toEqual([command.spanContext().spanId]);
        expect(batch.links[0]?.context.traceId).toBe(command.spanContext().traceId);
        // A batch starts a trace of its own, linked, not a child.
        expect(batch.parentSpanContext).toBeUndefined();
        expect(batch.attributes).toMatchObject({
          [A.aggregateId]: "acc-1",
          [A.queryAttempt]: 1,
          [A.queryEvents]: 1,
        });
        expect(batch.attributes[A.queryName]).toBe(name);
      }
    }
  });

  it("marks a failed query attempt's span, and gives the retry a span of its own", async () => {
    const otel = telemetry.register();
    let calls = 0;
    const bank = await systems.bank({
      queryRetry: { initialMs: 1, maxMs: 1 },
      queries: [
        {
          name: "flaky",
          handle: () => {
            calls++;
            if (calls === 1) throw new Error("not yet");
          },
        },
      ],
    });
    expectOk(await bank.execute("acc-1", open("acc-1")));
    await until(() => otel.spans(S.query).length === 2);
    const [failed, retried] = otel.spans(S.query);
    expect(failed?.status).toEqual({ code: 2, message: "not yet" });
    expect(failed?.attributes[A.queryAttempt]).toBe(1);
    expect(retried?.status.code).toBe(0);
    expect(retried?.attributes[A.queryAttempt]).toBe(2);
  });

  it("reports a domain error as the command's outcome without marking the span failed", async () => {
    const otel = telemetry.register();
    const bank = await systems.bank();
    expectOk(await bank.execute("acc-1", open("acc-1")));
    expect((await bank.execute("acc-1", withdraw(10))).ok).toBe(false);
    const span = otel.spans(S.execute)[1] as ReadableSpan;
    expect(span.attributes).toMatchObject({ [A.outcome]: "DomainError", [A.events]: 0 });
    expect(span.status.code).toBe(0);
    expect(otel.childrenOf(span, S.append)).toEqual([]);
  });

  it("counts a retried conflict on the span, with the catch-up load and both appends as children", async () => {
    const otel = telemetry.register();
    const created = await systems.store();
    const a = await systems.bank({ store: created.store });
    const b = await systems.bank({ store: await created.openAnother() });
    expectOk(await a.execute("acc-1", open("acc-1")));
    expectOk(await b.execute("acc-1", deposit(1))); // b loads, then writes sequence 2
    expectOk(await a.execute("acc-1", deposit(2))); // a still holds sequence 1: conflict, catch up, retry

    const span = otel.spans(S.execute)[2] as ReadableSpan;
    expect(span.attributes).toMatchObject({ [A.outcome]: "ok", [A.sequence]: 3, [A.conflictsRetried]: 1 });
    expect(otel.childrenOf(span, S.load).map((load) => load.attributes[A.loadKind])).toEqual(["catch_up"]);
    expect(otel.childrenOf(span, S.append).map((append) => append.attributes[A.appendOutcome])).toEqual([
      "conflict",
      "ok",
    ]);
    const conflicts = await otel.points(M.conflicts);
    expect(conflicts.map((point) => point.value)).toEqual([1]);
  });

  it("sets the size of the group commit's store call on each append span it carried", async () => {
    const otel = telemetry.register();
    const store = faultyStore((await systems.store()).store);
    const bank = await systems.bank({ store });
    const release = store.hold("append");
    const first = bank.execute("acc-0", open("acc-0"));
    await until(() => otel.spans(S.load).length === 1); // its append is now in the store call, held
    const rest = ["acc-1", "acc-2", "acc-3"].map((id) => bank.execute(id, open(id)));
    await until(() => otel.spans(S.load).length === 4); // their appends wait for the next call
    release();
    for (const answer of await Promise.all([first, ...rest])) expectOk(answer);
    expect(otel.spans(S.append).map((span) => span.attributes[A.batchSize])).toEqual([1, 3, 3, 3]);
  });

  it("marks the append and the command failed when the store fails", async () => {
    const otel = telemetry.register();
    const store = faultyStore((await systems.store()).store);
    const bank = await systems.bank({ store });
    store.fail("append", new Error("disk full"));
    const answer = await bank.execute("acc-1", open("acc-1"));
    expect(answer.ok || answer.error.type).toBe("EventStoreError");
    const span = otel.spans(S.execute)[0] as ReadableSpan;
    expect(span.attributes[A.outcome]).toBe("EventStoreError");
    expect(span.status.code).toBe(2);
    const [append] = otel.childrenOf(span, S.append);
    expect(append?.attributes[A.appendOutcome]).toBe("error");
    expect(append?.status).toEqual({ code: 2, message: "disk full" });
  });

  it("records commands by outcome, their durations, events appended and live aggregates", async () => {
    const otel = telemetry.register({ traces: false });
    const bank = await systems.bank({ id: "bank-m", aggregateType: "account" });
    expectOk(await bank.execute("acc-1", open("acc-1")));
    expectOk(await bank.execute("acc-2", open("acc-2")));
    expectOk(await bank.execute("acc-1", deposit(3)));
    expect((await bank.execute("acc-2", withdraw(3))).ok).toBe(false);

    const labels = { [A.systemId]: "bank-m", [A.aggregateType]: "account" };
    const commands = await otel.points(M.commands);
    expect(commands.map((p) => [p.attributes[A.outcome], p.value]).sort()).toEqual([
      ["DomainError", 1],
      ["ok", 3],
    ]);
    expect(commands[0]?.attributes).toMatchObject(labels);
    const durations = await otel.points(M.commandDuration);
    const counts = durations.map((p) => [p.attributes[A.outcome], (p.value as { count: number }).count]);
    expect(counts.sort()).toEqual([
      ["DomainError", 1],
      ["ok", 3],
    ]);
    for (const point of durations) expect((point.value as { min?: number }).min).toBeGreaterThanOrEqual(0);
    expect((await otel.points(M.eventsAppended)).map((p) => [p.attributes, p.value])).toEqual([[labels, 3]]);
    const live = await otel.points(M.liveAggregates);
    expect(live.filter((p) => p.attributes[A.systemId] === "bank-m").map((p) => p.value)).toEqual([2]);
    // Metrics alone: no spans, and no trace context in the events.
    expect(otel.exporter.getFinishedSpans()).toEqual([]);
    const events = expectOk(await bank.loadEvents("acc-1"));
    expect(events[0]?.metadata).toEqual({});
    // A stopped system is no longer observed (nor held) by the gauges.
    const watched = () => [...watchedSystems].filter((system) => system.systemId === "bank-m");
    expect(watched()).toHaveLength(1);
    await bank.stop();
    expect(watched()).toEqual([]);
  });

  it("takes up a tracer provider registered anew when a system starts, the meter provider kept", async () => {
    const before = telemetry.register();
    const first = await systems.bank();
    expectOk(await first.execute("acc-1", open("acc-1")));
    const { trace } = await import("@opentelemetry/api");
    trace.disable();
    const after = telemetry.register({ metrics: false });
    const second = await systems.bank();
    expectOk(await second.execute("acc-2", open("acc-2")));
    expect(before.spans(S.execute).map((span) => span.attributes[A.aggregateId])).toEqual(["acc-1"]);
    expect(after.spans(S.execute).map((span) => span.attributes[A.aggregateId])).toEqual(["acc-2"]);
    const commands = await before.points(M.commands);
    expect(commands.map((point) => point.value)).toEqual([2]);
  });

  it("without a registered SDK records nothing and stores no trace context", async () => {
    const plain = recorder();
    const bank = await systems.bank({ queries: [plain.query, { name: "named", handle: () => {} }] });
    // The hooks in the system compare with this and do nothing else.
    expect(activeTelemetry).toBeUndefined();
    const opened = expectOk(await bank.execute("acc-1", open("acc-1")));
    expect(opened.events[0]?.metadata).toEqual({});
    expect((await bank.execute("acc-1", withdraw(100))).ok).toBe(false);
    await plain.waitFor(1);
    expect(expectOk(await bank.loadAggregate("acc-1")).sequence).toBe(1);
  });
});
