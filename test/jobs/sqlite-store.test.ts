/**
 * The store-conformance suite (conformance.ts) on SqliteStore, twice: with a test clock the suite
 * moves forward (deterministic, instant), and with the real clock (the way the PostgreSQL store,
 * whose clock is the database's, will run it). Then what only SQLite has: its pragmas and its
 * default clock.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { SqliteStore } from "../../src/jobs/store/sqlite.js";
import { readSqlite } from "../helpers/sqlite.js";
import { storeConformance, type StoreUnderTest } from "./conformance.js";

/** A fresh SQLite file in a temp dir; every connection shares one clock when `testClock` is set. */
async function openSqlite(testClock: boolean): Promise<StoreUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), "jt-sqlite-store-"));
  const file = join(dir, "jobs.sqlite3");
  let now = Date.now();
  const options = testClock ? { clock: () => now } : {};
  const connections: SqliteStore[] = [];
  const connect = async () => {
    const store = new SqliteStore(file, options);
    connections.push(store);
    return store;
  };
  return {
    store: await connect(),
    connect,
    advance: testClock
      ? (ms: number) => {
          now += ms;
        }
      : undefined,
    async cleanup() {
      await Promise.all(connections.map((c) => c.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

storeConformance("SqliteStore (test clock)", () => openSqlite(true));
storeConformance("SqliteStore (real clock)", () => openSqlite(false));

describe("SqliteStore", () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  test("without a clock option, now() is Date.now()", async () => {
    const under = await openSqlite(false);
    cleanup = under.cleanup;
    const before = Date.now();
    const now = await under.store.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  test("the file is in WAL mode, and the schema is recorded as migrated once", async () => {
    const under = await openSqlite(true);
    cleanup = under.cleanup;
    await under.store.migrate();
    await (await under.connect()).migrate();
    const file = (under.store as SqliteStore).file;
    readSqlite(file, (query) => {
      expect(query("PRAGMA journal_mode").pluck().get()).toBe("wal");
      const versions = query("SELECT version FROM jt_migrations ORDER BY version").pluck().all();
      expect(versions).toEqual([...new Set(versions)]);
      expect(versions.length).toBeGreaterThan(0);
    });
  });
});
