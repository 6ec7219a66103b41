/**
 * The names under which the system reports to OpenTelemetry: the instrumentation scope, span names,
 * span and metric attributes, metric instruments, and the metadata keys that carry the trace context.
 * They are stable: dashboards, alerts and tests may rely on them.
 *
 * @example
 * ```ts
 * import { telemetryNames } from "eventsourcing";
 *
 * // A span backend query for the commands that did not succeed:
 * const failedCommands = `name = "${telemetryNames.spans.execute}" AND ${telemetryNames.attributes.outcome} != "ok"`;
 * ```
 */
export const telemetryNames = Object.freeze({
  /** The instrumentation scope: the name of the tracer and of the meter. */
  scope: "eventsourcing",
  /** Span names. */
  spans: Object.freeze({
    /**
     * One `execute` call, from the call until it answers (queueing, loading, handling, appending).
     * Its parent is the context active at the call (an HTTP request's span, say).
     */
    execute: "eventsourcing.execute",
    /** Child of `execute`: rebuilding the aggregate from the store, or catching up after a conflict. */
    load: "eventsourcing.load",
    /**
     * Child of `execute`: one append of the command's events, from handing it to the group commit until
     * the store answers; a store call that carries several commands appears once under each of them.
     */
    append: "eventsourcing.append",
    /** One attempt of a query on one batch (one commit's events), plain or named. Links to the commands. */
    query: "eventsourcing.query",
  }),
  /** Span and metric attribute keys. */
  attributes: Object.freeze({
    /** The system's `id` (string). */
    systemId: "eventsourcing.system.id",
    /** The aggregate type (string). */
    aggregateType: "eventsourcing.aggregate.type",
    /** The aggregate id (string; spans only, never on metrics). */
    aggregateId: "eventsourcing.aggregate.id",
    /** The aggregate's sequence after the command, or after a load (integer). */
    sequence: "eventsourcing.aggregate.sequence",
    /** The command's `type` field when it is a string (string; absent otherwise). */
    commandType: "eventsourcing.command.type",
    /**
     * `"ok"`, or the type of the error the command answered with: `"DomainError"`,
     * `"ConcurrencyConflict"`, `"ActorTimeout"`, `"EventStoreError"`, `"ActorCrashed"`, `"Stopped"` ...
     */
    outcome: "eventsourcing.command.outcome",
    /** Events the command committed (integer; 0 for a no-op or an error). */
    events: "eventsourcing.command.events",
    /** Concurrency conflicts the command met and retried (integer). */
    conflictsRetried: "eventsourcing.command.conflicts_retried",
    /** Load spans: `"rebuild"` (from the latest snapshot or the start) or `"catch_up"` (after a conflict). */
    loadKind: "eventsourcing.load.kind",
    /** Append spans: the sequence the append expected (integer). */
    expectedSequence: "eventsourcing.append.expected_sequence",
    /** Append spans: how many commands (of any aggregates) the store call that answered this one carried. */
    batchSize: "eventsourcing.append.batch_size",
    /** Append spans: `"ok"`, `"conflict"` or `"error"` (the store call failed). */
    appendOutcome: "eventsourcing.append.outcome",
    /** Query spans and the lag metric: the query's name. */
    queryName: "eventsourcing.query.name",
    /** Query spans: whether it is a named query (boolean). */
    queryNamed: "eventsourcing.query.named",
    /** Query spans: the attempt at this batch, 1 first (integer). */
    queryAttempt: "eventsourcing.query.attempt",
    /** Query spans: the events in the batch (integer). */
    queryEvents: "eventsourcing.query.events",
    /** Query spans: the global position of the batch's last event (string: positions are 64-bit). */
    queryPosition: "eventsourcing.query.position",
  }),
  /** Metric instrument names. */
  metrics: Object.freeze({
    /** Counter of answered commands, by `outcome`, `aggregateType` and `systemId`. Unit `{command}`. */
    commands: "eventsourcing.commands",
    /** Histogram of `execute` durations in milliseconds, by `outcome`, `aggregateType`, `systemId`. */
    commandDuration: "eventsourcing.command.duration",
    /** Counter of events committed by commands, by `aggregateType` and `systemId`. Unit `{event}`. */
    eventsAppended: "eventsourcing.events.appended",
    /** Counter of concurrency conflicts met on append (retried or not), by `aggregateType`, `systemId`. */
    conflicts: "eventsourcing.conflicts",
    /** Observable gauge of aggregates held in memory, by `aggregateType` and `systemId`. */
    liveAggregates: "eventsourcing.aggregates.live",
    /**
     * Observable gauge of each query's lag in events (`systemStats().queries[i].lag`), by `queryName`
     * and `systemId`; reported for the queries whose stats carry a `lag`.
     */
    queryLag: "eventsourcing.query.lag",
  }),
  /** Metadata keys under which each event carries the trace context of the command that wrote it. */
  metadata: Object.freeze({
    /** W3C Trace Context `traceparent` (`00-<trace id>-<span id>-<flags>`) of the `execute` span. */
    traceparent: "traceparent",
    /** W3C Trace Context `tracestate`, when the span has one. */
    tracestate: "tracestate",
  }),
});
