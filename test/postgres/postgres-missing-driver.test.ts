import { expect, it, vi } from "vitest";
import { postgresStore } from "../../src/stores/postgres/index.js";

vi.mock("pg", () => {
  throw new Error("Cannot find package 'pg'");
});

it("says how to install pg when it is missing, and only once the store is used", async () => {
  const store = postgresStore({ connectionString: "postgres://localhost/app" });
  await expect(store.init()).rejects.toThrow(/needs the 'pg' package.*npm install pg/);
  await store.close();
});
