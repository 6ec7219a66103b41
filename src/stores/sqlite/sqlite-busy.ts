/**
 * Waiting for another connection's write lock without blocking the event loop: SQLite's own busy
 * handler waits a few milliseconds (synchronously), then this retries asynchronously with backoff.
 */
import { setTimeout as delay } from "node:timers/promises";

/** How long SQLite itself may wait, synchronously, for a lock before answering `SQLITE_BUSY`. */
export const SYNCHRONOUS_BUSY_WAIT_MS = 20;

/** Whether `error` is SQLite saying another connection holds the lock (`SQLITE_BUSY*`, `SQLITE_LOCKED*`). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

/**
 * Runs `operation` (synchronous, all or nothing) until it is not refused as busy, for at most `limitMs`
 * in all; then rejects with an error saying the database stayed locked.
 */
export async function retryWhileBusy<T>(operation: () => T, limitMs: number): Promise<T> {
  const started = performance.now();
  let pause = 1;
  for (;;) {
    try {
      return operation();
    } catch (error) {
      if (!isBusy(error)) throw error;
      const waited = performance.now() - started;
      if (waited >= limitMs) {
        throw new Error(
          `the SQLite database stayed locked by another connection for ${Math.round(waited)} ms ` +
            "(raise busyTimeoutMs if writers hold it longer)",
          { cause: error },
        );
      }
      // Jitter keeps two processes that collided from retrying in lockstep.
      await delay(Math.min(pause, limitMs - waited) * (0.5 + Math.random()));
      pause = Math.min(pause * 2, 50);
    }
  }
}
