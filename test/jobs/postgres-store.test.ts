/**
 * The store-conformance suite (conformance.ts) on the PostgreSQL store, against the real server:
 * each test gets a schema of its own (jt_t_<random>), dropped afterwards with every connection the
 * test opened. The store reads the database's clock, so there is no `advance`: the suite waits on
 * the store's `now()` instead.
 */
import { afterAll } from "vitest";
import type pg from "pg";
import { PostgresStore } from "../../src/jobs/store/postgres.js";
import type { JobStore } from "../../src/jobs/store/store.js";
import { adminClient, dropSchema, freshSchemaName, storeUrl } from "../helpers/postgres.js";
import { storeConformance } from "./conformance.js";

let admin: Promise<pg.Client> | undefined;
afterAll(async () => {
  if (admin) await (await admin).end();
});

storeConformance("PostgreSQL", async () => {
  const schema = freshSchemaName();
  const url = storeUrl(schema);
  const stores: JobStore[] = [];
  const connect = async () => {
    // A small pool per connection: the suite opens up to 8 at once, and other test files run alongside.
    const store = new PostgresStore(url, { poolSize: 3 });
    stores.push(store);
    return store;
  };
  const store = await connect();
  return {
    store,
    connect,
    async cleanup() {
      await Promise.all(stores.map((s) => s.close().catch(() => {})));
      admin ??= adminClient();
      await dropSchema(await admin, schema);
    },
  };
});
