import { jsonCodec } from "../core/codec.js";
import { refuseUnknownKeys } from "../core/option-keys.js";
import type { Metadata, Upcaster } from "../core/types.js";

const UPCASTER_KEYS: readonly string[] = [
  "eventType",
  "fromVersion",
  "upcast",
] satisfies readonly (keyof Upcaster)[];

/** A stored event that cannot be brought to the version the code knows. */
export class EventVersionError extends Error {
  override readonly name = "EventVersionError";
}

/** The event after upcasting: its final type and its payload as text for the codec. */
export interface Upcast {
  readonly eventType: string;
  readonly payload: string;
}

/** The highest version any store holds (PostgreSQL keeps versions in 32-bit integers). */
const MAX_VERSION = 2_147_483_647;

function fail(option: string, expectation: string, value: unknown): never {
  throw new TypeError(`eventsourcing: \`${option}\` must be ${expectation}, got ${String(value)}`);
}

/**
 * The versions events are written at and the steps from older ones, checked at construction. Reading
 * an event at its type's current version with no step for it costs a map lookup.
 */
export class EventVersions {
  readonly #versions: ReadonlyMap<string, number>;
  /** Steps by `type \u0000 fromVersion`. */
  readonly #steps: ReadonlyMap<string, Upcaster>;

  constructor(
    versions: Readonly<Record<string, number>> | undefined,
    upcasters: readonly Upcaster[] | undefined,
  ) {
    if (
      versions !== undefined &&
      (typeof versions !== "object" || versions === null || Array.isArray(versions))
    )
      fail("eventVersions", "an object of event type to version", versions);
    const current = new Map<string, number>();
    for (const [type, version] of Object.entries(versions ?? {})) {
      if (!Number.isSafeInteger(version) || version < 1 || version > MAX_VERSION)
        fail(`eventVersions.${type}`, `a positive integer of at most ${MAX_VERSION}`, version);
      current.set(type, version);
    }
    if (upcasters !== undefined && !Array.isArray(upcasters))
      fail("upcasters", "an array of Upcaster", upcasters);
    const steps = new Map<string, Upcaster>();
    for (const [i, step] of (upcasters ?? []).entries()) {
      const where = `upcasters[${i}]`;
      if (typeof step !== "object" || step === null) fail(where, "an Upcaster", step);
      refuseUnknownKeys("eventsourcing: unknown option", `${where}.`, step, UPCASTER_KEYS);
      if (typeof step.eventType !== "string" || step.eventType.length === 0)
        fail(`${where}.eventType`, "a non-empty string", step.eventType);
      if (!Number.isSafeInteger(step.fromVersion) || step.fromVersion < 1 || step.fromVersion >= MAX_VERSION)
        fail(`${where}.fromVersion`, `a positive integer below ${MAX_VERSION}`, step.fromVersion);
      if (typeof step.upcast !== "function") fail(`${where}.upcast`, "a function", step.upcast);
      const target = current.get(step.eventType);
      if (target !== undefined && step.fromVersion >= target)
        throw new TypeError(
          `eventsourcing: \`${where}\` upcasts ${JSON.stringify(step.eventType)} from version ${step.fromVersion}, ` +
            `but eventVersions says version ${target} is current: a step reads an older version only`,
        );
      const key = stepKey(step.eventType, step.fromVersion);
      if (steps.has(key))
        throw new TypeError(
          `eventsourcing: two upcasters read ${JSON.stringify(step.eventType)} at version ${step.fromVersion}`,
        );
      steps.set(key, step);
    }
    // A gap refused at once: a type at version N > 1 needs a step that yields version N (its own
    // step from N - 1, or another type's step from N - 1, which may rename into it).
    for (const [type, version] of current)
      if (version > 1 && !steps.has(stepKey(type, version - 1)) && !this.#renamedInto(type, version, steps))
        throw new TypeError(
          `eventsourcing: ${JSON.stringify(type)} is at version ${version} but no upcaster reads version ` +
            `${version - 1}: add one (or lower eventVersions)`,
        );
    this.#versions = current;
    this.#steps = steps;
  }

  /**
   * Whether some step may produce (type, version) by renaming: its result type is unknown before it
   * runs, so any step of another type at version - 1 may.
   */
  #renamedInto(type: string, version: number, steps: ReadonlyMap<string, Upcaster>): boolean {
    for (const step of steps.values())
      if (step.fromVersion === version - 1 && step.eventType !== type) return true;
    return false;
  }

  /** The version a new event of this type is written at. */
  versionOf(eventType: string): number {
    return this.#versions.get(eventType) ?? 1;
  }

  /**
   * Why a new event of this type cannot be written, or `null`: a type that an upcaster reads at its
   * current version (one renamed away) would be written as it is and read back changed, so live state
   * and replay would differ. Free when there are no upcasters.
   */
  unwritable(eventType: string): string | null {
    if (this.#steps.size === 0) return null;
    const version = this.versionOf(eventType);
    return this.#steps.has(stepKey(eventType, version))
      ? `an upcaster reads event type ${JSON.stringify(eventType)} at version ${version}, its current ` +
          "one, so it would be read back changed: write the type it becomes instead"
      : null;
  }

  /** Whether an event stored as (type, version) decodes as it is, with no step to run. */
  isCurrent(eventType: string, version: number): boolean {
    return (
      version === (this.#versions.get(eventType) ?? 1) &&
      (this.#steps.size === 0 || !this.#steps.has(stepKey(eventType, version)))
    );
  }

  /**
   * Runs the steps from (type, version) while one matches, and checks the result is at its type's
   * current version. Throws {@link EventVersionError} naming the types and versions otherwise.
   */
  upcast(
    eventType: string,
    version: number,
    payload: string,
    stored: { readonly aggregateId: string; readonly metadata: Metadata },
  ): Upcast {
    let type = eventType;
    let at = version;
    let value: unknown = JSON.parse(payload);
    for (
      let step = this.#steps.get(stepKey(type, at));
      step !== undefined;
      step = this.#steps.get(stepKey(type, at))
    ) {
      const result = step.upcast(value, stored);
      if (typeof result !== "object" || result === null || !("payload" in result))
        throw new EventVersionError(
          `the upcaster of ${JSON.stringify(type)} from version ${at} returned no { payload }`,
        );
      if (result.eventType !== undefined) {
        if (typeof result.eventType !== "string" || result.eventType.length === 0)
          throw new EventVersionError(
            `the upcaster of ${JSON.stringify(type)} from version ${at} returned an eventType that is not a non-empty string`,
          );
        type = result.eventType;
      }
      value = result.payload;
      at++;
    }
    const current = this.#versions.get(type) ?? 1;
    if (at !== current) {
      const from = type === eventType ? "" : ` (stored as ${JSON.stringify(eventType)} version ${version})`;
      throw new EventVersionError(
        at > current
          ? `event type ${JSON.stringify(type)} at version ${at}${from} is newer than this code knows ` +
              `(version ${current}): upgrade the code that reads it`
          : `event type ${JSON.stringify(type)} stops at version ${at}${from}: no upcaster reads it, and ` +
              `the current version is ${current}`,
      );
    }
    let text: string;
    try {
      // The default codec's walk: what an upcaster returns must be JSON as it is, never changed by it.
      text = jsonCodec.encodeState(value);
    } catch (cause) {
      throw new EventVersionError(
        `the upcasters of ${JSON.stringify(eventType)} from version ${version} gave a payload JSON cannot hold: ` +
          (cause instanceof Error ? cause.message : String(cause)),
      );
    }
    return { eventType: type, payload: text };
  }
}

function stepKey(eventType: string, version: number): string {
  return `${eventType}\u0000${version}`;
}
