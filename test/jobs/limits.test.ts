/**
 * Concurrency and rate limits (issue 16), on both stores, with three worker processes of five
 * slots each. Concurrency: a ledger of every run's start and end (CLOCK_MONOTONIC, which the
 * processes share) proves that no two jobs of one account overlap under `concurrency: { limit: 1,
 * key: "account" }` and that a task-wide limit of 2 is never exceeded. Rate: no window of the
 * period holds more starts than `max` (from the store's own start times, the clock the windows are
 * cut from), and the jobs take as many windows as the rate says; over a full minute, 10 a second
 * holds within 10 %. Jobs over a limit waited without
 * using an attempt. Bad settings are refused when the task file loads.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import { fileLines, jobsProject, listJobs, stopWorker } from "../helpers/jobs.js";
import { eachStore } from "../helpers/postgres.js";
import { project, type TestProject } from "../helpers/project.js";
import { spawnJt } from "../helpers/spawn.js";

const TASKS = `import { appendFileSync } from "node:fs";
import { task } from "jobs-and-tasks";

const now = () => Number(process.hrtime.bigint() / 1000n);
async function run(label) {
  const start = now();
  await new Promise((resolve) => setTimeout(resolve, 40));
  appendFileSync("ledger.txt", label + " " + start + " " + now() + "\\n");
}
task("accounts:sync", { args: ["account", "n"], concurrency: { limit: 1, key: "account" } }, ({ args }) => run("sync:" + args.account));
task("reports:build", { args: ["n"], concurrency: { limit: 2 } }, () => run("build"));
task("mail:send", { args: ["n"], rateLimit: { max: 5, per: "400ms" } }, () => {});
task("mail:digest", { args: ["n"], rateLimit: { max: 10, per: "1s" } }, () => {});
task("seed-digests", async ({ enqueue }) => {
  for (let n = 0; n < 700; n++) await enqueue("mail:digest", { args: [n] });
});
task("seed-mail", async ({ enqueue }) => {
  for (let n = 0; n < 30; n++) await enqueue("mail:send", { args: [n] });
});
task("seed", async ({ enqueue }) => {
  for (let n = 0; n < 12; n++) for (const account of ["a", "b", "c"]) await enqueue("accounts:sync", { args: [account, n] });
  for (let n = 0; n < 12; n++) await enqueue("reports:build", { args: [n] });
});
`;

const stores = eachStore();

function app(): TestProject {
  return jobsProject("concurrency-app", TASKS, { jobs: { pollInterval: "20ms" } });
}

/** The most runs of one label that overlap in time. */
function mostAtOnce(runs: readonly { start: number; end: number }[]): number {
  const edges = runs.flatMap((run) => [
    { at: run.start, delta: 1 },
    { at: run.end, delta: -1 },
  ]);
  // An end at the same microsecond as a start comes first: the next run may start as one ends.
  edges.sort((x, y) => x.at - y.at || x.delta - y.delta);
  let current = 0;
  let most = 0;
  for (const edge of edges) {
    current += edge.delta;
    most = Math.max(most, current);
  }
  return most;
}

describe.each(Object.keys(stores))("concurrency limits, on %s", (name) => {
  test("three workers: one sync per account at a time, at most two builds, every job done in one attempt", async () => {
    const env = stores[name]!();
    const p = app();
    expect((await p.run(["seed"], { env })).code).toBe(0);
    const workers = [0, 1, 2].map(() =>
      spawnJt(p.root, ["jobs:work", "--concurrency", "5"], { env, timeoutMs: 90_000 }, { onTestFinished }),
    );
    for (const worker of workers) await worker.waitFor("stderr", /jt: worker \S+ working/, 30_000);
    const deadline = Date.now() + 60_000;
    while (fileLines(p, "ledger.txt").length < 48 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await Promise.all(workers.map((worker) => stopWorker(worker)));

    const runs = fileLines(p, "ledger.txt").map((line) => {
      const [label, start, end] = line.split(" ");
      return { label: label!, start: Number(start), end: Number(end) };
    });
    expect(runs).toHaveLength(48);
    for (const account of ["a", "b", "c"]) {
      const ofAccount = runs.filter((run) => run.label === `sync:${account}`);
      expect(ofAccount).toHaveLength(12);
      expect(mostAtOnce(ofAccount)).toBe(1);
    }
    // The accounts ran side by side (the limit is per account, not for the task).
    expect(mostAtOnce(runs.filter((run) => run.label.startsWith("sync:")))).toBeGreaterThan(1);
    expect(mostAtOnce(runs.filter((run) => run.label === "build"))).toBeLessThanOrEqual(2);
    const jobs = await listJobs(p, ["--limit", "100"], env);
    expect(jobs.filter((job) => job.task !== "seed")).toHaveLength(48);
    expect(jobs.every((job) => job.state === "completed" && job.attempts === 1)).toBe(true);
  }, 120_000);
});

describe.each(Object.keys(stores))("rate limits, on %s", (name) => {
  test("three workers: at most 5 starts in each 400 ms window, 30 jobs over at least 6 windows, each in one attempt", async () => {
    const env = stores[name]!();
    const p = app();
    const workers = [0, 1, 2].map(() =>
      spawnJt(p.root, ["jobs:work", "--concurrency", "5"], { env, timeoutMs: 90_000 }, { onTestFinished }),
    );
    for (const worker of workers) await worker.waitFor("stderr", /jt: worker \S+ working/, 30_000);
    expect((await p.run(["seed-mail"], { env })).code).toBe(0);
    const deadline = Date.now() + 30_000;
    let jobs = await listJobs(p, ["--task", "mail:send", "--limit", "100"], env);
    while (jobs.some((job) => job.state !== "completed") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      jobs = await listJobs(p, ["--task", "mail:send", "--limit", "100"], env);
    }
    await Promise.all(workers.map((worker) => stopWorker(worker)));
    expect(jobs).toHaveLength(30);
    expect(jobs.every((job) => job.state === "completed" && job.attempts === 1)).toBe(true);
    const perWindow = new Map<number, number>();
    for (const job of jobs) {
      const window = Math.floor(job.startedAt! / 400);
      perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
    }
    expect(Math.max(...perWindow.values())).toBe(5);
    expect(perWindow.size).toBeGreaterThanOrEqual(6);
  }, 120_000);
});

describe.each(Object.keys(stores))("a rate limit over a full minute, on %s", (name) => {
  test("10 a second with three workers and 700 jobs waiting: no second holds more than 10 starts, and the minute holds 600 within 10 %", async () => {
    const env = stores[name]!();
    const p = app();
    expect((await p.run(["seed-digests"], { env })).code).toBe(0);
    const workers = [0, 1, 2].map(() =>
      spawnJt(p.root, ["jobs:work", "--concurrency", "5"], { env, timeoutMs: 120_000 }, { onTestFinished }),
    );
    for (const worker of workers) await worker.waitFor("stderr", /jt: worker \S+ working/, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 63_000));
    await Promise.all(workers.map((worker) => stopWorker(worker)));
    const started = (await listJobs(p, ["--task", "mail:digest", "--state", "completed"], env)).map((job) => job.startedAt!);
    const perSecond = new Map<number, number>();
    for (const at of started) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(10);
    // The first full minute of starts (the first second may be partial: the workers start one by one).
    const from = Math.min(...perSecond.keys()) + 1;
    const inMinute = started.filter((at) => at >= from * 1000 && at < (from + 60) * 1000).length;
    expect(inMinute).toBeGreaterThanOrEqual(540);
    expect(inMinute).toBeLessThanOrEqual(600);
  }, 150_000);
});

describe("limits: bad settings", () => {
  test("a limit below 1, a key that is no declared arg and a period that is no duration are refused with a message", async () => {
    const p = project({
      "tasks/a.ts": `import { task } from "jobs-and-tasks";\ntask("a", { args: ["id"], concurrency: { limit: 0 } }, () => {});\n`,
    }).installJt();
    const listed = await p.run(["-T"]);
    expect(listed.code).not.toBe(0);
    expect(listed.stderr).toContain("Task 'a': concurrency.limit must be a whole number of at least 1");
    p.file(
      "tasks/a.ts",
      `import { task } from "jobs-and-tasks";\ntask("a", { args: ["id"], concurrency: { limit: 1, key: "account" } }, () => {});\n`,
    );
    expect((await p.run(["-T"])).stderr).toContain(`Task 'a': concurrency.key names "account", which is not one of its args (id)`);
    p.file("tasks/a.ts", `import { task } from "jobs-and-tasks";\ntask("a", { rateLimit: { max: 5, per: "often" } }, () => {});\n`);
    expect((await p.run(["-T"])).stderr).toContain(`Task 'a': rateLimit.per must be a duration like "1s" or "1m", or milliseconds`);
  }, 60_000);
});
