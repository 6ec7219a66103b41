import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventLine } from "../../src/cli/output.js";
import { TargetVerifier } from "../../src/cli/target-verifier.js";
import { checksumLine, checksumLineOfRow, LogChecksum } from "../../src/cli/transfer.js";
import type { AppendRequest, StoredEvent } from "../../src/core/event-store.js";
import { openStore } from "../../src/inspect/open-store.js";
import { sqliteStore } from "../../src/stores/sqlite/index.js";

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "eventsourcing-verifier-"));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Commits of 1 to 3 events on `streams` streams, with metadata, a command id and a payload not compact. */
function requests(streams: number, from: number): AppendRequest[] {
  return Array.from({ length: streams }, (_, i) => ({
    aggregateType: i % 2 === 0 ? "account" : "customer",
    aggregateId: `s-${from + i}`,
    expectedSequence: 0,
    ...(i % 3 === 0 ? { commandId: `cmd-${from + i}` } : {}),
    events: Array.from({ length: 1 + (i % 3) }, (_, k) => ({
      eventType: "Happened",
      payload: k === 1 ? `{ "spaced" : [1, 2.50] }` : JSON.stringify({ n: from + i, k, text: "é\n\u2028" }),
      metadata: (k === 2 ? {} : { correlationId: `c-${from + i}`, "10": "integer-like key" }) as Record<
        string,
        string
      >,
    })),
  }));
}

/** The checksum of every event as the source side computes it: from event objects. */
async function expectedSum(path: string): Promise<{ events: number; digest: string }> {
  const opened = await openStore(path, { readOnly: true });
  try {
    const sum = new LogChecksum();
    let after = 0n;
    for (;;) {
      const page = await opened.inspector.readLog(after, 4);
      if (page.length === 0) break;
      sum.add(page);
      after = (page[page.length - 1] as StoredEvent).position;
    }
    return { events: sum.events, digest: sum.digest() };
  } finally {
    await opened.close();
  }
}

describe("TargetVerifier", () => {
  it("reads a SQLite file back on its own thread, events written after it started included", async () => {
    const path = join(directory, "target.db");
    const store = sqliteStore({ path });
    await store.init();
    await store.append(requests(5, 0));
    const verifier = TargetVerifier.start(path, 3);
    expect(verifier).not.toBeNull();
    verifier?.more();
    await store.append(requests(7, 100));
    verifier?.more();
    await store.append(requests(4, 200));
    const read = await verifier?.finish();
    await store.close();
    const expected = await expectedSum(path);
    // Streams of 1, 2, 3, 1, 2, 3, ... events.
    const events = (streams: number) =>
      Array.from({ length: streams }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b);
    expect(expected.events).toBe(events(5) + events(7) + events(4));
    // The lines from stored rows (metadata as stored) give the digest of the lines from event objects.
    expect(read).toEqual(expected);
  });

  it("fails, rather than answering, when the file cannot be read", async () => {
    const verifier = TargetVerifier.start(join(directory, "missing.db"), 10);
    expect(verifier).not.toBeNull();
    await expect(verifier?.finish()).rejects.toThrow(/missing\.db/);
  });
});

describe("checksum lines", () => {
  const event: StoredEvent = {
    aggregateType: "account",
    aggregateId: "a-1",
    sequence: 2,
    position: 9n,
    commitStart: 1,
    eventId: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
    eventType: "Deposited",
    eventVersion: 3,
    payload: '{"amount":5,"note":"x\\"y"}',
    metadata: { correlationId: "c" },
    recordedAt: new Date("2026-01-02T03:04:05.678Z"),
    commandId: "cmd",
  };

  it("are the export line when the payload is stored compact", () => {
    expect(checksumLine(event)).toBe(`${eventLine(event)}\n`);
    expect(checksumLine({ ...event, commandId: undefined })).toBe(
      `${eventLine({ ...event, commandId: undefined })}\n`,
    );
  });

  it("carry a payload's stored text, so other text of the same JSON value counts as different", () => {
    const spaced = { ...event, payload: '{ "amount": 5, "note": "x\\"y" }' };
    expect(checksumLine(spaced)).toContain(`"payload":${spaced.payload},`);
    expect(checksumLine(spaced)).not.toBe(checksumLine(event));
  });

  it("are the same from a stored row as from the event", () => {
    const row = [
      9,
      "account",
      "a-1",
      2,
      1,
      event.eventId,
      "Deposited",
      3,
      event.payload,
      JSON.stringify(event.metadata),
      event.recordedAt.getTime(),
      "cmd",
    ] as const;
    expect(checksumLineOfRow(row)).toBe(checksumLine(event));
    expect(checksumLineOfRow([...row.slice(0, 11), null] as never)).toBe(
      checksumLine({ ...event, commandId: undefined }),
    );
  });
});
