import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { describePostgres, dropSchema, freshSchemaName, spawnFixture } from "../support/postgres.js";

const FIXTURE = "test/telemetry/fixtures/without-otel-api.ts";
const directories: string[] = [];
const schemas: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

const expected = {
  apiFound: false,
  telemetry: "none",
  opened: {},
  sequence: 2,
  batches: [["AccountOpened"], ["CustomerDepositedCash"]],
};

async function runWithoutApi(store: string) {
  const fixture = spawnFixture(FIXTURE, [store]);
  const line = await fixture.line(/^\{/);
  expect(await fixture.exited).toBe(0);
  return JSON.parse(line);
}

for (const store of ["memory", "sqlite"]) {
  it(`runs commands and queries on ${store} when @opentelemetry/api is not installed`, async () => {
    let where = store;
    if (store === "sqlite") {
      const directory = mkdtempSync(join(tmpdir(), "no-otel-"));
      directories.push(directory);
      where = join(directory, "bank.db");
    }
    expect(await runWithoutApi(where)).toEqual(expected);
  }, 60_000);
}

describePostgres("without @opentelemetry/api [postgres]", () => {
  it("runs commands and queries on postgres when @opentelemetry/api is not installed", async () => {
    const schema = freshSchemaName("es_no_otel");
    schemas.push(schema);
    expect(await runWithoutApi(`postgres:${schema}`)).toEqual(expected);
  }, 60_000);
});
