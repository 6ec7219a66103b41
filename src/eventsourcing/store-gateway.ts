import type { Codec } from "../core/codec.js";
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
import type { EventEnvelope, Metadata, Snapshot } from "../core/types.js";
import type { EventVersions } from "./event-versions.js";
import { type GroupCommitter, groupCommitterFor } from "./group-commit.js";

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
  readonly #committer: GroupCommitter;

  constructor(
    store: EventStore,
    codec: Codec,
    options: { aggregateType: string; versions: EventVersions; snapshotVersion: number },
  ) {
    this.store = store;
    this.aggregateType = options.aggregateType;
    this.#codec = codec;
    this.#versions = options.versions;
    this.#snapshotVersion = options.snapshotVersion;
    this.#committer = groupCommitterFor(store);
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
   */
  encode(
    events: readonly TEvent[],
    metadata: Metadata,
  ): Result<{ encoded: EncodedEvent[]; decoded: TEvent[] }, EventSourcingError<never>> {
    const encoded: EncodedEvent[] = [];
    const decoded: TEvent[] = [];
    for (const event of events) {
      try {
        const { eventType, payload } = this.#codec.encodeEvent(event);
        encoded.push({ eventType, eventVersion: this.#versions.versionOf(eventType), payload, metadata });
        decoded.push(this.#codec.decodeEvent(eventType, payload) as TEvent);
      } catch (cause) {
        return err(eventStoreError("the event cannot be serialized, nothing was stored", cause));
      }
    }
    return ok({ encoded, decoded });
  }

  /** Appends through the store's group committer. Rejects when the store call fails. */
  append(request: AppendRequest): Promise<AppendOutcome> {
    return this.#committer.append(request);
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
    const decoded = event === undefined ? this.#decode(row) : { eventType: row.eventType, event };
    return {
      aggregateType: row.aggregateType,
      aggregateId: row.aggregateId,
      eventId: row.eventId,
      sequence: row.sequence,
      position: row.position,
      eventType: decoded.eventType,
      eventVersion: row.eventVersion,
      event: decoded.event,
      metadata: row.metadata,
      recordedAt: row.recordedAt,
    };
  }

  /** The aggregate's events after `afterSequence`. Throws on store failure. */
  readRows(aggregateId: string, afterSequence: number): Promise<readonly StoredEvent[]> {
    return this.store.readAggregate(this.aggregateType, aggregateId, afterSequence);
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
    const stored = await this.store.loadSnapshot(this.aggregateType, aggregateId);
    if (!stored || stored.version !== this.#snapshotVersion) return null;
    return this.#decodeSnapshot(aggregateId, stored);
  }

  /** The latest snapshot, any version, decoded. Throws on store or decode failure. */
  async loadSnapshot(aggregateId: string): Promise<Snapshot<TState> | null> {
    const stored = await this.store.loadSnapshot(this.aggregateType, aggregateId);
    if (!stored) return null;
    return this.#decodeSnapshot(aggregateId, stored);
  }

  #decodeSnapshot(aggregateId: string, stored: StoredSnapshot): Snapshot<TState> {
    let state: TState;
    try {
      state = this.#codec.decodeState(stored.state) as TState;
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

  /** Saves a snapshot of `state` as of `sequence`. Throws on encode or store failure. */
  async saveSnapshot(aggregateId: string, state: TState, sequence: number, timestamp: Date): Promise<void> {
    const encoded = this.#codec.encodeState(state);
    await this.store.saveSnapshot({
      aggregateType: this.aggregateType,
      aggregateId,
      sequence,
      version: this.#snapshotVersion,
      state: encoded,
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
