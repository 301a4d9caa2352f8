/**
 * A job's progress and result (issue 15, the "statused worker"), end to end on both stores: a
 * worker stores what `ctx.progress` reports while the job runs (jobs:show, jobs:list and app code
 * see it move) and what the task returns once it completes; app code reads a job back by id and
 * awaits its end with a timeout.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import { jobsConfig, showJob, stopWorker } from "../helpers/jobs.js";
import { eachStore } from "../helpers/postgres.js";
import { project, type TestProject } from "../helpers/project.js";
import { spawnJt } from "../helpers/spawn.js";

const TASKS = `import { existsSync } from "node:fs";
import { task } from "jobs-and-tasks";

/** Reports half its rows, waits for the test's gate file, reports the rest and returns a summary. */
task("import", { args: ["tenant"], retry: { attempts: 1 } }, async ({ args, progress }) => {
  progress(5, 10, "halfway");
  while (!existsSync("gate")) await new Promise((resolve) => setTimeout(resolve, 20));
  progress(10, 10, "all rows");
  return { tenant: args.tenant, rows: 10, names: ["<b>", 'say "hi"'] };
});
task("sum", { args: ["a", "b"] }, ({ args }) => Number(args.a) + Number(args.b));
task("nothing", () => {});
task("bigint", () => 10n);
task("huge", () => "x".repeat(2_000_000));
/** What PostgreSQL's JSON refuses: a NUL in a progress message, a lone surrogate in a result. */
task("odd", ({ progress }) => {
  progress(1, 1, "a\\0b");
  return "\\ud800x";
});
task("fails", { retry: { attempts: 1 } }, () => {
  throw new Error("no such tenant");
});
`;

const APP = `import { createJobs, WaitTimedOut } from "jobs-and-tasks";
const jobs = createJobs();
const [, , task, ...args] = process.argv;
const { id } = await jobs.enqueue(task, { args });
console.log(JSON.stringify({ id, queued: (await jobs.get(id)).state }));
const later = await jobs.enqueue("nothing", { wait: "1h" });
try {
  await jobs.waitFor(later.id, { timeout: 100 });
  console.log(JSON.stringify({ timedOut: false }));
} catch (error) {
  console.log(JSON.stringify({ timedOut: error instanceof WaitTimedOut, message: error.message.replace(String(later.id), "N") }));
}
const done = await jobs.waitFor(id, { timeout: "20s" });
console.log(JSON.stringify({ state: done.state, result: done.result, lastError: done.lastError, finished: done.finishedAt instanceof Date }));
console.log(JSON.stringify({ missing: (await jobs.get(999999)) ?? null }));
`;

const stores = eachStore();

function app(): TestProject {
  return project({
    "package.json": `${JSON.stringify({ name: "statused-app", private: true, type: "module" })}\n`,
    "jt.config.json": jobsConfig({}, { environment: undefined }),
    "tasks/jobs.ts": TASKS,
    "app.mjs": APP,
  }).installJt();
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(Object.keys(stores))("progress and results, on %s", (name) => {
  test("progress shows while the job runs (jobs:show, jobs:list); once done, its result and last progress stay", async () => {
    const env = stores[name]!();
    const p = app();
    const worker = spawnJt(p.root, ["jobs:work"], { env, timeoutMs: 40_000 }, { onTestFinished });
    await worker.waitFor("stderr", /jt: worker \S+ working/);
    expect((await p.run(["jobs:enqueue", "import[acme]"], { env })).code).toBe(0);

    const running = await until(
      () => showJob(p, 1, env),
      (job) => job.progress !== null,
      "the first progress report",
    );
    expect(running).toMatchObject({ state: "running", progress: { done: 5, total: 10, message: "halfway" }, result: null });
    expect(running.worker).toMatch(/:\d+:/);
    const list = await p.run(["jobs:list"], { env });
    expect(list.stdout).toMatch(/PROGRESS\s+RUN AT/);
    expect(list.stdout).toMatch(/running\s+import\[acme\]\s+default\s+0\s+1\/1\s+5\/10 \(50%\) halfway/);

    p.file("gate", "");
    const done = await until(
      () => showJob(p, 1, env),
      (job) => job.state === "completed",
      "the job to complete",
    );
    expect(done.result).toEqual({ tenant: "acme", rows: 10, names: ["<b>", 'say "hi"'] });
    expect(done.progress).toMatchObject({ done: 10, total: 10, message: "all rows" });
    expect(done.finishedAt! - done.startedAt!).toBeGreaterThanOrEqual(0);
    const shown = await p.run(["jobs:show", "1"], { env });
    expect(shown.stdout).toContain("  progress:  10/10 (100%) all rows (reported");
    expect(shown.stdout).toMatch(/ {2}finished: {2}\S+ \(took [\d.]+m?s\)\n/);
    expect(shown.stdout).toContain(
      [
        "Result:",
        "  {",
        '    "tenant": "acme",',
        '    "rows": 10,',
        '    "names": [',
        '      "<b>",',
        '      "say \\"hi\\""',
        "    ]",
        "  }",
      ].join("\n"),
    );
    await stopWorker(worker);
  }, 60_000);

  test("app code: get() and waitFor() with a timeout; what a task returns, nothing, what JSON cannot hold, a failure", async () => {
    const env = stores[name]!();
    const p = app();
    const worker = spawnJt(p.root, ["jobs:work"], { env, timeoutMs: 40_000 }, { onTestFinished });
    await worker.waitFor("stderr", /jt: worker \S+ working/);
    const cases: [string[], Record<string, unknown>][] = [
      [["sum", "2", "3"], { state: "completed", result: 5, lastError: null }],
      [["nothing"], { state: "completed", result: null, lastError: null }],
      [["bigint"], { state: "completed", result: null, lastError: null }],
      [["fails"], { state: "failed", result: null, lastError: "no such tenant" }],
      [["huge"], { state: "completed", result: null, lastError: null }],
      [["odd"], { state: "completed", result: "\ufffdx", lastError: null }],
    ];
    for (const [args, expected] of cases) {
      const script = spawnJt(p.root, args, { env, bin: "app.mjs", timeoutMs: 30_000 }, { onTestFinished });
      const exit = await script.exited;
      expect(exit.stderr).toBe("");
      const [queued, timedOut, done, missing] = exit.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      // Read right after the enqueue: an idle worker, woken at once, may have finished it already.
      expect(["queued", "running", expected.state]).toContain(queued!.queued);
      expect(timedOut).toEqual({ timedOut: true, message: "job N had not finished after 100 ms" });
      expect(done).toEqual({ ...expected, finished: true });
      expect(missing).toEqual({ missing: null });
    }
    await worker.waitFor("stderr", /its result is not stored: JSON cannot hold it \(Do not know how to serialize a BigInt\)/);
    await worker.waitFor("stderr", /huge: its result is not stored: it is 1953 KB of JSON, more than the 1024 KB a result may be/);
    expect((await p.run(["jobs:list", "--json", "--task", "odd"], { env })).stdout).toContain('"message": "ab"');
    await stopWorker(worker);
  }, 90_000);
});
