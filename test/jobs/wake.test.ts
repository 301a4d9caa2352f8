/**
 * Wake-ups across processes on the default store (issue 20): an idle `jt jobs:work` whose poll
 * interval is a minute starts a job that another process enqueued (an app script) within a few
 * seconds, not at its next poll, including after the signal file beside the database was deleted
 * (a db:reset); and a job made due now by another process's `jobs:retry`.
 */
import { rmSync } from "node:fs";
import { expect, onTestFinished, test } from "vitest";
import { fileLines, jobsProject, stopWorker } from "../helpers/jobs.js";
import type { TestProject } from "../helpers/project.js";
import { spawnJt } from "../helpers/spawn.js";

const TASKS = `import { appendFileSync } from "node:fs";
import { task } from "jobs-and-tasks";

task("note", { args: ["text"] }, ({ args }) => {
  appendFileSync("notes.txt", args.text + "\\n");
});
`;

const ENQUEUE = `import { createJobs } from "jobs-and-tasks";
const jobs = createJobs();
await jobs.enqueue("note", { args: [process.argv[2]] });
await jobs.close();
`;

async function appEnqueues(p: TestProject, text: string): Promise<void> {
  const exit = await spawnJt(p.root, [text], { bin: "enqueue.mjs", timeoutMs: 30_000 }, { onTestFinished }).exited;
  expect(exit.code, exit.stderr).toBe(0);
}

async function noted(p: TestProject, text: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (fileLines(p, "notes.txt").includes(text)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

test("an idle worker polling once a minute runs a job another process enqueued within seconds, also after the signal file is deleted", async () => {
  const p = jobsProject("wake-app", TASKS, { jobs: { pollInterval: "60s" }, files: { "enqueue.mjs": ENQUEUE } });
  const worker = spawnJt(p.root, ["jobs:work"], { timeoutMs: 120_000 }, { onTestFinished });
  await worker.waitFor("stderr", /jt: worker \S+ working/, 30_000);
  // Past the first claims of a starting worker: from here on it sleeps until woken, or for a minute.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await appEnqueues(p, "first");
  expect(await noted(p, "first", 10_000), "woken by the other process's enqueue").toBe(true);

  rmSync(p.path("db/jobs.sqlite3-wake"));
  await new Promise((resolve) => setTimeout(resolve, 500));
  await appEnqueues(p, "second");
  expect(await noted(p, "second", 10_000), "woken after the signal file was made again").toBe(true);

  // Due in an hour, then made due now by `jt jobs:retry` in another process.
  const later = await p.run(["jobs:enqueue", "note[third]", "--in", "1h"]);
  const id = /^Enqueued job (\d+)/.exec(later.stdout)![1]!;
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(fileLines(p, "notes.txt")).not.toContain("third");
  expect((await p.run(["jobs:retry", id])).code).toBe(0);
  expect(await noted(p, "third", 10_000), "woken by jobs:retry").toBe(true);

  const exit = await stopWorker(worker);
  expect(exit.code, exit.stderr).toBe(143);
}, 90_000);
