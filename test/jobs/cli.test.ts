/**
 * The built-in `jt jobs:*` verbs (issue 6 "Seeing and fixing jobs"): what each prints
 * (tables for people, --json for scripts) and its exit code, on a real SQLite file. Tests share
 * one project (its task files compile once) and each uses a store of its own, selected with
 * JT_JOBS_URL (the config names no store). Workers here only run briefly (jobs:workoff, or one
 * jobs:work until a cron slot is enqueued).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { beforeAll, describe, test } from "vitest";
import { fromJson, jobsConfig, listJobs, showJob, stopWorker, withoutTimes, type JobJson } from "../helpers/jobs.js";
import { startJtInTty } from "../helpers/live.js";
import { runInTty } from "../helpers/tty.js";
import { JT_BIN, project, sharedProject, type TestProject } from "../helpers/project.js";
import { spawnJt } from "../helpers/spawn.js";

/** What jobs:crontab prints for cron to run: absolute paths, since cron's PATH has no `jt`. */
const CRON_COMMAND = `${process.execPath} ${JT_BIN}`;

const ENV = `import { defineEnvironment } from "jt";

export default defineEnvironment({ setup: () => ({}) });
`;

const TASKS = `import { namespace, task } from "jt";
import { existsSync } from "node:fs";

task("greet", { args: ["who"] }, ({ args }) => console.log(\`hello \${args.who}\`));
task("boom", { retry: { attempts: 1 } }, () => {
  throw new Error("boom: always fails");
});
task("mailer", { args: ["to"], queue: "mail", priority: 3 }, () => {});
/** Fails while the file its argument names exists (one attempt per round). */
task("flaky", { args: ["flag"], retry: { attempts: 1 } }, ({ args }) => {
  if (existsSync(args.flag)) throw new Error(\`\${args.flag} is still there\`);
});
task("blurt", { args: ["text"], retry: { attempts: 1 } }, ({ args }) => {
  throw new Error(\`could not say \${args.text}\`);
});

/** Enqueues greet and blurt with one argument of 1 MB each (more than a command line can carry). */
task("huge", async ({ enqueue }) => {
  const mb = "x".repeat(1_000_000);
  console.log((await enqueue("greet", { args: [mb] })).id);
  console.log((await enqueue("blurt", { args: [mb] })).id);
});

/** Enqueues jobs in one run (fixtures): 'seed[greet:ann,boom,mailer:bob@1h]'; prints their ids. */
task("seed", { args: ["specs..."] }, async ({ args, enqueue }) => {
  for (const spec of args.specs as string[]) {
    const [target, wait] = spec.split("@");
    const [name, arg] = target!.split(":");
    console.log((await enqueue(name!, { args: arg === undefined ? [] : [arg], wait })).id);
  }
});

namespace("reports", () => {
  task("daily", { cron: "0 3 * * *", tz: "Europe/Paris" }, () => {});
});
task("cleanup", { cron: "0 */15 * * * *", tz: "UTC" }, () => {});
task("tick", { cron: "* * * * * *" }, () => {});
task("prepare", () => {});
task("export", { args: ["tenant", "format"], defaults: { format: "csv" }, deps: ["environment", "prepare"], queue: "reports", retry: { attempts: 2 } }, () => {});
`;

// The store is chosen per test with JT_JOBS_URL: a DATABASE_URL from the developer's shell must not pick PostgreSQL.
delete process.env.DATABASE_URL;
delete process.env.JT_JOBS_URL;

const shared = sharedProject({ "jt.config.json": jobsConfig(), "app/env.ts": ENV, "tasks/cli.ts": TASKS });

/** A store of the test's own in the shared project. */
function store(name: string): { env: Record<string, string>; file: string } {
  return { env: { JT_JOBS_URL: `db/${name}.sqlite3` }, file: shared.path("db", `${name}.sqlite3`) };
}

function run(args: readonly string[], env: Record<string, string>) {
  return shared.run(args, { env });
}

/** A table's lines, split into cells (columns are at least two spaces apart). */
function cells(table: string): string[][] {
  return table
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.split(/ {2,}/));
}

const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;
const AGO = /^(now|\d+(\.\d)?(ms|s|m) ago)$/;

/** Enqueues jobs with the seed task (one jt run) and returns their ids; then `jobs:workoff` if `work`. */
async function seed(env: Record<string, string>, specs: string[], work = false): Promise<number[]> {
  const seeded = await run([`seed[${specs.join(",")}]`], env);
  if (seeded.code !== 0) throw new Error(`seed: exit ${seeded.code}\n${seeded.stderr}`);
  if (work) {
    const worked = await run(["jobs:workoff"], env);
    if (worked.code !== 0 && worked.code !== 1) throw new Error(`jobs:workoff: exit ${worked.code}\n${worked.stderr}`);
  }
  return seeded.stdout.trim().split("\n").map(Number);
}

/**
 * The fixture the read-only verbs look at: greet[ann] completed, boom failed, mailer[bob] queued
 * for an hour from now (queue mail, priority 3), greet[cid] cancelled.
 */
async function fixture(env: Record<string, string>): Promise<{ completed: number; failed: number; queued: number; cancelled: number }> {
  const [completed, failed, queued, cancelled] = await seed(env, ["greet:ann", "boom", "mailer:bob@1h", "greet:cid@1h"], true);
  const cancel = await run(["jobs:cancel", String(cancelled)], env);
  if (cancel.code !== 0) throw new Error(cancel.stderr);
  return { completed: completed!, failed: failed!, queued: queued!, cancelled: cancelled! };
}

describe.concurrent("jobs:list, jobs:show, jobs:stats", { timeout: 60_000 }, () => {
  const { env } = store("read");
  let ids: Awaited<ReturnType<typeof fixture>>;
  beforeAll(async () => {
    ids = await fixture(env);
  });

  test("jobs:list: a table, newest first, with the last error", async ({ expect }) => {
    const result = await run(["jobs:list"], env);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(cells(result.stdout)).toEqual([
      ["ID", "STATE", "TASK", "QUEUE", "PRI", "ATTEMPTS", "RUN AT", "LAST ERROR"],
      [String(ids.cancelled), "cancelled", "greet[cid]", "default", "0", "0/5", expect.stringMatching(AGO)],
      [String(ids.queued), "queued", "mailer[bob]", "mail", "3", "0/5", expect.stringMatching(/^in (1h|60m|59\.\dm)$/)],
      [String(ids.failed), "failed", "boom", "default", "0", "1/1", expect.stringMatching(AGO), "boom: always fails"],
      [String(ids.completed), "completed", "greet[ann]", "default", "0", "1/5", expect.stringMatching(AGO)],
    ]);
  });

  test("jobs:list --json: every field, for scripts", async ({ expect }) => {
    const result = await run(["jobs:list", "--json"], env);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const json = JSON.parse(result.stdout) as JobJson[];
    expect(json.map((j) => j.id)).toEqual([ids.cancelled, ids.queued, ids.failed, ids.completed]);
    const utc = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(json[1]).toEqual({
      id: ids.queued,
      task: "mailer",
      args: ["bob"],
      queue: "mail",
      priority: 3,
      state: "queued",
      runAt: utc,
      attempts: 0,
      maxAttempts: 5,
      meta: {},
      lockedBy: null,
      lockedUntil: null,
      uniqueKey: null,
      createdAt: utc,
      updatedAt: json[1]!.createdAt,
      finishedAt: null,
      errors: [],
      startedAt: null,
      worker: null,
      progress: null,
      result: null,
    });
    expect(json[2]!.errors).toEqual([
      { attempt: 1, at: utc, message: "boom: always fails", stack: expect.stringMatching(/^Error: boom: always fails\n\s+at /) },
    ]);
    for (const job of json) for (const time of [job.createdAt, job.updatedAt, job.finishedAt ?? job.createdAt]) expect(time).toEqual(utc);
    const [cancelled, queued, failed, completed] = json.map(fromJson);
    // An hour from when it was enqueued (the enqueue and the insert read the clock a moment apart).
    expect(queued!.runAt - queued!.createdAt).toBeGreaterThan(3_600_000 - 1000);
    expect(queued!.runAt - queued!.createdAt).toBeLessThanOrEqual(3_600_000);
    expect(completed).toMatchObject({
      task: "greet",
      args: ["ann"],
      state: "completed",
      attempts: 1,
      errors: [],
      finishedAt: expect.any(Number),
    });
    expect(failed).toMatchObject({ task: "boom", args: [], state: "failed", attempts: 1, maxAttempts: 1, finishedAt: expect.any(Number) });
    expect(cancelled).toMatchObject({ task: "greet", args: ["cid"], state: "cancelled", attempts: 0, finishedAt: expect.any(Number) });
  });

  test("jobs:list --state, --task, --queue and --limit filter; they combine", async ({ expect }) => {
    const idsOf = async (args: string[]) => (await listJobs(shared, args, env)).map((j) => j.id);
    expect(await idsOf(["--state", "failed"])).toEqual([ids.failed]);
    expect(await idsOf(["--state", "queued,cancelled"])).toEqual([ids.cancelled, ids.queued]);
    expect(await idsOf(["--task", "greet"])).toEqual([ids.cancelled, ids.completed]);
    expect(await idsOf(["--queue", "mail"])).toEqual([ids.queued]);
    expect(await idsOf(["--task", "greet", "--state", "completed"])).toEqual([ids.completed]);
    expect(await idsOf(["--task", "nothing"])).toEqual([]);
    const limited = await run(["jobs:list", "--json", "--limit", "1"], env);
    expect((JSON.parse(limited.stdout) as JobJson[]).map((j) => j.id)).toEqual([ids.cancelled]);
  });

  test("jobs:list: an unknown state, or a bad --limit, is a usage error (exit 2)", async ({ expect }) => {
    expect(await run(["jobs:list", "--state", "queued,done"], env)).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: "jt aborted!\nUnknown state 'done': use queued, running, completed, failed, cancelled\n",
    });
    expect(await run(["jobs:list", "--limit", "0"], env)).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "jt aborted!\n--limit must be a whole number of at least 1, not '0'\n",
    });
    expect(await run(["jobs:list", "--bogus"], env)).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "jt aborted!\njt jobs:list does not take the option '--bogus'\n(See `jt jobs:list --help`)\n",
    });
  });

  test("jobs:list with no jobs says so", async ({ expect }) => {
    expect(await run(["jobs:list"], store("empty").env)).toEqual({ code: 0, signal: null, stdout: "No jobs.\n", stderr: "" });
    expect(await run(["jobs:list", "--json"], store("empty").env)).toEqual({ code: 0, signal: null, stdout: "[]\n", stderr: "" });
  });

  test("jobs:show: the job, and each attempt's error with its stack; --json", async ({ expect }) => {
    const result = await run(["jobs:show", String(ids.failed)], env);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const job = await showJob(shared, ids.failed, env);
    const iso = (ms: number) => new Date(ms).toISOString();
    const out = result.stdout.split("\n");
    expect(out.slice(0, 12)).toEqual([
      `Job ${ids.failed}: boom`,
      "  state:     failed",
      "  queue:     default (priority 0)",
      "  attempts:  1 of 1",
      expect.stringMatching(new RegExp(`^  run at:    ${iso(job.runAt).replace(/\./g, "\\.")} \\((now|.+ ago)\\)$`)),
      `  created:   ${iso(job.createdAt)}`,
      `  started:   ${iso(job.startedAt!)} (attempt 1)`,
      `  finished:  ${iso(job.finishedAt!)}`,
      expect.stringMatching(/^ {2}worker: {4}\S+:\d+:\w+ \(ran attempt 1\)$/),
      "",
      "History:",
      `  attempt 1 at ${iso(job.errors[0]!.at)}: boom: always fails`,
    ]);
    expect(out[12]).toMatch(new RegExp(`^    at .*${shared.path("tasks/cli.ts").replace(/\./g, "\\.")}:6:9\\)?$`));
    expect(job).toMatchObject({ id: ids.failed, task: "boom", state: "failed" });
  });

  test("jobs:show of a job that does not exist, or not a job id: exit 2", async ({ expect }) => {
    expect(await run(["jobs:show", "999"], env)).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: "jt aborted!\nThere is no job 999\nSee the jobs with `jt jobs:list`\n",
    });
    expect(await run(["jobs:show", "abc"], env)).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "jt aborted!\nA job id must be a whole number of at least 1, not 'abc'\n",
    });
    expect(await run(["jobs:show"], env)).toMatchObject({ code: 2, stdout: "" });
  });

  test("jobs:stats: jobs by queue and state; --json", async ({ expect }) => {
    expect(await run(["jobs:stats"], env)).toEqual({
      code: 0,
      signal: null,
      stdout:
        "QUEUE    QUEUED  RUNNING  COMPLETED  FAILED  CANCELLED\n" +
        "default  0       0        1          1       1\n" +
        "mail     1       0        0          0       0\n",
      stderr: "",
    });
    const json = await run(["jobs:stats", "--json"], env);
    expect(JSON.parse(json.stdout)).toEqual([
      { queue: "default", state: "cancelled", count: 1 },
      { queue: "default", state: "completed", count: 1 },
      { queue: "default", state: "failed", count: 1 },
      { queue: "mail", state: "queued", count: 1 },
    ]);
    expect(await run(["jobs:stats"], store("empty").env)).toEqual({ code: 0, signal: null, stdout: "No jobs.\n", stderr: "" });
  });
});

describe.concurrent("jobs:list on narrow terminals and with huge cells", { timeout: 60_000 }, () => {
  test("on a terminal every row fits its width: the task and error columns are cut with '...' (at 60 the error column goes), ids and states never", async ({
    expect,
  }) => {
    const { env } = store("narrow");
    const [completed, failed] = await seed(
      env,
      ["greet:a-rather-long-name-for-a-person-to-greet", "blurt:something-long-enough-to-be-cut"],
      true,
    );
    const [at60, at80] = await Promise.all([
      runInTty(shared.root, ["jobs:list"], { ...env, COLUMNS: "60" }),
      runInTty(shared.root, ["jobs:list"], { ...env, COLUMNS: "80" }),
    ]);
    for (const [result, width] of [
      [at60, 60],
      [at80, 80],
    ] as const) {
      expect(result.code).toBe(0);
      for (const row of result.output.split("\n")) expect(row.length, row).toBeLessThanOrEqual(width);
    }
    const rows60 = at60.output.split("\n").filter((line) => line !== "");
    expect(rows60[0]).toMatch(/^ID +STATE +TASK +QUEUE +PRI +ATTEMPTS +RUN AT$/);
    expect(rows60[1]).toMatch(new RegExp(`^${failed} +failed +blurt\\[[a-z-]*\\.\\.\\. +default +0 +1/1 +(now|\\S+ ago)$`));
    expect(rows60[2]).toMatch(new RegExp(`^${completed} +completed +greet\\[[a-z-]*\\.\\.\\. +default +0 +1/5 +(now|\\S+ ago)$`));
    const rows80 = at80.output.split("\n").filter((line) => line !== "");
    expect(rows80[0]).toMatch(/^ID +STATE +TASK +QUEUE +PRI +ATTEMPTS +RUN AT +LAST ERROR$/);
    expect(rows80[1]).toMatch(
      new RegExp(`^${failed} +failed +blurt\\[[a-z-]*\\.\\.\\. +default +0 +1/1 +(now|\\S+ ago) +could not[ a-z-]*\\.\\.\\.$`),
    );
    // Off a terminal, the same rows are whole.
    const piped = await run(["jobs:list"], env);
    expect(piped.stdout).toContain("greet[a-rather-long-name-for-a-person-to-greet]");
    expect(piped.stdout).toContain("could not say something-long-enough-to-be-cut");
  });

  test("a 1 MB argument and a 1 MB error: a listing of a few hundred bytes on every output, --json whole", async ({ expect }) => {
    const { env } = store("huge");
    const made = await run(["huge"], env);
    expect(made.code, made.stderr).toBe(0);
    const [greet, blurt] = made.stdout.trim().split("\n").map(Number);
    await run(["jobs:workoff"], env);
    const piped = await run(["jobs:list"], env);
    expect(piped.code).toBe(0);
    expect(piped.stdout.length).toBeLessThan(600);
    const rows = cells(piped.stdout);
    expect(rows[1]).toEqual([
      String(blurt),
      "failed",
      `blurt[${"x".repeat(51)}...`,
      "default",
      "0",
      "1/1",
      expect.stringMatching(AGO),
      `could not say ${"x".repeat(43)}...`,
    ]);
    expect(rows[2]).toEqual([String(greet), "completed", `greet[${"x".repeat(51)}...`, "default", "0", "1/5", expect.stringMatching(AGO)]);
    const tty = await runInTty(shared.root, ["jobs:list"], { ...env, COLUMNS: "200" });
    expect(tty.output.length).toBeLessThan(600);
    const [json] = await Promise.all([listJobs(shared, [], env)]);
    expect(json.find((job) => job.id === greet)!.args).toEqual(["x".repeat(1_000_000)]);
    expect(json.find((job) => job.id === blurt)!.errors[0]!.message).toBe(`could not say ${"x".repeat(1_000_000)}`);
  });
});

describe.concurrent("fixing jobs", { timeout: 60_000 }, () => {
  test("jobs:retry by id: a failed job is queued again with fresh attempts, a waiting one made due now; exit 2 naming the others", async ({
    expect,
  }) => {
    const { env } = store("retry");
    const [failed, completed, waiting] = await seed(env, ["boom", "greet:ann", "greet:later@1h"], true);
    expect(await run(["jobs:retry", String(failed), String(completed)], env)).toEqual({
      code: 2,
      signal: null,
      stdout: `Retried 1 job: ${failed}\n`,
      stderr: `jt aborted!\nNot retried: ${completed} (no such job, or not failed, cancelled or queued)\n`,
    });
    const before = Date.now();
    expect(await run(["jobs:retry", String(waiting), "999"], env)).toEqual({
      code: 2,
      signal: null,
      stdout: `Retried 1 job: ${waiting}\n`,
      stderr: "jt aborted!\nNot retried: 999 (no such job, or not failed, cancelled or queued)\n",
    });
    const [nowDue, done, retried] = await listJobs(shared, [], env);
    expect(retried).toMatchObject({ id: failed, state: "queued", attempts: 0, finishedAt: null, lockedBy: null });
    expect(retried!.errors, "the failed attempt's error is kept").toHaveLength(1);
    expect(done).toMatchObject({ id: completed, state: "completed", attempts: 1 });
    expect(nowDue).toMatchObject({ id: waiting, state: "queued", attempts: 0 });
    expect(nowDue!.runAt).toBeGreaterThanOrEqual(before - 1000);
    expect(nowDue!.runAt).toBeLessThanOrEqual(Date.now());
  });

  test("a retry reads as one history: jobs:show lists each round's attempts, the retry, the attempt that completed; jobs:list shows no stale LAST ERROR", async ({
    expect,
  }) => {
    const { env } = store("history");
    const flag = shared.path("db/history.flag");
    mkdirSync(shared.path("db"), { recursive: true });
    writeFileSync(flag, "");
    const [id] = await seed(env, [`flaky:${flag}`], true);
    const lastError = async () =>
      cells((await run(["jobs:list"], env)).stdout)[1]!
        .slice(1)
        .join("|");
    expect(await lastError()).toMatch(/^failed\|flaky\[.*\]\|default\|0\|1\/1\|.*\|.*history\.flag is still there$/);

    expect((await run(["jobs:retry", String(id)], env)).code).toBe(0);
    expect(await lastError(), "a retried job's attempts start again, and so does its LAST ERROR").toMatch(
      /^queued\|flaky\[.*\]\|default\|0\|0\/1\|(now|.* ago)$/,
    ); // due now: "1s ago" on a busy machine
    const queued = (await run(["jobs:show", String(id)], env)).stdout.split("\n");
    expect(queued).toContain("  attempts:  0 of 1 (counted again since jobs:retry)");
    const retriedAt = queued.indexOf("History:");
    expect(queued[retriedAt + 1]).toMatch(new RegExp(`^  attempt 1 at ${ISO.source}: .*history\\.flag is still there$`));
    expect(queued.slice(retriedAt + 2).filter((line) => !line.startsWith("    at "))).toEqual([
      "  retried (jobs:retry): attempts counted again from 1",
      "",
    ]);

    rmSync(flag);
    expect((await run(["jobs:workoff"], env)).code).toBe(0);
    expect(await lastError()).toMatch(/^completed\|flaky\[.*\]\|default\|0\|1\/1\|(now|.* ago)$/);
    const done = (await run(["jobs:show", String(id)], env)).stdout.split("\n");
    expect(done.slice(1, 4)).toEqual([
      "  state:     completed",
      "  queue:     default (priority 0)",
      "  attempts:  1 of 1 (counted again since jobs:retry)",
    ]);
    const job = await showJob(shared, id!, env);
    expect(done.slice(done.indexOf("History:") + 1).filter((line) => !line.startsWith("    at "))).toEqual([
      `  attempt 1 at ${new Date(job.errors[0]!.at).toISOString()}: ${flag} is still there`,
      "  retried (jobs:retry): attempts counted again from 1",
      `  attempt 1 at ${new Date(job.finishedAt!).toISOString()}: completed`,
      "",
    ]);
  });

  test("jobs:cancel by id: queued jobs only, exit 2 naming the others; a cancelled job can be retried", async ({ expect }) => {
    const { env } = store("cancel");
    const [first, second] = await seed(env, ["greet:a@1h", "greet:b@1h"]);
    expect(await run(["jobs:cancel", String(first)], env)).toEqual({
      code: 0,
      signal: null,
      stdout: `Cancelled 1 job: ${first}\n`,
      stderr: "",
    });
    expect(await run(["jobs:cancel", String(first), String(second), "999"], env)).toEqual({
      code: 2,
      signal: null,
      stdout: `Cancelled 1 job: ${second}\n`,
      stderr: `jt aborted!\nNot cancelled: ${first}, 999 (no such job, or not queued)\n`,
    });
    expect(await run(["jobs:retry", String(first)], env)).toEqual({
      code: 0,
      signal: null,
      stdout: `Retried 1 job: ${first}\n`,
      stderr: "",
    });
    const jobs = await listJobs(shared, [], env);
    expect(jobs.map((j) => [j.id, j.state, j.attempts, j.finishedAt === null])).toEqual([
      [second, "cancelled", 0, false],
      [first, "queued", 0, true],
    ]);
  });

  test("jobs:discard by id: deletes failed and cancelled jobs, exit 2 naming the others", async ({ expect }) => {
    const { env } = store("discard");
    const [failed, failedToo, completed, cancelled] = await seed(env, ["boom", "boom", "greet:ann", "greet:x@1h"], true);
    expect((await run(["jobs:cancel", String(cancelled)], env)).code).toBe(0);
    expect(await run(["jobs:discard", String(failed), String(completed)], env)).toEqual({
      code: 2,
      signal: null,
      stdout: `Discarded 1 job: ${failed}\n`,
      stderr: `jt aborted!\nNot discarded: ${completed} (no such job, or not failed or cancelled)\n`,
    });
    expect(await run(["jobs:discard", String(cancelled), String(failedToo)], env)).toEqual({
      code: 0,
      signal: null,
      stdout: `Discarded 2 jobs: ${failedToo}, ${cancelled}\n`,
      stderr: "",
    });
    expect((await listJobs(shared, [], env)).map((j) => [j.id, j.state])).toEqual([[completed, "completed"]]);
  });

  test("--all-failed: jobs:retry and jobs:discard take every failed job (not cancelled ones)", async ({ expect }) => {
    const { env } = store("all-failed");
    const [a, b, c, cancelled] = await seed(env, ["boom", "boom", "boom", "greet:x@1h"], true);
    expect((await run(["jobs:cancel", String(cancelled)], env)).code).toBe(0);
    expect(await run(["jobs:retry", "--all-failed"], env)).toEqual({
      code: 0,
      signal: null,
      stdout: `Retried 3 jobs: ${a}, ${b}, ${c}\n`,
      stderr: "",
    });
    expect(await run(["jobs:retry", "--all-failed"], env)).toEqual({ code: 0, signal: null, stdout: "Retried 0 jobs\n", stderr: "" });
    expect((await run(["jobs:workoff"], env)).code).toBe(1);
    expect(await run(["jobs:discard", "--all-failed"], env)).toEqual({
      code: 0,
      signal: null,
      stdout: `Discarded 3 jobs: ${a}, ${b}, ${c}\n`,
      stderr: "",
    });
    expect((await listJobs(shared, [], env)).map((j) => [j.id, j.state])).toEqual([[cancelled, "cancelled"]]);
  });

  test("ids and --all-failed together, or neither, are usage errors (exit 2); jobs:cancel has no --all-failed", async ({ expect }) => {
    const { env } = store("fix-usage");
    expect(await run(["jobs:retry", "1", "--all-failed"], env)).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: "jt aborted!\nGive job ids or --all-failed, not both\n",
    });
    expect(await run(["jobs:retry"], env)).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: "jt aborted!\njt jobs:retry needs job ids or --all-failed\n",
    });
    expect(await run(["jobs:discard"], env)).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: "jt aborted!\njt jobs:discard needs job ids or --all-failed\n",
    });
    expect(await run(["jobs:cancel"], env)).toMatchObject({ code: 2, stdout: "" });
    expect(await run(["jobs:cancel", "--all-failed"], env)).toMatchObject({
      code: 2,
      stdout: "",
      stderr: expect.stringContaining("jt jobs:cancel does not take the option '--all-failed'"),
    });
    expect(await run(["jobs:retry", "0"], env)).toMatchObject({
      code: 2,
      stderr: "jt aborted!\nA job id must be a whole number of at least 1, not '0'\n",
    });
  });

  test("jobs:prune --older-than deletes completed jobs that finished longer ago than that (and nothing else)", async ({ expect }) => {
    const { env } = store("prune");
    const [done, doneToo, failed, queued] = await seed(env, ["greet:a", "greet:b", "boom", "greet:c@1h"], true);

    expect(await run(["jobs:prune"], env)).toEqual({ code: 0, signal: null, stdout: "Pruned 0 completed jobs\n", stderr: "" }); // jobs.pruneAfter: 7d
    expect(await run(["jobs:prune", "--older-than", "1h"], env)).toEqual({
      code: 0,
      signal: null,
      stdout: "Pruned 0 completed jobs\n",
      stderr: "",
    });
    expect(await run(["jobs:prune", "--older-than", "0s"], env)).toEqual({
      code: 0,
      signal: null,
      stdout: "Pruned 2 completed jobs\n",
      stderr: "",
    });
    const left = (await listJobs(shared, [], env)).map((j) => j.id);
    expect(left).toEqual([queued, failed]);
    expect(left).not.toContain(done);
    expect(left).not.toContain(doneToo);
    expect(await run(["jobs:prune", "--older-than", "soon"], env)).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: "jt aborted!\n--older-than takes a duration like 7d or 12h, not 'soon'\n",
    });
  });

  test("jobs:clear without a terminal needs --yes (exit 2, nothing deleted); with --yes it deletes every job", async ({ expect }) => {
    const { env } = store("clear");
    await seed(env, ["greet:a", "greet:b@1h"]);
    expect(await run(["jobs:clear"], env)).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: "jt aborted!\njt jobs:clear deletes every job; pass --yes to confirm (there is no terminal to ask on)\n",
    });
    expect(await listJobs(shared, [], env)).toHaveLength(2);
    expect(await run(["jobs:clear", "--yes"], env)).toEqual({ code: 0, signal: null, stdout: "Deleted 2 jobs\n", stderr: "" });
    expect(await run(["jobs:list"], env)).toMatchObject({ code: 0, stdout: "No jobs.\n" });
  });

  test("jobs:clear on a terminal asks first: no keeps the jobs (exit 1), yes deletes them", async ({ expect, onTestFinished }) => {
    const { env } = store("clear-tty");
    await seed(env, ["greet:a"]);
    const question = "Delete every job, whatever its state? [y/N] ";
    const no = startJtInTty(["jobs:clear"], { cwd: shared.root, env: { ...env, NO_COLOR: "1" } }, { onTestFinished });
    await no.waitFor("stdout", question);
    no.write("n\r");
    expect(await no.done).toMatchObject({ code: 1, stdout: expect.stringContaining("Nothing deleted.\n") });
    expect(await listJobs(shared, [], env)).toHaveLength(1);

    const yes = startJtInTty(["jobs:clear"], { cwd: shared.root, env: { ...env, NO_COLOR: "1" } }, { onTestFinished });
    await yes.waitFor("stdout", question);
    yes.write("y\r");
    expect(await yes.done).toMatchObject({ code: 0, stdout: expect.stringContaining("Deleted 1 job\n") });
    expect(await listJobs(shared, [], env)).toEqual([]);
  });
});

describe.concurrent("jobs:enqueue, jobs:migrate, unknown verbs", { timeout: 60_000 }, () => {
  test("jobs:enqueue: what it prints, --json, --at, --queue and --priority", async ({ expect }) => {
    const { env } = store("enqueue");
    const plain = await run(["jobs:enqueue", "greet[ann]"], env);
    expect(plain).toMatchObject({ code: 0, stderr: "" });
    expect(plain.stdout).toMatch(new RegExp(`^Enqueued job 1: greet\\[ann\\] on queue default, run at ${ISO.source}\\n$`));
    expect(await run(["jobs:enqueue", "mailer[bob]", "--at", "2030-01-02T03:04:05Z", "--json"], env)).toEqual({
      code: 0,
      signal: null,
      stdout: `${JSON.stringify({ id: 2, task: "mailer", args: ["bob"], queue: "mail", runAt: "2030-01-02T03:04:05.000Z", duplicate: false, meta: {} })}\n`,
      stderr: "",
    });
    const moved = await run(["jobs:enqueue", "greet[cid]", "--queue", "urgent", "--priority", "-5"], env);
    expect(moved.stdout).toMatch(/^Enqueued job 3: greet\[cid\] on queue urgent, run at /);
    expect(await showJob(shared, 3, env)).toMatchObject({ queue: "urgent", priority: -5, maxAttempts: 5 });
    expect(await run(["jobs:enqueue", "greet[x]", "--at", "tomorrow"], env)).toMatchObject({
      code: 2,
      stderr: "jt aborted!\n--at takes a time like 2026-12-01T03:00:00Z, not 'tomorrow'\n",
    });
    expect(await run(["jobs:enqueue", "greet[x]", "--priority", "high"], env)).toMatchObject({ code: 2, stdout: "" });
    expect(await run(["jobs:enqueue"], env)).toMatchObject({ code: 2, stdout: "" });
    expect(await listJobs(shared, [], env)).toHaveLength(3);
  });

  test("jobs:enqueue --dry-run / -n: the job it would enqueue (args by name, defaults applied, prerequisites in order); nothing written", async ({
    expect,
  }) => {
    const { env, file } = store("dry-run");
    const dry = await run(["jobs:enqueue", "export[acme]", "--dry-run", "--in", "1h", "--unique"], env);
    expect(dry).toMatchObject({ code: 0, stderr: "" });
    expect(dry.stdout.replace(ISO, "<time>")).toBe(
      [
        "Would enqueue export[acme] (dry run: nothing written, enqueue hooks not run)",
        "  args        tenant=acme format=csv",
        "  queue       reports",
        "  priority    0",
        "  run at      <time>",
        "  attempts    up to 2",
        "  unique      export[acme]",
        "  runs        environment → prepare → export",
        "",
      ].join("\n"),
    );
    const json = await run(["jobs:enqueue", "-n", "export[acme,json]", "--json", "--queue", "urgent"], env);
    expect(JSON.parse(json.stdout)).toEqual({
      task: "export",
      values: ["acme", "json"],
      args: { tenant: "acme", format: "json" },
      queue: "urgent",
      priority: 0,
      runAt: null,
      maxAttempts: 2,
      uniqueKey: null,
      debounceKey: null,
      concurrencyKey: null,
      runs: ["environment", "prepare", "export"],
    });
    // What a real enqueue refuses, the dry run refuses the same way.
    expect(await run(["jobs:enqueue", "-n", "export[a,b,c]"], env)).toMatchObject({
      code: 2,
      stderr: "jt aborted!\nCannot enqueue export[a,b,c]: 'export' takes 2 args [tenant,format], not 3\n",
    });
    expect(await run(["jobs:enqueue", "-n", "exprot[a]"], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("did you mean 'export'"),
    });
    // Not even the store's file: a dry run does not open the store.
    expect(existsSync(file)).toBe(false);
  });

  test("jobs:migrate creates the store's schema (and is safe to run again)", async ({ expect }) => {
    const { env, file } = store("migrate");
    const expected = { code: 0, signal: null, stdout: `The job store is up to date: SQLite ${file}\n`, stderr: "" };
    expect(existsSync(file)).toBe(false);
    expect(await run(["jobs:migrate"], env)).toEqual(expected);
    expect(existsSync(file)).toBe(true);
    expect(await run(["jobs:migrate"], env)).toEqual(expected);
    expect(await run(["jobs:list", "--json"], env)).toMatchObject({ code: 0, stdout: "[]\n" });
  });

  test("an unknown jobs verb: exit 2, with a suggestion and the list of verbs", async ({ expect }) => {
    expect(await run(["jobs:lst"], store("unknown").env)).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr:
        "jt aborted!\n" +
        "Unknown jobs command 'jobs:lst'\n" +
        "Did you mean?  jobs:list\n" +
        "The jobs commands: jobs:work, jobs:workoff, jobs:enqueue, jobs:list, jobs:show, jobs:retry, jobs:cancel, jobs:discard, jobs:pause, jobs:resume, jobs:stats, jobs:prune, jobs:clear, jobs:cron, jobs:crontab, jobs:dashboard, jobs:migrate (see them with `jt jobs`)\n",
    });
  });

  test("a worker option out of range is a usage error before anything runs", async ({ expect }) => {
    expect(await run(["jobs:workoff", "--concurrency", "0"], store("options").env)).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "jt aborted!\n--concurrency must be a whole number of at least 1, not '0'\n",
    });
  });
});

describe.concurrent("schedules: jobs:cron and jobs:crontab", { timeout: 60_000 }, () => {
  test("jobs:crontab: the equivalent crontab lines, with cd and CRON_TZ; a seconds schedule is a comment", async ({ expect }) => {
    expect(await run(["jobs:crontab"], store("crontab").env)).toEqual({
      code: 0,
      signal: null,
      stdout:
        "# jt's schedules as crontab lines (instead of running `jt jobs:work`)\n" +
        "CRON_TZ=UTC\n" +
        `*/15 * * * * cd ${shared.root} && ${CRON_COMMAND} cleanup\n` +
        "CRON_TZ=Europe/Paris\n" +
        `0 3 * * * cd ${shared.root} && ${CRON_COMMAND} reports:daily\n` +
        '# tick: "* * * * * *" fires on a seconds field, which crontab cannot express\n' +
        "# (it runs at most once a minute); leave this schedule to `jt jobs:work`.\n",
      stderr: "",
    });
  });

  test("jobs:cron before any worker ran: never run, and the next run of each schedule", async ({ expect }) => {
    const result = await run(["jobs:cron"], store("cron-fresh").env);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(cells(result.stdout)).toEqual([
      ["SCHEDULE", "RUNS", "CRON", "TZ", "FROM", "LAST RUN", "NEXT RUN"],
      [
        "cleanup",
        "cleanup",
        "0 */15 * * * *",
        "UTC",
        "task file",
        "never",
        expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:(00|15|30|45) UTC \((now|in .+)\)$/),
      ],
      // The README's "03:00 Paris time", in Paris time with its offset (+01:00 in winter, +02:00 in summer).
      [
        "reports:daily",
        "reports:daily",
        "0 3 * * *",
        "Europe/Paris",
        "task file",
        "never",
        expect.stringMatching(/^\d{4}-\d\d-\d\d 03:00 \+0[12]:00 \((now|in .+)\)$/),
      ],
      [
        "tick",
        "tick",
        "* * * * * *",
        "UTC",
        "task file",
        "never",
        expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC \((now|in \d+ms)\)$/),
      ],
    ]);
  });

  test("jobs:cron after a worker ran: the last run is the last slot enqueued; a schedule that never fired still says never", async ({
    expect,
    onTestFinished,
  }) => {
    const { env } = store("cron-ran");
    const worker = spawnJt(shared.root, ["jobs:work"], { env }, { onTestFinished });
    const [, slot] = await worker.waitFor("stderr", /^\S+ jt: cron \* \* \* \* \* \*: enqueued tick for (\S+)$/m);
    const exit = await stopWorker(worker);
    expect(exit.code, exit.stderr).toBe(143);
    const slots = [...withoutTimes(exit.stderr).matchAll(/^jt: cron \* \* \* \* \* \*: enqueued tick for (\S+)$/gm)].map((m) =>
      Date.parse(m[1]!),
    );
    expect(slots[0]).toBe(Date.parse(slot!));
    const lastSlot = Math.max(...slots);

    const json = await run(["jobs:cron", "--json"], env);
    expect(json).toMatchObject({ code: 0, stderr: "" });
    const printed = JSON.parse(json.stdout) as {
      task: string;
      cron: string;
      tz: string | null;
      lastRun: string | null;
      nextRun: string | null;
    }[];
    expect(printed.map((s) => s.task)).toEqual(["cleanup", "reports:daily", "tick"]);
    // ISO 8601: in UTC ("Z") without a zone, with the zone's offset for reports:daily (Europe/Paris).
    expect(printed[0]!.nextRun).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
    expect(printed[1]!.nextRun).toMatch(/^\d{4}-\d\d-\d\dT03:00:00\.000\+0[12]:00$/);
    const epoch = (text: string | null) => (text === null ? null : Date.parse(text));
    const [cleanup, daily, tick] = printed.map((s) => ({ ...s, lastRun: epoch(s.lastRun), nextRun: epoch(s.nextRun) }));
    expect(tick).toMatchObject({ cron: "* * * * * *", lastRun: lastSlot });
    expect(tick!.nextRun).toBeGreaterThan(lastSlot);
    expect(tick!.nextRun! % 1000).toBe(0);
    expect(daily).toMatchObject({ cron: "0 3 * * *", tz: "Europe/Paris" });
    expect(daily!.nextRun).toBeGreaterThan(Date.now());
    // Unless the worker happened to run across one of their slots, these two never fired.
    const lastEnqueued = (task: string) => {
      const found = [...withoutTimes(exit.stderr).matchAll(new RegExp(`^jt: cron [^:]*: enqueued ${task} for (\\S+)$`, "gm"))].map((m) =>
        Date.parse(m[1]!),
      );
      return found.length > 0 ? Math.max(...found) : null;
    };
    expect(daily!.lastRun, "reports:daily never ran: no last run").toBe(lastEnqueued("reports:daily"));
    expect(cleanup!.lastRun, "cleanup never ran: no last run").toBe(lastEnqueued("cleanup"));

    const table = cells((await run(["jobs:cron"], env)).stdout);
    const utcMinute = new Date(lastSlot).toISOString().slice(0, 19).replace("T", " ").replace(/:00$/, "");
    expect(table.find((row) => row[0] === "tick")?.[5]).toBe(
      `${utcMinute} UTC (${table.find((row) => row[0] === "tick")![5]!.split(" (")[1]}`,
    );
    expect(table.find((row) => row[0] === "tick")?.[5]).toMatch(/ UTC \(.+\)$/);
    if (lastEnqueued("reports:daily") === null) expect(table.find((row) => row[0] === "reports:daily")?.[5]).toBe("never");
  });
});

describe.concurrent("schedules in UTC unless a tz is given", { timeout: 60_000 }, () => {
  const utc = sharedProject({
    "jt.config.json": jobsConfig(),
    "app/env.ts": ENV,
    "tasks/nightly.ts": `import { task } from "jt";\n\ntask("nightly", { cron: "0 3 * * *" }, () => {});\n`,
  });

  test("jobs:cron: a schedule without tz fires at 03:00 UTC, whatever the machine's time zone", async ({ expect }) => {
    const result = await utc.run(["jobs:cron", "--json"], { env: { TZ: "America/New_York" } });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const [nightly] = JSON.parse(result.stdout) as { task: string; tz: string | null; nextRun: string }[];
    expect(nightly).toMatchObject({ task: "nightly", tz: null, nextRun: expect.stringMatching(/^\d{4}-\d\d-\d\dT03:00:00\.000Z$/) });
    const table = await utc.run(["jobs:cron"], { env: { TZ: "America/New_York" } });
    expect(cells(table.stdout)[1]).toEqual([
      "nightly",
      "nightly",
      "0 3 * * *",
      "UTC",
      "task file",
      "never",
      expect.stringMatching(/^\d{4}-\d\d-\d\d 03:00 UTC \(in /),
    ]);
  });

  test("jobs:crontab: a schedule without tz gets CRON_TZ=UTC (a system cron runs in the machine's zone)", async ({ expect }) => {
    expect(await utc.run(["jobs:crontab"])).toEqual({
      code: 0,
      signal: null,
      stdout: `# jt's schedules as crontab lines (instead of running \`jt jobs:work\`)\nCRON_TZ=UTC\n0 3 * * * cd ${utc.root} && ${CRON_COMMAND} nightly\n`,
      stderr: "",
    });
  });

  test("jobs:crontab: the printed command runs under cron's bare environment (PATH=/usr/bin:/bin, no jt on it)", async ({ expect }) => {
    const { stdout } = await utc.run(["jobs:crontab"]);
    const line = stdout.split("\n").find((l) => l.startsWith("0 3 * * * "))!;
    const command = line.slice("0 3 * * * ".length).replace(/ nightly$/, " --trace nightly");
    const result = spawnSync("env", ["-i", "PATH=/usr/bin:/bin", `HOME=${utc.root}`, "sh", "-c", command], { cwd: "/", encoding: "utf8" });
    expect(result.stderr).toContain("** Execute nightly");
    expect(result.status).toBe(0);
  });
});

describe.concurrent("definition errors: exit 3", { timeout: 60_000 }, () => {
  test("defining a task named jobs:… (directly or in a jobs namespace) is an error: jobs:* names are jt's", async ({
    expect,
    onTestFinished,
  }) => {
    const direct = project({ "tasks/bad.ts": `import { task } from "jt";\n\ntask("jobs:x", () => {});\n` }, { onTestFinished });
    const message = "Cannot define task 'jobs:x': names under jobs: are jt's own (jt jobs:work, jobs:list, …)";
    for (const args of [["-T"], ["jobs:list"]]) {
      const result = await direct.run(args);
      expect(result.code, `jt ${args.join(" ")}`).toBe(3);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(message);
    }
    const nested = project(
      { "tasks/bad.ts": `import { namespace, task } from "jt";\n\nnamespace("jobs", () => task("x", () => {}));\n` },
      { onTestFinished },
    );
    const result = await nested.run(["-T"]);
    expect(result).toMatchObject({ code: 3, stdout: "", stderr: expect.stringContaining(message) });
  });

  test("an invalid cron expression: jobs:work and jobs:cron exit 3 naming the task (no worker keeps running)", async ({
    expect,
    onTestFinished,
  }) => {
    const p = invalidCron("61 * * * *", undefined, onTestFinished);
    const expected = /^jt aborted!\nTask 'broken' has an invalid cron schedule: invalid cron expression "61 \* \* \* \*": .+\n/;
    for (const verb of ["jobs:work", "jobs:cron", "jobs:crontab"]) {
      const result = await p.run([verb], { timeoutMs: 15_000 });
      expect(result, verb).toMatchObject({ code: 3, signal: null, stdout: "" });
      expect(result.stderr, verb).toMatch(expected);
    }
  });

  test("an unknown time zone: jobs:work exits 3 naming the task and the zone", async ({ expect, onTestFinished }) => {
    const p = invalidCron("0 3 * * *", "Mars/Olympus_Mons", onTestFinished);
    const result = await p.run(["jobs:work"], { timeoutMs: 15_000 });
    expect(result).toMatchObject({ code: 3, signal: null, stdout: "" });
    expect(result.stderr).toContain(`jt aborted!\nTask 'broken' has an invalid cron schedule: unknown time zone "Mars/Olympus_Mons"`);
  });
});

function invalidCron(cron: string, tz: string | undefined, onTestFinished: (fn: () => void) => void): TestProject {
  const spec = JSON.stringify({ cron, ...(tz ? { tz } : {}) });
  return project(
    {
      "jt.config.json": jobsConfig(),
      "app/env.ts": ENV,
      "tasks/broken.ts": `import { task } from "jt";\n\ntask("fine", () => {});\ntask("broken", ${spec}, () => {});\n`,
    },
    { onTestFinished },
  );
}
