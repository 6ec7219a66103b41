/** execute's correlationId and causationId are stored in every event's metadata under those keys. */
import { expect, it } from "vitest";
import { forEachStore } from "../support/stores.js";
import { deposit, expectOk, open, useSystems } from "../support/system.js";

forEachStore("correlation and causation ids", (kind) => {
  const systems = useSystems(kind);

  it("are stored in the metadata of every event of the command, over a metadata key of the same name", async () => {
    const bank = await systems.bank();
    const opened = expectOk(await bank.execute("a", open("a"), { correlationId: "conversation-1" }));
    const cause = opened.events[0]?.eventId ?? "";
    const deposited = expectOk(
      await bank.execute("a", deposit(5), {
        metadata: { user: "u-1", correlationId: "overridden" },
        correlationId: "conversation-1",
        causationId: cause,
      }),
    );
    expect(opened.events[0]?.metadata).toEqual({ correlationId: "conversation-1" });
    expect(deposited.events[0]?.metadata).toEqual({
      user: "u-1",
      correlationId: "conversation-1",
      causationId: cause,
    });
    const read = expectOk(await bank.loadEvents("a"));
    expect(read.map((e) => e.metadata)).toEqual([opened.events[0]?.metadata, deposited.events[0]?.metadata]);
  });

  it("that are not strings are refused as InvalidMetadata, nothing stored", async () => {
    const bank = await systems.bank();
    const refused = await bank.execute("a", open("a"), { correlationId: 42 as unknown as string });
    expect(!refused.ok && refused.error.type).toBe("InvalidMetadata");
    expect(expectOk(await bank.loadEvents("a"))).toEqual([]);
  });
});
