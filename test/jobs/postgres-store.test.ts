/**
 * The store-conformance suite (conformance.ts) on the PostgreSQL store, against the real server:
 * each test gets a schema of its own (jt_t_<random>), dropped afterwards with every connection the
 * test opened. The store reads the database's clock, so there is no `advance`: the suite waits on
 * the store's `now()` instead.
 */
import { afterAll, describe, test } from "vitest";
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

/** A store on a schema of its own with `jobs` queued no-op jobs, and its pool (one connection). */
async function storeWithJobs(onTestFinished: (fn: () => Promise<void>) => void, jobs: number) {
  const schema = freshSchemaName();
  const store = new PostgresStore(storeUrl(schema), { poolSize: 1 });
  onTestFinished(async () => {
    await store.close();
    admin ??= adminClient();
    await dropSchema(await admin, schema);
  });
  await store.migrate();
  const job = { task: "t", args: [], queue: "default", priority: 0, runAt: null, maxAttempts: 5, uniqueKey: null };
  await store.enqueue(Array.from({ length: jobs }, () => job));
  const internals = store as unknown as { claimSql(filter: string): string; pool: pg.Pool };
  return { store, schema, pool: internals.pool, claimSql: internals.claimSql.bind(store) };
}

describe("the claim's plan (issue 20)", () => {
  test("on a fresh schema with a backlog, never analyzed, the claim reads the runnable index in claim order (no bitmap scan and sort of the whole queue)", async ({
    expect,
    onTestFinished,
  }) => {
    const { schema, pool, claimSql } = await storeWithJobs(onTestFinished, 20_000);
    // The statement the store claims with, on its pool's connection, as every claim is sent.
    const plan = await pool.query<{ "QUERY PLAN": string }>(`EXPLAIN ${claimSql("")}`, ["w", 30_000, 10]);
    const text = plan.rows.map((row) => row["QUERY PLAN"]).join("\n");
    expect((await pool.query(`SELECT reltuples FROM pg_class WHERE oid = '"${schema}".jobs'::regclass`)).rows).toEqual([{ reltuples: -1 }]);
    expect(text).toMatch(/Index Scan using jobs_runnable on jobs q/);
    expect(text).not.toMatch(/Bitmap Heap Scan on jobs q/);
  });
});

describe("prepared statements (issue 20)", () => {
  const claimOne = (store: PostgresStore) => store.claim({ workerId: "w", queues: undefined, limit: 1, leaseMs: 30_000 });

  test("the hot path is prepared: claims and completions run as named statements", async ({ expect, onTestFinished }) => {
    const { store, pool } = await storeWithJobs(onTestFinished, 3);
    const [job] = await claimOne(store);
    await store.complete([job!], "w", [null]);
    const names = (await pool.query<{ name: string }>("SELECT name FROM pg_prepared_statements ORDER BY name")).rows.map((r) => r.name);
    expect(names.length).toBeGreaterThanOrEqual(3); // enqueue, claim, complete
    expect(names.every((name) => name.startsWith("jt_"))).toBe(true);
  });

  test("a migration that changes the jobs table under a running worker: the next claim prepares again and succeeds", async ({
    expect,
    onTestFinished,
  }) => {
    const { store, schema } = await storeWithJobs(onTestFinished, 3);
    expect(await claimOne(store)).toHaveLength(1);
    admin ??= adminClient();
    await (await admin).query(`ALTER TABLE "${schema}".jobs ADD COLUMN added_later int`);
    expect(await claimOne(store)).toHaveLength(1);
  });

  test("a pooler that loses prepared statements (PgBouncer in transaction mode): the store goes on unprepared", async ({
    expect,
    onTestFinished,
  }) => {
    const { store, pool } = await storeWithJobs(onTestFinished, 3);
    expect(await claimOne(store)).toHaveLength(1);
    // What such a pooler does: the next statement lands where the prepared one is not.
    await pool.query("DEALLOCATE ALL");
    expect(await claimOne(store)).toHaveLength(1);
    expect(await claimOne(store)).toHaveLength(1);
    expect((await pool.query("SELECT count(*)::int AS n FROM pg_prepared_statements")).rows).toEqual([{ n: 0 }]);
  });
});
