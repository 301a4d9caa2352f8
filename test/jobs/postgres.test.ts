/**
 * The PostgreSQL store against the real server, for what only PostgreSQL does (issue 7): enqueue
 * inside the app's own transaction (the store's `connection` and the public `enqueue({ db })`),
 * migrations when several processes start at once, jt's own schema, the database's clock,
 * LISTEN/NOTIFY wake-ups, and connections that drop.
 *
 * Each test works in a schema of its own (jt_t_<random>), dropped when it finishes. Stores under
 * test name their connections with `application_name` (a URL parameter jt passes to the driver),
 * so the test finds and kills only its own backends, never those of tests running alongside.
 * Nothing waits a fixed time for something to happen: tests poll for it, with generous limits.
 */
import pg from "pg";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { createJobs } from "../../src/index.js";
import { parsePostgresUrl, PostgresStore } from "../../src/jobs/store/postgres.js";
import type { Job, JobStore, NewJob } from "../../src/jobs/store/store.js";
import { project, REPO_ROOT } from "../helpers/project.js";
import {
  adminClient,
  backends,
  dropSchema,
  eventually,
  freshSchemaName,
  POSTGRES_URL,
  storeUrl,
  terminate,
  terminateBlocking,
} from "../helpers/postgres.js";

let admin: pg.Client;
beforeAll(async () => {
  admin = await adminClient();
});
afterAll(async () => {
  await admin?.end();
});

const CHANNEL = "jt_jobs";

function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return { task: "mail:welcome", args: [], queue: "default", priority: 0, runAt: null, maxAttempts: 3, uniqueKey: null, ...overrides };
}

async function enqueueOne(store: JobStore, overrides: Partial<NewJob> = {}): Promise<Job> {
  const [result] = await store.enqueue([newJob(overrides)]);
  return result!.job;
}

/** A unique application_name, to tell this test's connections apart on the server. */
function appName(what: string): string {
  return `jt-test-${what}-${randomBytes(4).toString("hex")}`;
}

/**
 * This test's schema (not created yet: the first migrate() does it), and everything opened on it:
 * stores and plain clients, closed when the test finishes, before the schema is dropped.
 */
function testSchema() {
  const schema = freshSchemaName();
  const url = storeUrl(schema);
  const stores: PostgresStore[] = [];
  const clients: pg.Client[] = [];
  onTestFinished(async () => {
    await Promise.all(stores.map((s) => s.close().catch(() => {})));
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await dropSchema(admin, schema);
  });
  return {
    schema,
    url,
    /** A store on this schema (not migrated); `params` go to the driver (application_name names its connections). */
    store(params: Record<string, string> = {}, options: { poolSize?: number } = {}): PostgresStore {
      const store = new PostgresStore(storeUrl(schema, params), options);
      stores.push(store);
      return store;
    },
    /** A plain pg client, as the app's own connection. */
    async client(applicationName = appName("app")): Promise<pg.Client> {
      const client = new pg.Client({ connectionString: POSTGRES_URL, application_name: applicationName });
      client.on("error", () => {});
      await client.connect();
      clients.push(client);
      return client;
    },
  };
}

/** Counts a store's onJobsAvailable calls; `next()` waits for one more than `after` (default: the count now). */
function wakeCounter(store: JobStore) {
  let count = 0;
  const waiters = new Set<() => void>();
  const unsubscribe = store.onJobsAvailable(() => {
    count += 1;
    for (const waiter of [...waiters]) waiter();
  });
  onTestFinished(() => unsubscribe());
  return {
    count: () => count,
    /** Resolves true when the count exceeds `after`, false after `timeoutMs`. */
    exceeds(after: number, timeoutMs: number): Promise<boolean> {
      return new Promise((resolve) => {
        const check = () => {
          if (count > after) finish(true);
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        const finish = (value: boolean) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(value);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Enqueues probe jobs from `publisher` until `wakes` sees one: the subscriber is listening. */
async function untilListening(publisher: JobStore, wakes: ReturnType<typeof wakeCounter>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const before = wakes.count();
    await publisher.enqueue([newJob({ task: "probe" })]);
    if (await wakes.exceeds(before, 1_000)) return;
    if (Date.now() >= deadline) throw new Error(`the subscriber was not woken by an enqueue within ${timeoutMs} ms`);
  }
}

/** A raw LISTEN of the test's own on jt's channel: every payload, in order of delivery. */
async function rawListener(client: pg.Client): Promise<{ payloads: string[] }> {
  const payloads: string[] = [];
  client.on("notification", (message) => {
    if (message.channel === CHANNEL) payloads.push(message.payload ?? "");
  });
  await client.query(`LISTEN ${CHANNEL}`);
  return { payloads };
}

/** Sends a NOTIFY on jt's channel with a payload jt never uses, and waits until `raw` has it. */
async function marker(raw: { payloads: string[] }, name: string): Promise<void> {
  await admin.query("SELECT pg_notify($1, $2)", [CHANNEL, name]);
  await eventually(`the marker NOTIFY ${name} arrived`, () => raw.payloads.includes(name), 10_000, 5);
}

async function countRows(schema: string, table: string): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".${table}`);
  return Number(rows[0]!.n);
}

describe("enqueue inside the app's own transaction", () => {
  test("store.enqueue(rows, client): no other connection sees the job before COMMIT; after it, every one does", async () => {
    const t = testSchema();
    const store = t.store();
    await store.migrate();
    const other = t.store();
    const app = await t.client();

    await app.query("BEGIN");
    await app.query("CREATE TEMP TABLE users (id serial PRIMARY KEY, email text) ON COMMIT DROP");
    const {
      rows: [user],
    } = await app.query<{ id: number }>("INSERT INTO users (email) VALUES ('a@example.com') RETURNING id");
    // The app's connection may have a search_path of its own: jt's statements name their schema.
    await app.query("SET LOCAL search_path TO pg_catalog");
    const [result] = await store.enqueue([newJob({ args: [String(user!.id)] })], app);
    expect(result!.inserted).toBe(true);
    const job = result!.job;
    expect(job).toMatchObject({ task: "mail:welcome", args: [String(user!.id)], state: "queued", attempts: 0 });

    // Inside the transaction the job is there...
    const inside = await app.query(`SELECT id FROM "${t.schema}".jobs`);
    expect(inside.rows.map((r) => Number(r.id))).toEqual([job.id]);
    // ...and nowhere else: not through the store's own pool, another store, or a plain connection.
    expect(await store.get(job.id)).toBeUndefined();
    expect(await other.get(job.id)).toBeUndefined();
    expect(await other.list({})).toEqual([]);
    expect(await other.stats()).toEqual([]);
    expect(await other.claim({ workerId: "w", queues: undefined, limit: 10, leaseMs: 60_000 })).toEqual([]);
    expect(await countRows(t.schema, "jobs")).toBe(0);

    await app.query("COMMIT");
    expect(await other.get(job.id)).toEqual(job);
    expect(await countRows(t.schema, "jobs")).toBe(1);
    const claimed = await other.claim({ workerId: "w", queues: undefined, limit: 10, leaseMs: 60_000 });
    expect(claimed.map((j) => j.id)).toEqual([job.id]);
  });

  test("store.enqueue(rows, client) then ROLLBACK: the job never existed, and its unique key is free", async () => {
    const t = testSchema();
    const store = t.store();
    await store.migrate();
    const app = await t.client();

    await app.query("BEGIN");
    const results = await store.enqueue([newJob({ uniqueKey: "welcome-1" }), newJob({ task: "other" })], app);
    expect(results.map((r) => r.inserted)).toEqual([true, true]);
    await app.query("ROLLBACK");

    for (const { job } of results) expect(await store.get(job.id)).toBeUndefined();
    expect(await store.list({})).toEqual([]);
    expect(await store.claim({ workerId: "w", queues: undefined, limit: 10, leaseMs: 60_000 })).toEqual([]);
    expect(await countRows(t.schema, "jobs")).toBe(0);
    // The key was never taken; the connection is usable for the next transaction.
    const [again] = await store.enqueue([newJob({ uniqueKey: "welcome-1" })]);
    expect(again!.inserted).toBe(true);
    await app.query("BEGIN");
    await store.enqueue([newJob({ task: "after-rollback" })], app);
    await app.query("COMMIT");
    expect((await store.list({})).map((j) => j.task).sort()).toEqual(["after-rollback", "mail:welcome"]);
  });

  test("a unique key taken in an open transaction: a second enqueue waits for it, then gets the committed job or inserts after a rollback", async () => {
    const t = testSchema();
    const name = appName("uniq");
    const store = t.store({ application_name: name });
    await store.migrate();
    const app = await t.client();

    for (const outcome of ["COMMIT", "ROLLBACK"] as const) {
      await store.clear();
      await app.query("BEGIN");
      const [mine] = await store.enqueue([newJob({ task: "mine", uniqueKey: "k" })], app);
      const second = store.enqueue([newJob({ task: "second", uniqueKey: "k" })]);
      // The second insert waits on the unique index for the app's transaction to end.
      await eventually("the second enqueue waits on a lock", async () => {
        const { rows } = await admin.query(
          "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO%'",
          [name],
        );
        return rows.length > 0;
      });
      await app.query(outcome);
      const [result] = await second;
      if (outcome === "COMMIT") {
        expect(result).toMatchObject({ inserted: false, job: { id: mine!.job.id, task: "mine" } });
      } else {
        expect(result!.inserted).toBe(true);
        expect(result!.job.task).toBe("second");
      }
      expect((await store.list({})).map((j) => j.task)).toEqual([outcome === "COMMIT" ? "mine" : "second"]);
    }
  });

  test("workers are notified at COMMIT, never before it, and never for a rolled-back enqueue", async () => {
    const t = testSchema();
    const store = t.store();
    await store.migrate();
    const worker = t.store();
    const wakes = wakeCounter(worker);
    await untilListening(store, wakes);
    await store.clear(); // the probes
    // The test's own LISTEN shows what was delivered and in which order; markers are NOTIFYs of ours.
    const raw = await rawListener(await t.client());
    await marker(raw, "start");
    const app = await t.client();

    // COMMIT: nothing is delivered while the transaction is open (a marker sent after the enqueue
    // arrives with nothing before it); the store's NOTIFY arrives after COMMIT.
    await app.query("BEGIN");
    const [result] = await store.enqueue([newJob({ task: "committed" })], app);
    await marker(raw, "open");
    expect(raw.payloads).toEqual(["start", "open"]);
    const wakesBeforeCommit = wakes.count();
    await app.query("COMMIT");
    await eventually("jt's NOTIFY after COMMIT", () => raw.payloads.length > 2);
    expect(raw.payloads).toEqual(["start", "open", ""]);
    expect(await wakes.exceeds(wakesBeforeCommit, 10_000)).toBe(true);
    // The worker finds the job as soon as it is woken.
    expect((await worker.claim({ workerId: "w", queues: undefined, limit: 10, leaseMs: 60_000 })).map((j) => j.id)).toEqual([
      result!.job.id,
    ]);

    // ROLLBACK: nothing is ever delivered for it.
    await app.query("BEGIN");
    await store.enqueue([newJob({ task: "rolled back" })], app);
    await app.query("ROLLBACK");
    await marker(raw, "after rollback");
    expect(raw.payloads).toEqual(["start", "open", "", "after rollback"]);
  });

  test("createJobs({ root, store }).enqueue(task, { db: client }): in the app's transaction, checked first", async () => {
    const t = testSchema();
    const p = project({
      "tasks/mail.ts": `import { desc, task } from "jt";\ndesc("Send the welcome mail");\ntask("mail:welcome", { args: ["userId"], queue: "mail" }, async () => {});\n`,
    });
    // jt keeps the manifest of the project's tasks the app's enqueue reads: one run of jt builds it.
    const listing = await p.run(["-T"]);
    expect(listing.code, listing.stderr).toBe(0);
    expect(listing.stdout).toContain("mail:welcome");
    const jobs = createJobs({ root: p.root, store: t.url });
    onTestFinished(() => jobs.close());
    const other = t.store();
    const app = await t.client();

    // COMMIT
    await app.query("BEGIN");
    const job = await jobs.enqueue("mail:welcome", { args: [42], db: app });
    expect(job).toMatchObject({ task: "mail:welcome", args: ["42"], queue: "mail", duplicate: false });
    expect(await other.get(job.id)).toBeUndefined();
    // A wrong invocation throws before touching the transaction, which carries on.
    await expect(jobs.enqueue("mail:welcome", { args: [1, 2], db: app })).rejects.toThrow(/takes 1 arg/);
    await expect(jobs.enqueue("mail:welcom", { db: app })).rejects.toThrow(/no such task/);
    const many = await jobs.enqueueMany([
      { task: "mail:welcome", options: { args: [43], db: app } },
      { task: "mail:welcome", options: { args: [44] } },
    ]);
    expect(await other.list({})).toEqual([]);
    await app.query("COMMIT");
    const stored = await other.get(job.id);
    expect(stored).toMatchObject({ id: job.id, task: "mail:welcome", args: ["42"], queue: "mail", state: "queued" });
    expect((await other.list({})).map((j) => j.args[0]).sort()).toEqual(["42", "43", "44"]);
    expect(many.map((j) => j.id).sort()).toEqual(
      (await other.list({}))
        .map((j) => j.id)
        .filter((id) => id !== job.id)
        .sort(),
    );

    // ROLLBACK
    await app.query("BEGIN");
    const gone = await jobs.enqueue("mail:welcome", { args: [99], db: app });
    await app.query("ROLLBACK");
    expect(await other.get(gone.id)).toBeUndefined();
    expect((await other.list({})).map((j) => j.args[0]).sort()).toEqual(["42", "43", "44"]);
  });
});

describe("jt's schema and its migrations", () => {
  test("five stores migrating a fresh schema at once: all succeed, each migration runs once", async () => {
    const t = testSchema();
    const stores = Array.from({ length: 5 }, () => t.store());
    await Promise.all(stores.map((s) => s.migrate()));
    const { rows } = await admin.query<{ version: number }>(`SELECT version FROM "${t.schema}".migrations ORDER BY version`);
    const versions = rows.map((r) => r.version);
    expect(versions.length).toBeGreaterThan(0);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    // Again, at once: nothing new.
    await Promise.all(stores.map((s) => s.migrate()));
    expect(await countRows(t.schema, "migrations")).toBe(versions.length);
    // The schema works from every store.
    await Promise.all(stores.map((s, i) => s.enqueue([newJob({ task: `t${i}` })])));
    expect(await stores[0]!.list({})).toHaveLength(5);
  });

  test("no lock outlives a migration or a claim (no session advisory locks: PgBouncer's transaction mode works)", async () => {
    const t = testSchema();
    const name = appName("locks");
    const stores = Array.from({ length: 3 }, () => t.store({ application_name: name }));
    await Promise.all(stores.map((s) => s.migrate()));
    await stores[0]!.enqueue([newJob(), newJob()]);
    await Promise.all(stores.map((s) => s.claim({ workerId: "w", queues: undefined, limit: 1, leaseMs: 60_000 })));
    await stores[1]!.enqueueCronSlot("s", 1000, newJob());
    const { rows } = await admin.query(
      `SELECT l.locktype, l.mode, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE a.application_name = $1 AND (l.locktype = 'advisory' OR l.granted)`,
      [name],
    );
    expect(rows).toEqual([]);
  });

  test("jt's tables live in its schema only: nothing is created elsewhere", async () => {
    const t = testSchema();
    // Every schema, relation and function but PostgreSQL's own and those of jt (its tests, benchmarks or apps may run alongside).
    const elsewhere = async () => {
      const { rows } = await admin.query<{ what: string }>(
        `SELECT n.nspname || '.' || c.relname || ' (' || c.relkind::text || ')' AS what FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT LIKE 'jt%' AND n.nspname NOT LIKE 'pg_%' AND n.nspname <> 'information_schema'
         UNION ALL
         SELECT n.nspname || '.' || p.proname || '()' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname NOT LIKE 'jt%' AND n.nspname NOT LIKE 'pg_%' AND n.nspname <> 'information_schema'
         UNION ALL
         SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname NOT LIKE 'jt%'
         ORDER BY 1`,
      );
      return rows.map((r) => r.what);
    };
    const before = await elsewhere();
    const store = t.store();
    await store.migrate();
    const job = await enqueueOne(store, { uniqueKey: "k" });
    await store.claim({ workerId: "w", queues: undefined, limit: 1, leaseMs: 60_000 });
    await store.complete([{ ...job, attempts: 1 }], "w");
    await store.enqueueCronSlot("schedule", 1000, newJob());
    expect(await elsewhere()).toEqual(before);

    const { rows } = await admin.query<{ relname: string; relkind: string }>(
      `SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1`,
      [t.schema],
    );
    expect(rows.map((r) => r.relname)).toEqual(expect.arrayContaining(["cron", "jobs", "migrations"]));
  });

  test("?schema= picks jt's schema and is not passed on to the driver; the default is jt; a bad name is refused", () => {
    expect(parsePostgresUrl("postgres://u@h:5432/db?schema=tenant_1&application_name=web")).toEqual({
      connectionString: "postgres://u@h:5432/db?application_name=web",
      schema: "tenant_1",
    });
    expect(parsePostgresUrl("postgresql://u@h/db").schema).toBe("jt");
    expect(() => parsePostgresUrl('postgres://u@h/db?schema=x";drop')).toThrow(/Invalid schema name/);
  });
});

describe("the database's clock", () => {
  test("now() is the server's now(), within a few milliseconds", async () => {
    const t = testSchema();
    const store = t.store();
    await store.migrate();
    for (let i = 0; i < 5; i++) {
      const {
        rows: [before],
      } = await admin.query<{ at: Date }>("SELECT clock_timestamp() AS at");
      const now = await store.now();
      const {
        rows: [after],
      } = await admin.query<{ at: Date }>("SELECT clock_timestamp() AS at");
      expect(now).toBeGreaterThanOrEqual(before!.at.getTime());
      expect(now).toBeLessThanOrEqual(after!.at.getTime());
    }
  });

  test("due times follow the database's clock, not the machine's: a database an hour behind runs nothing due by the machine's clock", async () => {
    const t = testSchema();
    await t.store().migrate();
    // A database whose clock is an hour behind this machine: now() in a schema searched before pg_catalog.
    const fake = `${t.schema}_clock`;
    onTestFinished(() => dropSchema(admin, fake));
    await admin.query(`CREATE SCHEMA "${fake}"`);
    await admin.query(
      `CREATE FUNCTION "${fake}".now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT pg_catalog.now() - interval '1 hour' $$`,
    );
    const behind = t.store({ options: `-c search_path="${fake}",pg_catalog` });

    const machine = Date.now();
    const dbNow = await behind.now();
    expect(machine - dbNow).toBeGreaterThan(3_600_000 - 5_000);
    expect(machine - dbNow).toBeLessThan(3_600_000 + 5_000);

    // Enqueued "now" is now on the database's clock; due "now" by the machine is an hour away for it.
    const [byDb, byMachine] = await behind.enqueue([newJob({ task: "db-now" }), newJob({ task: "machine-now", runAt: Date.now() })]);
    expect(Math.abs(byDb!.job.runAt - dbNow)).toBeLessThan(5_000);
    const claimed = await behind.claim({ workerId: "w", queues: undefined, limit: 10, leaseMs: 60_000 });
    expect(claimed.map((j) => j.task)).toEqual(["db-now"]);
    expect(claimed[0]!.lockedUntil! - dbNow).toBeLessThan(60_000 + 5_000);
    expect((await behind.get(byMachine!.job.id))!.state).toBe("queued");
  });
});

describe("LISTEN/NOTIFY and dropped connections", () => {
  test("a subscriber is woken within ~100 ms of an enqueue by another store", async () => {
    const t = testSchema();
    const publisher = t.store();
    await publisher.migrate();
    const subscriber = t.store();
    const wakes = wakeCounter(subscriber);
    await untilListening(publisher, wakes);

    const latencies: number[] = [];
    for (let i = 0; i < 15; i++) {
      const before = wakes.count();
      const start = performance.now();
      await publisher.enqueue([newJob({ task: `sample-${i}` })]);
      expect(await wakes.exceeds(before, 5_000), `wake-up ${i}`).toBe(true);
      latencies.push(performance.now() - start);
    }
    latencies.sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)]!;
    // Far below any poll interval: the NOTIFY woke it. (Median, so one hiccup of a busy machine does not count.)
    expect(median, `latencies (ms, enqueue included): ${latencies.map((l) => l.toFixed(1)).join(", ")}`).toBeLessThan(100);
    expect(latencies.at(-1)!).toBeLessThan(1_000);
  });

  test("the listener reconnects after its backend is killed: jobs enqueued meanwhile and afterwards still wake it", async () => {
    const t = testSchema();
    const publisher = t.store();
    await publisher.migrate();
    const name = appName("listen");
    const subscriber = t.store({ application_name: name });
    const wakes = wakeCounter(subscriber);
    await untilListening(publisher, wakes);
    const listeners = async () => (await backends(admin, { applicationName: name })).filter((b) => b.query.startsWith("LISTEN"));

    for (let round = 1; round <= 2; round++) {
      const [listener, ...more] = await listeners();
      expect(listener, `round ${round}: the subscriber's LISTEN connection`).toBeDefined();
      expect(more).toEqual([]);
      expect(await terminate(admin, [listener!.pid])).toEqual([listener!.pid]);
      // A job enqueued while the listener is away must not be missed.
      const atKill = wakes.count();
      await publisher.enqueue([newJob({ task: `while-away-${round}` })]);
      expect(await wakes.exceeds(atKill, 10_000), `round ${round}: woken for the job enqueued while away`).toBe(true);
      const [back] = await eventually(`round ${round}: a new LISTEN connection`, async () => {
        const found = await listeners();
        return found.length > 0 && found.every((b) => b.pid !== listener!.pid) ? found : undefined;
      });
      expect(back!.pid).not.toBe(listener!.pid);
      // Wait until the new connection's wake-up (if any) is over, then: later enqueues wake it, promptly.
      await untilListening(publisher, wakes);
      for (let i = 0; i < 3; i++) {
        const before = wakes.count();
        const start = performance.now();
        await publisher.enqueue([newJob({ task: `after-${round}-${i}` })]);
        expect(await wakes.exceeds(before, 5_000), `round ${round}: woken after reconnecting`).toBe(true);
        expect(performance.now() - start).toBeLessThan(1_000);
      }
    }
  });

  test("a query right after the store's idle connections were killed, before the process noticed, still succeeds", async () => {
    // A worker busy with a CPU-bound task, or a server restart or failover between two queries:
    // the pool still holds connections that are dead, and the next statement gets one.
    const t = testSchema();
    const name = appName("stale");
    const store = t.store({ application_name: name });
    await store.migrate();
    const outcomes: string[] = [];
    const operations: Record<string, () => Promise<unknown>> = {
      now: () => store.now(),
      claim: () => store.claim({ workerId: "w", queues: undefined, limit: 1, leaseMs: 60_000 }),
      list: () => store.list({}),
    };
    for (const [what, operation] of Object.entries(operations)) {
      // Connections in the pool, idle (after the previous round, once the pool has dropped the dead ones).
      await eventually("the pool works", () => Promise.all(Array.from({ length: 3 }, () => store.now())).then(() => true));
      expect(terminateBlocking(name)).toBeGreaterThan(0);
      outcomes.push(
        await operation().then(
          () => `${what}: ok`,
          (error: Error) => `${what}: ${error.message}`,
        ),
      );
    }
    expect(outcomes).toEqual(Object.keys(operations).map((what) => `${what}: ok`));
  });

  test("a transaction (enqueue, a cron slot) on a connection killed before the process noticed: no uncaught error, and it succeeds", async () => {
    // In a process of its own: a pg client that emits 'error' with no listener crashes its process,
    // which here would be the test runner's.
    const t = testSchema();
    const name = appName("stale-tx");
    await t.store().migrate();
    const p = project({
      "child.mts": `import { PostgresStore } from ${JSON.stringify(`${REPO_ROOT}/src/jobs/store/postgres.js`)};
import { terminateBlocking } from ${JSON.stringify(`${REPO_ROOT}/test/helpers/postgres.js`)};
const store = new PostgresStore(${JSON.stringify(storeUrl(t.schema, { application_name: name }))});
const job = { task: "t", args: [], queue: "default", priority: 0, runAt: null, maxAttempts: 1, uniqueKey: null };
const operations = {
  enqueue: () => store.enqueue([job]),
  enqueueCronSlot: () => store.enqueueCronSlot("schedule", Date.now(), job),
};
for (const [what, operation] of Object.entries(operations)) {
  for (;;) {
    try { await Promise.all([1, 2, 3].map(() => store.now())); break; } catch { await new Promise((r) => setTimeout(r, 20)); }
  }
  terminateBlocking(${JSON.stringify(name)});
  const outcome = await operation().then(() => "ok", (error) => error.message);
  console.log(\`\${what}: \${outcome}\`);
  await new Promise((resolve) => setTimeout(resolve, 300)); // a late 'error' event would come now
}
await store.close();
console.log("done");
`,
    });
    const child = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, ["--import", "tsx", p.path("child.mts")], { cwd: REPO_ROOT, timeout: 30_000 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") return reject(error);
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      });
    });
    expect({ code: child.code, stderr: child.stderr }, child.stdout).toEqual({ code: 0, stderr: "" });
    expect(child.stdout).toBe("enqueue: ok\nenqueueCronSlot: ok\ndone\n");
  });

  test("pool connections killed mid-life do not break the next queries", async () => {
    const t = testSchema();
    const name = appName("pool");
    const store = t.store({ application_name: name });
    await store.migrate();
    // Open several pool connections, all idle afterwards.
    await Promise.all(Array.from({ length: 5 }, () => store.now()));
    const pool = await backends(admin, { applicationName: name });
    expect(pool.length).toBeGreaterThan(0);
    expect(
      await terminate(
        admin,
        pool.map((b) => b.pid),
      ),
    ).toEqual(pool.map((b) => b.pid));
    await eventually("the killed backends are gone", async () => (await backends(admin, { applicationName: name })).length === 0);
    await new Promise((resolve) => setImmediate(resolve)); // this process has read what the server sent before

    // Every kind of statement works again, one after another and at once.
    expect(Math.abs((await store.now()) - Date.now())).toBeLessThan(5_000);
    const job = await enqueueOne(store);
    const [claimed] = await store.claim({ workerId: "w", queues: undefined, limit: 1, leaseMs: 60_000 });
    expect(claimed!.id).toBe(job.id);
    expect(await store.complete([claimed!], "w")).toEqual([job.id]);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.enqueue([newJob({ task: `after-${i}` })])));
    expect(results.every(([r]) => r!.inserted)).toBe(true);
    expect(await store.list({ limit: 100 })).toHaveLength(9);

    // And once more, killed while a transaction of the app's own is unaffected: only jt's backends go.
    const app = await t.client();
    await app.query("BEGIN");
    await store.enqueue([newJob({ task: "in-app-tx" })], app);
    const again = await backends(admin, { applicationName: name });
    await terminate(
      admin,
      again.map((b) => b.pid),
    );
    await eventually("the killed backends are gone", async () => (await backends(admin, { applicationName: name })).length === 0);
    await new Promise((resolve) => setImmediate(resolve)); // this process has read what the server sent before
    await app.query("COMMIT");
    expect((await store.list({ task: "in-app-tx" })).map((j) => j.state)).toEqual(["queued"]);
  });
});
