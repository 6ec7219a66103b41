/**
 * The part of `@opentelemetry/api` (1.x) this library calls, declared structurally so that neither its
 * code nor its types are needed when the package is not installed: the library's own type declarations
 * never name the package.
 */

/** Attribute values as OpenTelemetry takes them. */
export type OtelAttributes = Record<string, string | number | boolean>;

/** An opaque OpenTelemetry context. */
export interface OtelContext {
  getValue(key: symbol): unknown;
}

/** The identity of a span, as W3C trace context carries it. */
export interface OtelSpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly isRemote?: boolean;
  readonly traceState?: { serialize(): string };
}

/** A link from one span to another. */
export interface OtelLink {
  readonly context: OtelSpanContext;
  readonly attributes?: OtelAttributes;
}

/** A span. */
export interface OtelSpan {
  spanContext(): OtelSpanContext;
  setAttribute(key: string, value: string | number | boolean): OtelSpan;
  setAttributes(attributes: OtelAttributes): OtelSpan;
  setStatus(status: { code: number; message?: string }): OtelSpan;
  recordException(exception: Error | string): void;
  isRecording(): boolean;
  end(): void;
}

/** Options of `startSpan`. */
export interface OtelSpanOptions {
  readonly attributes?: OtelAttributes;
  readonly links?: readonly OtelLink[];
  readonly kind?: number;
  /** Start a new trace, whatever the context holds. */
  readonly root?: boolean;
}

/** A tracer. */
export interface OtelTracer {
  startSpan(name: string, options?: OtelSpanOptions, context?: OtelContext): OtelSpan;
}

/** A tracer provider (the global one is a proxy until an SDK registers its own). */
export interface OtelTracerProvider {
  getTracer(name: string, version?: string): OtelTracer;
}

/** A counter. */
export interface OtelCounter {
  add(value: number, attributes?: OtelAttributes): void;
}

/** A histogram. */
export interface OtelHistogram {
  record(value: number, attributes?: OtelAttributes): void;
}

/** What an observable instrument's callback reports to. */
export interface OtelObservableResult {
  observe(value: number, attributes?: OtelAttributes): void;
}

/** An observable instrument. */
export interface OtelObservable {
  addCallback(callback: (result: OtelObservableResult) => void | Promise<void>): void;
  removeCallback(callback: (result: OtelObservableResult) => void | Promise<void>): void;
}

/** Options of a metric instrument. */
export interface OtelMetricOptions {
  readonly description?: string;
  readonly unit?: string;
  readonly advice?: { readonly explicitBucketBoundaries?: readonly number[] };
}

/** A meter. */
export interface OtelMeter {
  createCounter(name: string, options?: OtelMetricOptions): OtelCounter;
  createHistogram(name: string, options?: OtelMetricOptions): OtelHistogram;
  createObservableGauge(name: string, options?: OtelMetricOptions): OtelObservable;
}

/** The module `@opentelemetry/api`, the parts used. */
export interface OtelApi {
  readonly trace: {
    getTracerProvider(): OtelTracerProvider;
    getTracer(name: string, version?: string): OtelTracer;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
    getSpanContext(context: OtelContext): OtelSpanContext | undefined;
  };
  readonly metrics: {
    getMeterProvider(): { getMeter(name: string, version?: string): OtelMeter };
  };
  readonly context: { active(): OtelContext };
  readonly ProxyTracerProvider: new () => OtelTracerProvider & { getDelegate(): OtelTracerProvider };
  createNoopMeter(): OtelMeter;
  isSpanContextValid(spanContext: OtelSpanContext): boolean;
  readonly SpanStatusCode: { readonly ERROR: number };
}
