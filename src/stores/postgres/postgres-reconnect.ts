/**
 * How the store reconnects: one schedule for every place that opens connections (the pool, the LISTEN
 * connection, query locks), so that a server that is down sees a few attempts that back off, not one
 * per command.
 */

/**
 * Bounded exponential backoff with jitter: the n-th wait is drawn between half and all of
 * `min(maxMs, initialMs * 2^n)`, so that processes that lost the server together do not come back in
 * step.
 *
 * @example
 * ```ts
 * const backoff = new Backoff(1_000, 30_000);
 * backoff.next(); // between 500 and 1,000
 * backoff.next(); // between 1,000 and 2,000
 * backoff.reset();
 * ```
 */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(initialMs: number, maxMs: number, random: () => number = Math.random) {
    this.#initialMs = initialMs;
    this.#maxMs = Math.max(initialMs, maxMs);
    this.#random = random;
  }

  /** The wait before the next attempt, after one more failure. */
  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    return Math.round(ceiling / 2 + (ceiling / 2) * this.#random());
  }

  /** Back to the first wait, after a success. */
  reset(): void {
    this.#failures = 0;
  }
}

/** The refusal of a call made while the server is known to be unreachable and the wait is not over. */
export class ServerUnreachableError extends Error {
  override readonly name = "ServerUnreachableError";
}

/**
 * Lets connection attempts through while they succeed. After one fails, further attempts fail at once
 * (with the last failure as cause) until the backoff's wait has passed; then a single attempt goes
 * through, and its outcome closes the gate again or doubles the wait.
 */
export class ConnectGate {
  readonly #backoff: Backoff;
  readonly #now: () => number;
  #retryAt = 0;
  #failing = false;
  #probing = false;
  #lastError: unknown;
  /** Counts recorded failures: attempts started before the latest one do not push the wait further. */
  #epoch = 0;

  constructor(backoff: Backoff, now: () => number = () => performance.now()) {
    this.#backoff = backoff;
    this.#now = now;
  }

  /** Runs `connect` unless the server is known to be unreachable and its wait is not over. */
  async attempt<T>(connect: () => Promise<T>): Promise<T> {
    const probe = this.#failing;
    if (probe) {
      const waitMs = Math.ceil(this.#retryAt - this.#now());
      if (waitMs > 0 || this.#probing) {
        throw new ServerUnreachableError(
          `PostgreSQL is unreachable (${describe(this.#lastError)}); ` +
            `the next connection attempt is in ${Math.max(waitMs, 0)} ms`,
          { cause: this.#lastError },
        );
      }
      this.#probing = true;
    }
    const epoch = this.#epoch;
    try {
      const connection = await connect();
      this.#failing = false;
      this.#backoff.reset();
      return connection;
    } catch (error) {
      if (epoch === this.#epoch) {
        this.#epoch++;
        this.#failing = true;
        this.#lastError = error;
        this.#retryAt = this.#now() + this.#backoff.next();
      }
      throw error;
    } finally {
      if (probe) this.#probing = false;
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.message === "")
    return error.errors.map((each) => describe(each)).join("; ");
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return error.message || (typeof code === "string" ? code : error.name);
  }
  return String(error);
}
