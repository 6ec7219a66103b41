/**
 * How events and snapshot states become text for a store and back. The default is JSON; replace it to
 * revive classes, upcast old event versions, or use another format (PostgreSQL needs JSON text).
 */
export interface Codec {
  /** The event's type name and its text. Throws if the event cannot be encoded. */
  encodeEvent(event: unknown): { readonly eventType: string; readonly payload: string };
  /** The event back from its type name and text. Throws if the text cannot be decoded. */
  decodeEvent(eventType: string, payload: string): unknown;
  encodeState(state: unknown): string;
  decodeState(text: string): unknown;
}

/**
 * The default codec: JSON text. An event's type is its `type` field when that is a string, else the
 * name of its class. Values JSON cannot represent (a bigint, a cycle, `undefined` or a function as the
 * whole event) are refused with an error rather than silently changed.
 *
 * @example
 * ```ts
 * jsonCodec.encodeEvent({ type: "AccountOpened", accountId: "a-1" });
 * // => { eventType: "AccountOpened", payload: '{"type":"AccountOpened","accountId":"a-1"}' }
 * ```
 */
export const jsonCodec: Codec = Object.freeze({
  encodeEvent(event: unknown) {
    return { eventType: eventTypeOf(event), payload: toJson(event, "event") };
  },
  decodeEvent(_eventType: string, payload: string): unknown {
    return JSON.parse(payload);
  },
  encodeState(state: unknown): string {
    return toJson(state, "state");
  },
  decodeState(text: string): unknown {
    return JSON.parse(text);
  },
});

/** `event.type` when it is a string, else the class name (`Object` for plain objects without `type`). */
export function eventTypeOf(event: unknown): string {
  if (typeof event === "object" && event !== null) {
    const type = (event as { type?: unknown }).type;
    if (typeof type === "string") return type;
    return event.constructor?.name ?? "Object";
  }
  return typeof event;
}

function toJson(value: unknown, what: string): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`the ${what} cannot be represented as JSON`);
  return text;
}
