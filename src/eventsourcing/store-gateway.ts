import { isDeepStrictEqual } from "node:util";
import { type Codec, encodeJsonEvent, eventTypeOf, jsonCodec } from "../core/codec.js";
import { type EventSourcingError, eventStoreError } from "../core/errors.js";
import type {
  AppendOutcome,
  AppendRequest,
  EncodedEvent,
  EventStore,
  StoredEvent,
  StoredSnapshot,
} from "../core/event-store.js";
import { err, ok, type Result } from "../core/result.js";
import { textProblem } from "../core/text.js";
import type { EventEnvelope, Metadata, Snapshot, StateCodec } from "../core/types.js";
import type { EventVersions } from "./event-versions.js";
import { type AppendWaiter, type GroupCommitter, groupCommitterFor } from "./group-commit.js";
import { type StoreReads, storeReadsFor } from "./read-batcher.js";

/** Thrown when a stored row cannot be turned back into an event or a state. */
export class DecodeError extends Error {
  override readonly name = "DecodeError";
}

const initialized = new WeakMap<EventStore, Promise<void>>();

/**
 * The one wrapper between the system and a store: initialization once per store, the codec, group
 * commit, and the conversion of thrown store failures into `EventStoreError` values. Stores stay I/O.
 */
export class StoreGateway<TState, TEvent> {
  readonly store: EventStore;
  /** The type of this system's aggregates: every stream it reads or writes is of this type. */
  readonly aggregateType: string;
  readonly #codec: Codec;
  readonly #versions: EventVersions;
  readonly #snapshotVersion: number;
  readonly #stateCodec: StateCodec<TState>;
  /** Whether the state codec is the default codec's JSON, whose text needs no check that it is JSON. */
  readonly #stateCodecIsJson: boolean;
  readonly #committer: GroupCommitter;
  /** Reads of many aggregates at once go to the store together (when it can take them so). */
  readonly #reads: StoreReads;
  /** The last event type found fine: a system's commands mostly repeat a few types. */
  #lastType: string | undefined;

  constructor(
    store: EventStore,
    codec: Codec,
    options: {
      aggregateType: string;
      versions: EventVersions;
      snapshotVersion: number;
      /** Default: `codec`'s `encodeState`/`decodeState`. */
      stateCodec?: StateCodec<TState> | undefined;
    },
  ) {
    this.store = store;
    this.aggregateType = options.aggregateType;
    this.#codec = codec;
    this.#versions = options.versions;
    this.#snapshotVersion = options.snapshotVersion;
    const stateCodec = options.stateCodec;
    this.#stateCodecIsJson = stateCodec === undefined && codec === jsonCodec;
    this.#stateCodec = stateCodec ?? {
      encode: (state) => codec.encodeState(state),
      decode: (text) => codec.decodeState(text) as TState,
    };
    this.#committer = groupCommitterFor(store);
    this.#reads = storeReadsFor(store);
  }

  /** Initializes the store once for every system sharing it; a failed attempt may be retried. */
  init(): Promise<void> {
    let pending = initialized.get(this.store);
    if (!pending) {
      pending = this.store.init().catch((error: unknown) => {
        initialized.delete(this.store);
        throw error;
      });
      initialized.set(this.store, pending);
    }
    return pending;
  }

  /**
   * Encodes a command's events and decodes them again, so that the state in memory is built from exactly
   * what a replay will read. Fails with `EventStoreError` for an event the codec cannot round-trip.
   * With the default codec, the decoded event is the copy its check makes, whose text is the payload
   * (see `encodeJsonEvent`): equal to what parsing the payload gives, without parsing it.
   */
  encode(
    events: readonly TEvent[],
    metadata: Metadata,
  ): Result<{ encoded: EncodedEvent[]; decoded: TEvent[] }, EventSourcingError<never>> {
    // Sized at once: an empty array literal grows a backing store for 17 elements on its first push.
    const encoded: EncodedEvent[] = new Array(events.length);
    const decoded: TEvent[] = new Array(events.length);
    const json = this.#codec === jsonCodec;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as TEvent;
      let eventType: string;
      let payload: string;
      let value: unknown;
      try {
        if (json) {
          eventType = eventTypeOf(event);
          ({ payload, value } = encodeJsonEvent(event));
        } else ({ eventType, payload } = this.#codec.encodeEvent(event));
      } catch (cause) {
        return err(eventStoreError("the event cannot be serialized, nothing was stored", cause));
      }
      const refused = this.#refusedText(eventType, payload);
      if (refused !== null) return err({ type: "EventStoreError", message: refused });
      if (!json)
        try {
          value = this.#codec.decodeEvent(eventType, payload);
        } catch (cause) {
          return err(eventStoreError("the event cannot be serialized, nothing was stored", cause));
        }
      decoded[i] = value as TEvent;
      encoded[i] = { eventType, eventVersion: this.#versions.versionOf(eventType), payload, metadata };
    }
    return ok({ encoded, decoded });
  }

  /**
   * Why a codec's output cannot be stored intact by every store, or `null`. An event type must be
   * non-empty, well-formed text without U+0000, and not one an upcaster reads at its current version
   * (it would be read back changed); a payload must be well-formed too, which the default codec already
   * guarantees (its walk refuses such strings), so only another codec's payload is scanned here.
   */
  #refusedText(eventType: unknown, payload: unknown): string | null {
    if (typeof eventType !== "string" || eventType.length === 0)
      return `the codec gave the event type ${JSON.stringify(eventType) ?? String(eventType)}; it must be a non-empty string, nothing was stored`;
    if (eventType !== this.#lastType) {
      const problem = textProblem(eventType);
      if (problem !== null)
        return `the event type ${JSON.stringify(eventType)} cannot be stored: ${problem}; nothing was stored`;
      const retired = this.#versions.unwritable(eventType);
      if (retired !== null) return `${retired}; nothing was stored`;
      this.#lastType = eventType;
    }
    if (typeof payload !== "string")
      return "the codec gave a payload that is not a string; nothing was stored";
    if (this.#codec !== jsonCodec) {
      const problem = textProblem(payload) ?? notJson(payload);
      if (problem !== null)
        return `the payload of event type ${JSON.stringify(eventType)} cannot be stored: ${problem}; nothing was stored`;
    }
    return null;
  }

  /** Appends through the store's group committer. Rejects when the store call fails. */
  append(request: AppendRequest): Promise<AppendOutcome> {
    return this.#committer.append(request);
  }

  /** Appends through the store's group committer and tells `waiter` the outcome (no promise). */
  enqueue(request: AppendRequest, waiter: AppendWaiter): void {
    this.#committer.enqueue(request, waiter);
  }

  /** The event of a stored row, through the upcasters when it is of an older version. */
  decodeEvent(row: StoredEvent): TEvent {
    return this.#decode(row).event;
  }

  #decode(row: StoredEvent): { eventType: string; event: TEvent } {
    let eventType = row.eventType;
    try {
      if (this.#versions.isCurrent(row.eventType, row.eventVersion))
        return { eventType, event: this.#codec.decodeEvent(eventType, row.payload) as TEvent };
      const upcast = this.#versions.upcast(row.eventType, row.eventVersion, row.payload, row);
      eventType = upcast.eventType;
      return { eventType, event: this.#codec.decodeEvent(eventType, upcast.payload) as TEvent };
    } catch (cause) {
      throw new DecodeError(
        `cannot decode event ${row.sequence} of aggregate ${JSON.stringify(row.aggregateId)} ` +
          `(aggregate type ${JSON.stringify(row.aggregateType)}, event type ${JSON.stringify(row.eventType)} ` +
          `version ${row.eventVersion}): ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
  }

  /**
   * The envelope of a stored row. `event` is given on the live path, where it is the decoded event of a
   * row just written at its current version; otherwise the row is decoded (and upcast).
   */
  envelope(row: StoredEvent, event?: TEvent): EventEnvelope<TEvent> {
    if (event === undefined) {
      const decoded = this.#decode(row);
      return this.#envelope(row, decoded.eventType, decoded.event);
    }
    return this.#envelope(row, row.eventType, event);
  }

  #envelope(row: StoredEvent, eventType: string, event: TEvent): EventEnvelope<TEvent> {
    return {
      aggregateType: row.aggregateType,
      aggregateId: row.aggregateId,
      eventId: row.eventId,
      sequence: row.sequence,
      position: row.position,
      eventType,
      eventVersion: row.eventVersion,
      event,
      metadata: row.metadata,
      recordedAt: row.recordedAt,
    };
  }

  /** The aggregate's events after `afterSequence`. Throws on store failure. */
  readRows(aggregateId: string, afterSequence: number): Promise<readonly StoredEvent[]> {
    return this.#reads.readAggregate(this.aggregateType, aggregateId, afterSequence);
  }

  /**
   * The aggregate's events stored with `commandId`, through the store's index when it has one, else by
   * reading the stream. Throws on store failure.
   */
  async readCommand(aggregateId: string, commandId: string): Promise<readonly StoredEvent[]> {
    const store = this.store;
    if (store.readCommand !== undefined) return store.readCommand(this.aggregateType, aggregateId, commandId);
    const rows = await store.readAggregate(this.aggregateType, aggregateId, 0);
    return rows.filter((row) => row.commandId === commandId);
  }

  /** The aggregate's events after `afterSequence`, decoded. Throws on store or decode failure. */
  async readEnvelopes(aggregateId: string, afterSequence: number): Promise<EventEnvelope<TEvent>[]> {
    const rows = await this.readRows(aggregateId, afterSequence);
    return rows.map((row) => this.envelope(row));
  }

  /**
   * The latest snapshot of the system's current `snapshot.version`, decoded, or `null` (also for a
   * snapshot of another version, which a full replay replaces). Throws on store or decode failure.
   */
  async loadCurrentSnapshot(aggregateId: string): Promise<Snapshot<TState> | null> {
    const stored = await this.#reads.loadSnapshot(this.aggregateType, aggregateId);
    if (!stored || stored.version !== this.#snapshotVersion) return null;
    return this.#decodeSnapshot(aggregateId, stored);
  }

  /** The latest snapshot, any version, decoded. Throws on store or decode failure. */
  async loadSnapshot(aggregateId: string): Promise<Snapshot<TState> | null> {
    const stored = await this.#reads.loadSnapshot(this.aggregateType, aggregateId);
    if (!stored) return null;
    return this.#decodeSnapshot(aggregateId, stored);
  }

  #decodeSnapshot(aggregateId: string, stored: StoredSnapshot): Snapshot<TState> {
    let state: TState;
    try {
      state = this.#stateCodec.decode(stored.state);
    } catch (cause) {
      throw new DecodeError(
        `cannot decode the snapshot of aggregate ${JSON.stringify(aggregateId)} at sequence ${stored.sequence}`,
        { cause },
      );
    }
    return {
      aggregateId,
      state,
      sequence: stored.sequence,
      version: stored.version,
      timestamp: stored.timestamp,
    };
  }

  /**
   * The snapshot text of `state`, or why there is none: a snapshot must give back exactly the state a
   * replay gives, so a state the codec cannot encode, or that does not decode deep-equal to itself
   * (a Map through JSON, a Date, NaN, a class instance), is not snapshotted.
   */
  encodeState(state: TState): Result<string, string> {
    let text: string;
    let back: TState;
    try {
      text = this.#stateCodec.encode(state);
      back = this.#stateCodec.decode(text);
    } catch (cause) {
      return err(
        `the snapshot codec cannot encode it or decode its own text (${cause instanceof Error ? cause.message : String(cause)})`,
      );
    }
    if (typeof text !== "string") return err("the snapshot codec did not give text");
    const problem = textProblem(text) ?? (this.#stateCodecIsJson ? null : notJson(text));
    if (problem !== null) return err(`its text cannot be stored by every store: ${problem}`);
    return isDeepStrictEqual(back, state)
      ? ok(text)
      : err("it does not come back equal through the snapshot codec");
  }

  /** Saves `state`, encoded by {@link encodeState}, as of `sequence`. Throws on store failure. */
  async saveSnapshot(aggregateId: string, state: string, sequence: number, timestamp: Date): Promise<void> {
    await this.store.saveSnapshot({
      aggregateType: this.aggregateType,
      aggregateId,
      sequence,
      version: this.#snapshotVersion,
      state,
      timestamp,
    });
  }
}

/** Runs a store operation, turning a thrown failure into an `EventStoreError` value. */
export async function attempt<T>(
  context: string,
  operation: () => Promise<T>,
): Promise<Result<T, EventSourcingError<never>>> {
  try {
    return ok(await operation());
  } catch (cause) {
    return err(eventStoreError(context, cause));
  }
}

/**
 * Why `text` is not JSON text, or `null` when it is. Every store holds payloads and snapshot states that
 * are JSON (PostgreSQL keeps them in `json` columns, queryable), so text from a user's codec that is not
 * JSON is refused on every store alike rather than only on PostgreSQL.
 */
function notJson(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch {
    return "it is not JSON text (every store keeps payloads and snapshots as JSON, queryable in PostgreSQL)";
  }
}
