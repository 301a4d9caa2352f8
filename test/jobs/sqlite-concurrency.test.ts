/**
 * SQLite with several processes on one file, as `jt jobs:work` runs on one machine: separate OS
 * processes (fixtures/sqlite-process.ts under tsx), started at the same moment, each with its own
 * connection. Every store error is reported by the process, so a single SQLITE_BUSY fails the test.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { SqliteStore } from "../../src/jobs/store/sqlite.js";
import type { NewJob } from "../../src/jobs/store/store.js";
import { REPO_ROOT } from "../helpers/project.js";
import { readSqlite } from "../helpers/sqlite.js";

const FIXTURE = join(REPO_ROOT, "test/jobs/fixtures/sqlite-process.ts");

interface ReportedError {
  op: string;
  code: string | undefined;
  message: string;
}

interface Result {
  pid: number;
  errors: ReportedError[];
  completed?: number[];
  enqueued?: number[];
  claims?: number;
  lost?: number;
  timedOut?: boolean;
}

interface Child {
  ready: Promise<void>;
  go(): void;
  result: Promise<Result>;
}

/** Starts a fixture process; it loads, says `ready`, and waits for `go()`. */
function start(options: Record<string, unknown>): Child {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["--import", "tsx", FIXTURE, JSON.stringify(options)], {
    cwd: REPO_ROOT,
    env,
  });
  let stdout = "";
  let stderr = "";
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    if (stdout.startsWith("ready\n")) onReady();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const result = new Promise<Result>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      onReady();
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      if (code !== 0 || !line)
        reject(new Error(`${JSON.stringify(options)} exited with ${code ?? signal}\nstdout: ${stdout}\nstderr: ${stderr}`));
      else resolve(JSON.parse(line.slice("RESULT ".length)) as Result);
    });
  });
  return { ready, go: () => child.stdin.end("go\n"), result };
}

/** Starts every process, then lets them all go at once; resolves with their results. */
async function runTogether(options: Record<string, unknown>[]): Promise<Result[]> {
  const children = options.map(start);
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.go();
  return Promise.all(children.map((c) => c.result));
}

const busyErrors = (results: Result[]) => results.flatMap((r) => r.errors).filter((e) => /BUSY|LOCKED/i.test(`${e.code} ${e.message}`));

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "jt-sqlite-processes-"));
  file = join(dir, "jobs.sqlite3");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("SqliteStore, several processes on one file", () => {
  test("six processes opening and migrating a fresh file at once: no error, one schema", async () => {
    const results = await runTogether(Array.from({ length: 6 }, () => ({ role: "migrate", file })));
    expect(busyErrors(results)).toEqual([]);
    expect(results.flatMap((r) => r.errors)).toEqual([]);

    readSqlite(file, (query) => {
      expect(query("PRAGMA journal_mode").pluck().get()).toBe("wal");
      const versions = query("SELECT version FROM jt_migrations ORDER BY version").pluck().all();
      expect(versions.length).toBeGreaterThan(0);
      expect(versions).toEqual([...new Set(versions)]);
    });
    const store = new SqliteStore(file);
    try {
      await store.migrate();
      const [result] = await store.enqueue([
        { task: "t", args: [], queue: "default", priority: 0, runAt: null, maxAttempts: 1, uniqueKey: null },
      ]);
      expect(result!.inserted).toBe(true);
      expect(await store.claim({ workerId: "w", queues: undefined, limit: 5, leaseMs: 1000 })).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  test("four worker processes drain 2,000 jobs while a fifth enqueues: each completed exactly once, no SQLITE_BUSY", async () => {
    const PRELOADED = 1000;
    const ENQUEUED_MEANWHILE = 1000;
    const TOTAL = PRELOADED + ENQUEUED_MEANWHILE;
    const store = new SqliteStore(file);
    try {
      await store.migrate();
      const job = (i: number): NewJob => ({
        task: "noop",
        args: [String(i)],
        queue: "default",
        priority: i % 4,
        runAt: null,
        maxAttempts: 3,
        uniqueKey: null,
      });
      const preloaded = await store.enqueue(Array.from({ length: PRELOADED }, (_, i) => job(i)));

      const workers = Array.from({ length: 4 }, (_, n) => ({ role: "worker", file, workerId: `worker-${n + 1}`, total: TOTAL }));
      const results = await runTogether([...workers, { role: "enqueuer", file, count: ENQUEUED_MEANWHILE }]);
      const workerResults = results.slice(0, 4);
      const enqueuer = results[4]!;

      // Not one store call failed, in any process.
      expect(busyErrors(results)).toEqual([]);
      expect(results.map((r) => r.errors)).toEqual(results.map(() => []));
      expect(workerResults.map((r) => r.timedOut)).toEqual([false, false, false, false]);

      // Every job, preloaded or enqueued meanwhile, completed exactly once.
      const allIds = [...preloaded.map((r) => r.job.id), ...enqueuer.enqueued!].sort((a, b) => a - b);
      expect(new Set(allIds).size).toBe(TOTAL);
      const completed = workerResults.flatMap((r) => r.completed!);
      const counts = new Map<number, number>();
      for (const id of completed) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
      expect([...counts.keys()].sort((a, b) => a - b)).toEqual(allIds);
      expect(workerResults.map((r) => r.lost)).toEqual([0, 0, 0, 0]);
      // They worked together (on 2 cores one of five processes may be scheduled too late to get any).
      expect(workerResults.filter((r) => r.completed!.length > 0).length).toBeGreaterThanOrEqual(2);

      const rows = await store.list({ limit: TOTAL + 100 });
      expect(rows).toHaveLength(TOTAL);
      expect(rows.filter((r) => r.state !== "completed" || r.attempts !== 1 || r.errors.length > 0)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
