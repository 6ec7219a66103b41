import type { EventStore } from "../../src/core/event-store.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { describeEventStoreContract } from "../../src/testing/index.js";
import { describePostgres, dropSchema, freshSchemaName, postgresUrl } from "../support/postgres.js";

const schemaOf = (store: EventStore): string => (store as EventStore & { schema: string }).schema;

describePostgres("postgresStore", () => {
  describeEventStoreContract("postgresStore", {
    create: async () => postgresStore({ connectionString: postgresUrl, schema: freshSchemaName(), max: 3 }),
    openAnother: async (store) =>
      postgresStore({ connectionString: postgresUrl, schema: schemaOf(store), max: 3 }),
    dispose: async (stores) => {
      await Promise.all(stores.map((store) => store.close()));
      await Promise.all([...new Set(stores.map(schemaOf))].map(dropSchema));
    },
  });
});
