import type { ReadAllOptions } from "./event-store.js";

/**
 * The aggregate types a `readAll` call filters on, distinct, or `undefined` for every type. Throws a
 * `TypeError` for anything but a non-empty array of strings.
 *
 * @example
 * ```ts
 * aggregateTypesOf({ aggregateTypes: ["order", "order"] }); // ["order"]
 * ```
 */
export function aggregateTypesOf(options: ReadAllOptions | undefined): readonly string[] | undefined {
  const types = options?.aggregateTypes;
  if (types === undefined) return undefined;
  if (!Array.isArray(types) || types.length === 0 || types.some((type) => typeof type !== "string"))
    throw new TypeError("readAll: aggregateTypes must be a non-empty array of strings");
  return [...new Set(types)];
}
