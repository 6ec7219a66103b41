import type { DedicatedClient } from "./postgres-connections.js";
import { Backoff } from "./postgres-reconnect.js";

/** How the notifier reconnects and checks its connection. */
export interface NotifierTiming {
  /** The first wait before reconnecting; it doubles with jitter up to `maxMs`. */
  readonly initialMs: number;
  readonly maxMs: number;
  /** How often the listening connection is checked (a statement that must answer in time). */
  readonly heartbeatMs: number;
}

/**
 * Wakes listeners when any process appends to the schema: LISTEN on a dedicated connection, started
 * with the first listener, stopped with the last. If the connection drops it reconnects, and wakes
 * everyone once it is back, since notifications may have been missed meanwhile; reconnects back off
 * (bounded, with jitter). A heartbeat drops a connection that went silent, which nothing else would
 * notice on a connection that only listens. Only a wake-up: readers poll as well.
 */
export class PostgresNotifier {
  readonly #connect: () => Promise<DedicatedClient>;
  readonly #channel: string;
  readonly #backoff: Backoff;
  readonly #heartbeatMs: number;
  readonly #listeners = new Set<() => void>();
  #connection: DedicatedClient | null = null;
  #starting: Promise<void> | null = null;
  #retry: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #generation = 0;

  constructor(connect: () => Promise<DedicatedClient>, channel: string, timing: NotifierTiming) {
    this.#connect = connect;
    this.#channel = channel;
    this.#backoff = new Backoff(timing.initialMs, timing.maxMs);
    this.#heartbeatMs = timing.heartbeatMs;
  }

  /** Adds a listener; the returned function removes it. */
  subscribe(listener: () => void): () => void {
    const entry = () => listener();
    this.#listeners.add(entry);
    if (this.#listeners.size === 1) this.#start();
    return () => {
      if (!this.#listeners.delete(entry)) return;
      if (this.#listeners.size === 0) void this.stop();
    };
  }

  /** Wakes every listener (after an append of this process, or after reconnecting). */
  wake(): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the others still get woken.
      }
    }
  }

  /** Closes the connection and forgets pending reconnects; listeners stay until unsubscribed. */
  async stop(): Promise<void> {
    this.#generation++;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    this.#stopHeartbeat();
    await this.#starting?.catch(() => undefined);
    const connection = this.#connection;
    this.#connection = null;
    if (connection) await connection.close(true);
  }

  #start(): void {
    const generation = ++this.#generation;
    this.#starting = this.#listen(generation).catch(() => this.#scheduleReconnect(generation));
  }

  async #listen(generation: number): Promise<void> {
    const connection = await this.#connect();
    if (generation !== this.#generation) {
      await connection.close(true);
      return;
    }
    this.#connection = connection;
    const dropped = () => {
      if (this.#connection !== connection) return;
      this.#connection = null;
      this.#stopHeartbeat();
      void connection.close(true);
      this.#scheduleReconnect(generation);
    };
    connection.on("error", dropped);
    connection.on("end", dropped);
    connection.on("notification", (message) => {
      if (message.channel === this.#channel) this.wake();
    });
    try {
      await connection.query({ text: `LISTEN ${this.#channel}` });
    } catch (error) {
      if (this.#connection === connection) this.#connection = null;
      await connection.close(true);
      throw error;
    }
    this.#backoff.reset();
    this.#startHeartbeat(connection, dropped);
    this.wake();
  }

  /** Checks the listening connection now and then; one that does not answer in time is dropped. */
  #startHeartbeat(connection: DedicatedClient, dropped: () => void): void {
    this.#stopHeartbeat();
    let beating = false;
    this.#heartbeat = setInterval(() => {
      if (beating || this.#connection !== connection) return;
      beating = true;
      // LISTEN again: a no-op for the server, and a round trip that must answer in time.
      connection.query({ text: `LISTEN ${this.#channel}` }).then(
        () => {
          beating = false;
        },
        () => {
          beating = false;
          dropped();
        },
      );
    }, this.#heartbeatMs);
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  #scheduleReconnect(generation: number): void {
    if (generation !== this.#generation || this.#listeners.size === 0) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (generation === this.#generation && this.#listeners.size > 0) this.#start();
    }, this.#backoff.next());
    this.#retry.unref();
  }
}
