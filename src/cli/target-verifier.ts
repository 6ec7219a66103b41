/**
 * Reading a SQLite migration target back for its checksum on a second thread while the copy goes on,
 * so that the verification costs the copying thread nothing: the worker reads each batch soon after
 * it is committed, through a read-only connection of its own, and gives the count and digest of all it
 * read once told that nothing more will be written.
 */
import { Worker } from "node:worker_threads";

/** The events read back from the target and the SHA-256 of their checksum lines (see `LogChecksum`). */
export interface TargetSum {
  readonly events: number;
  readonly digest: string;
}

/** A worker thread reading a SQLite target back; see the module. */
export class TargetVerifier {
  readonly #worker: Worker;
  readonly #result: Promise<TargetSum>;

  private constructor(worker: Worker) {
    this.#worker = worker;
    this.#result = new Promise<TargetSum>((resolve, reject) => {
      worker.once("message", (message: TargetSum | { error: string }) => {
        if ("error" in message) reject(new Error(message.error));
        else resolve(message);
      });
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the verifying thread stopped (exit code ${code})`)));
    });
    // Awaited only by finish(); a failure before then is answered there.
    this.#result.catch(() => undefined);
  }

  /**
   * Starts reading the SQLite file at `path` back in pages of `size` events; `null` when no thread can
   * be started here (the caller then reads the target back itself). The thread keeps the process alive
   * until {@link finish} or {@link stop}.
   */
  static start(path: string, size: number): TargetVerifier | null {
    const workerData = { path, size };
    try {
      // Built, the worker is JavaScript; run from the TypeScript source, it is TypeScript, and a worker
      // does not inherit the loader (tsx) on Node 20, so it registers that first. Without one, the
      // worker stops at once and the caller reads the target back itself.
      if (!import.meta.url.endsWith(".ts")) {
        const worker = new Worker(new URL("./target-verifier-worker.js", import.meta.url), { workerData });
        return new TargetVerifier(worker);
      }
      const entry = new URL("./target-verifier-worker.ts", import.meta.url).href;
      const loader = import.meta.resolve("tsx/esm/api");
      const code =
        `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); ` +
        `return import(${JSON.stringify(entry)}); })`;
      return new TargetVerifier(new Worker(code, { eval: true, workerData }));
    } catch {
      return null;
    }
  }

  /** Batches were committed: read them. */
  more(): void {
    this.#worker.postMessage("more");
  }

  /** Nothing more will be written: reads to the end and answers the count and digest of all it read. */
  async finish(): Promise<TargetSum> {
    this.#worker.postMessage("finish");
    try {
      return await this.#result;
    } finally {
      await this.#worker.terminate();
    }
  }

  /** Stops the thread without an answer (an interrupted or failed copy). */
  async stop(): Promise<void> {
    await this.#worker.terminate();
  }
}
