/**
 * The OpenTelemetry instrumentation, loaded only when `@opentelemetry/api` is installed and an SDK has
 * registered a provider: the tracer, the metric instruments, and the traces handed to the system.
 */
import type { AppendRequest } from "../core/event-store.js";
import type { EventEnvelope, Metadata } from "../core/types.js";
import { CommandSpan } from "./command-span.js";
import type {
  OtelApi,
  OtelAttributes,
  OtelCounter,
  OtelHistogram,
  OtelLink,
  OtelMeter,
  OtelObservableResult,
  OtelTracer,
} from "./otel-api.js";
import type { QueryBatchTrace, Telemetry, TracedSystem } from "./telemetry.js";
import { watchedSystems } from "./telemetry.js";
import { telemetryNames } from "./telemetry-names.js";
import { parseTraceparent } from "./trace-context.js";

const { attributes: A, metrics: M, spans: S, scope: SCOPE } = telemetryNames;

/** Milliseconds: from a fast in-memory command to a slow one waiting out a conflict or a timeout. */
const DURATION_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000];

/** The metric instruments. */
export interface Instruments {
  readonly commands: OtelCounter;
  readonly duration: OtelHistogram;
  readonly eventsAppended: OtelCounter;
  readonly conflicts: OtelCounter;
}

/** One instrumentation per meter: its observable gauges' callbacks are added once. */
const byMeter = new WeakMap<OtelMeter, Instrumentation>();

/**
 * The instrumentation to use now, or `undefined` when no SDK is registered: neither a tracer provider
 * (the global one is still the API's empty proxy) nor a meter provider (the API's no-op meter).
 */
export function instrumentationFor(api: OtelApi): Instrumentation | undefined {
  const provider = api.trace.getTracerProvider() as { getDelegateTracer?: (name: string) => unknown };
  // The API's proxy answers `undefined` until an SDK sets its delegate; any other provider is an SDK's.
  const tracing =
    typeof provider.getDelegateTracer !== "function" || provider.getDelegateTracer(SCOPE) !== undefined;
  const meter = api.metrics.getMeterProvider().getMeter(SCOPE);
  const measuring = !(meter instanceof (api.createNoopMeter().constructor as new () => unknown));
  if (!tracing && !measuring) return undefined;
  let instrumentation = byMeter.get(meter);
  if (instrumentation === undefined) {
    instrumentation = new Instrumentation(api, meter);
    byMeter.set(meter, instrumentation);
  }
  instrumentation.tracing = tracing;
  // The global proxy is replaced when a tracer provider is unregistered: take the current one's tracer.
  instrumentation.tracer = api.trace.getTracer(SCOPE);
  return instrumentation;
}

/** Spans through the global tracer, metrics through one meter. */
export class Instrumentation implements Telemetry {
  /** Whether spans are made; metrics are always recorded (to a no-op meter when none is registered). */
  tracing = false;
  readonly api: OtelApi;
  tracer: OtelTracer;
  readonly instruments: Instruments;
  /**
   * The command whose append each request in flight belongs to, for the batch size: a Map whose entries
   * are removed as each append ends (a WeakMap with an entry per command costs the collector more).
   */
  readonly appending = new Map<AppendRequest, CommandSpan>();
  /** Each system's metric attributes, made once: recording a metric allocates nothing of ours. */
  readonly #labels = new WeakMap<TracedSystem, SystemLabels>();

  constructor(api: OtelApi, meter: OtelMeter) {
    this.api = api;
    this.tracer = api.trace.getTracer(SCOPE);
    this.instruments = {
      commands: meter.createCounter(M.commands, {
        description: "Commands answered, by outcome",
        unit: "{command}",
      }),
      duration: meter.createHistogram(M.commandDuration, {
        description: "Time from execute() to its answer",
        unit: "ms",
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      }),
      eventsAppended: meter.createCounter(M.eventsAppended, {
        description: "Events committed by commands",
        unit: "{event}",
      }),
      conflicts: meter.createCounter(M.conflicts, {
        description: "Concurrency conflicts met on append, retried or not",
        unit: "{conflict}",
      }),
    };
    meter
      .createObservableGauge(M.liveAggregates, {
        description: "Aggregates held in memory",
        unit: "{aggregate}",
      })
      .addCallback(observeLiveAggregates);
    meter
      .createObservableGauge(M.queryLag, {
        description: "Events between the store's head and the query's checkpoint",
        unit: "{event}",
      })
      .addCallback(observeQueryLag);
  }

  command(system: TracedSystem, aggregateId: string, command: unknown, metadata: Metadata): CommandSpan {
    let labels = this.#labels.get(system);
    if (labels === undefined) {
      labels = new SystemLabels(system);
      this.#labels.set(system, labels);
    }
    return new CommandSpan(this, labels, aggregateId, command, metadata);
  }

  queryBatch(
    query: string,
    named: boolean,
    aggregateId: string,
    envelopes: readonly EventEnvelope<unknown>[],
    attempt: number,
  ): QueryBatchTrace | undefined {
    if (!this.tracing) return undefined;
    const first = envelopes[0];
    const last = envelopes[envelopes.length - 1];
    const attributes: OtelAttributes = {
      [A.queryName]: query,
      [A.queryNamed]: named,
      [A.aggregateId]: aggregateId,
      [A.queryAttempt]: attempt,
      [A.queryEvents]: envelopes.length,
    };
    if (first !== undefined) attributes[A.aggregateType] = first.aggregateType;
    if (last !== undefined) attributes[A.queryPosition] = String(last.position);
    // A batch is one commit, so its events name one command; events appended by other means may differ.
    const links: OtelLink[] = [];
    const seen = new Set<string>();
    for (const envelope of envelopes) {
      const value = envelope.metadata[telemetryNames.metadata.traceparent];
      if (value === undefined || seen.has(value)) continue;
      seen.add(value);
      const context = parseTraceparent(value);
      if (context !== undefined) links.push({ context });
    }
    const span = this.tracer.startSpan(S.query, { attributes, links, root: true });
    const { ERROR } = this.api.SpanStatusCode;
    return {
      end(error?: unknown) {
        if (error !== undefined) {
          span.setStatus({ code: ERROR, message: error instanceof Error ? error.message : String(error) });
          span.recordException(error instanceof Error ? error : String(error));
        }
        span.end();
      },
    };
  }

  appendBatch(requests: readonly AppendRequest[]): void {
    if (!this.tracing) return;
    for (const request of requests) this.appending.get(request)?.batchSent(requests.length);
  }
}

/** A system's metric attributes, and those with each command outcome seen. */
export class SystemLabels {
  readonly system: OtelAttributes;
  readonly #byOutcome = new Map<string, OtelAttributes>();

  constructor(system: TracedSystem) {
    this.system = Object.freeze({ [A.systemId]: system.systemId, [A.aggregateType]: system.aggregateType });
  }

  withOutcome(outcome: string): OtelAttributes {
    let labels = this.#byOutcome.get(outcome);
    if (labels === undefined) {
      labels = Object.freeze({ ...this.system, [A.outcome]: outcome });
      this.#byOutcome.set(outcome, labels);
    }
    return labels;
  }
}

function observeLiveAggregates(result: OtelObservableResult): void {
  for (const system of watchedSystems)
    result.observe(system.liveAggregates(), {
      [A.systemId]: system.systemId,
      [A.aggregateType]: system.aggregateType,
    });
}

async function observeQueryLag(result: OtelObservableResult): Promise<void> {
  await Promise.all(
    [...watchedSystems].map(async (system) => {
      for (const query of await system.queries()) {
        const lag: unknown = (query as { lag?: unknown }).lag;
        if (typeof lag === "number")
          result.observe(lag, { [A.systemId]: system.systemId, [A.queryName]: query.name });
      }
    }),
  );
}
