import type { EventSourcingConfig, Logger, Query } from "../core/types.js";
import type { ResolvedConfig } from "./system-context.js";

const DEFAULTS = {
  id: "eventsourcing",
  commandTimeoutMs: 5_000,
  conflictRetries: 3,
  idleMs: 300_000,
  maxLive: 10_000,
  queryInitialMs: 100,
  queryMaxMs: 30_000,
  queryMaxPending: 10_000,
  pollMs: 200,
  pageSize: 500,
  lockRetryMs: 2_000,
} as const;

function fail(option: string, expectation: string, value: unknown): never {
  throw new TypeError(`eventsourcing: \`${option}\` must be ${expectation}, got ${String(value)}`);
}

function positiveInteger(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) fail(option, "a positive integer", value);
  return value;
}

function nonNegativeInteger(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) fail(option, "a non-negative integer", value);
  return value;
}

/** Checks a query's shape; throws a TypeError that says what is wrong. */
export function checkQuery(query: Query<unknown>, where: string): void {
  if (typeof query === "function") return;
  if (
    typeof query !== "object" ||
    query === null ||
    typeof query.name !== "string" ||
    query.name.length === 0 ||
    typeof query.handle !== "function"
  )
    fail(where, "a function or { name: non-empty string, handle: function }", query);
}

/**
 * Validates a system's configuration and fills in the defaults. A bad option is a programmer error: it
 * throws at once with a message that names the option.
 */
export function resolveConfig<TState, TCommand, TEvent, TDomainError>(
  config: EventSourcingConfig<TState, TCommand, TEvent, TDomainError>,
): {
  resolved: ResolvedConfig<TState, TCommand, TEvent, TDomainError>;
  logger: Logger;
} {
  if (typeof config !== "object" || config === null) fail("config", "an object", config);
  const store = config.store as unknown as Record<string, unknown> | undefined;
  if (!store || typeof store.append !== "function" || typeof store.readAggregate !== "function")
    fail("store", "an EventStore (memoryStore(), sqliteStore(...), postgresStore(...))", config.store);
  if (typeof config.handle !== "function") fail("handle", "a function", config.handle);
  if (typeof config.apply !== "function") fail("apply", "a function", config.apply);
  if (!("emptyState" in config)) fail("emptyState", "given", undefined);
  for (const [i, query] of (config.queries ?? []).entries())
    checkQuery(query as Query<unknown>, `queries[${i}]`);
  const frequency = config.snapshot?.frequency;
  if (config.snapshot && (!Number.isSafeInteger(frequency) || (frequency as number) <= 0))
    fail("snapshot.frequency", "a Frequency made with frequency(n)", frequency);
  const stateCodec = config.snapshot?.codec;
  if (
    stateCodec !== undefined &&
    (typeof stateCodec !== "object" ||
      stateCodec === null ||
      typeof stateCodec.encode !== "function" ||
      typeof stateCodec.decode !== "function")
  )
    fail("snapshot.codec", "a StateCodec { encode(state): string, decode(text): state }", stateCodec);
  const onError = config.queryRetry?.onError ?? (() => "retry" as const);
  if (typeof onError !== "function") fail("queryRetry.onError", "a function", onError);
  const resolved: ResolvedConfig<TState, TCommand, TEvent, TDomainError> = {
    id: config.id ?? DEFAULTS.id,
    handle: config.handle,
    apply: config.apply,
    emptyState: config.emptyState,
    snapshot: config.snapshot
      ? Object.freeze({
          frequency: config.snapshot.frequency,
          version: positiveInteger("snapshot.version", config.snapshot.version, 1),
          codec: stateCodec,
        })
      : undefined,
    commandTimeoutMs: positiveInteger("commandTimeout", config.commandTimeout, DEFAULTS.commandTimeoutMs),
    conflictRetries: nonNegativeInteger("conflictRetries", config.conflictRetries, DEFAULTS.conflictRetries),
    idleMs: positiveInteger("passivation.idleMs", config.passivation?.idleMs, DEFAULTS.idleMs),
    maxLive: positiveInteger("passivation.maxLive", config.passivation?.maxLive, DEFAULTS.maxLive),
    queryRetry: Object.freeze({
      initialMs: positiveInteger(
        "queryRetry.initialMs",
        config.queryRetry?.initialMs,
        DEFAULTS.queryInitialMs,
      ),
      maxMs: positiveInteger("queryRetry.maxMs", config.queryRetry?.maxMs, DEFAULTS.queryMaxMs),
      maxPending: positiveInteger(
        "queryRetry.maxPending",
        config.queryRetry?.maxPending,
        DEFAULTS.queryMaxPending,
      ),
      onError,
    }),
    namedQueries: Object.freeze({
      pollMs: positiveInteger("namedQueries.pollMs", config.namedQueries?.pollMs, DEFAULTS.pollMs),
      pageSize: positiveInteger("namedQueries.pageSize", config.namedQueries?.pageSize, DEFAULTS.pageSize),
      lockRetryMs: positiveInteger(
        "namedQueries.lockRetryMs",
        config.namedQueries?.lockRetryMs,
        DEFAULTS.lockRetryMs,
      ),
    }),
  };
  return { resolved: Object.freeze(resolved), logger: config.logger ?? console };
}
