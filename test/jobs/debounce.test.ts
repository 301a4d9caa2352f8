/**
 * Debounced tasks (issue 16), on both stores: a burst of enqueues — from app code, all at once, and
 * from the command line — leaves one waiting job per key, with the last args, which runs once
 * after the burst settles; a job already running is not replaced (the next enqueue waits anew);
 * `unique` on a debounced task, and a key that names no declared arg, are refused.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import { enqueueJob, fileLines, jobsProject, listJobs, showJob } from "../helpers/jobs.js";
import { eachStore } from "../helpers/postgres.js";
import type { TestProject } from "../helpers/project.js";
import { spawnJt } from "../helpers/spawn.js";

const TASKS = `import { appendFileSync } from "node:fs";
import { task } from "jobs-and-tasks";

task("search:reindex", { args: ["account", "version"], debounce: { wait: "3s", key: "account" } }, ({ args }) => {
  appendFileSync("ran.txt", args.account + " " + args.version + "\\n");
});
task("cache:rebuild", { args: ["reason"], debounce: { wait: "300ms" } }, ({ args }) => {
  appendFileSync("ran.txt", "rebuild " + args.reason + "\\n");
});
`;

/** 100 enqueues for account a and 50 for account b: all at once, then the last of each after the rest. */
const BURST = `import { createJobs } from "jobs-and-tasks";
const jobs = createJobs();
const burst = [];
for (let i = 1; i < 100; i++) burst.push(jobs.enqueue("search:reindex", { args: ["a", i] }));
for (let i = 1; i < 50; i++) burst.push(jobs.enqueue("search:reindex", { args: ["b", i] }));
const enqueued = await Promise.all(burst);
enqueued.push(await jobs.enqueue("search:reindex", { args: ["a", 100] }), await jobs.enqueue("search:reindex", { args: ["b", 50] }));
console.log(JSON.stringify({ ids: [...new Set(enqueued.map((job) => job.id))].length, replaced: enqueued.filter((job) => job.duplicate).length }));
await jobs.close();
`;

const stores = eachStore();

function app(): TestProject {
  return jobsProject("debounce-app", TASKS, { files: { "burst.mjs": BURST } });
}

describe.each(Object.keys(stores))("debounce, on %s", (name) => {
  test("a burst of 150 enqueues for two keys leaves two waiting jobs with the last args; each runs once after it settles", async () => {
    const env = stores[name]!();
    const p = app();
    const burst = spawnJt(p.root, [], { env, bin: "burst.mjs", timeoutMs: 60_000 }, { onTestFinished });
    const exit = await burst.exited;
    expect(exit.stderr).toBe("");
    expect(JSON.parse(exit.stdout)).toEqual({ ids: 2, replaced: 148 });
    const waiting = await listJobs(p, ["--state", "queued"], env);
    expect(waiting.map((job) => job.args).sort()).toEqual([
      ["a", "100"],
      ["b", "50"],
    ]);
    // Due 3 s after the last enqueue of each burst: a worker now runs nothing.
    const dueAt = Math.max(...waiting.map((job) => job.runAt));
    expect(dueAt).toBeGreaterThan(Date.now() + 1_000);
    await p.run(["jobs:workoff"], { env });
    expect(fileLines(p, "ran.txt")).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, dueAt - Date.now() + 100));
    await p.run(["jobs:workoff"], { env });
    expect(fileLines(p, "ran.txt").sort()).toEqual(["a 100", "b 50"]);
  }, 60_000);

  test("from the command line: each enqueue replaces the waiting job and starts its wait again; once it has run, the next is a new job", async () => {
    const env = stores[name]!();
    const p = app();
    const first = await enqueueJob(p, "cache:rebuild[one]", [], env);
    const again = await p.run(["jobs:enqueue", "cache:rebuild[two]"], { env });
    expect(again.stdout).toMatch(new RegExp(`^Replaced the waiting job ${first}: cache:rebuild\\[two\\] on queue default, run at `));
    const job = await showJob(p, first, env);
    expect(job.args).toEqual(["two"]);
    expect(job.runAt).toBeGreaterThan(job.createdAt);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await p.run(["jobs:workoff"], { env });
    expect(fileLines(p, "ran.txt")).toEqual(["rebuild two"]);
    // Done: the next enqueue is a new job.
    const next = await enqueueJob(p, "cache:rebuild[three]", [], env);
    expect(next).not.toBe(first);
  }, 60_000);
});

describe("debounce: bad input", () => {
  test("unique on a debounced task, and a key that is no declared arg, are refused with a message", async () => {
    const p = app();
    const unique = await p.run(["jobs:enqueue", "cache:rebuild[x]", "--unique"]);
    expect(unique.code).toBe(2);
    expect(unique.stderr).toContain("Cannot enqueue 'cache:rebuild' with unique: it is debounced");
    p.file(
      "tasks/bad.ts",
      `import { task } from "jobs-and-tasks";\ntask("bad", { args: ["id"], debounce: { wait: "1s", key: "user" } }, () => {});\n`,
    );
    const listed = await p.run(["-T"]);
    expect(listed.code).not.toBe(0);
    expect(listed.stderr).toContain(`Task 'bad': debounce.key names "user", which is not one of its args (id)`);
  }, 60_000);
});
