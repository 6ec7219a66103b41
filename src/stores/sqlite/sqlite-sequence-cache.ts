/** Entries kept past a transaction at most; past it the cache starts over at the next one. */
const MAX_ENTRIES = 100_000;

/**
 * The last sequence of the aggregates this connection has written, so that an append need not look it
 * up. Trusted only while no other connection has committed to the file: SQLite's `data_version` changes
 * exactly then, and the cache empties. A transaction that does not commit empties it too. Inside one
 * transaction every stream it wrote stays in the cache (a batch may hold two requests for one stream,
 * and the second is checked against the first one's end, whose rows may not be inserted yet).
 */
export class SqliteSequenceCache {
  #sequences = new Map<string, number>();
  /** `data_version` as of our last commit. */
  #version: number | undefined;
  /** A transaction began and has not been confirmed committed. */
  #open = false;
  #openVersion: number | undefined;

  /** At the start of a write transaction, with the current `PRAGMA data_version`. */
  begin(dataVersion: number): void {
    if (this.#open || dataVersion !== this.#version || this.#sequences.size >= MAX_ENTRIES)
      this.#sequences.clear();
    this.#open = true;
    this.#openVersion = dataVersion;
  }

  get(aggregateId: string): number | undefined {
    return this.#sequences.get(aggregateId);
  }

  set(aggregateId: string, sequence: number): void {
    this.#sequences.set(aggregateId, sequence);
  }

  /** The transaction committed: what it wrote is what the file holds. */
  committed(): void {
    this.#open = false;
    this.#version = this.#openVersion;
  }

  /** The transaction failed or its outcome is unknown: forget everything. */
  discard(): void {
    this.#open = false;
    this.#version = undefined;
    this.#sequences.clear();
  }
}
