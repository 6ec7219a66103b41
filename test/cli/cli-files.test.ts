/**
 * The command line and files, through the real bin: export never replaces a file without --force,
 * import reads standard input given "-", a failed import leaves no store file it created, and
 * --schema with a SQLite file is a usage error.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqliteStore } from "../../src/stores/sqlite/index.js";
import { type CliResult, runCli, seedStore } from "./run-cli.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The bin with `input` on its standard input. */
function runWithInput(args: readonly string[], input: string): Promise<CliResult> {
  const { EVENTSOURCING_DB: _, ...env } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: root, env });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(input);
  return new Promise((resolve) =>
    child.on("close", (code) => resolve({ code: code ?? "signal", stdout, stderr })),
  );
}

describe("the command line and files", { timeout: 120_000 }, () => {
  let directory: string;
  let db: string;
  let count: number;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "eventsourcing-cli-files-"));
    db = join(directory, "events.db");
    const store = sqliteStore({ path: db });
    await store.init();
    count = await seedStore(store);
    await store.close();
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("export refuses an existing --out unless --force", async () => {
    const out = join(directory, "existing.ndjson");
    await writeFile(out, "keep me\n");
    const refused = await runCli(["export", "--db", db, "--out", out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--force");
    expect(await readFile(out, "utf8")).toBe("keep me\n");
    const forced = await runCli(["export", "--db", db, "--out", out, "--force"]);
    expect(forced.code).toBe(0);
    expect((await readFile(out, "utf8")).trim().split("\n")).toHaveLength(count);
  });

  it("import - reads standard input", async () => {
    const exported = await runCli(["export", "--db", db]);
    const target = join(directory, "from-stdin.db");
    const imported = await runWithInput(["import", "-", "--db", target], exported.stdout);
    expect(imported.stderr).toContain(`imported ${count} events`);
    expect(imported.code).toBe(0);
  });

  it("a failed import leaves no store file it created", async () => {
    const bad = join(directory, "bad.ndjson");
    await writeFile(bad, "not json\n");
    const target = join(directory, "never.db");
    const result = await runCli(["import", bad, "--db", target]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("line 1");
    expect(existsSync(target)).toBe(false);
    // A store that was there before stays.
    const kept = await runCli(["import", bad, "--db", db]);
    expect(kept.code).toBe(1);
    expect(existsSync(db)).toBe(true);
  });

  it("--schema with a SQLite file is a usage error", async () => {
    const result = await runCli(["streams", "--db", db, "--schema", "x"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--schema names a PostgreSQL schema");
  });
});
