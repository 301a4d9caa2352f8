// The example app's tasks and jobs, tested with jt's testing helpers (README "Testing your tasks").
// Each test gets a database file of its own, through DATABASE_PATH (which wins over .env). The
// tests run on a copy of the app, so what its tasks write (tmp/) stays out of this directory.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { runTask, testJobs, type TestJobs } from "jobs-and-tasks/testing";
import type { Users } from "../app/users.ts";
import { afterAll, beforeEach, describe, expect, onTestFinished, test } from "vitest";

const app = join(import.meta.dirname, "..");
const copy = mkdtempSync(join(tmpdir(), "jt-example-app-"));
const root = join(copy, "app");
cpSync(app, root, { recursive: true, filter: (source) => !/^(db|tmp|test)(\/|$)/.test(relative(app, source)) });
// The packages the app imports (better-sqlite3), as its own node_modules would give them.
symlinkSync(join(app, "..", "..", "node_modules"), join(copy, "node_modules"), "dir");
afterAll(() => rmSync(copy, { recursive: true, force: true }));

beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), "jt-example-test-"));
  const saved = process.env.DATABASE_PATH;
  process.env.DATABASE_PATH = join(dir, "test.sqlite3");
  return () => {
    if (saved === undefined) delete process.env.DATABASE_PATH;
    else process.env.DATABASE_PATH = saved;
    rmSync(dir, { recursive: true, force: true });
  };
});

function jobsForThisTest(now?: Date): TestJobs {
  const jobs = testJobs({ root, now });
  onTestFinished(() => jobs.close());
  return jobs;
}

describe("db and users tasks", () => {
  test("db:seed runs its prerequisites once each, in order, and boots the app for them", async () => {
    const run = await runTask("db:seed", { root });
    expect(run.error).toBeUndefined();
    expect(run).toMatchObject({ ok: true, exitCode: 0, ran: ["environment", "db:migrate", "db:seed"] });
    expect(run.stdout).toContain("db:seed: 1 users");
    expect((await runTask("db:seed", { root })).stdout).toBe("db:migrate: up to date\ndb:seed: 1 users\n");
  });

  test("users:list[json] prints what users:create made; a bad format fails with the task's error", async () => {
    await runTask("db:migrate", { root });
    expect((await runTask("users:create", { root, args: ["ann", "Ann Lee"], jobs: jobsForThisTest() })).ok).toBe(true);
    const listed = await runTask("users:list[json]", { root });
    expect(JSON.parse(listed.stdout)).toMatchObject([{ login: "ann", name: "Ann Lee", source: "manual" }]);
    const bad = await runTask("users:list", { root, args: ["xml"] });
    expect(bad).toMatchObject({ ok: false, exitCode: 1 });
    expect(bad.error?.message).toBe("Unknown format 'xml': use table or json");
  });

  test("with an app of the test's own, the environment module is not booted", async () => {
    const users = [{ login: "zoe", name: "Zoe", source: "fake" }];
    const run = await runTask("users:list", { root, app: { users: { all: () => users } as unknown as Users } });
    expect(run.stdout).toBe(`login  ${"name".padEnd(16)}  source\nzoe    ${"Zoe".padEnd(16)}  fake\n`);
    expect(run.ran).toEqual(["environment", "users:list"]);
  });
});

describe("jobs", () => {
  test("users:create enqueues the welcome mail; draining sends it, and the debounced snapshot runs 2 s later", async () => {
    const jobs = jobsForThisTest(new Date("2026-12-08T09:00:00Z"));
    await runTask("db:migrate", { root });
    await runTask("users:create[ann]", { root, jobs });
    await runTask("users:create[bob]", { root, jobs });
    expect(await jobs.enqueued()).toMatchObject([
      { task: "mail:welcome", args: ["ann"], queue: "mail", state: "queued", delayMs: 0 },
      // Debounced: the second create replaced the first's snapshot job (due 2 s after it).
      { task: "users:snapshot", args: [], state: "queued", delayMs: 2000 },
      { task: "mail:welcome", args: ["bob"], queue: "mail", state: "queued" },
    ]);
    const drained = await jobs.drain();
    expect(drained).toMatchObject({ completed: 2, failed: 0 });
    expect(drained.stdout).toContain("mail:welcome: sent to ann\n");
    expect(await jobs.enqueued({ task: "users:snapshot" })).toMatchObject([{ state: "queued" }]);
    expect(await jobs.advance("2s")).toMatchObject({ completed: 1 });
    expect(await jobs.enqueued({ task: "users:snapshot" })).toMatchObject([{ state: "completed", result: { users: 2 } }]);
    expect(JSON.parse(readFileSync(join(root, "tmp", "users.json"), "utf8"))).toHaveLength(2);
  });

  test("a welcome mail to nobody fails, is retried with backoff as the clock moves, and fails for good after 3 attempts", async () => {
    const jobs = jobsForThisTest();
    await runTask("db:migrate", { root });
    const { id } = await jobs.enqueue("mail:welcome", { args: ["nobody"] });
    expect(await jobs.drain()).toMatchObject({ completed: 0, failed: 0, retrying: 1 });
    expect(await jobs.get(id)).toMatchObject({ state: "queued", attempts: 1, lastError: "No user 'nobody' to welcome" });
    expect(await jobs.advance("1h")).toMatchObject({ failed: 1, retrying: 1 });
    expect(await jobs.get(id)).toMatchObject({ state: "failed", attempts: 3 });
  });

  test("reports:daily's cron slot (03:00 Paris) is enqueued and run when the clock passes it", async () => {
    const jobs = jobsForThisTest(new Date("2026-12-08T01:00:00Z"));
    await runTask("db:seed", { root });
    const first = await jobs.advance("1h");
    expect(first.completed).toBe(1);
    expect(first.stdout).toContain("reports:daily: 1 users");
    expect(await jobs.enqueued({ task: "reports:daily" })).toMatchObject([{ state: "completed", runAt: new Date("2026-12-08T02:00:00Z") }]);
    expect((await jobs.advance("23h")).completed).toBe(0);
    expect((await jobs.advance("1h")).completed).toBe(1);
  });
});
