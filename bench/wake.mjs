#!/usr/bin/env node
// Enqueue → start across processes on the default store (issue 20): an idle `jt jobs:work` in one
// process, jobs enqueued one at a time by another (as a web process would), and how long each
// waited between its enqueue and its start, as the store recorded them; then what the idle worker
// costs the CPU, read from /proc for the supervisor and its worker process.
//
//   npm run build && node bench/wake.mjs [--jobs 200] [--idle 10]     # ~30 s; prints a table
//
// The worker keeps the default poll interval (1 s): without a wake-up across processes, a job
// waits half of it on average. Both stores, side by side.
import { spawn, spawnSync } from "node:child_process";
import { openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchEnv, JT_BIN, jobsBenchProject, quantile, runIn } from "./lib/common.mjs";

const { values: flags } = parseArgs({ options: { jobs: { type: "string", default: "200" }, idle: { type: "string", default: "10" } } });
const JOBS = Number(flags.jobs);
const IDLE_S = Number(flags.idle);
const PG_URL = process.env.JT_BENCH_PG_URL ?? "postgres://root@127.0.0.1:5432/test";

const ENQUEUER = `import { createJobs } from "jobs-and-tasks";
const jobs = createJobs();
for (let i = 0; i < Number(process.argv[2]); i++) {
  await jobs.enqueue("noop", { args: [i] });
  // Far apart enough that the worker is idle (asleep) again when the next one comes.
  await new Promise((resolve) => setTimeout(resolve, 15 + Math.random() * 10));
}
await jobs.close();
`;

function project(store) {
  return jobsBenchProject("wake", store, {
    "tasks/jobs.ts": `import { task } from "jobs-and-tasks";\ntask("noop", { args: ["n"] }, () => {});\n`,
    "enqueue.mjs": ENQUEUER,
  });
}

/** CPU seconds (user + system) a process and its children have used so far. */
function cpuSeconds(pid) {
  const pids = [
    pid,
    ...spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
      .stdout.split("\n")
      .filter(Boolean)
      .map(Number),
  ];
  const ticks = pids.reduce((sum, p) => {
    const fields = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1].split(" ");
    return sum + Number(fields[11]) + Number(fields[12]);
  }, 0);
  return ticks / Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim());
}

async function measure(store) {
  const schema = `jt_bench_wake_${process.pid}`;
  const url = new URL(PG_URL);
  url.searchParams.set("schema", schema);
  const root = project(store === "sqlite" ? "db/jobs.sqlite3" : url.toString());
  runIn(root, ["jobs:migrate"]);
  // The worker's log to a file: a pipe this process stops reading while it waits for the enqueuer
  // would fill, and block the worker's writes (pipes are synchronous on Linux).
  const log = join(root, "worker.log");
  const worker = spawn(process.execPath, [JT_BIN, "jobs:work", "--concurrency", "1"], {
    cwd: root,
    env: benchEnv(),
    stdio: ["ignore", "ignore", openSync(log, "w")],
  });
  try {
    while (!/working/.test(readFileSync(log, "utf8"))) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = cpuSeconds(worker.pid);
    await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
    const idleCpu = (cpuSeconds(worker.pid) - before) / IDLE_S;
    runIn(root, [String(JOBS)], join(root, "enqueue.mjs"));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const jobs = JSON.parse(runIn(root, ["jobs:list", "--limit", String(JOBS), "--json"]));
    const waits = jobs.filter((job) => job.startedAt).map((job) => Date.parse(job.startedAt) - Date.parse(job.createdAt));
    return { started: waits.length, p50: quantile(waits, 0.5), p99: quantile(waits, 0.99), idleCpu };
  } finally {
    worker.kill("SIGKILL");
    if (store === "postgres") spawnSync("psql", [PG_URL, "-qc", `DROP SCHEMA IF EXISTS "${schema}" CASCADE`]);
    rmSync(root, { recursive: true, force: true });
  }
}

const rows = [];
for (const store of ["sqlite", "postgres"]) {
  const m = await measure(store);
  rows.push([store === "sqlite" ? "SQLite" : "PostgreSQL", m]);
  console.error(`${store} done`);
}
console.log(
  `| ${JOBS} jobs enqueued one at a time by another process, idle worker | started | enqueue → start p50 | p99 | idle worker CPU |`,
);
console.log("|---|---:|---:|---:|---:|");
for (const [name, m] of rows) {
  console.log(`| ${name} | ${m.started} | ${m.p50.toFixed(1)} ms | ${m.p99.toFixed(1)} ms | ${(m.idleCpu * 100).toFixed(2)} % of a core |`);
}
