import type { QueryLock } from "../../core/event-store.js";
import type { DedicatedClient } from "./postgres-connections.js";
import { refusedData } from "./postgres-errors.js";
import type { PostgresQuery } from "./postgres-options.js";

/**
 * How quickly the server gives up on a lock holder that went silent (its machine died, the network
 * parted): 4 s idle, then two probes 2 s apart. The holder's heartbeat notices first (at most two
 * heartbeat periods with the default 2 s), so two processes never both believe they run a query.
 */
const SERVER_KEEPALIVES = [
  "tcp_keepalives_idle = 4",
  "tcp_keepalives_interval = 2",
  "tcp_keepalives_count = 2",
];

/**
 * Tries to take a session-level advisory lock on a dedicated connection, held for the query's life.
 * The lock lives as long as that connection: when the connection dies (its process was killed, the
 * server ended it) the server frees the lock and another process can take it, and here `held` turns
 * false. A heartbeat that must answer within its period notices connections that died quietly.
 *
 * @returns the lock, or `null` at once when another session holds it.
 */
export async function tryQueryLock(
  connection: DedicatedClient,
  key: string,
  heartbeatMs: number,
  onGone: (lock: PostgresQueryLock) => void,
  checkpoint: CheckpointStatement,
): Promise<PostgresQueryLock | null> {
  let taken = false;
  try {
    const { rows } = await connection.query({ text: `SELECT pg_try_advisory_lock(${key}) AS taken` });
    taken = rows[0]?.taken === true;
    if (taken)
      await connection.query({ text: SERVER_KEEPALIVES.map((setting) => `SET ${setting}`).join("; ") });
  } catch (error) {
    await connection.close(true);
    throw error;
  }
  if (!taken) {
    await connection.close(false);
    return null;
  }
  return new PostgresQueryLock(connection, key, heartbeatMs, onGone, checkpoint);
}

/**
 * The statement that saves one query's checkpoint, given the position as text and, when fenced by a
 * reset generation, that generation: it returns a row when it wrote, none when the generation is stale.
 */
export type CheckpointStatement = (position: string, generation: number | undefined) => PostgresQuery;

/** A held named-query lock. */
export class PostgresQueryLock implements QueryLock {
  readonly #connection: DedicatedClient;
  readonly #key: string;
  readonly #heartbeatMs: number;
  readonly #onGone: (lock: PostgresQueryLock) => void;
  readonly #checkpoint: CheckpointStatement;
  #held = true;
  #released = false;
  #beating = false;
  #heartbeat: NodeJS.Timeout;

  constructor(
    connection: DedicatedClient,
    key: string,
    heartbeatMs: number,
    onGone: (lock: PostgresQueryLock) => void,
    checkpoint: CheckpointStatement,
  ) {
    this.#connection = connection;
    this.#checkpoint = checkpoint;
    this.#key = key;
    this.#heartbeatMs = heartbeatMs;
    this.#onGone = onGone;
    connection.on("error", () => this.#lost());
    connection.on("end", () => this.#lost());
    this.#heartbeat = setInterval(() => this.#beat(), heartbeatMs);
    this.#heartbeat.unref();
  }

  get held(): boolean {
    return this.#held;
  }

  /**
   * Written on the lock's own session: the session-level advisory lock lives exactly as long as that
   * session, so a write that succeeds there was made by the holder. A write that fails there (the
   * server ended the session, the connection died) proves nothing: the lock is given up, and `false`.
   */
  async saveCheckpoint(position: bigint, generation?: number): Promise<boolean> {
    if (!this.#held) return false;
    try {
      const { rows } = await this.#connection.query(this.#checkpoint(position.toString(), generation));
      // A reset was recorded: nothing written, and the lock is still held.
      if (generation !== undefined && rows.length === 0) return false;
    } catch (error) {
      // The server refused the row itself (a key too large for its index, say): the session, and so
      // the lock, is fine. A failure to report, not a lost lock.
      if (this.#held && refusedData(error)) throw error;
      this.#lost();
      return false;
    }
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
    const unlocked = await within(
      this.#connection.query({
        text: [
          `SELECT pg_advisory_unlock(${this.#key})`,
          ...SERVER_KEEPALIVES.map((setting) => `RESET ${setting.split(" ")[0]}`),
        ].join("; "),
      }),
      this.#heartbeatMs,
    );
    await this.#connection.close(!unlocked);
  }

  #beat(): void {
    if (!this.#held || this.#beating) return;
    this.#beating = true;
    void within(this.#connection.query({ text: "SELECT 1" }), this.#heartbeatMs).then((answered) => {
      this.#beating = false;
      if (!answered) this.#lost();
    });
  }

  #lost(): void {
    if (!this.#held) return;
    this.#held = false;
    clearInterval(this.#heartbeat);
    void this.release();
  }
}

/** Whether `work` succeeded within `ms`; a late or failed answer counts as none. */
function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}
