import type { Frequency } from "../core/arguments.js";
import type {
  Apply,
  EventEnvelope,
  Handle,
  QueryErrorDecision,
  QueryFailure,
  StateCodec,
} from "../core/types.js";
import type { Clock } from "../runtime/clock.js";
import type { EventVersions } from "./event-versions.js";
import type { StoreGateway } from "./store-gateway.js";
import type { SystemCounters } from "./system-counters.js";
import type { SystemLogger } from "./system-logger.js";

/** The configuration with every default filled in, frozen at construction. */
export interface ResolvedConfig<TState, TCommand, TEvent, TDomainError> {
  readonly id: string;
  readonly handle: Handle<TState, TCommand, TEvent, TDomainError>;
  readonly apply: Apply<TState, TEvent>;
  readonly emptyState: TState;
  readonly snapshot:
    | {
        readonly frequency: Frequency;
        readonly version: number;
        readonly codec: StateCodec<TState> | undefined;
      }
    | undefined;
  readonly aggregateType: string;
  readonly versions: EventVersions;
  readonly commandTimeoutMs: number;
  readonly conflictRetries: number;
  readonly idleMs: number;
  readonly maxLive: number;
  /** Requests waiting for an answer in the whole system, at most. */
  readonly maxQueued: number;
  /** Requests in one aggregate's mailbox, at most. */
  readonly maxQueuedPerAggregate: number;
  readonly queryRetry: {
    readonly initialMs: number;
    readonly maxMs: number;
    readonly maxPending: number;
    readonly onError: (error: unknown, attempt: number, failed: QueryFailure) => QueryErrorDecision;
  };
  readonly namedQueries: { readonly pollMs: number; readonly pageSize: number; readonly lockRetryMs: number };
}

/** What the actors of one system share: configuration, the store, counters, time, and where events go. */
export interface SystemContext<TState, TCommand, TEvent, TDomainError> {
  readonly config: ResolvedConfig<TState, TCommand, TEvent, TDomainError>;
  readonly gateway: StoreGateway<TState, TEvent>;
  readonly counters: SystemCounters;
  readonly clock: Clock;
  readonly logger: SystemLogger;
  /** Hands one commit's envelopes to the queries, after the commit. */
  publish(aggregateId: string, envelopes: readonly EventEnvelope<TEvent>[]): void;
  /** Saves a snapshot in the background; a failure is counted and logged, never returned to a command. */
  snapshot(aggregateId: string, state: TState, sequence: number): void;
}
