/**
 * The OpenTelemetry SDK with in-memory exporters, registered as the global providers for one test and
 * removed after it: finished spans are read from the exporter, metrics collected on demand.
 */
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterEach } from "vitest";

/** A reader that exports nothing by itself: the test collects when it wants the figures. */
class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export interface TestTelemetry {
  readonly exporter: InMemorySpanExporter;
  /** Finished spans named `name`, in the order they ended. */
  spans(name: string): ReadableSpan[];
  /** The finished children of `parent`. */
  childrenOf(parent: ReadableSpan, name?: string): ReadableSpan[];
  /** Collects every metric now. */
  collect(): Promise<MetricData[]>;
  /** The data points of one metric, collected now (empty when it has none). */
  points(name: string): Promise<DataPoint<number | Histogram>[]>;
}

/**
 * Registers fresh global tracer and meter providers (either may be left out) before each use, and
 * removes them after the test, so that the next test starts with none.
 */
export function useTelemetry(): {
  register(options?: { traces?: boolean; metrics?: boolean }): TestTelemetry;
} {
  const providers: { shutdown(): Promise<void> }[] = [];
  afterEach(async () => {
    trace.disable();
    metrics.disable();
    context.disable();
    for (const provider of providers.splice(0)) await provider.shutdown();
  });
  return {
    register(options = {}) {
      const exporter = new InMemorySpanExporter();
      const reader = new CollectingReader();
      if (options.traces !== false) {
        // What an application's SDK set-up does: the active span follows async calls.
        context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
        const tracerProvider = new BasicTracerProvider({
          spanProcessors: [new SimpleSpanProcessor(exporter)],
        });
        trace.setGlobalTracerProvider(tracerProvider);
        providers.push(tracerProvider);
      }
      if (options.metrics !== false) {
        const meterProvider = new MeterProvider({ readers: [reader] });
        metrics.setGlobalMeterProvider(meterProvider);
        providers.push(meterProvider);
      }
      const collect = async () => {
        const { resourceMetrics } = await reader.collect();
        return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
      };
      return {
        exporter,
        spans: (name) => exporter.getFinishedSpans().filter((span) => span.name === name),
        childrenOf: (parent, name) =>
          exporter
            .getFinishedSpans()
            .filter(
              (span) =>
                span.parentSpanContext?.spanId === parent.spanContext().spanId &&
                (name === undefined || span.name === name),
            ),
        collect,
        async points(name) {
          const metric = (await collect()).find((m) => m.descriptor.name === name);
          return (metric?.dataPoints ?? []) as DataPoint<number | Histogram>[];
        },
      };
    },
  };
}
