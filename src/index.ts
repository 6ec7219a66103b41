/**
 * Event sourcing for Node.js with the supervision-tree model of Erlang/OTP. Write a pure
 * `handle(state, command)` and a pure `apply(state, event)`; each aggregate runs in its own supervised
 * actor, events are persisted with optimistic concurrency, queries run as supervised actors.
 *
 * @example
 * ```ts
 * import { start, ok, err } from "eventsourcing";
 * import { memoryStore } from "eventsourcing/memory";
 *
 * const counter = await start({
 *   store: memoryStore(),
 *   emptyState: 0,
 *   handle: (count: number, by: number) => (by > 0 ? ok([{ type: "Added", by }]) : err("NotPositive")),
 *   apply: (count, event) => count + event.by,
 * });
 * await counter.execute("counter-1", 2);
 * ```
 *
 * @module
 */
export { type Frequency, frequency, type Timeout, timeout } from "./core/arguments.js";
export { type Codec, jsonCodec } from "./core/codec.js";
export { describeError, type EventSourcingError } from "./core/errors.js";
export type {
  AggregateRead,
  AppendConflict,
  AppendOutcome,
  AppendRequest,
  EncodedEvent,
  EventStore,
  QueryCheckpoint,
  QueryLock,
  ReadAllOptions,
  StoredEvent,
  StoredSnapshot,
} from "./core/event-store.js";
export { err, ok, type Result } from "./core/result.js";
export type {
  Aggregate,
  AggregateStats,
  Apply,
  EventEnvelope,
  EventSourcing,
  EventSourcingConfig,
  ExecuteOptions,
  ExecuteResult,
  Handle,
  LogContext,
  Logger,
  Metadata,
  NamedQuery,
  Query,
  QueryErrorDecision,
  QueryFailure,
  QueryFn,
  QueryStats,
  Snapshot,
  SnapshotConfig,
  StateCodec,
  SystemStats,
  Upcaster,
  WaitForQueriesOptions,
} from "./core/types.js";
export { MAX_AGGREGATE_ID_LENGTH } from "./eventsourcing/aggregate-id.js";
export {
  type QueryStatsJson,
  type SystemStatsJson,
  statsToJson,
} from "./eventsourcing/stats-json.js";
export { type SupervisedSystem, start, supervised } from "./eventsourcing/supervised.js";
export type {
  ChildContext,
  ChildSpec,
  ChildStatus,
  RestartType,
  RunningChild,
  StopReason,
} from "./runtime/child-spec.js";
export { type Clock, systemClock } from "./runtime/clock.js";
export {
  createSupervisor,
  type Strategy,
  type Supervisor,
  type SupervisorBuilder,
  type SupervisorOptions,
} from "./runtime/supervisor.js";
export { telemetryNames } from "./telemetry/telemetry-names.js";
