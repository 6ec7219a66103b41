/**
 * W3C Trace Context in event metadata: the `traceparent` (and `tracestate`) of the span that wrote an
 * event, so that whatever reads the event later (a query, another service) can link to that span.
 */
import type { Metadata } from "../core/types.js";
import type { OtelSpanContext } from "./otel-api.js";
import { telemetryNames } from "./telemetry-names.js";

const { traceparent: TRACEPARENT, tracestate: TRACESTATE } = telemetryNames.metadata;
const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The `traceparent` header value of a span context (version 00). */
export function formatTraceparent(context: OtelSpanContext): string {
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/**
 * `metadata` with the span's trace context added, as a new frozen object. A key the caller set is kept
 * as it is (the caller's own trace context, say).
 */
export function withTraceContext(metadata: Metadata, context: OtelSpanContext): Metadata {
  if (TRACEPARENT in metadata) return metadata;
  const traceState = context.traceState?.serialize();
  const added: Record<string, string> = { ...metadata, [TRACEPARENT]: formatTraceparent(context) };
  if (traceState && !(TRACESTATE in metadata)) added[TRACESTATE] = traceState;
  return Object.freeze(added);
}

/** The span context a metadata `traceparent` names, or `undefined` when there is none or it is malformed. */
export function parseTraceparent(value: string | undefined): OtelSpanContext | undefined {
  if (value === undefined) return undefined;
  const match = TRACEPARENT_FORMAT.exec(value);
  if (match === null || match[1] === "ff") return undefined;
  const [, , traceId, spanId, flags] = match as unknown as [string, string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true };
}
