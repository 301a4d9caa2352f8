/**
 * A database made by an earlier jt moves forward: a store opened on a job store at schema version 1
 * (made with version 1's SQL, a queued job in it) applies the later versions, records them, and
 * the old job is still there and runs. On SQLite and on PostgreSQL.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { MIGRATIONS } from "../../src/jobs/store/migrations.js";
import { PostgresStore } from "../../src/jobs/store/postgres.js";
import { SqliteStore } from "../../src/jobs/store/sqlite.js";
import type { JobStore } from "../../src/jobs/store/store.js";
import { adminClient, dropSchema, freshSchemaName, storeUrl } from "../helpers/postgres.js";
import { readSqlite } from "../helpers/sqlite.js";

const LATEST = MIGRATIONS.at(-1)!.version;
const kept: object[] = [];

async function claimsTheOldJob(store: JobStore): Promise<void> {
  const [claimed] = await store.claim({ workerId: "w", leaseMs: 30_000, limit: 1, queues: undefined });
  expect(claimed).toMatchObject({ task: "old:job", args: ["1"], state: "running", attempts: 1 });
  expect(await store.complete([claimed!], "w")).toEqual([claimed!.id]);
}

describe("a store made at schema version 1 migrates forward", () => {
  test("SQLite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jt-migrate-"));
    const file = join(dir, "jobs.sqlite3");
    try {
      const old = new Database(file);
      kept.push(old);
      old.exec(MIGRATIONS[0]!.sqlite);
      old.exec(
        "CREATE TABLE jt_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL); INSERT INTO jt_migrations VALUES (1, 0);",
      );
      const insert = old.prepare(
        "INSERT INTO jt_jobs (task, args, queue, priority, state, run_at, max_attempts, created_at, updated_at) VALUES ('old:job', '[\"1\"]', 'default', 0, 'queued', 0, 5, 0, 0)",
      );
      kept.push(insert);
      insert.run();
      old.close();

      const store = new SqliteStore(file);
      await store.migrate();
      const versions = readSqlite(file, (query) => query("SELECT version FROM jt_migrations ORDER BY version").pluck().all());
      expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
      const indexes = readSqlite(file, (query) =>
        query("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'jt_jobs_%'").pluck().all(),
      );
      expect(indexes).toContain("jt_jobs_completed");
      expect(indexes).not.toContain("jt_jobs_finished");
      await claimsTheOldJob(store);
      await store.migrate(); // and again: nothing to do
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const admin = adminClient();
  afterAll(async () => (await admin).end());

  test("PostgreSQL", async () => {
    const schema = freshSchemaName();
    const client = await admin;
    const s = `"${schema}"`;
    try {
      await client.query(`CREATE SCHEMA ${s}`);
      await client.query(MIGRATIONS[0]!.postgres(s));
      await client.query(
        `CREATE TABLE ${s}.migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now()); INSERT INTO ${s}.migrations (version) VALUES (1)`,
      );
      await client.query(
        `INSERT INTO ${s}.jobs (task, args, queue, priority, state, run_at, max_attempts, created_at, updated_at) VALUES ('old:job', '["1"]', 'default', 0, 'queued', now(), 5, now(), now())`,
      );
      const store = new PostgresStore(storeUrl(schema), { poolSize: 2 });
      await store.migrate();
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.migrations ORDER BY version`);
      expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(rows.at(-1)!.version).toBe(LATEST);
      const { rows: indexes } = await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = $1`, [
        schema,
      ]);
      expect(indexes.map((row) => row.indexname)).toEqual(expect.arrayContaining(["jobs_completed"]));
      expect(indexes.map((row) => row.indexname)).not.toContain("jobs_finished");
      await claimsTheOldJob(store);
      await store.close();
    } finally {
      await dropSchema(client, schema);
    }
  });
});
