import type { Frequency } from "../core/arguments.js";
import { deepFreeze } from "../core/freeze.js";
import { kindOf } from "../core/metadata.js";
import { refuseUnknownKeys } from "../core/option-keys.js";
import { textProblem } from "../core/text.js";
import type { EventSourcingConfig, Logger, Query } from "../core/types.js";
import { keyProblem } from "./aggregate-id.js";
import { EventVersions } from "./event-versions.js";
import type { ResolvedConfig } from "./system-context.js";
import { defaultLogger } from "./system-logger.js";

const DEFAULTS = {
  id: "eventsourcing",
  commandTimeoutMs: 5_000,
  conflictRetries: 3,
  idleMs: 300_000,
  maxLive: 10_000,
  maxQueued: 100_000,
  maxQueuedPerAggregate: 1_000,
  queryInitialMs: 100,
  queryMaxMs: 30_000,
  queryMaxPending: 10_000,
  pollMs: 200,
  pageSize: 500,
  lockRetryMs: 2_000,
} as const;

type AnyConfig = EventSourcingConfig<unknown, unknown, unknown, unknown>;
/** Every key of `T`, each exactly once: the compiler refuses a key missing here or one too many. */
type EveryKey<T> = { readonly [K in keyof Required<T>]: true };
const keysOf = <T>(keys: EveryKey<T>): readonly string[] => Object.freeze(Object.keys(keys));

/**
 * Every option a config may have, and the keys of its nested options. A key not listed here is refused
 * (a misspelt option must not be silently ignored); the lists are checked against the config's type, so
 * an option added to the type and forgotten here does not compile.
 */
const KNOWN_KEYS = keysOf<AnyConfig>({
  store: true,
  handle: true,
  apply: true,
  emptyState: true,
  queries: true,
  snapshot: true,
  id: true,
  commandTimeout: true,
  conflictRetries: true,
  passivation: true,
  queryRetry: true,
  namedQueries: true,
  codec: true,
  clock: true,
  logger: true,
  aggregateType: true,
  eventVersions: true,
  upcasters: true,
  maxQueued: true,
  maxQueuedPerAggregate: true,
});
const NESTED_KEYS: Readonly<Record<string, readonly string[]>> = {
  snapshot: keysOf<NonNullable<AnyConfig["snapshot"]>>({ frequency: true, version: true, codec: true }),
  passivation: keysOf<NonNullable<AnyConfig["passivation"]>>({ idleMs: true, maxLive: true }),
  queryRetry: keysOf<NonNullable<AnyConfig["queryRetry"]>>({
    initialMs: true,
    maxMs: true,
    maxPending: true,
    onError: true,
  }),
  namedQueries: keysOf<NonNullable<AnyConfig["namedQueries"]>>({
    pollMs: true,
    pageSize: true,
    lockRetryMs: true,
  }),
};

/** The methods every EventStore has; optional capabilities are checked where used. */
const STORE_METHODS = [
  "init",
  "append",
  "readAggregate",
  "currentSequence",
  "readAll",
  "loadSnapshot",
  "saveSnapshot",
  "loadCheckpoint",
  "saveCheckpoint",
  "close",
] as const;

function fail(option: string, expectation: string, value: unknown): never {
  throw new TypeError(`eventsourcing: \`${option}\` must be ${expectation}, got ${kindOf(value)}`);
}

/** The highest version any store holds (PostgreSQL keeps versions in 32-bit integers). */
const MAX_VERSION = 2_147_483_647;

function storedVersion(option: string, value: number | undefined): number {
  const version = positiveInteger(option, value, 1);
  if (version > MAX_VERSION) fail(option, `at most ${MAX_VERSION}, which every store holds`, value);
  return version;
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

/** Refuses keys of `options` that are not in `known`, suggesting the nearest known one. */
function checkKeys(where: string, options: object, known: readonly string[]): void {
  refuseUnknownKeys("eventsourcing: unknown option", where, options, known);
}

/** An optional nested options object: absent, or a plain object with known keys only. */
function nested(option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail(option, `an object with ${(NESTED_KEYS[option] ?? []).join(", ")}`, value);
  checkKeys(`${option}.`, value, NESTED_KEYS[option] ?? []);
}

function checkStore(store: unknown): void {
  if (typeof store === "function")
    fail(
      "store",
      "an EventStore; call the factory: memoryStore(), sqliteStore({ path }), postgresStore({ connectionString })",
      store,
    );
  const missing =
    typeof store === "object" && store !== null
      ? STORE_METHODS.filter((m) => typeof (store as Record<string, unknown>)[m] !== "function")
      : STORE_METHODS;
  if (missing.length > 0)
    fail(
      "store",
      `an EventStore (memoryStore(), sqliteStore({ path }), postgresStore({ connectionString })); missing ${missing.join(", ")}`,
      store,
    );
}

function checkMethods(option: string, value: unknown, methods: readonly string[], what: string): void {
  if (value === undefined) return;
  if (
    typeof value !== "object" ||
    value === null ||
    methods.some((m) => typeof (value as Record<string, unknown>)[m] !== "function")
  )
    fail(option, what, value);
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
  // Checkpoints are keyed by the name: it is held to the same rule as an aggregate id.
  const problem = keyProblem(query.name);
  if (problem !== null)
    throw new TypeError(
      `eventsourcing: the name of ${where} cannot be stored as a checkpoint name: ${problem}`,
    );
  const types = query.aggregateTypes;
  if (
    types !== undefined &&
    types !== "all" &&
    (!Array.isArray(types) ||
      types.length === 0 ||
      types.some(
        (type) =>
          typeof type !== "string" ||
          type.length === 0 ||
          type.length > MAX_AGGREGATE_TYPE_LENGTH ||
          textProblem(type) !== null,
      ))
  )
    fail(`${where}.aggregateTypes`, '"all" or a non-empty array of aggregate types', types);
  if (query.consistency !== undefined && query.consistency !== "eventual" && query.consistency !== "strong")
    fail(`${where}.consistency`, '"eventual" or "strong"', query.consistency);
  if (query.reset !== undefined && typeof query.reset !== "function")
    fail(`${where}.reset`, "a function", query.reset);
}

/** The longest aggregate type accepted. */
const MAX_AGGREGATE_TYPE_LENGTH = 255;

function aggregateTypeOf(type: string | undefined): string {
  if (type === undefined) return "default";
  if (typeof type !== "string" || type.length === 0 || type.length > MAX_AGGREGATE_TYPE_LENGTH)
    fail("aggregateType", `a non-empty string of at most ${MAX_AGGREGATE_TYPE_LENGTH} characters`, type);
  const problem = textProblem(type);
  if (problem !== null) throw new TypeError(`eventsourcing: \`aggregateType\` cannot be stored: ${problem}`);
  return type;
}

/**
 * Validates a system's configuration and fills in the defaults. A bad option is a programmer error: it
 * throws a TypeError at once, naming the option and what to pass. Unknown keys are refused.
 */
export function resolveConfig<TState, TCommand, TEvent, TDomainError>(
  config: EventSourcingConfig<TState, TCommand, TEvent, TDomainError>,
): {
  resolved: ResolvedConfig<TState, TCommand, TEvent, TDomainError>;
  logger: Logger;
} {
  if (typeof config !== "object" || config === null) fail("config", "an object", config);
  checkKeys("", config, KNOWN_KEYS);
  checkStore(config.store);
  if (typeof config.handle !== "function")
    fail("handle", "a function (state, command) => Result", config.handle);
  if (typeof config.apply !== "function") fail("apply", "a function (state, event) => state", config.apply);
  if (!("emptyState" in config)) fail("emptyState", "given (the state before any event)", undefined);
  if (config.queries !== undefined && !Array.isArray(config.queries))
    fail("queries", "an array of queries, e.g. [query] or [{ name, handle }]", config.queries);
  for (const [i, query] of (config.queries ?? []).entries())
    checkQuery(query as Query<unknown>, `queries[${i}]`);
  if (config.id !== undefined && (typeof config.id !== "string" || config.id.length === 0))
    fail("id", "a non-empty string", config.id);
  for (const option of ["snapshot", "passivation", "queryRetry", "namedQueries"] as const)
    nested(option, config[option]);
  const frequency = config.snapshot?.frequency;
  if (config.snapshot && (!Number.isSafeInteger(frequency) || (frequency as number) <= 0))
    fail("snapshot.frequency", "a positive integer, or a Frequency made with frequency(n)", frequency);
  const stateCodec = config.snapshot?.codec;
  if (
    stateCodec !== undefined &&
    (typeof stateCodec !== "object" ||
      stateCodec === null ||
      typeof stateCodec.encode !== "function" ||
      typeof stateCodec.decode !== "function")
  )
    fail("snapshot.codec", "a StateCodec { encode(state): string, decode(text): state }", stateCodec);
  const retryInitialMs = config.queryRetry?.initialMs ?? DEFAULTS.queryInitialMs;
  const retryMaxMs = config.queryRetry?.maxMs ?? DEFAULTS.queryMaxMs;
  if (typeof retryInitialMs === "number" && typeof retryMaxMs === "number" && retryMaxMs < retryInitialMs)
    fail("queryRetry.maxMs", `at least queryRetry.initialMs (${retryInitialMs})`, retryMaxMs);
  const onError = config.queryRetry?.onError ?? (() => "retry" as const);
  if (typeof onError !== "function") fail("queryRetry.onError", "a function", onError);
  checkMethods(
    "logger",
    config.logger,
    ["warn", "error"],
    "an object with warn and error methods, such as console",
  );
  for (const level of ["debug", "info"] as const) {
    const method = config.logger?.[level];
    if (method !== undefined && typeof method !== "function")
      fail(`logger.${level}`, "a function (message, context), or left out", method);
  }
  checkMethods(
    "codec",
    config.codec,
    ["encodeEvent", "decodeEvent", "encodeState", "decodeState"],
    "a Codec (encodeEvent, decodeEvent, encodeState, decodeState), such as jsonCodec",
  );
  checkMethods(
    "clock",
    config.clock,
    ["now", "setTimeout", "clearTimeout"],
    "a Clock (now, setTimeout, clearTimeout)",
  );
  const resolved: ResolvedConfig<TState, TCommand, TEvent, TDomainError> = {
    id: config.id ?? DEFAULTS.id,
    handle: config.handle,
    apply: config.apply,
    emptyState: deepFreeze(config.emptyState),
    snapshot: config.snapshot
      ? Object.freeze({
          frequency: frequency as Frequency,
          version: storedVersion("snapshot.version", config.snapshot.version),
          codec: stateCodec,
        })
      : undefined,
    aggregateType: aggregateTypeOf(config.aggregateType),
    versions: new EventVersions(config.eventVersions, config.upcasters),
    commandTimeoutMs: positiveInteger("commandTimeout", config.commandTimeout, DEFAULTS.commandTimeoutMs),
    conflictRetries: nonNegativeInteger("conflictRetries", config.conflictRetries, DEFAULTS.conflictRetries),
    idleMs: positiveInteger("passivation.idleMs", config.passivation?.idleMs, DEFAULTS.idleMs),
    maxLive: positiveInteger("passivation.maxLive", config.passivation?.maxLive, DEFAULTS.maxLive),
    maxQueued: positiveInteger("maxQueued", config.maxQueued, DEFAULTS.maxQueued),
    maxQueuedPerAggregate: positiveInteger(
      "maxQueuedPerAggregate",
      config.maxQueuedPerAggregate,
      DEFAULTS.maxQueuedPerAggregate,
    ),
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
  return { resolved: Object.freeze(resolved), logger: config.logger ?? defaultLogger };
}
