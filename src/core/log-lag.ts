/**
 * How far a reader at `position` is behind a log whose head is `head`: the events after it, counted
 * by the store where its positions are not consecutive numbers (`countEventsAfter`, PostgreSQL, at most
 * `limit`), else the head minus the position. 0 when the head is not past it.
 *
 * @example
 * ```ts
 * await eventsBehind(store, 42n, 40n, 1_000_000); // 2 on SQLite; the count on PostgreSQL
 * ```
 */
export async function eventsBehind(
  store: { countEventsAfter?(position: bigint, limit: number): Promise<number> },
  head: bigint,
  position: bigint,
  limit: number,
): Promise<number> {
  if (head <= position) return 0;
  return store.countEventsAfter ? store.countEventsAfter(position, limit) : Number(head - position);
}
