import type { QueryLock } from "../../core/event-store.js";
import type { DedicatedClient } from "./postgres-connections.js";

/**
 * Tries to take a session-level advisory lock on a dedicated connection, held for the query's life.
 * The lock lives as long as that connection: when the connection dies (its process was killed, the
 * server ended it) the server frees the lock and another process can take it, and here `held` turns
 * false. A heartbeat notices connections that died quietly.
 *
 * @returns the lock, or `null` at once when another session holds it.
 */
export async function tryQueryLock(
  connection: DedicatedClient,
  key: string,
  heartbeatMs: number,
  onGone: (lock: PostgresQueryLock) => void,
): Promise<PostgresQueryLock | null> {
  let taken = false;
  try {
    const { rows } = await connection.query({ text: `SELECT pg_try_advisory_lock(${key}) AS taken` });
    taken = rows[0]?.taken === true;
  } catch (error) {
    await connection.close(true);
    throw error;
  }
  if (!taken) {
    await connection.close(false);
    return null;
  }
  return new PostgresQueryLock(connection, key, heartbeatMs, onGone);
}

/** A held named-query lock. */
export class PostgresQueryLock implements QueryLock {
  readonly #connection: DedicatedClient;
  readonly #key: string;
  readonly #onGone: (lock: PostgresQueryLock) => void;
  #held = true;
  #released = false;
  #heartbeat: NodeJS.Timeout;

  constructor(
    connection: DedicatedClient,
    key: string,
    heartbeatMs: number,
    onGone: (lock: PostgresQueryLock) => void,
  ) {
    this.#connection = connection;
    this.#key = key;
    this.#onGone = onGone;
    connection.on("error", () => this.#lost());
    connection.on("end", () => this.#lost());
    this.#heartbeat = setInterval(() => this.#beat(), heartbeatMs);
    this.#heartbeat.unref();
  }

  get held(): boolean {
    return this.#held;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#heartbeat);
    this.#onGone(this);
    if (!this.#held) {
      await this.#connection.close(true);
      return;
    }
    this.#held = false;
    try {
      await this.#connection.query({ text: `SELECT pg_advisory_unlock(${this.#key})` });
      await this.#connection.close(false);
    } catch {
      await this.#connection.close(true);
    }
  }

  #beat(): void {
    if (!this.#held) return;
    this.#connection.query({ text: "SELECT 1" }).catch(() => this.#lost());
  }

  #lost(): void {
    if (!this.#held) return;
    this.#held = false;
    clearInterval(this.#heartbeat);
    void this.release();
  }
}
