/**
 * The worker thread of `TargetVerifier`: reads a SQLite target back through a read-only connection of
 * its own, as its batches are committed, and keeps the running checksum of what it read. Messages in:
 * `"more"` (batches were committed), `"finish"` (nothing more will be written: read to the end and
 * answer). Message out: `{ events, digest }`, or `{ error }`.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { StoredEventRow } from "../inspect/inspector.js";
import { openSqliteReadOnly, sqliteInspector } from "../stores/sqlite/sqlite-inspect.js";
import { LogChecksum } from "./transfer.js";

const { path, size } = workerData as { path: string; size: number };
const port = parentPort;
if (port === null) throw new Error("target-verifier-worker runs as a worker thread");

let pending = false;
let finishing = false;
let wake: (() => void) | null = null;
port.on("message", (message: "more" | "finish") => {
  if (message === "finish") finishing = true;
  pending = true;
  wake?.();
});

async function verify(): Promise<{ events: number; digest: string }> {
  const inspector = sqliteInspector(await openSqliteReadOnly(path));
  try {
    const readRows = inspector.readLogRows?.bind(inspector);
    if (readRows === undefined) throw new Error("the SQLite inspector reads no rows");
    const checksum = new LogChecksum();
    let after = 0n;
    for (;;) {
      if (!pending) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      pending = false;
      // Whether "finish" came before this read began: then the read sees every write.
      const last = finishing;
      for (;;) {
        const rows = await readRows(after, size);
        checksum.addRows(rows);
        if (rows.length > 0) after = BigInt((rows[rows.length - 1] as StoredEventRow)[0]);
        if (rows.length < size) break;
      }
      if (last) return { events: checksum.events, digest: checksum.digest() };
    }
  } finally {
    await inspector.close();
  }
}

verify().then(
  (result) => port.postMessage(result),
  (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) }),
);
