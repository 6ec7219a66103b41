/**
 * The seam between the system and OpenTelemetry. This module is all the system loads of telemetry:
 * `loadTelemetry()`, awaited when a system starts, imports `@opentelemetry/api` once (an optional peer
 * dependency) and, only when it is installed and an SDK has registered a tracer or meter provider,
 * the instrumentation itself. Until then `activeTelemetry` is `undefined` and every hook in the
 * system is one comparison with it: nothing is allocated, nothing is called.
 */
import type { AppendOutcome, AppendRequest } from "../core/event-store.js";
import type { EventEnvelope, Metadata, QueryStats } from "../core/types.js";
import type { OtelApi } from "./otel-api.js";

/** Which system a command belongs to, as its spans and metrics name it. */
export interface TracedSystem {
  readonly systemId: string;
  readonly aggregateType: string;
}

/** A running system as the observable gauges read it. */
export interface WatchedSystem extends TracedSystem {
  /** Aggregates held in memory now. */
  liveAggregates(): number;
  /** The figures of its queries now. */
  queries(): Promise<readonly QueryStats[]>;
}

/** How an aggregate's state is brought up to date within a command. */
export type LoadKind = "rebuild" | "catch_up";

/**
 * One traced `execute`, carried on its command message through the aggregate's mailbox. The actor
 * reports the load and each append; the system ends it with the answer.
 */
export interface CommandTrace {
  /** The metadata to store: the caller's, with the trace context added when the span is recorded. */
  readonly metadata: Metadata;
  loadStarted(kind: LoadKind): void;
  /** `error` when the load failed; `sequence` is the aggregate's sequence after it. */
  loadEnded(error: unknown, sequence: number): void;
  appendStarted(request: AppendRequest): void;
  /** The store's outcome, or the error when the store call failed (`outcome` then `undefined`). */
  appendEnded(outcome: AppendOutcome | undefined, error?: unknown): void;
  /** Ends the trace with `execute`'s answer and gives it back unchanged. */
  readonly end: <T>(result: T) => T;
}

/** One traced attempt of a query on one batch. */
export interface QueryBatchTrace {
  /** `error` when the query threw (or its promise rejected) on the batch. */
  end(error?: unknown): void;
}

/** What the system calls when OpenTelemetry is present. */
export interface Telemetry {
  /** A trace for an `execute` call: spans when a tracer provider is registered, metrics when a meter provider is. */
  command(system: TracedSystem, aggregateId: string, command: unknown, metadata: Metadata): CommandTrace;
  /** A trace for one attempt of a query on a batch, or `undefined` when spans are not recorded. */
  queryBatch(
    query: string,
    named: boolean,
    aggregateId: string,
    envelopes: readonly EventEnvelope<unknown>[],
    attempt: number,
  ): QueryBatchTrace | undefined;
  /** The group commit is sending `requests` to the store in one call. */
  appendBatch(requests: readonly AppendRequest[]): void;
}

/** The telemetry in use, or `undefined` when OpenTelemetry is absent or has no SDK registered. */
export let activeTelemetry: Telemetry | undefined;

/** The running systems, for the observable gauges (kept whether or not OpenTelemetry is present). */
export const watchedSystems: Set<WatchedSystem> = new Set();

/** Adds a running system to the gauges; the function returned removes it. */
export function watchSystem(system: WatchedSystem): () => void {
  watchedSystems.add(system);
  return () => {
    watchedSystems.delete(system);
  };
}

// A variable, not a literal: bundlers must leave this optional peer to be resolved at run time.
const API_MODULE = "@opentelemetry/api";
let api: Promise<OtelApi | undefined> | undefined;

/**
 * Imports `@opentelemetry/api` the first time (a missing package means no telemetry, never an error),
 * and decides again whether an SDK is registered: a provider registered after a system started is
 * taken up when a system (re)starts, as OpenTelemetry asks of instrumentation that it be set up first.
 */
export async function loadTelemetry(): Promise<void> {
  api ??= import(API_MODULE).then(
    (module: OtelApi) => module,
    () => undefined,
  );
  const loaded = await api;
  if (loaded === undefined) return;
  const { instrumentationFor } = await import("./instrumentation.js");
  activeTelemetry = instrumentationFor(loaded);
}
