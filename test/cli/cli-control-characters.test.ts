/**
 * Output for people never carries a control character or a bidirectional override raw: ids, types,
 * metadata and payloads written through the library show them escaped in every command's lines, while
 * --json keeps the exact text.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { shown } from "../../src/cli/output.js";
import { jsonLines, runCli } from "./run-cli.js";
import { type CliStore, forEachCliStore } from "./stores.js";

const ID = "esc-\u001b[31mRED\u001b[0m\nnext\u202eevil\u0085\u007f";
const TYPE = "E\u001b[1mBOLD\u2066";
/** Nothing a terminal acts on: C0 (tab aside, never printed here), DEL, C1, bidi overrides/isolates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

forEachCliStore("control characters in output for people", (kind) => {
  let store: CliStore;
  beforeAll(async () => {
    store = await kind.create();
    const [outcome] = await store.store.append([
      {
        aggregateType: "account",
        aggregateId: ID,
        expectedSequence: 0,
        events: [{ eventType: TYPE, payload: '{"note":"\u202e\u0085"}', metadata: { by: "\u001b[2J" } }],
      },
    ]);
    if (!outcome?.ok) throw new Error("seed conflict");
  });
  afterAll(async () => {
    await store.cleanup();
  });

  it("streams, events, tail and stats show them escaped, one line per row", async () => {
    const streams = await runCli(["streams", ...store.args]);
    expect(streams.code).toBe(0);
    expect(streams.stdout).not.toMatch(RAW);
    expect(streams.stdout.trim().split("\n")).toHaveLength(2);
    expect(streams.stdout).toContain("esc-\\x1b[31mRED\\x1b[0m\\nnext\\u202eevil\\x85\\x7f");
    for (const args of [
      ["events", ID, ...store.args],
      ["tail", ...store.args],
      ["stats", ...store.args],
    ]) {
      const result = await runCli(args);
      expect(result.code, args[0]).toBe(0);
      expect(result.stdout, args[0]).not.toMatch(RAW);
      expect(result.stdout, args[0]).toContain("E\\x1b[1mBOLD\\u2066");
    }
    const missing = await runCli(["events", "no\u001bpe", "--type", "account", ...store.args]);
    expect(missing.stderr).not.toMatch(RAW);
  });

  it("--json keeps the exact text", async () => {
    const result = await runCli(["streams", ...store.args, "--json"]);
    expect(jsonLines(result.stdout)[0]?.aggregateId).toBe(ID);
  });
});

it("shown escapes exactly the characters a terminal acts on", () => {
  expect(shown("a\tb\rc\u0000\u009b\u2069 é ✓")).toBe("a\\tb\\rc\\x00\\x9b\\u2069 é ✓");
});
