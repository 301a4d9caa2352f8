#!/usr/bin/env node
// What the job controls cost (issue 16): a drain of no-op jobs, plain, with a concurrency key and
// with a rate limit that never binds, side by side on SQLite and PostgreSQL; and the drain of plain
// jobs queued behind a backlog that a full concurrency key holds back (the claims walk past it).
//
//   npm run build && node bench/limits.mjs [--jobs 10000] [--rounds 3]     # ~3 minutes; prints a table
//
// Each drain is one `jt jobs:work --concurrency 10` in a generated project; its rate is the jobs
// drained over the time from the first one's start to the last one's end, as the store recorded
// them (start-up is outside it); medians of the rounds, interleaved.
import { spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchEnv, JT_BIN, jobsBenchProject, median, runIn } from "./lib/common.mjs";

const { values: flags } = parseArgs({ options: { jobs: { type: "string", default: "10000" }, rounds: { type: "string", default: "3" } } });
const JOBS = Number(flags.jobs);
const ROUNDS = Number(flags.rounds);
const PG_URL = process.env.JT_BENCH_PG_URL ?? "postgres://root@127.0.0.1:5432/test";

const TASKS = `import { task } from "jobs-and-tasks";
task("plain", { args: ["n"] }, () => {});
task("keyed", { args: ["account", "n"], concurrency: { limit: 10, key: "account" } }, () => {});
task("rated", { args: ["n"], rateLimit: { max: 1000000, per: "1s" } }, () => {});
task("held", { args: ["n"], concurrency: { limit: 1 } }, () => new Promise((resolve) => setTimeout(resolve, 120_000)));
`;

const SEED = `import { createJobs } from "jobs-and-tasks";
const [variant, count] = [process.argv[2], Number(process.argv[3])];
const jobs = createJobs();
const batch = (make) => jobs.enqueueMany(Array.from({ length: 1000 }, (_, i) => make(i)));
for (let done = 0; done < count; done += 1000) {
  if (variant === "plain") await batch((i) => ({ task: "plain", options: { args: [done + i] } }));
  if (variant === "keyed") await batch((i) => ({ task: "keyed", options: { args: ["acct-" + ((done + i) % 100), done + i] } }));
  if (variant === "rated") await batch((i) => ({ task: "rated", options: { args: [done + i] } }));
  if (variant === "behind-held") await batch((i) => ({ task: "plain", options: { args: [done + i] } }));
}
if (variant === "behind-held") {
  // A backlog ahead of the plain jobs that one job holds back (it runs for two minutes): claims walk past it.
  await jobs.enqueueMany(Array.from({ length: count }, (_, i) => ({ task: "held", options: { args: [i], priority: -1 } })));
}
await jobs.close();
`;

const VARIANTS = ["plain", "keyed", "rated", "behind-held"];
const LABELS = {
  plain: "plain",
  keyed: "concurrency key (100 keys, limit 10 each)",
  rated: "rate limit that never binds",
  "behind-held": "plain, behind as many jobs of a limit-1 task",
};

function project(store) {
  return jobsBenchProject("limits", store, { "tasks/jobs.ts": TASKS, "seed.mjs": SEED });
}

/** Runs a worker until every job of `task` is completed; the jobs per second from the first start to the last end. */
async function drain(root, task) {
  const worker = spawn(process.execPath, [JT_BIN, "jobs:work", "--concurrency", "10"], { cwd: root, env: benchEnv(), stdio: "ignore" });
  try {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const left = JSON.parse(runIn(root, ["jobs:list", "--task", task, "--state", "queued", "--limit", "1", "--json"]));
      const running = JSON.parse(runIn(root, ["jobs:list", "--task", task, "--state", "running", "--limit", "1", "--json"]));
      if (left.length === 0 && running.length === 0) break;
    }
  } finally {
    worker.kill("SIGKILL");
  }
  const jobs = JSON.parse(runIn(root, ["jobs:list", "--task", task, "--limit", String(JOBS), "--json"]));
  const first = Math.min(...jobs.map((job) => Date.parse(job.startedAt)));
  const last = Math.max(...jobs.map((job) => Date.parse(job.finishedAt)));
  return jobs.length / ((last - first) / 1000);
}

const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const store of ["sqlite", "postgres"]) {
    for (const variant of VARIANTS) {
      const schema = `jt_bench_limits_${process.pid}_${round}_${variant.replace("-", "_")}`;
      const url = new URL(PG_URL);
      url.searchParams.set("schema", schema);
      const root = project(store === "sqlite" ? "db/jobs.sqlite3" : url.toString());
      try {
        runIn(root, ["jobs:migrate"]);
        runIn(root, [variant, String(JOBS)], join(root, "seed.mjs"));
        const rate = await drain(root, variant === "behind-held" ? "plain" : variant);
        results[`${store}:${variant}`] = [...(results[`${store}:${variant}`] ?? []), rate];
      } finally {
        if (store === "postgres") spawnSync("psql", [PG_URL, "-qc", `DROP SCHEMA IF EXISTS "${schema}" CASCADE`]);
        rmSync(root, { recursive: true, force: true });
      }
      console.error(`round ${round + 1}: ${store} ${variant} done`);
    }
  }
}

console.log(`| drain of ${JOBS.toLocaleString("en")} no-op jobs, jobs:work --concurrency 10 | SQLite jobs/s | PostgreSQL jobs/s |`);
console.log("|---|---:|---:|");
for (const variant of VARIANTS) {
  const cell = (store) => {
    const rate = median(results[`${store}:${variant}`]);
    const plain = median(results[`${store}:plain`]);
    return `${Math.round(rate).toLocaleString("en")}${variant === "plain" ? "" : ` (${(rate / plain).toFixed(2)}×)`}`;
  };
  console.log(`| ${LABELS[variant]} | ${cell("sqlite")} | ${cell("postgres")} |`);
}
