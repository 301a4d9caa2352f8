/**
 * Background jobs end to end (issue 6): real `jt` processes on a real SQLite file
 * (db/jobs.sqlite3 in a throwaway project). Enqueue from the shell, from a task and from app code;
 * workers (jobs:work, jobs:workoff) run them with their args; retries, failure, jobs:retry; a
 * worker killed with SIGKILL has its job run again by another; a CPU-bound task keeps its lease;
 * SIGTERM finishes or releases running jobs; timeouts, delays, priorities, queues, uniqueness,
 * enqueue-time checks; the environment boots once per worker; cron slots enqueue exactly once
 * across three workers.
 *
 * Jobs settings are fast (lease 1s, poll 100ms). Tests wait for a line of output, never for a
 * fixed time; every worker started is stopped (SIGTERM, or SIGKILL when the test finishes).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "vitest";
import {
  enqueueJob,
  fileLines,
  jobsConfig,
  linesMatching,
  listJobs,
  showJob,
  stopWorker,
  taskOutput,
  withoutTimes,
} from "../helpers/jobs.js";
import { eventually } from "../helpers/live.js";
import { project, type TestProject } from "../helpers/project.js";
import { descendantsOf, spawnJt } from "../helpers/spawn.js";

/** Counts its boots: a worker must boot it once, however many jobs it runs. */
const ENV = `import { defineEnvironment } from "jt";

let boots = 0;

export default defineEnvironment({
  async setup() {
    boots += 1;
    await new Promise((resolve) => setTimeout(resolve, 20)); // as connecting to a database would
    console.log(\`env: setup #\${boots}\`);
    return { greeting: "hello" };
  },
  async teardown() {
    console.log("env: teardown");
  },
});
`;

const TASKS = `import { task } from "jt";
import { appendFileSync, existsSync } from "node:fs";

/** Every run leaves a line in runs.log. */
function record(line: string): void {
  appendFileSync("runs.log", \`\${line}\\n\`);
}

/** Resolves after ms, or rejects with the abort reason when the signal fires. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

task("greet", { args: ["who", "greeting"], deps: ["environment"] }, ({ args, app }) => {
  record(\`greet \${args.who} \${args.greeting} (\${(app as { greeting: string }).greeting})\`);
});

task("spawner", async ({ enqueue }) => {
  const job = await enqueue("greet", { args: ["from", "ctx"] });
  console.log(\`spawner: enqueued job \${job.id} \${job.task}[\${job.args.join(",")}] on \${job.queue}\`);
});

task("badspawner", async ({ enqueue }) => {
  await enqueue("greet", { args: ["a", "b", "c"] });
  console.log("badspawner: not reached");
});

/** Enqueues ordered[label] jobs at the priorities given as label:priority (one run for many jobs). */
task("prioritized", { args: ["specs..."] }, async ({ args, enqueue }) => {
  for (const spec of args.specs as string[]) {
    const [label, priority] = spec.split(":");
    await enqueue("ordered", { args: [label!], priority: priority === undefined ? undefined : Number(priority) });
  }
});

task("fanout", { args: ["n"] }, async ({ args, enqueue }) => {
  for (let i = 1; i <= Number(args.n); i++) await enqueue("greet", { args: [String(i), "fan"] });
});

task("flaky", { retry: { attempts: 3, backoff: 0 } }, () => {
  record("flaky");
  if (!existsSync("fixed")) throw new Error("flaky: not fixed yet");
});

task("marker", async ({ signal }) => {
  const first = !existsSync("marker");
  appendFileSync("marker", \`\${process.pid}\\n\`);
  if (first) {
    console.log("marker: started, sleeping");
    await sleep(30_000, signal);
  }
  record(\`marker done in \${process.pid}\`);
});

task("twice", { retry: { attempts: 5, backoff: 0 } }, async ({ signal }) => {
  const first = !existsSync("twice");
  appendFileSync("twice", \`\${process.pid}\\n\`);
  if (first) throw new Error("twice: the first attempt fails");
  console.log("twice: second attempt, longer than the lease");
  await sleep(2_500, signal);
  record("twice done");
});

task("busy", { args: ["ms"] }, ({ args }) => {
  record(\`busy started in \${process.pid}\`);
  console.log("busy: started");
  const end = Date.now() + Number(args.ms);
  while (Date.now() < end) {
    // CPU-bound: the main thread never yields
  }
  record(\`busy finished in \${process.pid}\`);
});

task("slow", { args: ["ms"], deps: ["environment"] }, async ({ args, signal }) => {
  console.log("slow: started");
  await sleep(Number(args.ms), signal);
  console.log("slow: finished");
  record("slow finished");
});

task("deadline", { timeout: "300ms", retry: { attempts: 1 } }, async ({ signal }) => {
  record("deadline started");
  await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
});

// Poison jobs: each would take its worker process down with it.
task("exiter", { retry: { attempts: 2, backoff: 0 } }, async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  record("exiter");
  process.exit(1);
});

task("leaker", { retry: { attempts: 2, backoff: 0 } }, async () => {
  record("leaker");
  Promise.reject(new Error("leaked on purpose"));
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  record("leaker survived");
});

task("thrower", { retry: { attempts: 2, backoff: 0 } }, async () => {
  record("thrower");
  setTimeout(() => {
    throw new Error("thrown in a timer");
  }, 20);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  record("thrower survived");
});

/** Like marker, retried at once: its first run sleeps until killed, the next one finishes. */
task("held", { retry: { attempts: 3, backoff: 0 } }, async ({ signal }) => {
  const first = !existsSync("held");
  appendFileSync("held", \`\${process.pid}\\n\`);
  if (first) {
    console.log("held: started, sleeping");
    await sleep(30_000, signal);
  }
  record("held done");
});

/** Allocates until the heap is exhausted: the process dies of it (run it with a small --max-old-space-size). */
task("hog", { retry: { attempts: 2, backoff: 0 } }, async () => {
  record("hog");
  const hoard: number[][] = [];
  for (;;) {
    hoard.push(new Array(100_000).fill(1));
    if (hoard.length % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
});

task("healthy", { args: ["n"] }, async ({ args }) => {
  await new Promise((resolve) => setTimeout(resolve, 300));
  record(\`healthy \${args.n}\`);
});

/** Ignores its signal: nothing but the end of the process stops it. */
task("stubborn", { args: ["ms"] }, async ({ args }) => {
  console.log("stubborn: started");
  await new Promise((resolve) => setTimeout(resolve, Number(args.ms)));
  record("stubborn finished");
});

task("overdue", { timeout: "300ms", retry: { attempts: 1 } }, async () => {
  record("overdue started");
  await new Promise((resolve) => setTimeout(resolve, 20_000));
  record("overdue finished");
});

/** Asked to stop, it finishes its work and returns normally: its job is done. */
task("obliging", async ({ signal }) => {
  console.log("obliging: started");
  await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
  record("obliging finished on abort");
});

task("ordered", { args: ["n"] }, ({ args }) => record(\`ordered \${args.n}\`));

task("noop", () => {});

/** Runs until outage.go exists. */
task("outage", async () => {
  console.log("outage: started");
  while (!existsSync("outage.go")) await new Promise((resolve) => setTimeout(resolve, 20));
  record("outage done");
});

task("stamp", () => appendFileSync("stamps.log", \`\${Date.now()}\\n\`));

task("mailer", { args: ["to"], queue: "mail" }, ({ args }) => record(\`mail to \${args.to}\`));
`;

/** App code, outside jt: a web request handler would do the same. */
const APP_SCRIPT = `import { enqueue } from "jobs-and-tasks";

const job = await enqueue("greet", { args: ["app", "code"] });
console.log(\`app: enqueued job \${job.id} \${job.task}[\${job.args.join(",")}] on \${job.queue} duplicate=\${job.duplicate}\`);
for (const [task, args] of [["gret", ["x", "y"]], ["greet", ["a", "b", "c"]]]) {
  try {
    await enqueue(task, { args });
    console.log(\`app: enqueued \${task}\`);
  } catch (error) {
    console.log(\`app: \${error.message}\`);
  }
}
`;

const CRON_TASKS = `import { task } from "jt";
import { appendFileSync } from "node:fs";

task("tick", { cron: "* * * * * *" }, () => appendFileSync("ticks.log", \`\${process.pid}\\n\`));
// Fires at second 0 of every minute: seen for the first time, it must not fire for the minute already begun.
task("minutely", { cron: "0 * * * * *" }, () => appendFileSync("minutely.log", "ran\\n"));
`;

// Every project here uses the default store, db/jobs.sqlite3: not one named by the developer's shell.
delete process.env.DATABASE_URL;
delete process.env.JT_JOBS_URL;

type Cleanup = { onTestFinished: (fn: () => void) => void };

function jobsProject(
  context: Cleanup,
  jobs: Record<string, unknown> = {},
  files: Record<string, string> = { "tasks/jobs.ts": TASKS },
): TestProject {
  return project({ "jt.config.json": jobsConfig(jobs), "app/env.ts": ENV, ...files }, context);
}

/** Runs `node script` in the project, as an app would run (no jt CLI involved). */
function runNode(p: TestProject, script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve) => {
    execFile(process.execPath, [script], { cwd: p.root, env, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const WORKING = /^\S+ jt: worker \S+ working/m;

describe.concurrent("enqueue, then work", { timeout: 60_000 }, () => {
  test("jobs from jt jobs:enqueue, ctx.enqueue in a task and enqueue() in app code all run with their args, and complete", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished }).installJt("link").file("app/enqueue.mjs", APP_SCRIPT);

    const shell = await enqueueJob(p, "greet[bob,hi]");
    const fromTask = await p.run(["spawner"]);
    expect(fromTask).toMatchObject({ code: 0, stderr: "" });
    expect(fromTask.stdout).toBe(`spawner: enqueued job ${shell + 1} greet[from,ctx] on default\n`);
    const fromApp = await runNode(p, "app/enqueue.mjs");
    expect(fromApp).toEqual({
      code: 0,
      stdout:
        `app: enqueued job ${shell + 2} greet[app,code] on default duplicate=false\n` +
        "app: Cannot enqueue 'gret': there is no such task (did you mean 'greet'?)\n" +
        "app: Cannot enqueue greet[a,b,c]: 'greet' takes 2 args [who,greeting], not 3\n",
      stderr: "",
    });

    const queued = await listJobs(p);
    expect(queued.map((j) => [j.id, j.task, j.args, j.queue, j.state, j.attempts])).toEqual([
      [shell + 2, "greet", ["app", "code"], "default", "queued", 0],
      [shell + 1, "greet", ["from", "ctx"], "default", "queued", 0],
      [shell, "greet", ["bob", "hi"], "default", "queued", 0],
    ]);

    const work = await p.run(["jobs:workoff"]);
    expect(work.code, work.stderr).toBe(0);
    expect(withoutTimes(work.stderr)).toMatch(/^jt: worker stopped: 3 completed, 0 failed for good, 0 released$/m);
    expect(fileLines(p, "runs.log").sort()).toEqual(["greet app code (hello)", "greet bob hi (hello)", "greet from ctx (hello)"]);

    const done = await listJobs(p);
    expect(done.map((j) => [j.id, j.state, j.attempts, j.errors, j.lockedBy])).toEqual([
      [shell + 2, "completed", 1, [], null],
      [shell + 1, "completed", 1, [], null],
      [shell, "completed", 1, [], null],
    ]);
    for (const job of done) expect(job.finishedAt).toBeGreaterThanOrEqual(job.createdAt);
  });

  test("a failing job is retried up to its attempts, then failed with each attempt's error; jobs:retry after a fix completes it", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished });
    const id = await enqueueJob(p, "flaky");

    const failing = await p.run(["jobs:workoff"]);
    expect(linesMatching(withoutTimes(failing.stderr), /^jt: job /)).toEqual([
      `jt: job ${id} flaky started (attempt 1 of 3)`,
      `jt: job ${id} flaky failed (flaky: not fixed yet); retrying in 0ms`,
      `jt: job ${id} flaky started (attempt 2 of 3)`,
      `jt: job ${id} flaky failed (flaky: not fixed yet); retrying in 0ms`,
      `jt: job ${id} flaky started (attempt 3 of 3)`,
      `jt: job ${id} flaky failed for good after 3 attempts: flaky: not fixed yet`,
    ]);
    expect(withoutTimes(failing.stderr)).toMatch(/^jt: worker stopped: 0 completed, 1 failed for good, 0 released$/m);
    expect(failing.code, "jobs:workoff exits 1 when a job failed for good").toBe(1);
    expect(fileLines(p, "runs.log")).toEqual(["flaky", "flaky", "flaky"]);

    const failed = await showJob(p, id);
    expect(failed).toMatchObject({ state: "failed", attempts: 3, maxAttempts: 3, lockedBy: null });
    expect(failed.errors.map((e) => [e.attempt, e.message])).toEqual([
      [1, "flaky: not fixed yet"],
      [2, "flaky: not fixed yet"],
      [3, "flaky: not fixed yet"],
    ]);
    for (const error of failed.errors) expect(error.stack).toMatch(/^Error: flaky: not fixed yet\n\s+at .*tasks\/jobs\.ts:\d+:\d+/);
    expect(failed.finishedAt).toEqual(expect.any(Number));

    expect(await p.run(["jobs:retry", String(id)])).toEqual({ code: 0, signal: null, stdout: `Retried 1 job: ${id}\n`, stderr: "" });
    expect(await showJob(p, id)).toMatchObject({ state: "queued", attempts: 0, finishedAt: null });

    p.file("fixed", "");
    const fixed = await p.run(["jobs:workoff"]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(linesMatching(withoutTimes(fixed.stderr), /^jt: job /)).toEqual([
      `jt: job ${id} flaky started (attempt 1 of 3)`,
      expect.stringMatching(new RegExp(`^jt: job ${id} flaky completed in \\d`)),
    ]);
    const completed = await showJob(p, id);
    expect(completed).toMatchObject({ state: "completed", attempts: 1 });
    expect(completed.errors, "the earlier attempts' errors are kept").toHaveLength(3);
  });

  test("a per-task timeout aborts ctx.signal and fails the attempt with a 'timed out' error", async ({ expect, onTestFinished }) => {
    const p = jobsProject({ onTestFinished });
    const id = await enqueueJob(p, "deadline");
    const work = await p.run(["jobs:workoff"]);
    expect(work.code).toBe(1);
    expect(work.stderr).toContain(`jt: job ${id} deadline failed for good after 1 attempt: timed out after 300ms\n`);
    const job = await showJob(p, id);
    expect(job).toMatchObject({ state: "failed", attempts: 1, maxAttempts: 1 });
    expect(job.errors.map((e) => [e.attempt, e.message])).toEqual([[1, "timed out after 300ms"]]);
    expect(fileLines(p, "runs.log")).toEqual(["deadline started"]);
  });

  test("a delayed job is not run before it is due: jobs:workoff leaves it queued, jobs:work runs it once due (--in 2s)", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished });
    const later = await enqueueJob(p, "ordered[later]", ["--in", "1m"]);
    const now = await enqueueJob(p, "ordered[now]");
    const work = await p.run(["jobs:workoff"]);
    expect(work.code, work.stderr).toBe(0);
    expect(fileLines(p, "runs.log")).toEqual(["ordered now"]);
    const waiting = await showJob(p, later);
    expect(waiting).toMatchObject({ state: "queued", attempts: 0 });
    expect(waiting.runAt - waiting.createdAt).toBeGreaterThan(60_000 - 1000);
    expect(waiting.runAt - waiting.createdAt).toBeLessThanOrEqual(60_000);
    expect(await showJob(p, now)).toMatchObject({ state: "completed" });

    const soon = await enqueueJob(p, "stamp", ["--in", "2s"]);
    const due = (await showJob(p, soon)).runAt;
    const worker = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await worker.waitFor("stderr", `jt: job ${soon} stamp completed`);
    expect((await stopWorker(worker)).code, "stopped by SIGTERM: 143, as the README's exit codes say").toBe(143);
    const [ranAt] = fileLines(p, "stamps.log").map(Number);
    expect(ranAt, "run no sooner than its run_at").toBeGreaterThanOrEqual(due);
    expect(await showJob(p, later), "the job due in a minute is still waiting").toMatchObject({ state: "queued", attempts: 0 });
  });

  test("lower priority numbers run first (one at a time), in enqueue order within a priority", async ({ expect, onTestFinished }) => {
    const p = jobsProject({ onTestFinished });
    expect(await p.run(["prioritized[five-a:5,zero,minus-one:-1,five-b:5]"])).toMatchObject({ code: 0, stderr: "" });
    await enqueueJob(p, "ordered[two]", ["--priority", "2"]);
    const work = await p.run(["jobs:workoff", "--concurrency", "1"]);
    expect(work.code, work.stderr).toBe(0);
    expect(fileLines(p, "runs.log")).toEqual(["ordered minus-one", "ordered zero", "ordered two", "ordered five-a", "ordered five-b"]);
  });

  test("jobs:enqueue --unique twice: one job, the second says Already enqueued", async ({ expect, onTestFinished }) => {
    const p = jobsProject({ onTestFinished });
    const first = await p.run(["jobs:enqueue", "ordered[x]", "--unique"]);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toMatch(/^Enqueued job 1: ordered\[x\] on queue default, run at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n$/);
    const second = await p.run(["jobs:enqueue", "ordered[x]", "--unique"]);
    expect(second).toEqual({ code: 0, signal: null, stdout: first.stdout.replace("Enqueued", "Already enqueued"), stderr: "" });
    const other = await enqueueJob(p, "ordered[y]", ["--unique"]); // other args: another key
    const jobs = await listJobs(p);
    expect(jobs.map((j) => [j.id, j.args, j.uniqueKey, j.state])).toEqual([
      [other, ["y"], "ordered[y]", "queued"],
      [1, ["x"], "ordered[x]", "queued"],
    ]);
    // Once the job is done, the key is free again.
    expect((await p.run(["jobs:workoff"])).code).toBe(0);
    const again = await p.run(["jobs:enqueue", "ordered[x]", "--unique"]);
    expect(again.stdout).toMatch(/^Enqueued job \d+: ordered\[x\]/);
    expect((await listJobs(p, ["--state", "queued"])).map((j) => j.args)).toEqual([["x"]]);
  });

  test("enqueue checks the task and its args at enqueue time: nothing is written when they are wrong", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished });
    expect(await p.run(["jobs:enqueue", "gret[a,b]"])).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: "jt aborted!\nCannot enqueue 'gret': there is no such task (did you mean 'greet'?)\n",
    });
    expect(await p.run(["jobs:enqueue", "greet[a,b,c]"])).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: "jt aborted!\nCannot enqueue greet[a,b,c]: 'greet' takes 2 args [who,greeting], not 3\n",
    });
    expect(await p.run(["jobs:enqueue", "greet[a,b"])).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: "jt aborted!\nMalformed task arguments in 'greet[a,b': expected name[arg1,arg2,...] with a closing ']'\n",
    });
    expect(await p.run(["jobs:enqueue", "ordered[1]", "--in", "soon"])).toMatchObject({
      code: 2,
      stderr: "jt aborted!\n--in takes a duration like 30s, 5m or 2h, not 'soon'\n",
    });
    const inTask = await p.run(["badspawner"]);
    expect(inTask.code).toBe(1);
    expect(inTask.stdout).toBe("");
    expect(inTask.stderr).toContain("Cannot enqueue greet[a,b,c]: 'greet' takes 2 args [who,greeting], not 3");
    expect(await listJobs(p)).toEqual([]);
  });

  test("a job that calls process.exit, leaks a rejection or throws in a timer fails with that cause; the worker and the other jobs carry on", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished });
    const poison = {
      exiter: await enqueueJob(p, "exiter"),
      leaker: await enqueueJob(p, "leaker"),
      thrower: await enqueueJob(p, "thrower"),
    };
    const healthy = [await enqueueJob(p, "healthy[1]"), await enqueueJob(p, "healthy[2]")];
    const work = await p.run(["jobs:workoff", "--concurrency", "1"], { timeoutMs: 45_000 });
    expect(work.code, work.stderr).toBe(1); // the poison jobs failed for good
    expect(withoutTimes(work.stderr)).toMatch(/^jt: worker stopped: 2 completed, 3 failed for good, 0 released$/m);
    for (const id of healthy) expect(await showJob(p, id)).toMatchObject({ state: "completed", attempts: 1 });
    const causes = {
      exiter: "the task called process.exit(1); a job cannot end the worker's process",
      leaker: "unhandled rejection: leaked on purpose",
      thrower: "uncaught exception: thrown in a timer",
    };
    for (const [name, id] of Object.entries(poison)) {
      const job = await showJob(p, id);
      expect(job, name).toMatchObject({ state: "failed", attempts: 2 });
      expect(
        job.errors.map((e) => e.message),
        name,
      ).toEqual([causes[name as keyof typeof causes], causes[name as keyof typeof causes]]);
      expect(job.errors[0]!.stack, `${name}: the stack points into the task file`).toMatch(/tasks\/jobs\.ts:\d+/);
    }
    expect(work.stderr).toContain(`jt: job ${poison.exiter} exiter failed for good after 2 attempts: ${causes.exiter}\n`);
  });

  test("beside other jobs: process.exit still fails its own job; a leak is traced to its job by the async context a concurrent worker keeps (for its output), and the worker carries on", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished });
    const exiter = await enqueueJob(p, "exiter");
    const leaker = await enqueueJob(p, "leaker");
    const healthy: number[] = [];
    for (let n = 1; n <= 4; n++) healthy.push(await enqueueJob(p, `healthy[${n}]`));
    const work = await p.run(["jobs:workoff", "--concurrency", "4"], { timeoutMs: 45_000 });
    expect(withoutTimes(work.stderr)).toContain(
      `jt: job ${leaker} leaker failed for good after 2 attempts: unhandled rejection: leaked on purpose\n    at `,
    );
    expect(withoutTimes(work.stderr)).toMatch(/^jt: worker stopped: \d+ completed, 2 failed for good, 0 released$/m);
    expect(await showJob(p, leaker)).toMatchObject({ state: "failed", attempts: 2 });
    const job = await showJob(p, exiter);
    expect(job).toMatchObject({ state: "failed", attempts: 2 });
    expect(job.errors.map((e) => e.message)).toEqual([
      "the task called process.exit(1); a job cannot end the worker's process",
      "the task called process.exit(1); a job cannot end the worker's process",
    ]);
    for (const id of healthy) expect(await showJob(p, id)).toMatchObject({ state: "completed", attempts: 1 });
  });

  test("a worker boots the environment once, however many jobs it runs, and tears it down once", async ({ expect, onTestFinished }) => {
    const p = jobsProject({ onTestFinished });
    expect(await p.run(["fanout[8]"])).toMatchObject({ code: 0, stderr: "" });
    const work = await p.run(["jobs:workoff"]); // 5 at a time (the default concurrency)
    expect(work.code, work.stderr).toBe(0);
    expect(work.stderr).toMatch(/ 5 at a time$/m);
    expect(fileLines(p, "runs.log")).toHaveLength(8);
    expect(taskOutput(work.stdout)).toBe("env: setup #1\nenv: teardown\n");
  });
});

describe.concurrent("workers, leases and shutdown", { timeout: 60_000 }, () => {
  test("jobs:work --queues mail takes only mail jobs", async ({ expect, onTestFinished }) => {
    const p = jobsProject({ onTestFinished });
    const other = await enqueueJob(p, "ordered[default-queue]");
    const mail = await enqueueJob(p, "mailer[ann]"); // the task's queue
    const moved = await enqueueJob(p, "ordered[moved]", ["--queue", "mail"]);
    const worker = spawnJt(p.root, ["jobs:work", "--queues", "mail"], {}, { onTestFinished });
    await worker.waitFor("stderr", `jt: job ${mail} mailer[ann] completed`);
    await worker.waitFor("stderr", `jt: job ${moved} ordered[moved] completed`);
    const exit = await stopWorker(worker);
    expect(exit.code, exit.stderr).toBe(143);
    expect(withoutTimes(exit.stderr)).toMatch(/^jt: worker \S+ working queues mail in SQLite .*\/db\/jobs\.sqlite3, 5 at a time$/m);
    expect(exit.stderr).not.toContain(`job ${other} `);
    expect(fileLines(p, "runs.log").sort()).toEqual(["mail to ann", "ordered moved"]);
    const jobs = await listJobs(p);
    expect(jobs.map((j) => [j.id, j.queue, j.state])).toEqual([
      [moved, "mail", "completed"],
      [mail, "mail", "completed"],
      [other, "default", "queued"],
    ]);
  });

  test("kill -9 of a worker mid-job: a worker started afterwards runs it again within seconds and completes it", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished });
    const id = await enqueueJob(p, "marker");
    const first = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await first.waitFor("stdout", "marker: started, sleeping");
    first.killTree("SIGKILL"); // the worker and its executor: a machine that died
    expect((await first.exited).signal).toBe("SIGKILL");
    expect(await showJob(p, id)).toMatchObject({ state: "running", attempts: 1 });

    const startedAt = Date.now();
    const second = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await second.waitFor("stderr", `jt: job ${id} marker completed`, 15_000);
    const tookMs = Date.now() - startedAt;
    const exit = await stopWorker(second);
    expect(exit.code, exit.stderr).toBe(143);
    expect(tookMs, "lease 1s: the job is run again within a few seconds (the default lease alone is 30s)").toBeLessThan(10_000);
    expect(exit.stderr).toContain("jt: put back 1 job whose worker stopped\n");
    expect(exit.stderr).toContain(`jt: job ${id} marker started (attempt 2 of 5)\n`);
    expect(fileLines(p, "marker")).toEqual([String(first.workerPid), String(second.workerPid)]);
    expect(fileLines(p, "runs.log")).toEqual([`marker done in ${second.workerPid}`]);

    const job = await showJob(p, id);
    expect(job).toMatchObject({ state: "completed", attempts: 2, lockedBy: null });
    expect(job.errors).toHaveLength(1);
    expect(job.errors[0]).toMatchObject({ attempt: 1, message: "The worker running it stopped (its lease expired)" });
  });

  test("SIGTERM while a job runs: the job finishes within jobs.shutdownTimeout and completes; teardown runs once; exit 0", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished }, { shutdownTimeout: "10s" });
    const id = await enqueueJob(p, "slow[800]");
    const worker = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await worker.waitFor("stdout", "slow: started");
    const signalledAt = Date.now();
    const exit = await stopWorker(worker, 15_000);
    expect(exit.code, exit.stderr).toBe(143);
    expect(exit.at - signalledAt).toBeLessThan(10_000);
    expect(taskOutput(exit.stdout)).toBe("env: setup #1\nslow: started\nslow: finished\nenv: teardown\n");
    expect(exit.stderr).toMatch(
      /jt: SIGTERM: finishing job \d+ slow\[800\] \(up to 10s\), then stopping \(send SIGTERM again to exit at once\)\n/,
    );
    expect(withoutTimes(exit.stderr)).toMatch(/^jt: worker stopped: 1 completed, 0 failed for good, 0 released$/m);
    expect(await showJob(p, id)).toMatchObject({ state: "completed", attempts: 1, errors: [] });
  });

  test("SIGTERM with a job longer than jobs.shutdownTimeout: the job is released (queued, attempts back to 0) and the worker exits", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished }, { shutdownTimeout: "500ms" });
    const id = await enqueueJob(p, "slow[30000]");
    const worker = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await worker.waitFor("stdout", "slow: started");
    expect(await showJob(p, id)).toMatchObject({ state: "running", attempts: 1 });
    const signalledAt = Date.now();
    const exit = await stopWorker(worker, 15_000);
    expect(exit.code, exit.stderr).toBe(143);
    expect(exit.at - signalledAt).toBeLessThan(8_000);
    expect(taskOutput(exit.stdout)).toBe("env: setup #1\nslow: started\nenv: teardown\n");
    expect(exit.stderr).toContain(`jt: job ${id} slow[30000] released for another worker (shutting down)\n`);
    expect(withoutTimes(exit.stderr)).toMatch(/^jt: worker stopped: 0 completed, 0 failed for good, 1 released$/m);
    expect(fileLines(p, "runs.log")).toEqual([]);
    expect(await showJob(p, id)).toMatchObject({ state: "queued", attempts: 0, lockedBy: null, lockedUntil: null, errors: [] });
  });

  test("SIGTERM with a job that ignores its signal: abandoned and released right after jobs.shutdownTimeout, not after the 10 s interrupt grace", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished }, { shutdownTimeout: "500ms" });
    const id = await enqueueJob(p, "stubborn[60000]");
    const worker = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await worker.waitFor("stdout", "stubborn: started");
    const signalledAt = Date.now();
    const exit = await stopWorker(worker, 20_000);
    expect(exit.code, exit.stderr).toBe(143);
    expect(exit.at - signalledAt, "shutdownTimeout 0.5 s + about 1 s; the 10 s interrupt grace must not apply").toBeLessThan(6_000);
    expect(exit.stderr).toContain(`jt: job ${id} stubborn[60000] released for another worker (shutting down)\n`);
    expect(fileLines(p, "runs.log")).toEqual([]);
    expect(await showJob(p, id)).toMatchObject({ state: "queued", attempts: 0, lockedBy: null, errors: [] });
  });

  test("a job whose action completes after the shutdown asked it to stop is recorded completed, and never runs again", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished }, { shutdownTimeout: "200ms" });
    const id = await enqueueJob(p, "obliging");
    const worker = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await worker.waitFor("stdout", "obliging: started");
    const exit = await stopWorker(worker, 15_000);
    expect(exit.code, exit.stderr).toBe(143);
    expect(exit.stderr).toContain(`jt: job ${id} obliging completed in `);
    expect(withoutTimes(exit.stderr)).toMatch(/^jt: worker stopped: 1 completed, 0 failed for good, 0 released$/m);
    expect(await showJob(p, id)).toMatchObject({ state: "completed", attempts: 1, errors: [] });
    const again = await p.run(["jobs:workoff"]);
    expect(again.code, again.stderr).toBe(0);
    expect(fileLines(p, "runs.log")).toEqual(["obliging finished on abort"]);
  });

  test("a job that ignores its signal fails at its timeout, not after the interrupt grace; its abandoned action records nothing", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished });
    const id = await enqueueJob(p, "overdue");
    const startedAt = Date.now();
    const work = await p.run(["jobs:workoff"], { timeoutMs: 30_000 });
    expect(work.code, work.stderr).toBe(1);
    expect(Date.now() - startedAt, "timeout 300 ms; the 10 s interrupt grace must not apply").toBeLessThan(8_000);
    expect(work.stderr).toContain(`jt: job ${id} overdue failed for good after 1 attempt: timed out after 300ms\n`);
    const job = await showJob(p, id);
    expect(job).toMatchObject({ state: "failed", attempts: 1 });
    expect(job.errors.map((e) => e.message)).toEqual(["timed out after 300ms"]);
    expect(fileLines(p, "runs.log")).toEqual(["overdue started"]);
  });

  test("SIGTERM in a long backlog of instant jobs: the worker stops at once, not when the queue is empty", async ({
    expect,
    onTestFinished,
  }) => {
    const fill = `import { createJobs } from "jobs-and-tasks";\nconst jobs = createJobs();\nfor (let i = 0; i < 20; i++) await jobs.enqueueMany(Array.from({ length: 1000 }, () => ({ task: "noop" })));\nconsole.log("filled");\nprocess.exit(0);\n`;
    const p = jobsProject({ onTestFinished }).installJt("link").file("fill.mjs", fill);
    const filled = await runNode(p, "fill.mjs");
    expect(filled, filled.stderr).toMatchObject({ code: 0, stdout: "filled\n" });
    const worker = spawnJt(p.root, ["jobs:workoff", "--concurrency", "1"], {}, { onTestFinished });
    await worker.waitFor("stderr", /^\S+ jt: job 200 noop completed/m);
    const signalledAt = Date.now();
    const exit = await stopWorker(worker, 15_000);
    expect(exit.code, exit.stderr).toBe(143);
    expect(exit.at - signalledAt).toBeLessThan(2_000);
    const summary = withoutTimes(exit.stderr).match(/^jt: worker stopped: (\d+) completed, 0 failed for good, 0 released$/m);
    expect(summary, exit.stderr).not.toBeNull();
    const completed = Number(summary![1]);
    expect(completed).toBeLessThan(20_000);
    // What it ran is recorded as completed, the rest is still queued for the next worker.
    const queued = await listJobs(p, ["--state", "queued"]);
    expect(queued.length).toBe(Math.min(1000, 20_000 - completed));
  });

  test("--prefetch claims jobs ahead of free slots; on SIGTERM the ones not started are released at once", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished }, { shutdownTimeout: "10s" });
    const ids = [
      await enqueueJob(p, "slow[4000]"),
      await enqueueJob(p, "slow[4000]"),
      await enqueueJob(p, "slow[4000]"),
      await enqueueJob(p, "slow[4000]"),
    ];
    const worker = spawnJt(p.root, ["jobs:work", "--concurrency", "1", "--prefetch", "2"], {}, { onTestFinished });
    await worker.waitFor("stderr", /1 at a time, 2 claimed ahead/);
    await worker.waitFor("stdout", "slow: started");
    // One running, two claimed ahead (leased to this worker, not started), one left for other workers.
    const states = await Promise.all(ids.map((id) => showJob(p, id)));
    expect(states.map((j) => j.state)).toEqual(["running", "running", "running", "queued"]);
    expect(fileLines(p, "runs.log")).toEqual([]);
    const exit = await stopWorker(worker, 15_000);
    expect(exit.code, exit.stderr).toBe(143);
    expect(taskOutput(exit.stdout)).toBe("env: setup #1\nslow: started\nslow: finished\nenv: teardown\n");
    expect(exit.stderr).toContain(`jt: job ${ids[1]} slow[4000] released for another worker (shutting down)\n`);
    expect(exit.stderr).toContain(`jt: job ${ids[2]} slow[4000] released for another worker (shutting down)\n`);
    expect(withoutTimes(exit.stderr)).toMatch(/^jt: worker stopped: 1 completed, 0 failed for good, 2 released$/m);
    const after = await Promise.all(ids.map((id) => showJob(p, id)));
    expect(after.map((j) => [j.state, j.attempts])).toEqual([
      ["completed", 1],
      ["queued", 0],
      ["queued", 0],
      ["queued", 0],
    ]);
  });

  test("--prefetch and jobs.prefetch must be whole numbers, 0 or more", async ({ expect, onTestFinished }) => {
    const p = jobsProject({ onTestFinished });
    const bad = await p.run(["jobs:workoff", "--prefetch", "-1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--prefetch must be a whole number of at least 0, not '-1'");
    const q = jobsProject({ onTestFinished }, { prefetch: 1.5 });
    const config = await q.run(["jobs:workoff"]);
    expect(config.code).toBe(3);
    expect(config.stderr).toMatch(/prefetch.*a whole number, 0 or more/);
  });
});

describe.concurrent("a supervised worker: a job that kills its process does not kill the worker", { timeout: 60_000 }, () => {
  test("a job that runs out of memory fails with that cause, on each attempt; a new worker process takes over and runs the other jobs", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished });
    const hog = await enqueueJob(p, "hog");
    const healthy = [await enqueueJob(p, "healthy[1]"), await enqueueJob(p, "healthy[2]")];
    const work = await p.run(["jobs:workoff", "--concurrency", "1"], {
      env: { NODE_OPTIONS: "--max-old-space-size=64" },
      timeoutMs: 45_000,
    });
    expect(work.code, work.stderr).toBe(1); // the hog failed for good
    expect(withoutTimes(work.stderr)).toMatch(
      /^jt: the worker process \d+ died \(out of memory \(Allocation failed - JavaScript heap out of memory\)\); its running jobs fail with that cause; starting another$/m,
    );
    const job = await showJob(p, hog);
    expect(job).toMatchObject({ state: "failed", attempts: 2 });
    const cause = "the worker process running it died: out of memory (Allocation failed - JavaScript heap out of memory)";
    expect(job.errors.map((e) => e.message)).toEqual([cause, cause]);
    for (const id of healthy) expect(await showJob(p, id)).toMatchObject({ state: "completed", attempts: 1 });
    // The summary covers every worker process: the hog killed two of them.
    expect(withoutTimes(work.stderr)).toMatch(
      /^jt: worker stopped: 2 completed, 1 failed for good, 0 released \(in 3 worker processes: 2 died\)$/m,
    );
  });

  test("kill -9 of the worker's executor: another starts at once, fails the job it held with the cause (no wait for the lease), and the retry completes", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished }, { lease: "30s" });
    const greeting = await enqueueJob(p, "greet[before,hi]");
    const id = await enqueueJob(p, "held");
    const worker = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await worker.waitFor("stdout", "held: started, sleeping");
    await worker.waitFor("stderr", new RegExp(`jt: job ${greeting} greet\\[before,hi\\] completed`));
    await new Promise((resolve) => setTimeout(resolve, 100)); // as a busy machine may take to write its progress
    const executor = worker.workerPid;
    expect(executor).not.toBe(worker.pid);
    process.kill(executor, "SIGKILL");
    await worker.waitFor("stderr", `jt: job ${id} held completed`, 20_000);
    expect(worker.stderr).toContain(
      `jt: the worker process ${executor} died (killed by SIGKILL, perhaps by the kernel's out-of-memory killer); its running jobs fail with that cause; starting another\n`,
    );
    expect(worker.stderr).toContain(
      `jt: job ${id} held failed (the worker process running it died: killed by SIGKILL, perhaps by the kernel's out-of-memory killer); retrying in `,
    );
    const exit = await stopWorker(worker);
    expect(exit.code, exit.stderr).toBe(143);
    // The summary counts the greeting that the killed executor completed.
    expect(withoutTimes(exit.stderr)).toMatch(
      /^jt: worker stopped: 2 completed, 0 failed for good, 0 released \(in 2 worker processes: 1 died\)$/m,
    );
    const job = await showJob(p, id);
    expect(job).toMatchObject({ state: "completed", attempts: 2 });
    expect(job.errors.map((e) => e.message)).toEqual([
      "the worker process running it died: killed by SIGKILL, perhaps by the kernel's out-of-memory killer",
    ]);
    expect(fileLines(p, "held")).toHaveLength(2);
    expect(fileLines(p, "held")[0]).toBe(String(executor));
  });
});

describe.concurrent("a SQLite store locked past its busy timeout", { timeout: 60_000 }, () => {
  test("another connection holds the write lock while a job finishes: its outcome is written once the lock is gone, no attempt lost", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished }, { lease: "10s" });
    const id = await enqueueJob(p, "outage");
    const worker = spawnJt(p.root, ["jobs:work"], { env: { JT_SQLITE_BUSY_TIMEOUT_MS: "300" } }, { onTestFinished });
    await worker.waitFor("stdout", "outage: started");
    // As a backup, a migration or a long transaction of the app would: every write waits, then fails SQLITE_BUSY.
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(join(p.root, "db", "jobs.sqlite3"));
    onTestFinished(() => {
      db.close();
    });
    db.exec("BEGIN EXCLUSIVE");
    p.file("outage.go", "");
    await worker.waitFor(
      "stderr",
      new RegExp(`^\\S+ jt: job ${id}: recording the outcome failed \\(database is locked\\); trying again for up to 10s, the lease$`, "m"),
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // locked for a while longer
    db.exec("COMMIT");
    await worker.waitFor("stderr", `jt: job ${id}: outcome recorded, the store is back`, 20_000);
    await worker.waitFor("stderr", new RegExp(`jt: job ${id} outage completed`));
    expect(fileLines(p, "runs.log")).toEqual(["outage done"]);
    const exit = await stopWorker(worker);
    expect(exit.code, exit.stderr).toBe(143);
    expect(await showJob(p, id)).toMatchObject({ state: "completed", attempts: 1, errors: [] });
  });
});

describe.concurrent("a supervised worker whose executor is killed while it starts", { timeout: 60_000 }, () => {
  test("the supervisor starts another (it held no jobs) instead of exiting 1; SIGTERM then stops it with 143", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished });
    const worker = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await worker.waitFor("stderr", WORKING);
    const first = worker.workerPid;
    process.kill(first, "SIGKILL");
    // The next executor, killed as soon as it exists: long before it says it is working.
    let starting: number | undefined;
    const deadline = Date.now() + 10_000;
    while (starting === undefined && Date.now() < deadline) {
      starting = descendantsOf(worker.pid).find((child) => child.pid !== first && child.command.includes("jt.js"))?.pid;
      if (starting === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(starting, worker.stderr).toBeDefined();
    process.kill(starting!, "SIGKILL");
    await worker.waitFor(
      "stderr",
      `jt: the worker process ${starting} died while starting (killed by SIGKILL, perhaps by the kernel's out-of-memory killer); starting another\n`,
    );
    await worker.waitFor("stderr", new RegExp(`died while starting[^]*${WORKING.source}`, "m"));
    const exit = await stopWorker(worker);
    expect(exit.code, exit.stderr).toBe(143);
  });
});

describe.concurrent("what jobs:workoff says about jobs it cannot run", { timeout: 60_000 }, () => {
  test("a job another worker holds: running it, or dead and waiting for its lease, with when it becomes runnable; jobs due later", async ({
    expect,
    onTestFinished,
  }) => {
    // A lease long enough that a busy machine's slow start-up cannot outlast it.
    const p = jobsProject({ onTestFinished }, { lease: "20s" });
    const id = await enqueueJob(p, "held");
    const later = await enqueueJob(p, "greet[later,hi]", ["--in", "1h"]);
    const worker = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await worker.waitFor("stdout", "held: started, sleeping");
    const whileAlive = await p.run(["jobs:workoff"]);
    expect(whileAlive.code, whileAlive.stderr).toBe(0);
    expect(withoutTimes(whileAlive.stderr)).toMatch(
      new RegExp(
        `^jt: job ${id} held is held by worker \\S+, which is running it; if that worker does not finish it, it becomes runnable when its lease expires, in \\d+(\\.\\d)?s \\(\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)$`,
        "m",
      ),
    );
    expect(withoutTimes(whileAlive.stderr)).toMatch(
      new RegExp(
        `^jt: 1 job is due later, the next \\(job ${later} greet\\[later,hi\\]\\) in \\d+(\\.\\d)?m \\(.*\\); jobs:workoff runs only what is due$`,
        "m",
      ),
    );

    await worker.killTree("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 9_000)); // more than a third of the lease without renewal
    const afterDeath = await p.run(["jobs:workoff"]);
    expect(afterDeath.code, afterDeath.stderr).toBe(0);
    expect(withoutTimes(afterDeath.stderr)).toMatch(
      new RegExp(
        `^jt: job ${id} held is held by worker \\S+, which stopped renewing its lease \\d+(\\.\\d)?s ago; if that worker does not finish it, it becomes runnable when its lease expires, in \\d+(\\.\\d)?s `,
        "m",
      ),
    );
  });

  test("a job whose task this deploy no longer defines fails with that reason and is retried later (a rolling deploy may have old workers), no pointer to jt --tasks", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject(
      { onTestFinished },
      {},
      {
        "tasks/jobs.ts": TASKS,
        "tasks/old.ts": `import { task } from "jt";\ntask("retired", { retry: { attempts: 2, backoff: 0 } }, () => {});\n`,
      },
    );
    const id = await enqueueJob(p, "retired");
    p.file("tasks/old.ts", `export {};\n`);
    const work = await p.run(["jobs:workoff"]);
    expect(work.code, work.stderr).toBe(0);
    const reason =
      "this deploy does not define the task 'retired' (no task file in it does); retried in case a worker of another deploy still does, as in a rolling deploy";
    // (Its backoff is the task's, which this deploy does not know: the default.)
    expect(withoutTimes(work.stderr)).toMatch(
      new RegExp(`^jt: job ${id} retired failed \\(${reason.replace(/[()]/g, "\\$&")}\\); retrying in \\d+(\\.\\d)?s$`, "m"),
    );
    expect(withoutTimes(work.stderr)).toMatch(new RegExp(`^jt: 1 job is due later, the next \\(job ${id} retired\\) in `, "m"));
    expect(work.stderr).not.toContain("--tasks");
    const job = await showJob(p, id);
    expect(job).toMatchObject({ state: "queued", attempts: 1 });
    expect(job.errors.map((e) => e.message)).toEqual([reason]);
  });
});

describe.concurrent("a worker stopped by a signal", () => {
  test("Ctrl-C (SIGINT) on an idle jobs:work: a clean stop, exit 130 as the README's exit codes say", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished });
    const worker = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await worker.waitFor("stderr", WORKING);
    worker.kill("SIGINT");
    const exit = await worker.exited;
    expect(exit.code, exit.stderr).toBe(130);
    expect(withoutTimes(exit.stderr)).toMatch(
      /^jt: SIGINT: no job running, stopping \(press Ctrl-C again to exit at once\)\n(.*\n)*jt: worker stopped: 0 completed/m,
    );
  });
});

// One at a time (not alongside other tests of this file): these watch leases and clocks over seconds.
describe("leases over time; cron", { timeout: 60_000 }, () => {
  test("a CPU-bound task (3× the lease) keeps its lease: another worker running meanwhile never runs it; it completes on its first attempt", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished });
    // Both workers are up before the job exists, so both are watching for the whole run.
    const workers = [1, 2].map(() => spawnJt(p.root, ["jobs:work"], {}, { onTestFinished }));
    await Promise.all(workers.map((w) => w.waitFor("stderr", WORKING)));
    const id = await enqueueJob(p, "busy[3000]");
    const busy = await Promise.any(workers.map((w) => w.waitFor("stdout", "busy: started").then(() => w)));
    const other = workers.find((w) => w !== busy)!;
    await busy.waitFor("stderr", `jt: job ${id} busy[3000] completed`, 15_000);
    const [busyExit, otherExit] = await Promise.all([stopWorker(busy), stopWorker(other)]);
    expect(busyExit.code, busyExit.stderr).toBe(143);
    expect(otherExit.code, otherExit.stderr).toBe(143);
    expect(busyExit.stderr).not.toMatch(/put back|lease had expired|heartbeat failed/);
    expect(otherExit.stderr).not.toMatch(/put back|started/);
    expect(otherExit.stdout).toBe("");
    expect(fileLines(p, "runs.log")).toEqual([`busy started in ${busy.workerPid}`, `busy finished in ${busy.workerPid}`]);
    const job = await showJob(p, id);
    expect(job).toMatchObject({ state: "completed", attempts: 1, errors: [] });
  });

  test("a job retried at once keeps its lease on the next attempt: a second attempt longer than the lease is not put back or run twice", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished });
    const id = await enqueueJob(p, "twice");
    const worker = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await worker.waitFor("stderr", new RegExp(`^\\S+ jt: job ${id} twice (completed|finished)`, "m"), 15_000);
    const exit = await stopWorker(worker);
    expect(exit.code, exit.stderr).toBe(143);
    expect(linesMatching(withoutTimes(exit.stderr), /^jt: (job|put back)/)).toEqual([
      `jt: job ${id} twice started (attempt 1 of 5)`,
      `jt: job ${id} twice failed (twice: the first attempt fails); retrying in 0ms`,
      `jt: job ${id} twice started (attempt 2 of 5)`,
      expect.stringMatching(new RegExp(`^jt: job ${id} twice completed in \\d`)),
    ]);
    expect(fileLines(p, "twice")).toHaveLength(2);
    const job = await showJob(p, id);
    expect(job).toMatchObject({ state: "completed", attempts: 2 });
    expect(job.errors.map((e) => e.message)).toEqual(["twice: the first attempt fails"]);
  });

  test("three workers and a per-second schedule for ~4 s: exactly one job per slot, and no slot from before the schedule was first seen", async ({
    expect,
    onTestFinished,
  }) => {
    const p = jobsProject({ onTestFinished }, {}, { "tasks/cron.ts": CRON_TASKS });
    const startedAt = Date.now();
    const workers = [1, 2, 3].map(() => spawnJt(p.root, ["jobs:work"], { timeoutMs: 30_000 }, { onTestFinished }));
    await Promise.all(workers.map((w) => w.waitFor("stderr", WORKING)));
    const allUp = Date.now();

    const slotsOf = (task: string) =>
      workers.flatMap((w) =>
        [...withoutTimes(w.stderr).matchAll(new RegExp(`^jt: cron [^:]*: enqueued ${task} for (\\S+)$`, "gm"))].map((m) =>
          Date.parse(m[1]!),
        ),
      );
    const enough = await eventually(() => slotsOf("tick").filter((slot) => slot > allUp).length >= 4, 15_000, 50);
    const exits = await Promise.all(workers.map((w) => stopWorker(w)));
    expect(enough, `4 slots after all workers were up\n${workers.map((w) => w.stderr).join("---\n")}`).toBe(true);
    for (const exit of exits) expect(exit.code, exit.stderr).toBe(143);

    const slots = slotsOf("tick").sort((a, b) => a - b);
    expect(new Set(slots).size, "no slot enqueued twice").toBe(slots.length);
    expect(
      slots.every((slot, i) => i === 0 || slot - slots[i - 1]! === 1000),
      `consecutive seconds: ${slots.map((s) => new Date(s).toISOString())}`,
    ).toBe(true);
    expect(slots[0], "a new schedule does not fire for the slot already past when it is first seen").toBeGreaterThan(startedAt);
    for (const slot of slotsOf("minutely")) expect(slot).toBeGreaterThan(startedAt);

    const jobs = await listJobs(p, ["--task", "tick"]);
    expect(jobs, "one job per slot").toHaveLength(slots.length);
    const completed = jobs.filter((j) => j.state === "completed");
    expect(completed.every((j) => j.attempts === 1)).toBe(true);
    expect(fileLines(p, "ticks.log"), "each completed job ran once").toHaveLength(completed.length);
    expect(fileLines(p, "minutely.log")).toHaveLength((await listJobs(p, ["--task", "minutely", "--state", "completed"])).length);
  });
});
