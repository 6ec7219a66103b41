/**
 * Options are checked at construction, and a key nobody reads is a mistake (`snapshots`, `idleMS`,
 * `conectionString`): it is refused, with the nearest known name, instead of silently ignored.
 */

/**
 * Throws a `TypeError` for the first key of `options` not in `known`, naming it (after `where`, e.g.
 * `"passivation."`) and the nearest known key, if one is close.
 *
 * @example
 * ```ts
 * refuseUnknownKeys("sqliteStore: unknown option", "", { pathh: "x" }, ["path", "database"]);
 * // TypeError: sqliteStore: unknown option `pathh`; did you mean `path`? (known: path, database)
 * ```
 */
export function refuseUnknownKeys(
  prefix: string,
  where: string,
  options: object,
  known: readonly string[],
): void {
  const problem = unknownKeyProblem(prefix, where, options, known);
  if (problem !== null) throw new TypeError(problem);
}

/**
 * What {@link refuseUnknownKeys} throws, as text, or `null` when every key of `options` is known: for
 * calls that answer a value instead of throwing.
 */
export function unknownKeyProblem(
  prefix: string,
  where: string,
  options: object,
  known: readonly string[],
): string | null {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => nearlyEqual(k, key));
    return (
      `${prefix} \`${where}${key}\`${near ? `; did you mean \`${where}${near}\`?` : ""} ` +
      `(known: ${known.join(", ")})`
    );
  }
  return null;
}

/** Same word but for case, a trailing "s", a prefix, or a few letters (snapshots, idleMS, conflictRetry). */
function nearlyEqual(known: string, given: string): boolean {
  const a = known.toLowerCase();
  const b = given.toLowerCase();
  if (a === b || `${a}s` === b || a === `${b}s` || a.startsWith(b) || b.startsWith(a)) return true;
  return editDistance(a, b) <= Math.max(2, Math.floor(Math.min(a.length, b.length) / 4));
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
