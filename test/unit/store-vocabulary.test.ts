/**
 * What the two job stores share (src/jobs/store/vocabulary.ts, migrations.ts): the matching of
 * inserted rows back to enqueue requests, the parameter dialects, the list filter and the fence.
 */
import { describe, expect, test } from "vitest";
import { MIGRATIONS, pendingMigrations } from "../../src/jobs/store/migrations.js";
import type { Job } from "../../src/jobs/store/store.js";
import { heldBy, listQuery, matchInserted, postgresParams, selection, sqliteParams } from "../../src/jobs/store/vocabulary.js";

const job = (id: number, uniqueKey: string | null = null): Job => ({
  id,
  task: "t",
  args: [],
  queue: "default",
  priority: 0,
  state: "queued",
  runAt: 0,
  attempts: 0,
  maxAttempts: 5,
  lockedBy: null,
  lockedUntil: null,
  uniqueKey,
  createdAt: 0,
  updatedAt: 0,
  finishedAt: null,
  errors: [],
  startedAt: null,
  worker: null,
  progress: null,
  result: null,
  meta: {},
});

describe("matchInserted: the rows one INSERT … RETURNING gave back, matched to the requests", () => {
  test("jobs without a key by id order, whatever order the rows came in", () => {
    const { results, missingKeys } = matchInserted(
      [{ uniqueKey: null }, { uniqueKey: null }, { uniqueKey: null }],
      [job(12), job(10), job(11)],
    );
    expect(results.map((r) => r?.job.id)).toEqual([10, 11, 12]);
    expect(results.every((r) => r?.inserted)).toBe(true);
    expect(missingKeys).toEqual([]);
  });

  test("keyed jobs by key; a key repeated in the batch, or held by a live job, is left for the store to look up", () => {
    const requests = [{ uniqueKey: "a" }, { uniqueKey: null }, { uniqueKey: "a" }, { uniqueKey: "b" }, { uniqueKey: "b" }];
    const { results, missingKeys } = matchInserted(requests, [job(7), job(6, "a")]);
    expect(results.map((r) => r && [r.job.id, r.inserted])).toEqual([[6, true], [7, true], undefined, undefined, undefined]);
    expect(missingKeys).toEqual(["a", "b"]);
  });

  test("fewer rows than jobs without a key is the store's bug, said as such", () => {
    expect(() => matchInserted([{ uniqueKey: null }, { uniqueKey: null }], [job(1)])).toThrow(
      "the store returned fewer jobs than it inserted",
    );
  });
});

describe("one SQL vocabulary, two parameter dialects", () => {
  test("the list filter", () => {
    const filter = { states: ["failed", "queued"] as const, task: "mail", queue: "q", limit: 5 };
    const lite = sqliteParams();
    expect(listQuery("jt_jobs", { ...filter, states: [...filter.states] }, lite)).toBe(
      "SELECT * FROM jt_jobs WHERE state IN (?, ?) AND task = ? AND queue = ? ORDER BY id DESC LIMIT ?",
    );
    expect(lite.values).toEqual(["failed", "queued", "mail", "q", 5]);
    const pg = postgresParams();
    expect(listQuery('"jt".jobs', { ...filter, states: [...filter.states] }, pg)).toBe(
      'SELECT * FROM "jt".jobs WHERE state = ANY($1) AND task = $2 AND queue = $3 ORDER BY id DESC LIMIT $4',
    );
    expect(pg.values).toEqual([["failed", "queued"], "mail", "q", 5]);
    const none = postgresParams();
    expect(listQuery("t", {}, none)).toBe("SELECT * FROM t  ORDER BY id DESC LIMIT $1");
    expect(none.values).toEqual([100]);
  });

  test("the fence and the selections", () => {
    expect(heldBy("$1", "$2", "$3")).toBe("id = $1 AND state = 'running' AND locked_by = $2 AND attempts = $3");
    const idIn = () => "id IN (?)";
    expect(selection("retry", [1], idIn)).toBe("state IN ('failed', 'cancelled', 'queued') AND id IN (?)");
    expect(selection("discard", "all-failed", idIn)).toBe("state = 'failed'");
    expect(selection("cancel", [1], idIn)).toBe("state = 'queued' AND id IN (?)");
  });
});

describe("the migrations", () => {
  test("numbered from 1 without gaps, each in both dialects, with its reason", () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    for (const migration of MIGRATIONS) {
      expect(migration.sqlite.trim(), `v${migration.version}`).not.toBe("");
      expect(migration.postgres('"s"'), `v${migration.version}`).toContain('"s".');
      expect(migration.why.length, `v${migration.version}`).toBeGreaterThan(10);
    }
    expect(pendingMigrations(1).map((m) => m.version)).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    expect(pendingMigrations(MIGRATIONS.length)).toEqual([]);
  });
});
