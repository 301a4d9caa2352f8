/**
 * Job hooks (issue 16), on both stores: the project's hooks module (two layers) and a task's own
 * hooks run in order around enqueueing (the CLI and app code's enqueueMany) and running a job,
 * meta set at enqueue reaches the perform hooks on the worker, and a hook that fails in each
 * position is reported as that hook's failure: an enqueue refused with nothing written, a run
 * failed (the action run or not, as its position says), the task's own error passing through the
 * around hooks unchanged, a `Snooze` from a hook honoured. A broken hooks module stops the worker
 * before it claims; a task cannot declare enqueue hooks.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, onTestFinished, test } from "vitest";
import { enqueueJob, fileLines, jobsProject, listJobs, showJob } from "../helpers/jobs.js";
import { eachStore } from "../helpers/postgres.js";
import type { TestProject } from "../helpers/project.js";
import { spawnJt } from "../helpers/spawn.js";

const FIXTURE = join(import.meta.dirname, "fixtures/hooks");

function fixtureFiles(dir = ""): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(join(FIXTURE, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(files, fixtureFiles(path));
    else files[path] = readFileSync(join(FIXTURE, path), "utf8");
  }
  return files;
}

function app(jobs: Record<string, unknown> = {}): TestProject {
  const { "tasks/reports.ts": tasks, ...files } = fixtureFiles();
  return jobsProject("hooks-app", tasks!, { jobs: { hooks: "jobs/hooks.ts", concurrency: 1, ...jobs }, files });
}

const ENQUEUE_ORDER = (task: string) => [
  `outer.beforeEnqueue ${task}`,
  "outer.aroundEnqueue>",
  `inner.beforeEnqueue ${task}`,
  "inner.aroundEnqueue>",
];

const META = JSON.stringify({ inner: "set by inner", outer: "set by outer" });

const stores = eachStore();

describe.each(Object.keys(stores))("job hooks, on %s", (name) => {
  test("run in layers around an enqueue and a run, outer first, the task's innermost; meta reaches the worker", async () => {
    const env = stores[name]!();
    const p = app();
    const id = await enqueueJob(p, "report:build[acme]", [], env);
    expect(fileLines(p, "hooks.log")).toEqual([
      ...ENQUEUE_ORDER("report:build[acme]"),
      `inner.aroundEnqueue< ${id}`,
      `outer.aroundEnqueue< ${id}`,
      `inner.afterEnqueue ${id} ${META}`,
      `outer.afterEnqueue ${id} ${META}`,
    ]);
    expect((await showJob(p, id, env)).meta).toEqual(JSON.parse(META));
    p.file("hooks.log", "");
    const worked = await p.run(["jobs:workoff"], { env });
    expect(worked.code).toBe(0);
    expect(fileLines(p, "hooks.log")).toEqual([
      `outer.beforePerform report:build attempt 1 ${META}`,
      "outer.aroundPerform>",
      `inner.beforePerform report:build attempt 1 ${META}`,
      "inner.aroundPerform>",
      "task.beforePerform acme",
      "task.aroundPerform>",
      "action acme",
      "task.aroundPerform<",
      'task.afterPerform {"rows":3}',
      'inner.aroundPerform< {"rows":3}',
      'inner.afterPerform {"rows":3}',
      'outer.aroundPerform< {"rows":3}',
      'outer.afterPerform {"rows":3}',
    ]);
    expect((await showJob(p, id, env)).result).toEqual({ rows: 3 });
  }, 60_000);

  test("app code's enqueueMany runs each job through the hooks (a TypeScript hooks module, outside jt) and writes them together", async () => {
    const env = stores[name]!();
    const p = app();
    const run = spawnJt(p.root, ["a", "b"], { env, bin: "enqueue-many.mjs", timeoutMs: 60_000 }, { onTestFinished });
    const exit = await run.exited;
    expect(exit.stderr).toBe("");
    const enqueued = JSON.parse(exit.stdout) as { id: number; meta: Record<string, string> }[];
    expect(enqueued.map((job) => job.meta)).toEqual([JSON.parse(META), JSON.parse(META)]);
    const log = fileLines(p, "hooks.log");
    // Both jobs reach the write before either is written: one transaction.
    expect(log.indexOf(`inner.aroundEnqueue< ${enqueued[0]!.id}`)).toBeGreaterThan(log.lastIndexOf("inner.aroundEnqueue>"));
    expect(log.filter((line) => line.startsWith("outer.afterEnqueue"))).toHaveLength(2);

    // One refused by a hook: neither is written.
    const refused = spawnJt(p.root, ["c", "inner.beforeEnqueue"], { env, bin: "enqueue-many.mjs", timeoutMs: 60_000 }, { onTestFinished });
    expect((await refused.exited).stdout).toBe(
      "refused: The beforeEnqueue hook 'inner' of jobs/hooks.ts failed: inner.beforeEnqueue broke\n",
    );
    expect((await listJobs(p, [], env)).map((job) => job.args[0]).sort()).toEqual(["a", "b"]);
  }, 60_000);

  test("a failing enqueue hook refuses the job with nothing written, except afterEnqueue, which runs once it is", async () => {
    const env = stores[name]!();
    const p = app();
    for (const where of ["outer.beforeEnqueue", "inner.aroundEnqueue"]) {
      const result = await p.run(["jobs:enqueue", `report:build[${where}]`], { env });
      expect(result.code).toBe(1);
      const [hook, layer] = where.split(".").reverse();
      expect(result.stderr).toContain(`The ${hook} hook '${layer}' of jobs/hooks.ts failed: ${where} broke`);
      expect(result.stderr).toContain("jobs/hooks.ts:");
    }
    expect(await listJobs(p, [], env)).toEqual([]);
    const after = await p.run(["jobs:enqueue", "report:build[outer.afterEnqueue]"], { env });
    expect(after.code).toBe(1);
    expect(after.stderr).toContain("The afterEnqueue hook 'outer' of jobs/hooks.ts failed: outer.afterEnqueue broke");
    expect((await listJobs(p, [], env)).map((job) => job.args)).toEqual([["outer.afterEnqueue"]]);
  }, 60_000);

  test("a failing perform hook fails the run as that hook's failure; the task's own error passes the around hooks unchanged; a hook's Snooze is honoured", async () => {
    const env = stores[name]!();
    const p = app();
    // Which hook fails, and whether the action ran before it did.
    const cases: [string, string, boolean][] = [
      ["outer.beforePerform", "The beforePerform hook 'outer' of jobs/hooks.ts failed: outer.beforePerform broke", false],
      ["inner.aroundPerform", "The aroundPerform hook 'inner' of jobs/hooks.ts failed: inner.aroundPerform broke", true],
      ["task.beforePerform", "The beforePerform hook of task report:build failed: task.beforePerform broke", false],
      ["task.afterPerform", "The afterPerform hook of task report:build failed: task.afterPerform broke", true],
      ["outer.afterPerform", "The afterPerform hook 'outer' of jobs/hooks.ts failed: outer.afterPerform broke", true],
      ["boom", "the report broke", true],
    ];
    const ids = new Map<string, number>();
    for (const [where] of cases) ids.set(where, await enqueueJob(p, `report:build[${where}]`, [], env));
    const snoozed = await enqueueJob(p, "report:build[snooze]", [], env);
    p.file("hooks.log", "");
    const worked = await p.run(["jobs:workoff"], { env });
    expect(worked.code).toBe(1);
    const log = fileLines(p, "hooks.log");
    for (const [where, error, actionRan] of cases) {
      const job = await showJob(p, ids.get(where)!, env);
      expect(job.state, where).toBe("failed");
      expect(job.errors.map((e) => e.message)).toEqual([error]);
      expect(log.includes(`action ${where}`), where).toBe(actionRan);
    }
    // The action's error, as each around hook saw it.
    expect(log).toEqual(expect.arrayContaining(["inner.aroundPerform! the report broke", "outer.aroundPerform! the report broke"]));
    // Snoozed by the outer beforePerform (for a millisecond: workoff may stop before it is due), then run: one attempt counted.
    expect((await p.run(["jobs:workoff"], { env })).code).toBe(0);
    const job = await showJob(p, snoozed, env);
    expect(job.state).toBe("completed");
    expect(job.attempts).toBe(1);
    expect(fileLines(p, "hooks.log").filter((line) => line === "action snooze")).toHaveLength(1);
  }, 90_000);
});

describe("job hooks: bad input", () => {
  test("a hooks module that does not load, or exports no hooks, stops jobs:work before it claims and refuses enqueues", async () => {
    const p = app();
    await enqueueJob(p, "report:build[a]");
    p.file("jobs/hooks.ts", 'throw new Error("no config");\n');
    const work = await p.run(["jobs:workoff"]);
    expect(work.code).not.toBe(0);
    expect(work.stderr).toContain("The job hooks module jobs/hooks.ts (jobs.hooks) failed to load: no config");
    expect((await listJobs(p)).map((job) => job.state)).toEqual(["queued"]);
    p.file("jobs/hooks.ts", "export default { beforePerform: 1 };\n");
    const enqueue = await p.run(["jobs:enqueue", "report:build[b]"]);
    expect(enqueue.code).not.toBe(0);
    expect(enqueue.stderr).toContain("jobs/hooks.ts: beforePerform must be a function");
    p.file("jobs/hooks.ts", "export default { beforeRun() {} };\n");
    const unknown = await p.run(["jobs:workoff"]);
    expect(unknown.stderr).toContain(
      "jobs/hooks.ts: 'beforeRun' is not a job hook (the hooks are beforeEnqueue, aroundEnqueue, afterEnqueue,",
    );
    expect((await listJobs(p)).map((job) => job.state)).toEqual(["queued"]);
  }, 60_000);

  test("a task's hooks are perform hooks: an enqueue hook there is refused with where it goes instead", async () => {
    const p = app();
    p.file(
      "tasks/bad.ts",
      'import { task } from "jobs-and-tasks";\n// @ts-expect-error\ntask("bad", { hooks: { beforeEnqueue() {} } }, () => {});\n',
    );
    const listed = await p.run(["-T"]);
    expect(listed.code).not.toBe(0);
    expect(listed.stderr).toContain(
      "Task 'bad': hooks.beforeEnqueue: a task has perform hooks only; enqueue hooks go in the project's hooks module (jobs.hooks in the config)",
    );
  }, 60_000);
});
