import { describeError, type EventSourcingError } from "../core/errors.js";
import type { AppendOutcome, AppendRequest } from "../core/event-store.js";
import type { Metadata } from "../core/types.js";
import type { Instrumentation, SystemLabels } from "./instrumentation.js";
import type { OtelAttributes, OtelContext, OtelSpan } from "./otel-api.js";
import type { CommandTrace, LoadKind } from "./telemetry.js";
import { telemetryNames } from "./telemetry-names.js";
import { withTraceContext } from "./trace-context.js";

const { attributes: A, spans: S } = telemetryNames;

/**
 * The trace of one `execute`: its span (when spans are recorded) with the load and append spans as
 * children, and its metrics. The span's parent is the context active when `execute` was called.
 *
 * Group commit: one store call may carry the appends of many commands, of many aggregates. Each command
 * gets its own append span, a child of its own execute span, covering its wait for the store and the
 * store call; `eventsourcing.append.batch_size` says how many commands that store call carried. So a
 * trace shows where its command spent its time, and one slow store call shows under each command it
 * held up, with the same batch size.
 */
export class CommandSpan implements CommandTrace {
  readonly metadata: Metadata;
  readonly #telemetry: Instrumentation;
  readonly #labels: SystemLabels;
  readonly #startedAt = performance.now();
  /** The execute span and the context its children start in, when spans are recorded. */
  readonly #span: OtelSpan | undefined;
  readonly #context: OtelContext | undefined;
  #child: OtelSpan | undefined;
  #request: AppendRequest | undefined;
  #conflicts = 0;

  constructor(
    telemetry: Instrumentation,
    labels: SystemLabels,
    aggregateId: string,
    command: unknown,
    metadata: Metadata,
  ) {
    this.#telemetry = telemetry;
    this.#labels = labels;
    this.metadata = metadata;
    if (!telemetry.tracing) return;
    const { api, tracer } = telemetry;
    const attributes: OtelAttributes = { ...labels.system, [A.aggregateId]: aggregateId };
    const type =
      typeof command === "object" && command !== null ? (command as { type?: unknown }).type : undefined;
    if (typeof type === "string") attributes[A.commandType] = type;
    const parent = api.context.active();
    const span = tracer.startSpan(S.execute, { attributes }, parent);
    if (!span.isRecording()) return;
    this.#span = span;
    this.#context = api.trace.setSpan(parent, span);
    this.metadata = withTraceContext(metadata, span.spanContext());
  }

  loadStarted(kind: LoadKind): void {
    if (this.#context === undefined) return;
    this.#child = this.#telemetry.tracer.startSpan(
      S.load,
      { attributes: { ...this.#labels.system, [A.loadKind]: kind } },
      this.#context,
    );
  }

  loadEnded(error: unknown, sequence: number): void {
    const span = this.#child;
    if (span === undefined) return;
    this.#child = undefined;
    span.setAttribute(A.sequence, sequence);
    if (error !== undefined) this.#failed(span, error);
    span.end();
  }

  appendStarted(request: AppendRequest): void {
    if (this.#context === undefined) return;
    this.#telemetry.appending.set(request, this);
    this.#request = request;
    this.#child = this.#telemetry.tracer.startSpan(
      S.append,
      {
        attributes: {
          ...this.#labels.system,
          [A.expectedSequence]: request.expectedSequence,
          [A.events]: request.events.length,
        },
      },
      this.#context,
    );
  }

  /** The group commit sent this command's append in a store call carrying `size` commands. */
  batchSent(size: number): void {
    this.#child?.setAttribute(A.batchSize, size);
  }

  appendEnded(outcome: AppendOutcome | undefined, error?: unknown): void {
    const { instruments, appending } = this.#telemetry;
    if (this.#request !== undefined) {
      appending.delete(this.#request);
      this.#request = undefined;
    }
    if (outcome?.ok) instruments.eventsAppended.add(outcome.value.length, this.#labels.system);
    else if (outcome !== undefined) {
      this.#conflicts++;
      instruments.conflicts.add(1, this.#labels.system);
    }
    const span = this.#child;
    if (span === undefined) return;
    this.#child = undefined;
    span.setAttribute(A.appendOutcome, outcome === undefined ? "error" : outcome.ok ? "ok" : "conflict");
    if (outcome === undefined) this.#failed(span, error);
    span.end();
  }

  readonly end = <T>(result: T): T => {
    const answer = result as {
      ok: boolean;
      value?: { events: readonly unknown[]; aggregate: { sequence: number } };
      error?: { type: string };
    };
    const outcome = answer.ok ? "ok" : (answer.error?.type ?? "error");
    const labels = this.#labels.withOutcome(outcome);
    const { instruments } = this.#telemetry;
    instruments.commands.add(1, labels);
    instruments.duration.record(performance.now() - this.#startedAt, labels);
    const span = this.#span;
    if (span === undefined) return result;
    span.setAttribute(A.outcome, outcome);
    span.setAttribute(A.events, answer.value?.events.length ?? 0);
    if (answer.value !== undefined) span.setAttribute(A.sequence, answer.value.aggregate.sequence);
    // The last conflict of a command that gives up is answered, not retried.
    span.setAttribute(
      A.conflictsRetried,
      outcome === "ConcurrencyConflict" ? Math.max(0, this.#conflicts - 1) : this.#conflicts,
    );
    // A domain error is an answer the domain chose, not a failure of the system.
    if (!answer.ok && outcome !== "DomainError")
      span.setStatus({ code: this.#telemetry.api.SpanStatusCode.ERROR, message: outcome });
    span.end();
    return result;
  };

  /** Marks a child span failed: `error` is a thrown value or an `EventSourcingError`. */
  #failed(span: OtelSpan, error: unknown): void {
    const message =
      error instanceof Error
        ? error.message
        : typeof error === "object" && error !== null && "type" in error
          ? describeError(error as EventSourcingError<unknown>)
          : String(error);
    span.setStatus({ code: this.#telemetry.api.SpanStatusCode.ERROR, message });
    span.recordException(error instanceof Error ? error : message);
  }
}
