import { newEventId, streamKey } from "../../core/event-id.js";
import type {
  AppendOutcome,
  AppendRequest,
  EncodedEvent,
  EventStore,
  QueryCheckpoint,
  QueryLock,
  ReadAllOptions,
  StoredEvent,
  StoredSnapshot,
} from "../../core/event-store.js";
import { aggregateTypesOf } from "../../core/event-store-checks.js";
import { err, ok } from "../../core/result.js";
import { storeAccess } from "../../core/store-access.js";
import type { Metadata } from "../../core/types.js";
import { assertAppendRequests } from "./memory-append-requests.js";
import { MemoryQueryLocks } from "./memory-query-locks.js";

/**
 * Options of {@link memoryStore}.
 *
 * @example
 * ```ts
 * const store = memoryStore({ now: () => new Date("2026-01-01T00:00:00Z") });
 * ```
 */
export interface MemoryStoreOptions {
  /** The time recorded on appended events (`recordedAt`). Default: `() => new Date()`. */
  readonly now?: () => Date;
}

/**
 * The memory store: an {@link EventStore} whose optional `lockQuery`, `onAppend` and `readCommand` are
 * always there.
 *
 * @example
 * ```ts
 * const store: MemoryEventStore = memoryStore();
 * const unsubscribe = store.onAppend(() => console.log("appended"));
 * ```
 */
export type MemoryEventStore = EventStore & {
  lockQuery(name: string): Promise<QueryLock | null>;
  onAppend(listener: () => void): () => void;
  readCommand(aggregateType: string, aggregateId: string, commandId: string): Promise<readonly StoredEvent[]>;
  loadQueryCheckpoint(name: string): Promise<QueryCheckpoint | null>;
  requestQueryReset(name: string): Promise<void>;
  skipQueryEvent(name: string, position: bigint): Promise<void>;
  headPosition(): Promise<bigint>;
};

/**
 * An event store in this process's memory: for tests, demos and single-process systems that need no
 * durability. Every append is checked and applied synchronously, so concurrent calls are atomic.
 * Events are gone when the process ends; after `close()` every method rejects (`close()` itself may be
 * called again).
 *
 * @example
 * ```ts
 * import { memoryStore } from "eventsourcing/memory";
 * const store = memoryStore();
 * await store.init();
 * const [outcome] = await store.append([
 *   { aggregateType: "account", aggregateId: "a-1", expectedSequence: 0, events: [{ eventType: "Opened", payload: "{}", metadata: {} }] },
 * ]);
 * // outcome.ok === true; outcome.value[0].sequence === 1
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryEventStore {
  if (typeof options !== "object" || options === null)
    throw new TypeError("memoryStore: pass an options object, or nothing");
  if (options.now !== undefined && typeof options.now !== "function")
    throw new TypeError("memoryStore: `now` must be a function returning a Date");
  return new InMemoryEventStore(Object.freeze({ now: options.now ?? (() => new Date()) }));
}

/** What the inspection layer reaches through {@link storeAccess}: the store's own collections. */
export interface MemoryAccess {
  readonly kind: "memory";
  /** The global log (the event at position p at index p - 1). Read only. */
  log(): readonly StoredEvent[];
  /** Streams by aggregate type, then id. Read only. */
  streams(): ReadonlyMap<string, ReadonlyMap<string, readonly StoredEvent[]>>;
  snapshots(): Iterable<StoredSnapshot>;
  /** Named queries' checkpoints with their generation, pending reset and skipped positions. */
  checkpoints(): ReadonlyMap<string, QueryCheckpoint>;
  /**
   * Appends events as given (ids, versions, times, sequences kept), each at the next position, and
   * wakes listeners. The caller has checked that each continues its stream.
   */
  insert(events: readonly StoredEvent[]): void;
  putSnapshot(snapshot: StoredSnapshot): void;
  /**
   * Writes a checkpoint; with `record`, its generation, pending reset and skipped positions too
   * (otherwise a stored one's generation and skipped positions are kept).
   */
  putCheckpoint(
    name: string,
    position: bigint,
    record?: Pick<QueryCheckpoint, "generation" | "resetPending" | "skipped">,
  ): void;
  onAppend(listener: () => void): () => void;
}

class InMemoryEventStore implements MemoryEventStore {
  readonly #now: () => Date;
  /** The global log: the event at position p is at index p - 1. */
  #log: StoredEvent[] = [];
  /** Streams by aggregate type, then id: no key is built per append (most stores hold one type). */
  #streams = new Map<string, Map<string, StoredEvent[]>>();
  /** Each aggregate type's events in position order. */
  #byType = new Map<string, StoredEvent[]>();
  /** Events stored with a command id, by aggregate type, then id, then command id (no key is built). */
  #commands = new Map<string, Map<string, Map<string, StoredEvent[]>>>();
  #snapshots = new Map<string, StoredSnapshot>();
  #checkpoints = new Map<string, QueryCheckpoint>();
  readonly #locks = new MemoryQueryLocks();
  readonly #listeners = new Set<() => void>();
  #notifyScheduled = false;
  #closed = false;

  constructor(options: Readonly<Required<MemoryStoreOptions>>) {
    this.#now = options.now;
  }

  async init(): Promise<void> {
    this.#assertOpen("init");
  }

  async append(requests: readonly AppendRequest[]): Promise<readonly AppendOutcome[]> {
    this.#assertOpen("append");
    assertAppendRequests(requests);
    // From here to the end nothing awaits: checking and writing form one atomic step.
    const recordedAt = this.#now();
    const outcomes: AppendOutcome[] = new Array(requests.length);
    let written = false;
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i] as AppendRequest;
      const stream = this.#streams.get(request.aggregateType)?.get(request.aggregateId);
      const actualSequence = stream === undefined ? 0 : stream.length;
      if (actualSequence !== request.expectedSequence) {
        outcomes[i] = err({
          aggregateType: request.aggregateType,
          aggregateId: request.aggregateId,
          expectedSequence: request.expectedSequence,
          actualSequence,
        });
        continue;
      }
      outcomes[i] = ok(this.#write(request, stream, recordedAt));
      written = true;
    }
    if (written) this.#notify();
    return outcomes;
  }

  async readAggregate(
    aggregateType: string,
    aggregateId: string,
    afterSequence: number,
  ): Promise<readonly StoredEvent[]> {
    this.#assertOpen("readAggregate");
    if (typeof afterSequence !== "number" || Number.isNaN(afterSequence))
      throw new TypeError("readAggregate: afterSequence must be a number");
    const stream = this.#streams.get(aggregateType)?.get(aggregateId);
    if (stream === undefined) return [];
    // Sequences are dense from 1, so the event with sequence s sits at index s - 1.
    return stream.slice(Math.max(0, Math.floor(afterSequence)));
  }

  async readCommand(
    aggregateType: string,
    aggregateId: string,
    commandId: string,
  ): Promise<readonly StoredEvent[]> {
    this.#assertOpen("readCommand");
    if (typeof commandId !== "string") throw new TypeError("readCommand: commandId must be a string");
    return this.#commands.get(aggregateType)?.get(aggregateId)?.get(commandId)?.slice() ?? [];
  }

  async currentSequence(aggregateType: string, aggregateId: string): Promise<number> {
    this.#assertOpen("currentSequence");
    return this.#streams.get(aggregateType)?.get(aggregateId)?.length ?? 0;
  }

  async readAll(
    afterPosition: bigint,
    limit: number,
    options?: ReadAllOptions,
  ): Promise<readonly StoredEvent[]> {
    this.#assertOpen("readAll");
    if (typeof afterPosition !== "bigint") throw new TypeError("readAll: afterPosition must be a bigint");
    if (!Number.isSafeInteger(limit) || limit < 0)
      throw new TypeError(`readAll: limit must be a non-negative integer, got ${String(limit)}`);
    const types = aggregateTypesOf(options);
    if (afterPosition >= BigInt(this.#log.length)) return [];
    const start = afterPosition < 0n ? 0 : Number(afterPosition);
    if (types === undefined) return this.#log.slice(start, start + limit);
    // The memory store's "index" per type: the positions of each type's events, in order.
    const lists = types.map((type) => this.#byType.get(type) ?? []);
    const found: StoredEvent[] = [];
    const cursors = lists.map((list) => firstAfter(list, start));
    while (found.length < limit) {
      let best = -1;
      for (let t = 0; t < lists.length; t++) {
        const candidate = (lists[t] as StoredEvent[])[cursors[t] as number];
        const current = best < 0 ? undefined : (lists[best] as StoredEvent[])[cursors[best] as number];
        if (candidate !== undefined && (current === undefined || candidate.position < current.position))
          best = t;
      }
      if (best < 0) break;
      found.push((lists[best] as StoredEvent[])[cursors[best] as number] as StoredEvent);
      cursors[best] = (cursors[best] as number) + 1;
    }
    return found;
  }

  async loadSnapshot(aggregateType: string, aggregateId: string): Promise<StoredSnapshot | null> {
    this.#assertOpen("loadSnapshot");
    return this.#snapshots.get(streamKey(aggregateType, aggregateId)) ?? null;
  }

  async saveSnapshot(snapshot: StoredSnapshot): Promise<void> {
    this.#assertOpen("saveSnapshot");
    const { aggregateType, aggregateId, sequence, version, state, timestamp } = snapshot;
    if (
      typeof aggregateType !== "string" ||
      typeof aggregateId !== "string" ||
      typeof state !== "string" ||
      !Number.isSafeInteger(sequence)
    )
      throw new TypeError(
        "saveSnapshot: needs a string aggregateType, aggregateId and state and an integer sequence",
      );
    if (!Number.isSafeInteger(version) || version < 1)
      throw new TypeError("saveSnapshot: version must be a positive integer");
    if (!(timestamp instanceof Date)) throw new TypeError("saveSnapshot: timestamp must be a Date");
    const key = streamKey(aggregateType, aggregateId);
    const stored = this.#snapshots.get(key);
    if (stored !== undefined && stored.version === version && stored.sequence >= sequence) return;
    this.#snapshots.set(
      key,
      Object.freeze({
        aggregateType,
        aggregateId,
        sequence,
        version,
        state,
        timestamp: new Date(timestamp.getTime()),
      }),
    );
  }

  async loadCheckpoint(name: string): Promise<bigint | null> {
    this.#assertOpen("loadCheckpoint");
    return this.#checkpoints.get(name)?.position ?? null;
  }

  async saveCheckpoint(name: string, position: bigint): Promise<void> {
    this.#assertOpen("saveCheckpoint");
    if (typeof name !== "string") throw new TypeError("saveCheckpoint: name must be a string");
    if (typeof position !== "bigint") throw new TypeError("saveCheckpoint: position must be a bigint");
    this.#writeCheckpoint(name, position, undefined);
  }

  async loadQueryCheckpoint(name: string): Promise<QueryCheckpoint | null> {
    this.#assertOpen("loadQueryCheckpoint");
    return this.#checkpoints.get(name) ?? null;
  }

  async requestQueryReset(name: string): Promise<void> {
    this.#assertOpen("requestQueryReset");
    if (typeof name !== "string") throw new TypeError("requestQueryReset: name must be a string");
    const stored = this.#checkpoints.get(name);
    this.#checkpoints.set(
      name,
      Object.freeze({
        position: 0n,
        generation: (stored?.generation ?? 0) + 1,
        resetPending: true,
        skipped: Object.freeze([]),
      }),
    );
  }

  async skipQueryEvent(name: string, position: bigint): Promise<void> {
    this.#assertOpen("skipQueryEvent");
    if (typeof name !== "string") throw new TypeError("skipQueryEvent: name must be a string");
    if (typeof position !== "bigint" || position < 0n)
      throw new TypeError("skipQueryEvent: position must be a non-negative bigint");
    const stored = this.#checkpoints.get(name) ?? emptyCheckpoint;
    if (stored.skipped.includes(position)) return;
    const skipped = Object.freeze([...stored.skipped, position].sort((a, b) => (a < b ? -1 : 1)));
    this.#checkpoints.set(name, Object.freeze({ ...stored, skipped }));
  }

  async headPosition(): Promise<bigint> {
    this.#assertOpen("headPosition");
    return BigInt(this.#log.length);
  }

  async lockQuery(name: string): Promise<QueryLock | null> {
    this.#assertOpen("lockQuery");
    if (typeof name !== "string") throw new TypeError("lockQuery: name must be a string");
    return this.#locks.acquire(
      name,
      (position, generation) => !this.#closed && this.#writeCheckpoint(name, position, generation),
    );
  }

  /** Writes a checkpoint, only at `generation` when one is given; false when it was not the stored one. */
  #writeCheckpoint(name: string, position: bigint, generation: number | undefined): boolean {
    const stored = this.#checkpoints.get(name) ?? emptyCheckpoint;
    if (generation === undefined) {
      this.#checkpoints.set(name, Object.freeze({ ...stored, position }));
      return true;
    }
    if (stored.generation !== generation) return false;
    this.#checkpoints.set(name, Object.freeze({ ...stored, position, resetPending: false }));
    return true;
  }

  onAppend(listener: () => void): () => void {
    this.#assertOpen("onAppend");
    if (typeof listener !== "function") throw new TypeError("onAppend: listener must be a function");
    // A wrapper per subscription, so that subscribing one function twice gives two independent ones.
    const subscription = () => listener();
    this.#listeners.add(subscription);
    return () => {
      this.#listeners.delete(subscription);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#locks.loseAll();
    this.#listeners.clear();
    this.#log = [];
    this.#streams = new Map();
    this.#byType = new Map();
    this.#commands = new Map();
    this.#snapshots = new Map();
    this.#checkpoints = new Map();
  }

  /** The inspection layer's way in (see `src/inspect`); not part of {@link EventStore}. */
  [storeAccess](): MemoryAccess {
    return {
      kind: "memory",
      log: () => this.#log,
      streams: () => this.#streams,
      snapshots: () => this.#snapshots.values(),
      checkpoints: () => this.#checkpoints,
      insert: (events) => {
        this.#assertOpen("insert");
        for (const event of events) {
          const stored: StoredEvent = Object.freeze({
            ...event,
            metadata: Object.freeze({ ...event.metadata }),
            position: BigInt(this.#log.length + 1),
          });
          let ofType = this.#streams.get(stored.aggregateType);
          if (ofType === undefined) {
            ofType = new Map();
            this.#streams.set(stored.aggregateType, ofType);
          }
          let stream = ofType.get(stored.aggregateId);
          if (stream === undefined) {
            stream = [];
            ofType.set(stored.aggregateId, stream);
          }
          let byType = this.#byType.get(stored.aggregateType);
          if (byType === undefined) {
            byType = [];
            this.#byType.set(stored.aggregateType, byType);
          }
          this.#log.push(stored);
          stream.push(stored);
          byType.push(stored);
          if (stored.commandId !== undefined)
            this.#remember(stored.aggregateType, stored.aggregateId, stored.commandId, [stored]);
        }
        if (events.length > 0) this.#notify();
      },
      putSnapshot: (snapshot) => {
        this.#assertOpen("putSnapshot");
        this.#snapshots.set(
          streamKey(snapshot.aggregateType, snapshot.aggregateId),
          Object.freeze({ ...snapshot }),
        );
      },
      putCheckpoint: (name, position, record) => {
        this.#assertOpen("putCheckpoint");
        const saved = this.#checkpoints.get(name);
        this.#checkpoints.set(
          name,
          Object.freeze({
            position,
            generation: record?.generation ?? saved?.generation ?? 0,
            resetPending: record?.resetPending ?? false,
            skipped: Object.freeze(
              record === undefined
                ? [...(saved?.skipped ?? [])]
                : [...new Set(record.skipped)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
            ),
          }),
        );
      },
      onAppend: (listener) => this.onAppend(listener),
    };
  }

  #write(request: AppendRequest, stream: StoredEvent[] | undefined, recordedAt: Date): StoredEvent[] {
    const { aggregateType, aggregateId, expectedSequence: commitEnd, events, commandId } = request;
    let target = stream;
    if (target === undefined) {
      target = [];
      let ofType = this.#streams.get(aggregateType);
      if (ofType === undefined) {
        ofType = new Map();
        this.#streams.set(aggregateType, ofType);
      }
      ofType.set(aggregateId, target);
    }
    let ofType = this.#byType.get(aggregateType);
    if (ofType === undefined) {
      ofType = [];
      this.#byType.set(aggregateType, ofType);
    }
    const commitStart = commitEnd + 1;
    const written: StoredEvent[] = new Array(events.length);
    let lastMetadata: Metadata | undefined;
    let metadataCopy: Metadata = {};
    for (let j = 0; j < events.length; j++) {
      const event = events[j] as EncodedEvent;
      // Copy the metadata so that the caller's later changes cannot reach stored rows, unless it is
      // frozen already; the events of a command usually share one metadata object, copied once.
      if (event.metadata !== lastMetadata) {
        lastMetadata = event.metadata;
        metadataCopy = Object.isFrozen(lastMetadata) ? lastMetadata : Object.freeze({ ...lastMetadata });
      }
      const row: { -readonly [K in keyof StoredEvent]: StoredEvent[K] } = {
        aggregateType,
        aggregateId,
        sequence: commitStart + j,
        position: BigInt(this.#log.length + 1),
        commitStart,
        eventId: newEventId(),
        eventType: event.eventType,
        eventVersion: event.eventVersion ?? 1,
        payload: event.payload,
        metadata: metadataCopy,
        recordedAt,
      };
      // Added in place (one hidden-class step), not by copying the row with a spread.
      if (commandId !== undefined) row.commandId = commandId;
      const stored: StoredEvent = Object.freeze(row);
      this.#log.push(stored);
      target.push(stored);
      ofType.push(stored);
      written[j] = stored;
    }
    if (commandId !== undefined) this.#remember(aggregateType, aggregateId, commandId, written);
    return written;
  }

  #remember(aggregateType: string, aggregateId: string, commandId: string, written: StoredEvent[]): void {
    let ofType = this.#commands.get(aggregateType);
    if (ofType === undefined) {
      ofType = new Map();
      this.#commands.set(aggregateType, ofType);
    }
    let byId = ofType.get(aggregateId);
    if (byId === undefined) {
      byId = new Map();
      ofType.set(aggregateId, byId);
    }
    const earlier = byId.get(commandId);
    if (earlier === undefined) byId.set(commandId, written.slice());
    else earlier.push(...written);
  }

  /** Wakes listeners in a microtask, once for all the appends made before it runs. */
  #notify(): void {
    if (this.#notifyScheduled || this.#listeners.size === 0) return;
    this.#notifyScheduled = true;
    queueMicrotask(this.#wake);
  }

  /** Made once: a wake-up costs no closure per append call. */
  readonly #wake = (): void => {
    this.#notifyScheduled = false;
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // A wake-up listener that throws must not stop the others; readers poll anyway.
      }
    }
  };

  #assertOpen(method: string): void {
    if (this.#closed) throw new Error(`memory store is closed: ${method}() cannot be called after close()`);
  }
}

/** The checkpoint of a name that has none yet. */
const emptyCheckpoint: QueryCheckpoint = Object.freeze({
  position: 0n,
  generation: 0,
  resetPending: false,
  skipped: Object.freeze([]),
});

/** The index of the first event of `list` (in position order) with a position above `after`. */
function firstAfter(list: readonly StoredEvent[], after: number): number {
  let low = 0;
  let high = list.length;
  const bound = BigInt(after);
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((list[middle] as StoredEvent).position <= bound) low = middle + 1;
    else high = middle;
  }
  return low;
}
