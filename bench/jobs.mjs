#!/usr/bin/env node
// Background jobs throughput: jt's job stores against the peers a Node developer would pick instead.
//
//   npm run build && node bench/jobs.mjs            # full run (~8-10 minutes on 2 cores); writes bench/RESULTS.md
//   node bench/jobs.mjs --quick                     # fewer jobs, shorter caps (~2 minutes)
//
// Side by side, in one run, on SQLite (a file in a temp dir) and on PostgreSQL (a fresh schema per
// measurement, all dropped at the end):
//   - enqueue rate: one enqueue call per job, awaited in sequence ("single"), and the library's batch
//     API with batches of 1,000 ("bulk");
//   - drain rate of a queue of 100,000 no-op jobs with 1 and 2 worker processes: jobs per second from
//     the first task start to the last task end, as the tasks themselves record them (start-up and
//     shutdown are outside that window);
//   - enqueue→start latency, p50 and p99: jobs enqueued one by one with a pause between them while a
//     worker waits, from just before the enqueue call to the moment the task's action starts (the
//     job carries the enqueuer's process.hrtime, a clock every process on the machine shares). In
//     one process for SQLite (a worker and an enqueuer side by side), across processes for
//     PostgreSQL.
// jt is driven through its public API (createJobs from dist/index.js) and its CLI (`jt jobs:workoff`,
// `jt jobs:work`) in a generated project; the in-process SQLite latency constructs jt's JobWorker
// and Jobs directly, from src/ bundled by esbuild into node_modules/.cache/jt-bench/jobs/. The peers
// (plainjob and liteque on SQLite, graphile-worker and pg-boss on PostgreSQL, BullMQ on the Redis at
// REDIS_URL, default redis://127.0.0.1:6379, skipped with a message when none answers) are installed once into
// ~/.cache/jt-bench/jobs-peers (JT_BENCH_CACHE moves it), in the newest versions whose engines allow
// Node 20; a peer that fails to install or to run is reported, never fatal.
//
// Options: --quick, --no-write (print only), --systems jt-sqlite,plainjob,... (a subset), --jobs N
// (queue depth for the drains), --concurrency N (jobs in flight per worker process, every system),
// --drain-cap S (seconds a drain may take before its workers are stopped and its rate is taken over
// the jobs done so far), --latency-jobs N, --keep (keep the temp dir and the schemas), --retry-peers.
// JT_BENCH_PG_URL picks the PostgreSQL server (default postgres://root@127.0.0.1:5432/test).
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  benchEnv,
  firstLines,
  JT_BIN,
  jtVersion,
  machineFacts,
  markdownTable,
  parseFlags,
  quantile,
  REPO_DIR,
  textTable,
  writeResultsSection,
} from "./lib/common.mjs";

const SCRIPT = fileURLToPath(import.meta.url);
const flags = parseFlags(process.argv.slice(2), {
  quick: "boolean",
  "no-write": "boolean",
  systems: "value",
  jobs: "value",
  concurrency: "value",
  "drain-cap": "value",
  "latency-jobs": "value",
  keep: "boolean",
  "retry-peers": "boolean",
  // Internal: this file is also every child process of the benchmark.
  role: "value",
  spec: "value",
});

const QUICK = Boolean(flags.quick);
const SETTINGS = {
  /** Jobs in the queue when a drain starts. */
  drainJobs: Number(flags.jobs ?? (QUICK ? 10_000 : 100_000)),
  /** A drain that has not finished by then is stopped; its rate is taken over the jobs done so far. */
  drainCapMs: 1000 * Number(flags["drain-cap"] ?? (QUICK ? 6 : 25)),
  /** Jobs in flight per worker process, for every system that has such a setting. */
  concurrency: Number(flags.concurrency ?? 10),
  singleJobs: QUICK ? 1_000 : 5_000,
  singleCapMs: QUICK ? 2_000 : 5_000,
  bulkJobs: QUICK ? 5_000 : 20_000,
  bulkCapMs: QUICK ? 4_000 : 10_000,
  batch: 1_000,
  latencyJobs: Number(flags["latency-jobs"] ?? (QUICK ? 200 : 1_000)),
  latencyPauseMs: 5,
  /** plainjob and liteque only poll (no wake-up on enqueue): their poll interval in the latency runs. */
  peerPollMs: 10,
};
const PG_URL = process.env.JT_BENCH_PG_URL ?? "postgres://root@127.0.0.1:5432/test";
/** BullMQ's Redis (issue 20): the one on this machine persists nothing, which the report says. */
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const CACHE_DIR = process.env.JT_BENCH_CACHE ?? join(os.homedir(), ".cache", "jt-bench");
const PEERS_DIR = join(CACHE_DIR, "jobs-peers");
const BUNDLE_DIR = join(REPO_DIR, "node_modules", ".cache", "jt-bench", "jobs");
const repoRequire = createRequire(join(REPO_DIR, "package.json"));
const peerRequire = createRequire(join(PEERS_DIR, "package.json"));

/**
 * The peers, pinned: the newest releases whose `engines` allow Node 20 (graphile-worker 0.18 and
 * pg-boss 11+ ask for Node 22). plainjob runs on jt's own better-sqlite3 (the same SQLite build as
 * jt). liteque 0.8.0 (its latest release) wraps async functions in better-sqlite3 transactions,
 * which better-sqlite3 refuses since 11.10.0 ("Transaction function cannot return a promise"), so
 * it gets 11.9.1, the newest that still runs it; npm builds that from source once (~2 minutes).
 */
const PEERS = {
  plainjob: ["plainjob@0.0.14"],
  liteque: ["liteque@0.8.0", "better-sqlite3@11.9.1"],
  "graphile-worker": ["graphile-worker@0.17.3"],
  "pg-boss": ["pg-boss@10.4.2"],
  bullmq: ["bullmq@6.7.6", "ioredis@5.9.2"],
};

const SYSTEMS = [
  { id: "jt-sqlite", label: "jt", db: "sqlite" },
  { id: "plainjob", label: "plainjob", db: "sqlite", peer: "plainjob" },
  { id: "liteque", label: "liteque", db: "sqlite", peer: "liteque" },
  { id: "jt-postgres", label: "jt", db: "postgres" },
  { id: "graphile-worker", label: "graphile-worker", db: "postgres", peer: "graphile-worker" },
  { id: "pg-boss", label: "pg-boss", db: "postgres", peer: "pg-boss" },
  { id: "bullmq", label: "BullMQ", db: "redis", peer: "bullmq" },
];

/** How each system is set up, in words, for the table (what "same concurrency" means for it). */
function setupOf(id, c = SETTINGS.concurrency) {
  return {
    "jt-sqlite": `\`jt jobs:workoff --concurrency ${c}\` (a claim takes up to its free slots; the jobs finished in one turn of the event loop are completed in one transaction); latency: \`jt jobs:work\` in another process, woken through the signal file beside the database`,
    plainjob: `one worker per process (plainjob runs one job at a time; its README scales with processes), until nothing is pending; latency: worker polling every ${SETTINGS.peerPollMs} ms (no wake-up; default 1 s); debug log lines dropped`,
    liteque: `Runner with concurrency ${c}, runUntilEmpty; no batch enqueue API; latency: Runner polling every ${SETTINGS.peerPollMs} ms (no wake-up; the README uses 1 s)`,
    "jt-postgres": `\`jt jobs:workoff --concurrency ${c}\` (pool of 5 connections); latency: \`jt jobs:work\`, woken by LISTEN/NOTIFY`,
    "graphile-worker": `runOnce, concurrency ${c}, its documented batching (localQueue.size ${c * 10}, completeJobBatchDelay 0); latency: run() with defaults (LISTEN/NOTIFY, no local queue)`,
    "pg-boss": `work() with batchSize ${c} and pollingIntervalSeconds 0.5 (its minimum); a worker sleeps out its interval after each fetch; latency: batchSize 100, same interval (no wake-up)`,
    bullmq: `a Worker with concurrency ${c}, its defaults otherwise (jobs kept after completion, as jt keeps them); add() / addBulk(); latency: a Worker in another process`,
  }[id];
}

/**
 * Drains run once more in another set-up: jt with one job in flight (one job per claim and per
 * completion transaction: "unbatched"), and pg-boss with a batch large enough that its poll interval
 * is not what limits it (its documented way to throughput).
 */
const EXTRA_DRAINS = {
  "jt-sqlite": [
    {
      label: "jt, --concurrency 1",
      concurrency: 1,
      workers: [1],
      setup: "one job in flight: one job per claim and per completion transaction (unbatched)",
    },
    { label: "jt, --concurrency 50", concurrency: 50, workers: [1], setup: "50 jobs in flight" },
  ],
  bullmq: [
    { label: "BullMQ, concurrency 1", concurrency: 1, workers: [1], setup: "a Worker with concurrency 1" },
    { label: "BullMQ, concurrency 50", concurrency: 50, workers: [1], setup: "a Worker with concurrency 50" },
  ],
  "jt-postgres": [
    {
      label: "jt, --concurrency 1",
      concurrency: 1,
      workers: [1],
      setup: "one job in flight: one job per claim and per completion transaction (unbatched)",
    },
    { label: "jt, --concurrency 50", concurrency: 50, workers: [1], setup: "50 jobs in flight" },
    {
      label: `jt, --prefetch ${SETTINGS.concurrency * 10}`,
      concurrency: SETTINGS.concurrency,
      options: { prefetch: SETTINGS.concurrency * 10 },
      workers: [1, 2],
      setup: `${SETTINGS.concurrency} in flight and up to ${SETTINGS.concurrency * 10} claimed ahead (its opt-in batching, as graphile-worker's localQueue here)`,
    },
  ],
  "pg-boss": [
    {
      label: "pg-boss, batchSize 1000",
      concurrency: SETTINGS.concurrency,
      options: { batchSize: 1000 },
      workers: [1, 2],
      setup: "work() with batchSize 1000, pollingIntervalSeconds 0.5: at most 1,000 jobs per fetch, one fetch per 0.5 s per worker",
    },
  ],
};

const log = (line) => process.stderr.write(`${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Milliseconds on CLOCK_MONOTONIC, which every process on the machine shares. */
const hrMs = () => Number(process.hrtime.bigint()) / 1e6;

// =============================================================================================
// The parent: sets up, runs every measurement in child processes, prints and writes the results.

async function main() {
  const started = Date.now();
  const facts = machineFacts();
  if (!existsSync(join(REPO_DIR, "dist", "index.js"))) {
    console.error("dist/ is missing: run `npm run build` first");
    process.exit(2);
  }
  const wanted = (flags.systems ?? SYSTEMS.map((s) => s.id).join(",")).split(",").map((s) => s.trim());
  const unknown = wanted.filter((id) => !SYSTEMS.some((s) => s.id === id));
  if (unknown.length > 0) {
    console.error(`unknown system(s): ${unknown.join(", ")}; known: ${SYSTEMS.map((s) => s.id).join(", ")}`);
    process.exit(2);
  }
  const systems = SYSTEMS.filter((s) => wanted.includes(s.id));
  const scratch = mkdtempSync(join(os.tmpdir(), "jt-bench-jobs-"));
  const results = new Map(systems.map((s) => [s.id, { system: s, skipped: undefined, notes: [] }]));
  const pg = await openPostgres();
  const redis = await openRedis();
  const schemas = [];
  const redisQueues = [];
  try {
    const peerStatus = setUpPeers(systems.filter((s) => s.peer).map((s) => s.peer));
    const project = makeJtProject(scratch);
    await bundleJt();
    for (const system of systems) {
      const result = results.get(system.id);
      if (system.peer && !peerStatus[system.peer].ok) result.skipped = peerStatus[system.peer].reason;
      else if (system.db === "postgres" && !pg.ok) result.skipped = pg.reason;
      else if (system.db === "redis" && !redis.ok) result.skipped = redis.reason;
      if (result.skipped) {
        log(`${system.id}: skipped (${result.skipped})`);
        continue;
      }
      let counter = 0;
      const newTarget = () => {
        counter += 1;
        if (system.db === "sqlite") {
          const file = join(scratch, `${system.id}-${counter}`, "jobs.sqlite3");
          mkdirSync(join(file, ".."), { recursive: true });
          return { kind: "sqlite", file, store: file };
        }
        if (system.db === "redis") {
          const queue = `jtbench-${process.pid}-${counter}`;
          redisQueues.push(queue);
          return { kind: "redis", url: REDIS_URL, queue };
        }
        const schema = `jtbench_${process.pid}_${system.id.replace(/-/g, "_")}_${counter}`;
        schemas.push(schema);
        const url = new URL(PG_URL);
        url.searchParams.set("schema", schema);
        return { kind: "postgres", connectionString: PG_URL, schema, store: url.toString() };
      };
      await measureSystem(system, result, { newTarget, project, scratch });
    }
  } finally {
    if (pg.ok) {
      if (!flags.keep) for (const schema of schemas) await pg.client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
      await pg.client.end().catch(() => {});
    }
    if (redisQueues.length > 0 && !flags.keep)
      await runChild("redis-cleanup", { system: "bullmq", target: { url: REDIS_URL }, queues: redisQueues }).catch((error) =>
        log(`could not remove the bench's Redis queues: ${error.message}`),
      );
    if (!flags.keep) rmSync(scratch, { recursive: true, force: true });
    else log(`kept ${scratch}${schemas.length ? ` and schemas ${schemas.join(", ")}` : ""}`);
  }
  const endFacts = machineFacts();
  report({ results: [...results.values()], facts, endFacts, pg, redis, seconds: Math.round((Date.now() - started) / 1000) });
}

async function measureSystem(system, result, { newTarget, project, scratch }) {
  const t0 = Date.now();
  const step = async (name, work) => {
    try {
      return await work();
    } catch (error) {
      const reason = firstLines(String(error?.message ?? error), 2);
      result.notes.push(`${name} failed: ${reason}`);
      log(`  ${system.id}: ${name} failed: ${reason}`);
      return undefined;
    }
  };
  log(`${system.id}: enqueue (single) …`);
  result.single = await step("enqueue (single)", () =>
    runChild("enqueue", {
      system: system.id,
      target: newTarget(),
      mode: "single",
      count: SETTINGS.singleJobs,
      capMs: SETTINGS.singleCapMs,
      root: project,
    }),
  );
  result.bulk = [];
  result.drains = {};
  for (const workers of [1, 2]) {
    const target = newTarget();
    log(`${system.id}: enqueue (bulk), fill to ${SETTINGS.drainJobs.toLocaleString("en-US")} jobs …`);
    const bulk = await step("enqueue (bulk)", () =>
      runChild(
        "enqueue",
        {
          system: system.id,
          target,
          mode: "bulk",
          count: SETTINGS.bulkJobs,
          capMs: SETTINGS.bulkCapMs,
          fillTo: SETTINGS.drainJobs,
          root: project,
        },
        180_000,
      ),
    );
    if (!bulk) continue;
    if (!bulk.unsupported) result.bulk.push(bulk);
    else result.bulkUnsupported = bulk.unsupported;
    log(`${system.id}: drain with ${workers} worker process${workers === 1 ? "" : "es"} …`);
    result.drains[workers] = await step(`drain (${workers} worker${workers === 1 ? "" : "s"})`, () =>
      drain(system, target, workers, { project, scratch, queued: bulk.queued }),
    );
  }
  result.extras = [];
  for (const extra of EXTRA_DRAINS[system.id] ?? []) {
    const drains = {};
    for (const workers of extra.workers) {
      const target = newTarget();
      log(
        `${system.id}: fill to ${SETTINGS.drainJobs.toLocaleString("en-US")} jobs, drain with ${workers} worker process${workers === 1 ? "" : "es"} (${extra.label}) …`,
      );
      const filled = await step(`fill (${extra.label})`, () =>
        runChild("enqueue", { system: system.id, target, mode: "fill", fillTo: SETTINGS.drainJobs, root: project }, 180_000),
      );
      if (!filled) continue;
      drains[workers] = await step(`drain (${extra.label}, ${workers} worker${workers === 1 ? "" : "s"})`, () =>
        drain(system, target, workers, { project, scratch, queued: filled.queued, concurrency: extra.concurrency, options: extra.options }),
      );
    }
    result.extras.push({ ...extra, drains });
  }
  log(`${system.id}: enqueue→start latency …`);
  result.latency = await step("latency", () => latency(system, newTarget(), { project, scratch }));
  if (system.id === "jt-sqlite") {
    // A second line: the worker and the enqueuer in one process (no file system events in between).
    log(`${system.id}: enqueue→start latency, one process …`);
    result.latencyInProcess = await step("latency (one process)", async () => {
      const spec = {
        system: system.id,
        target: newTarget(),
        n: SETTINGS.latencyJobs,
        pauseMs: SETTINGS.latencyPauseMs,
        concurrency: SETTINGS.concurrency,
      };
      const measured = await runChild("latency-inprocess", spec, 120_000);
      return summarizeLatency(measured.ms, SETTINGS.latencyJobs, "in-process");
    });
  }
  log(`${system.id}: done in ${Math.round((Date.now() - t0) / 1000)} s`);
}

// ---------------------------------------------------------------------------------------------
// Drains

/**
 * Starts `workers` worker processes at once on a full queue and waits for them to exit (each stops
 * when nothing is runnable), or for the cap: then SIGTERM (they finish what they run and exit),
 * and SIGKILL for any still running KILL_GRACE_MS later. Each process's task records its first
 * start, last end and count, and writes them every 1,000 jobs or 0.5 s and when it exits, so a
 * process that has to be killed still reports what it did.
 */
const KILL_GRACE_MS = QUICK ? 2_000 : 5_000;
/** A process still running at the cap whose last recorded progress is older than this has stalled. */
const STALL_MS = 3_000;

async function drain(system, target, workers, { project, scratch, queued, concurrency = SETTINGS.concurrency, options = {} }) {
  const marks = mkdtempSync(join(scratch, `marks-${system.id}-`));
  const procs = [];
  for (let i = 0; i < workers; i++) {
    const logFile = join(marks, `worker-${i}.log`);
    if (system.id.startsWith("jt-")) {
      procs.push(
        startProcess(
          [
            process.execPath,
            JT_BIN,
            "jobs:workoff",
            "--concurrency",
            String(concurrency),
            ...(options.prefetch ? ["--prefetch", String(options.prefetch)] : []),
          ],
          {
            cwd: project,
            env: benchEnv({ JT_JOBS_URL: target.store, JT_BENCH_MARKS: marks, JT_BENCH_PROC: `w${i}` }),
            logFile,
          },
        ),
      );
    } else {
      procs.push(startRole("drain-worker", { system: system.id, target, concurrency, marks, options }, logFile));
    }
  }
  const startedAt = Date.now();
  let capAt;
  const killed = new Set();
  const timer = setTimeout(() => {
    capAt = hrMs();
    for (const p of procs) p.kill("SIGTERM");
  }, SETTINGS.drainCapMs);
  const hard = setTimeout(() => {
    procs.forEach((p, i) => {
      if (p.running()) {
        killed.add(i);
        p.kill("SIGKILL");
      }
    });
  }, SETTINGS.drainCapMs + KILL_GRACE_MS);
  const exits = await Promise.all(procs.map((p) => p.exited));
  clearTimeout(timer);
  clearTimeout(hard);
  const wallMs = Date.now() - startedAt;
  const capped = capAt !== undefined;
  const logOf = (i) => tail(readIfExists(join(marks, `worker-${i}.log`)));
  const failed = exits
    .map((e, i) => ({ ...e, i }))
    .filter((e) => e.code !== 0 && !(capped && (e.signal === "SIGTERM" || e.signal === "SIGKILL" || e.code === 143)));
  const recorded = procs.map((p, i) => {
    // jt's tasks run in its worker's executor (a child process): they name their file by the worker's index.
    const file = [join(marks, `drain-${p.child.pid}.json`), join(marks, `drain-w${i}.json`)].find(existsSync) ?? "";
    return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : { first: 0, last: 0, count: 0 };
  });
  const count = recorded.reduce((sum, m) => sum + m.count, 0);
  if (count === 0) {
    const e = failed[0] ?? { i: 0, code: exits[0].code, signal: exits[0].signal };
    throw new Error(`no job ran (process ${e.i} exited ${e.code ?? e.signal}): ${logOf(e.i)}`);
  }
  const active = recorded.filter((m) => m.count > 0);
  const first = Math.min(...active.map((m) => m.first));
  const last = Math.max(...active.map((m) => m.last));
  // Stalled: still running at the cap, and no progress recorded for a while before it.
  const stalled = capped
    ? recorded
        .map((m, i) => ({ m, i }))
        .filter(({ i }) => exits[i].code !== 0 || killed.has(i))
        .filter(({ m }) => capAt - (m.count > 0 ? m.last : first) > STALL_MS)
    : [];
  const windowMs = (stalled.length > 0 ? capAt : last) - first;
  const notes = [
    ...stalled.map(
      ({ m, i }) =>
        `process ${i} stalled: no job finished in the ${((capAt - (m.count > 0 ? m.last : first)) / 1000).toFixed(1)} s before the cap (${m.count.toLocaleString("en-US")} jobs done)`,
    ),
    ...[...killed].map(
      (i) => `process ${i} did not exit within ${KILL_GRACE_MS / 1000} s of SIGTERM (killed; its count is the last it wrote)`,
    ),
    ...failed.map((e) => `process ${e.i} exited ${e.code ?? e.signal}: ${logOf(e.i)}`),
  ];
  const out = {
    workers,
    // Jobs a process holds at once: plainjob runs one at a time; pg-boss hands its handler a whole fetched batch.
    inFlight: system.id === "plainjob" ? 1 : system.id === "pg-boss" ? (options.batchSize ?? concurrency) : concurrency,
    queued,
    count,
    windowMs,
    rate: count > 1 ? (count / windowMs) * 1000 : NaN,
    capped,
    stalled: stalled.length > 0,
    wallMs,
    perProcess: recorded.map((m) => m.count),
    notes,
  };
  if (system.id.startsWith("jt-")) out.store = await jtStoreCheck(target);
  rmSync(marks, { recursive: true, force: true });
  return out;
}

/** jt's own record of the drain: the jobs it completed, to check the tasks' counts against. */
async function jtStoreCheck(target) {
  try {
    if (target.kind === "sqlite") {
      const Database = repoRequire("better-sqlite3");
      const db = new Database(target.file, { readonly: true });
      const row = db.prepare("SELECT count(*) AS n FROM jt_jobs WHERE state = 'completed'").get();
      db.close();
      return { completed: row.n };
    }
    const { Client } = repoRequire("pg");
    const client = new Client({ connectionString: target.connectionString });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${target.schema}".jobs WHERE state = 'completed'`);
    await client.end();
    return { completed: rows[0].n };
  } catch (error) {
    return { error: error.message };
  }
}

// ---------------------------------------------------------------------------------------------
// Latency

async function latency(system, target, { project, scratch }) {
  const spec = {
    system: system.id,
    target,
    n: SETTINGS.latencyJobs,
    pauseMs: SETTINGS.latencyPauseMs,
    concurrency: SETTINGS.concurrency,
    root: project,
  };
  if (system.db === "sqlite" && system.id !== "jt-sqlite") {
    const result = await runChild("latency-inprocess", spec, 120_000);
    return summarizeLatency(result.ms, SETTINGS.latencyJobs, "in-process");
  }
  // PostgreSQL: a worker process waits; another process enqueues.
  const marks = mkdtempSync(join(scratch, `lat-${system.id}-`));
  const logFile = join(marks, "worker.log");
  let worker;
  if (system.id.startsWith("jt-")) {
    // Migrate first, so the worker's start-up is not racing the enqueuer's.
    await runChild("enqueue", { system: system.id, target, mode: "migrate", count: 0, root: project });
    worker = startProcess([process.execPath, JT_BIN, "jobs:work", "--concurrency", String(SETTINGS.concurrency)], {
      cwd: project,
      env: benchEnv({ JT_JOBS_URL: target.store, JT_BENCH_MARKS: marks }),
      logFile,
    });
    await waitFor(
      () => readIfExists(logFile).includes("jt: worker "),
      20_000,
      "the jt worker to start",
      () => tail(readIfExists(logFile)),
    );
  } else {
    worker = startRole("latency-worker", { ...spec, marks }, logFile);
    await waitFor(
      () => readIfExists(logFile).includes("READY"),
      30_000,
      `the ${system.id} worker to start`,
      () => tail(readIfExists(logFile)),
    );
  }
  try {
    // LISTEN is set up right after start; give every worker the same second to settle.
    await sleep(1000);
    const exitedEarly = worker.exited.then((e) => e);
    await runChild("latency-enqueue", spec, 120_000);
    const lines = () =>
      readdirSync(marks)
        .filter((f) => f.startsWith("lat-"))
        .flatMap((f) => readFileSync(join(marks, f), "utf8").split("\n").filter(Boolean));
    await Promise.race([
      waitFor(() => lines().length >= SETTINGS.latencyJobs, 15_000, "every latency job to start").catch(() => {}),
      exitedEarly.then((e) => {
        throw new Error(`worker exited ${e.code ?? e.signal}: ${tail(readIfExists(logFile))}`);
      }),
    ]);
    const ms = lines().map((l) => Number(BigInt(l)) / 1e6);
    return summarizeLatency(ms, SETTINGS.latencyJobs, "cross-process");
  } finally {
    worker.kill("SIGTERM");
    const stop = setTimeout(() => worker.kill("SIGKILL"), 15_000);
    await worker.exited;
    clearTimeout(stop);
    rmSync(marks, { recursive: true, force: true });
  }
}

function summarizeLatency(ms, expected, mode) {
  return { mode, n: ms.length, expected, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), max: Math.max(...ms) };
}

// ---------------------------------------------------------------------------------------------
// Processes

function startProcess(argv, { cwd = REPO_DIR, env = benchEnv(), logFile }) {
  writeFileSync(logFile, "");
  const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  // Straight to the file: the parent must not compete with the workers for the CPU.
  const sink = (chunk) => appendFileSync(logFile, chunk);
  child.stdout.on("data", sink);
  child.stderr.on("data", sink);
  const exited = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    exited,
    running,
    kill: (signal) => {
      if (running()) child.kill(signal);
    },
  };
}

function startRole(role, spec, logFile) {
  return startProcess([process.execPath, SCRIPT, "--role", role, "--spec", JSON.stringify(spec)], { logFile });
}

/** Runs a role to completion; resolves with its `RESULT {json}` line. */
function runChild(role, spec, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, "--role", role, "--spec", JSON.stringify(spec)], {
      cwd: REPO_DIR,
      env: benchEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = out
        .split("\n")
        .reverse()
        .find((l) => l.startsWith("RESULT "));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)));
      else
        reject(
          new Error(
            `${role} exited ${code ?? signal}${signal === "SIGKILL" ? ` (timed out after ${timeoutMs / 1000} s)` : ""}: ${tail(err || out)}`,
          ),
        );
    });
  });
}

async function waitFor(check, timeoutMs, what, detail = () => "") {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${detail() ? `: ${detail()}` : ""}`);
    await sleep(25);
  }
}

const readIfExists = (file) => (existsSync(file) ? readFileSync(file, "utf8") : "");

/** The useful end of a log: its error lines if it has some, else its last lines. */
function tail(text) {
  const lines = String(text)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const errorAt = lines.findIndex((l) => /\b(\w*Error|ERR_|SQLITE_\w+|failed)\b/.test(l));
  return (errorAt === -1 ? lines.slice(-3) : lines.slice(errorAt, errorAt + 2)).join(" / ").slice(0, 400);
}

// ---------------------------------------------------------------------------------------------
// Set-up: PostgreSQL, peers, the jt project, jt's sources bundled

async function openPostgres() {
  try {
    const { Client } = repoRequire("pg");
    const client = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
    await client.connect();
    const { rows } = await client.query(
      `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
              current_setting('synchronous_commit') AS sync, current_setting('shared_buffers') AS shared_buffers`,
    );
    // What one durable commit costs here: the floor under any store that commits once per job.
    await client.query(`CREATE TABLE IF NOT EXISTS "jtbench_probe_${process.pid}" (x int)`);
    const t = hrMs();
    for (let i = 0; i < 200; i++) await client.query(`INSERT INTO "jtbench_probe_${process.pid}" VALUES (1)`);
    const commitMs = (hrMs() - t) / 200;
    const t2 = hrMs();
    for (let i = 0; i < 200; i++) await client.query("SELECT 1");
    const roundTripMs = (hrMs() - t2) / 200;
    await client.query(`DROP TABLE "jtbench_probe_${process.pid}"`);
    return { ok: true, client, ...rows[0], commitMs, roundTripMs };
  } catch (error) {
    return { ok: false, reason: `PostgreSQL at ${PG_URL.replace(/\/\/[^@/]*@/, "//…@")} is not reachable: ${error.message}` };
  }
}

/** Redis for BullMQ: its version and persistence (which changes BullMQ's figures by a third), over RESP. */
async function openRedis() {
  const url = new URL(REDIS_URL);
  const command = (...words) => `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join("")}`;
  try {
    const reply = await new Promise((resolve, reject) => {
      const socket = net.connect({ host: url.hostname, port: Number(url.port || 6379) });
      let text = "";
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error("no answer within 3 s"));
      }, 3000);
      socket.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on("data", (chunk) => {
        text += chunk;
        // Three replies: PING's +PONG, then two CONFIG GET arrays of two bulk strings each; then INFO's bulk string.
        if (/\+PONG\r\n[\s\S]*\*2[\s\S]*\*2[\s\S]*redis_version:[^\r]*\r\n/.test(text) && text.endsWith("\r\n")) {
          clearTimeout(timer);
          socket.end();
          resolve(text);
        }
      });
      socket.write(command("PING") + command("CONFIG", "GET", "appendonly") + command("CONFIG", "GET", "save") + command("INFO", "server"));
    });
    const bulk = (key) => new RegExp(`\\$\\d+\\r\\n${key}\\r\\n\\$\\d+\\r\\n([^\\r]*)\\r\\n`).exec(reply)?.[1];
    const appendonly = bulk("appendonly") ?? "unknown";
    const save = bulk("save") ?? "unknown";
    const version = /redis_version:([^\r]*)/.exec(reply)?.[1] ?? "unknown";
    const persists = appendonly === "yes" || (save !== "" && save !== "unknown");
    return { ok: true, version, appendonly, save, persists };
  } catch (error) {
    return { ok: false, reason: `Redis at ${REDIS_URL} is not reachable (${error.message}); set REDIS_URL to measure BullMQ` };
  }
}

function npmInstall(dir, specs, timeoutMs = 300_000) {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, "package.json"))) writeFileSync(join(dir, "package.json"), '{ "private": true }\n');
  // --legacy-peer-deps: liteque's peer better-sqlite3 is installed at the version named, not the newest.
  const result = spawnSync(
    "npm",
    ["install", "--no-audit", "--no-fund", "--loglevel=error", "--legacy-peer-deps", "--save-exact", ...specs],
    {
      cwd: dir,
      encoding: "utf8",
      timeout: timeoutMs,
      env: benchEnv(),
    },
  );
  if (result.error) return { ok: false, reason: `npm install ${specs.join(" ")}: ${result.error.message}` };
  if (result.status !== 0)
    return {
      ok: false,
      reason: `npm install ${specs.join(" ")} failed: ${firstLines(String(result.stderr).replace(/npm (error|ERR!)\s*/g, ""), 3)}`,
    };
  return { ok: true };
}

const peerVersion = (pkg) => {
  try {
    return JSON.parse(readFileSync(join(PEERS_DIR, "node_modules", pkg, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
};

/** Installs the peers that are missing (or at another version); returns { name: { ok, reason } }. */
function setUpPeers(wanted) {
  const status = {};
  const failures = join(PEERS_DIR, "install-failures.json");
  const remembered = existsSync(failures) && !flags["retry-peers"] ? JSON.parse(readFileSync(failures, "utf8")) : {};
  const key = (name) => PEERS[name].join(" ");
  const split = (spec) => [spec.slice(0, spec.lastIndexOf("@")), spec.slice(spec.lastIndexOf("@") + 1)];
  const present = (name) => PEERS[name].every((spec) => peerVersion(split(spec)[0]) === split(spec)[1]);
  const missing = wanted.filter((name) => !present(name) && !remembered[key(name)]);
  if (missing.length > 0) {
    log(`installing ${missing.map(key).join(", ")} into ${PEERS_DIR} (once) …`);
    const all = npmInstall(
      PEERS_DIR,
      missing.flatMap((n) => PEERS[n]),
      600_000,
    );
    // One install for all is faster; if it fails, each peer alone, so that one failure skips one peer.
    if (!all.ok) for (const name of missing) status[name] = npmInstall(PEERS_DIR, PEERS[name], 600_000);
  }
  const newFailures = { ...remembered };
  for (const name of wanted) {
    if (remembered[key(name)]) status[name] = { ok: false, reason: `${remembered[key(name)]} (remembered; --retry-peers tries again)` };
    else if (status[name] && !status[name].ok) newFailures[key(name)] = status[name].reason;
    else if (!present(name)) status[name] = { ok: false, reason: `npm install ${key(name)} did not install it` };
    else status[name] = { ok: true };
  }
  mkdirSync(PEERS_DIR, { recursive: true });
  writeFileSync(failures, `${JSON.stringify(newFailures, null, 2)}\n`);
  return status;
}

/**
 * A jt project whose tasks are no-ops that record when they ran: `noop` (drains) keeps its first
 * start, last end and count and writes them when the process exits; `lat[t]` (latency) appends
 * now − t in nanoseconds (t is the enqueuer's process.hrtime) to a file at once.
 */
function makeJtProject(scratch) {
  const dir = join(scratch, "project");
  mkdirSync(join(dir, "tasks"), { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "private": true, "type": "module" }\n');
  writeFileSync(join(dir, "jt.config.json"), "{}\n");
  writeFileSync(
    join(dir, "tasks", "bench.mjs"),
    `import { task } from "jt";
import { appendFileSync, writeFileSync } from "node:fs";

const marks = process.env.JT_BENCH_MARKS;
const drain = { first: 0, last: 0, count: 0 };
const now = () => Number(process.hrtime.bigint()) / 1e6;

let written = 0;
const save = () => {
  if (marks && drain.count > 0) writeFileSync(\`\${marks}/drain-\${process.env.JT_BENCH_PROC ?? process.pid}.json\`, JSON.stringify(drain));
  written = drain.last;
};

task("noop", () => {
  const t = now();
  if (drain.count === 0) drain.first = t;
  drain.count += 1;
  drain.last = t;
  // Now and then as well as at exit: a worker that has to be killed still reports what it did.
  if (drain.count % 1000 === 0 || t - written > 500) save();
});

task("lat", { args: ["t"] }, ({ args }) => {
  const ns = process.hrtime.bigint() - BigInt(args.t);
  if (marks) appendFileSync(\`\${marks}/lat-\${process.pid}.txt\`, \`\${ns}\\n\`);
});

process.on("exit", save);
`,
  );
  // Build jt's manifest once (createJobs reads it; it would otherwise spawn jt to build it).
  const listed = spawnSync(process.execPath, [JT_BIN, "-T"], { cwd: dir, env: benchEnv(), encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`jt -T in the generated project failed: ${listed.stderr}`);
  return dir;
}

/** jt's worker, jobs and stores from src/, bundled by esbuild (dist/ is bundled into chunks). */
async function bundleJt() {
  const esbuild = await import(pathToFileURL(join(REPO_DIR, "node_modules", "esbuild", "lib", "main.js")).href);
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  await (esbuild.build ?? esbuild.default.build)({
    absWorkingDir: REPO_DIR,
    entryPoints: [
      "src/jobs/worker.ts",
      "src/jobs/jobs.ts",
      "src/jobs/store/sqlite.ts",
      "src/jobs/store/postgres.ts",
      "src/registry/registry.ts",
      "src/run/runner.ts",
    ],
    outbase: "src",
    outdir: BUNDLE_DIR,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "error",
  });
}

// ---------------------------------------------------------------------------------------------
// Report

const fmtRate = (r) => (Number.isFinite(r) ? Math.round(r).toLocaleString("en-US") : "–");
const fmtLat = (ms) => (Number.isFinite(ms) ? (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)) : "–");
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

function rates(r) {
  const single = r.single ? (r.single.n / r.single.ms) * 1000 : NaN;
  const bulk = mean((r.bulk ?? []).map((b) => (b.n / b.ms) * 1000));
  return {
    single,
    bulk,
    d1: r.drains?.[1]?.rate ?? NaN,
    d2: r.drains?.[2]?.rate ?? NaN,
    p50: r.latency?.p50 ?? NaN,
    p99: r.latency?.p99 ?? NaN,
  };
}

function drainCell(d) {
  if (!d) return "failed";
  const unfinished = d.capped && !(d.count >= d.queued);
  const how = d.stalled
    ? `, stalled (${d.count.toLocaleString("en-US")} jobs by the cap)`
    : unfinished
      ? ` (${d.count.toLocaleString("en-US")} jobs by the cap)`
      : "";
  return `${fmtRate(d.rate)}${how}`;
}

const storeName = (r) => ({ sqlite: "SQLite", postgres: "PostgreSQL", redis: "Redis" })[r.system.db];

/** A drain rate of `r`: the default (concurrency 10, 1 worker) or an extra drain at that concurrency. */
function drainAt(r, concurrency) {
  if (concurrency === SETTINGS.concurrency) return r.drains?.[1]?.rate ?? NaN;
  return r.extras?.find((e) => e.concurrency === concurrency && !e.options)?.drains?.[1]?.rate ?? NaN;
}

/** Issue 20's table: jt ÷ BullMQ in this run (higher is better for jt; latencies as measured), with its targets. */
function againstBullmq(results) {
  const by = (id) => results.find((r) => r.system.id === id && !r.skipped);
  const b = by("bullmq");
  if (!b) return undefined;
  const ratio = (r, value) => (r && Number.isFinite(value(r)) && Number.isFinite(value(b)) ? `${(value(r) / value(b)).toFixed(2)}×` : "–");
  const jt = [by("jt-sqlite"), by("jt-postgres")];
  const figure = (label, value, targets) => [label, ...jt.map((r) => ratio(r, value)), ...targets];
  const lat = (r, key) => (r?.latency ? `${fmtLat(r.latency[key])} ms` : "–");
  return [
    figure("enqueue, one awaited call per job", (r) => rates(r).single, ["≥ 1.5×", "≥ 0.3×"]),
    figure(`enqueue, batches of ${SETTINGS.batch.toLocaleString("en-US")}`, (r) => rates(r).bulk, ["≥ 2×", "≥ 1.5×"]),
    figure("drain, concurrency 1", (r) => drainAt(r, 1), ["≥ 1.0×", "≥ 0.5×"]),
    figure(`drain, concurrency ${SETTINGS.concurrency}`, (r) => drainAt(r, SETTINGS.concurrency), ["≥ 1.0×", "≥ 0.8×"]),
    figure("drain, concurrency 50", (r) => drainAt(r, 50), ["≥ 1.0×", "≥ 1.0×"]),
    [
      "enqueue → start p50 / p99, worker in another process",
      `${lat(jt[0], "p50")} / ${lat(jt[0], "p99")}`,
      `${lat(jt[1], "p50")} / ${lat(jt[1], "p99")}`,
      "≤ 2 / 10 ms",
      "≤ 2 / 8 ms",
    ],
    ["(BullMQ's enqueue → start p50 / p99)", `${lat(b, "p50")} / ${lat(b, "p99")}`, "", "", ""],
  ];
}

function report({ results, facts, endFacts, pg, redis, seconds }) {
  const header = [
    "system",
    "store",
    "enqueue single /s",
    "enqueue bulk /s",
    "drain, 1 worker /s",
    "drain, 2 workers /s",
    "latency p50 ms",
    "latency p99 ms",
  ];
  const rows = [];
  for (const r of results) {
    if (r.skipped) {
      rows.push([r.system.label, storeName(r), "skipped", "", "", "", "", ""]);
      continue;
    }
    const x = rates(r);
    const latencyMode = r.latency ? (r.latency.mode === "in-process" ? " (in-process)" : " (cross-process)") : "";
    const missing = r.latency && r.latency.n < r.latency.expected ? `, ${r.latency.expected - r.latency.n} jobs never started` : "";
    rows.push([
      r.system.label,
      storeName(r),
      r.single ? fmtRate(x.single) : "failed",
      r.bulkUnsupported ? "n/a (no batch API)" : r.bulk?.length ? fmtRate(x.bulk) : "failed",
      drainCell(r.drains?.[1]),
      drainCell(r.drains?.[2]),
      r.latency ? `${fmtLat(x.p50)}${latencyMode}${missing}` : "failed",
      r.latency ? fmtLat(x.p99) : "failed",
    ]);
    if (r.latencyInProcess) {
      const l = r.latencyInProcess;
      rows.push([
        `${r.system.label}, worker and enqueuer in one process`,
        storeName(r),
        "",
        "",
        "",
        "",
        `${fmtLat(l.p50)} (in-process)`,
        fmtLat(l.p99),
      ]);
    }
    for (const extra of r.extras ?? []) {
      rows.push([
        extra.label,
        storeName(r),
        "",
        "",
        extra.workers.includes(1) ? drainCell(extra.drains[1]) : "",
        extra.workers.includes(2) ? drainCell(extra.drains[2]) : "",
        "",
        "",
      ]);
    }
  }
  const allDrains = (r) => [
    ...[1, 2].map((w) => ({ label: r.system.label, workers: w, d: r.drains?.[w] })),
    ...(r.extras ?? []).flatMap((e) => e.workers.map((w) => ({ label: e.label, workers: w, d: e.drains[w] }))),
  ];
  const targets = evaluateTargets(results);
  const bullmq = againstBullmq(results);
  const bullmqHeader = ["figure (jt ÷ BullMQ, same run)", "jt on SQLite", "jt on PostgreSQL", "target, SQLite", "target, PostgreSQL"];
  const redisNote = redis?.ok
    ? `Redis ${redis.version} on the same machine, ${redis.persists ? `persisting (appendonly ${redis.appendonly}, save "${redis.save}")` : "persisting nothing (appendonly no, no save points): BullMQ's writes never wait for a disk, jt's do"}.`
    : "";
  console.log(`\n${textTable(header, rows)}\n`);
  if (bullmq) console.log(`${textTable(bullmqHeader, bullmq)}\n${redisNote}\n`);
  console.log(
    textTable(
      ["target", "measured", "status"],
      targets.map((t) => [t.target, t.measured, t.status]),
    ),
  );
  const problems = results.flatMap((r) => [
    ...(r.skipped ? [`${r.system.id}: skipped: ${r.skipped}`] : []),
    ...r.notes.map((n) => `${r.system.id}: ${n}`),
    ...allDrains(r).flatMap(({ label, workers, d }) =>
      (d?.notes ?? []).map((n) => `${label} (${storeName(r)}), ${workers} worker${workers === 1 ? "" : "s"}: ${n}`),
    ),
  ]);
  if (problems.length > 0) console.log(`\n${problems.map((p) => `- ${p}`).join("\n")}`);
  console.log(`\n${seconds} s in all`);
  if (flags["no-write"]) return;

  const details = results
    .filter((r) => !r.skipped)
    .flatMap((r) =>
      allDrains(r).map(({ label, workers, d }) => {
        if (!d) return [`${label} (${storeName(r)})`, workers, "–", "–", "–", "–", "–", "failed"];
        const store = d.store?.completed !== undefined ? `${d.store.completed.toLocaleString("en-US")} completed in jt's store` : "";
        return [
          `${label} (${storeName(r)})`,
          workers,
          d.inFlight.toLocaleString("en-US"),
          `${d.count.toLocaleString("en-US")} of ${d.queued?.toLocaleString("en-US") ?? "?"}`,
          (d.windowMs / 1000).toFixed(2),
          (d.wallMs / 1000).toFixed(1),
          d.perProcess.map((n) => n.toLocaleString("en-US")).join(" + "),
          [d.capped ? `stopped at the ${SETTINGS.drainCapMs / 1000} s cap` : "", store].filter(Boolean).join("; "),
        ];
      }),
    );
  const setups = results.flatMap((r) => [
    [`${r.system.label} (${storeName(r)})`, r.skipped ? `skipped: ${r.skipped}` : setupOf(r.system.id)],
    ...(r.skipped ? [] : (r.extras ?? []).map((e) => [`${e.label} (${storeName(r)})`, e.setup])),
  ]);
  const body = `## Background jobs: enqueue, drain and latency, jt against its peers

Measured ${facts.date} with \`node bench/jobs.mjs${QUICK ? " --quick" : ""}\` on ${facts.cpuCount} × ${facts.cpuModel.split(" ").slice(0, 2).join(" ")}, ${facts.memGiB} GiB, ${facts.platform}; load average ${facts.loadavg} at the start, ${endFacts.loadavg} at the end; ${seconds} s.${pg.ok ? ` PostgreSQL ${pg.version} on the same machine, as installed (fsync ${pg.fsync}, synchronous_commit ${pg.sync}): one durable single-row commit took ${pg.commitMs.toFixed(2)} ms, a \`SELECT 1\` round trip ${pg.roundTripMs.toFixed(2)} ms.` : ""}

- **Enqueue**: single = one enqueue call per job, awaited in sequence (${SETTINGS.singleJobs.toLocaleString("en-US")} jobs or ${SETTINGS.singleCapMs / 1000} s, whichever comes first); bulk = the batch API with batches of ${SETTINGS.batch.toLocaleString("en-US")} (${SETTINGS.bulkJobs.toLocaleString("en-US")} jobs or ${SETTINGS.bulkCapMs / 1000} s; the mean of two runs). jt through \`createJobs\` (\`enqueue\`, \`enqueueMany\`), after the store is open.
- **Drain**: a queue of ${SETTINGS.drainJobs.toLocaleString("en-US")} no-op jobs worked off by 1 or 2 worker processes started together, ${SETTINGS.concurrency} jobs in flight per process unless said otherwise. The rate is the jobs done over the time from the first task start to the last task end, as the tasks recorded them (CLOCK_MONOTONIC, shared by the processes): start-up and shutdown are outside it; jt's count is checked against the jobs its store marked completed. A drain still running after ${SETTINGS.drainCapMs / 1000} s is stopped (SIGTERM, then SIGKILL ${KILL_GRACE_MS / 1000} s later) and its rate is taken over the jobs done by then ("by the cap"); one with a process that made no progress for ${STALL_MS / 1000} s before the cap is "stalled", its rate taken up to the cap.
- **Latency**: ${SETTINGS.latencyJobs.toLocaleString("en-US")} jobs enqueued one by one, ${SETTINGS.latencyPauseMs} ms apart, while a worker waits; from just before the enqueue call to the start of the task's action (the job carries the enqueuer's \`process.hrtime\`). jt (both stores), the PostgreSQL peers and BullMQ: a worker process and an enqueuing process; plainjob and liteque: the worker and the enqueuer in one process.

| ${header.join(" | ")} |
| ${header.map(() => "---").join(" | ")} |
${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}

${bullmq ? `### Against BullMQ (issue 20)\n\n${redisNote} Ratios are jt's figure over BullMQ's in this run (a drain's rate at that concurrency, one worker process; jt at its defaults).\n\n${markdownTable(bullmqHeader, bullmq)}\n\n` : ""}### Targets (issues 6 and 7)

${markdownTable(
  ["target", "measured", "status"],
  targets.map((t) => [t.target, t.measured, t.status]),
)}

### How each system ran

${markdownTable(["system", "set-up"], setups)}
${problems.length > 0 ? `\n### Problems seen in this run\n\n${problems.map((p) => `- ${p.replace(/\|/g, "\\|")}`).join("\n")}\n` : ""}
### Versions

${markdownTable(["component", "version"], versionRows(pg, redis))}

<details><summary>Every drain: jobs done, the measured window, wall time</summary>

${markdownTable(["system", "workers", "in flight per worker", "jobs done", "window s", "wall s (spawn to exit)", "per process", "notes"], details)}

</details>`;
  writeResultsSection("jobs-throughput", body);
  log("wrote the jobs-throughput section of bench/RESULTS.md");
}

function versionRows(pg, redis) {
  const read = (path) => {
    try {
      return JSON.parse(readFileSync(path, "utf8")).version;
    } catch {
      return "not installed";
    }
  };
  let sqlite = "unknown";
  try {
    const Database = repoRequire("better-sqlite3");
    const db = new Database(":memory:");
    sqlite = db.prepare("SELECT sqlite_version() AS v").get().v;
    db.close();
  } catch {
    // reported as unknown
  }
  return [
    ["node", process.version],
    ["jt", jtVersion()],
    [
      "better-sqlite3 (jt's, also plainjob's)",
      `${read(join(REPO_DIR, "node_modules", "better-sqlite3", "package.json"))} (SQLite ${sqlite})`,
    ],
    ["pg (jt's driver)", read(join(REPO_DIR, "node_modules", "pg", "package.json"))],
    ["PostgreSQL", pg.ok ? pg.version : "not reachable"],
    ["Redis (BullMQ's)", redis?.ok ? `${redis.version} (appendonly ${redis.appendonly}, save "${redis.save}")` : "not reachable"],
    ...Object.keys(PEERS).map((name) => [name, peerVersion(name) ?? "not installed"]),
    ["better-sqlite3 (liteque's)", peerVersion("better-sqlite3") ?? "not installed"],
  ];
}

function evaluateTargets(results) {
  const by = (id) => results.find((r) => r.system.id === id && !r.skipped);
  const out = [];
  const check = (target, value, fmt, ok, extra = "") => {
    if (!Number.isFinite(value)) out.push({ target, measured: "not measured", status: "–" });
    else out.push({ target, measured: `${fmt(value)}${extra}`, status: ok(value) ? "met" : "missed" });
  };
  const perS = (v) => `${fmtRate(v)}/s`;
  const ms = (v) => `${fmtLat(v)} ms`;
  const extraRate = (r, workers) => r.extras?.[0]?.drains?.[workers]?.rate ?? NaN;
  const c = SETTINGS.concurrency;
  const s = by("jt-sqlite");
  if (s) {
    const x = rates(s);
    const best = Math.max(x.d1, x.d2);
    check(
      "SQLite drain ≥ 1,500/s unbatched",
      extraRate(s, 1),
      perS,
      (v) => v >= 1500,
      " (1 worker, --concurrency 1: one job per claim and per completion)",
    );
    check(
      "SQLite drain ≥ 5,000/s batched",
      best,
      perS,
      (v) => v >= 5000,
      ` (best of 1 and 2 workers at --concurrency ${c}: a claim takes up to ${c} jobs, a completion transaction the jobs that finished in one turn of the event loop)`,
    );
    check("SQLite enqueue ≥ 3,000/s single", x.single, perS, (v) => v >= 3000);
    check("SQLite enqueue ≥ 50,000/s bulk", x.bulk, perS, (v) => v >= 50_000);
    check("SQLite latency p50 ≤ 2 ms (worker in another process)", x.p50, ms, (v) => v <= 2);
    check("SQLite latency p99 ≤ 10 ms (worker in another process)", x.p99, ms, (v) => v <= 10);
  }
  const p = by("jt-postgres");
  if (p) {
    const x = rates(p);
    // jt's best set-up: the default, or with its opt-in prefetch (the peers get theirs too).
    const prefetched = (workers) => p.extras?.find((e) => e.options?.prefetch)?.drains?.[workers]?.rate ?? NaN;
    const bestOf = (...values) => (values.some(Number.isFinite) ? Math.max(...values.filter(Number.isFinite)) : NaN);
    x.d1 = bestOf(x.d1, prefetched(1));
    x.d2 = bestOf(x.d2, prefetched(2));
    const best = bestOf(x.d1, x.d2);
    check(
      "PostgreSQL drain ≥ 5,000/s",
      best,
      perS,
      (v) => v >= 5000,
      ` (best of 1 and 2 workers, --concurrency ${c}, with or without --prefetch ${c * 10})`,
    );
    check("PostgreSQL latency p50 ≤ 10 ms", x.p50, ms, (v) => v <= 10);
    check("PostgreSQL latency p99 ≤ 50 ms", x.p99, ms, (v) => v <= 50);
    for (const peer of ["graphile-worker", "pg-boss"]) {
      const q = by(peer);
      if (!q) {
        out.push({ target: `ahead of ${peer}`, measured: "peer not measured", status: "–" });
        continue;
      }
      const y = rates(q);
      // Against the peer's best set-up (pg-boss also runs with a large batch).
      const peer1 = Math.max(y.d1, Number.isFinite(extraRate(q, 1)) ? extraRate(q, 1) : -Infinity);
      const peer2 = Math.max(y.d2, Number.isFinite(extraRate(q, 2)) ? extraRate(q, 2) : -Infinity);
      const drainAhead = x.d1 > peer1 && x.d2 > peer2;
      out.push({
        target: `PostgreSQL drain ahead of ${peer}`,
        measured: `jt ${fmtRate(x.d1)} / ${fmtRate(x.d2)} vs ${fmtRate(peer1)} / ${fmtRate(peer2)} jobs/s (1 / 2 workers${q.extras?.length ? `; the peer's best set-up` : ""})`,
        status: Number.isFinite(x.d1 + peer1) ? (drainAhead ? "met" : "missed") : "–",
      });
      const latAhead = x.p50 < y.p50 && x.p99 < y.p99;
      out.push({
        target: `PostgreSQL latency ahead of ${peer}`,
        measured: `jt p50 ${ms(x.p50)}, p99 ${ms(x.p99)} vs p50 ${ms(y.p50)}, p99 ${ms(y.p99)}`,
        status: Number.isFinite(x.p50 + y.p50) ? (latAhead ? "met" : "missed") : "–",
      });
    }
  }
  return out;
}

// =============================================================================================
// Children: one role each, printing `RESULT {json}` on stdout when they finish.

async function child(role, spec) {
  const roles = {
    enqueue: enqueueRole,
    "drain-worker": drainWorkerRole,
    "latency-inprocess": latencyInProcessRole,
    "latency-enqueue": latencyEnqueueRole,
    "latency-worker": latencyWorkerRole,
    "redis-cleanup": redisCleanupRole,
  };
  const result = await roles[role](spec);
  if (result !== undefined) process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** A peer's ES module or CommonJS entry, from the peers' directory. */
async function importPeer(name) {
  const manifest = JSON.parse(readFileSync(join(PEERS_DIR, "node_modules", name, "package.json"), "utf8"));
  if (manifest.type !== "module") return peerRequire(name);
  return import(pathToFileURL(join(PEERS_DIR, "node_modules", name, manifest.main ?? "index.js")).href);
}

const quietLogger = { error: (...a) => console.error(...a), warn: (...a) => console.error(...a), info: () => {}, debug: () => {} };

/**
 * What a system offers a producer: `single()` (one job), `bulk(n)` (its batch API), `fill(total)`
 * (bring the queue to `total` runnable jobs, fast, untimed), `lat(t)` (a latency job) and `close()`.
 */
async function producer(system, target, root) {
  switch (system) {
    case "jt-sqlite":
    case "jt-postgres": {
      const { createJobs } = await import(pathToFileURL(join(REPO_DIR, "dist", "index.js")).href);
      const jobs = createJobs({ root, store: target.store });
      const bulk = (n) => jobs.enqueueMany(Array.from({ length: n }, () => ({ task: "noop" })));
      return {
        single: () => jobs.enqueue("noop"),
        bulk,
        lat: (t) => jobs.enqueue("lat", { args: [t] }),
        async fill(total) {
          await jobs.enqueueMany([]); // opens (and migrates) the store
          if (system === "jt-sqlite") {
            const Database = repoRequire("better-sqlite3");
            const db = new Database(target.file, { readonly: true });
            let queued = db.prepare("SELECT count(*) AS n FROM jt_jobs WHERE state = 'queued'").get().n;
            db.close();
            for (; queued < total; queued += SETTINGS.batch) await bulk(Math.min(SETTINGS.batch, total - queued));
            return;
          }
          // jt's bulk enqueue on PostgreSQL inserts row by row; the rest of the queue goes in as jt's rows, by SQL.
          await withPg(target, async (client) => {
            const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${target.schema}".jobs WHERE state = 'queued'`);
            await client.query(
              `INSERT INTO "${target.schema}".jobs (task, args, queue, priority, state, run_at, max_attempts, unique_key, created_at, updated_at)
               SELECT 'noop', '[]'::jsonb, 'default', 0, 'queued', now(), 5, NULL, now(), now() FROM generate_series(1, $1)`,
              [Math.max(0, total - rows[0].n)],
            );
          });
        },
        close: () => jobs.close(),
      };
    }
    case "plainjob": {
      const Database = repoRequire("better-sqlite3");
      const { better, defineQueue } = await importPeer("plainjob");
      const queue = defineQueue({ connection: better(new Database(target.file)), logger: quietLogger });
      return {
        single: async () => queue.add("noop", {}),
        bulk: async (n) =>
          queue.addMany(
            "noop",
            Array.from({ length: n }, () => ({})),
          ),
        lat: async (t) => queue.add("lat", { t }),
        async fill(total) {
          for (let queued = queue.countJobs({ status: 0 }); queued < total; queued += SETTINGS.batch)
            queue.addMany(
              "noop",
              Array.from({ length: Math.min(SETTINGS.batch, total - queued) }, () => ({})),
            );
        },
        close: async () => queue.close(),
      };
    }
    case "liteque": {
      const { buildDBClient, SqliteQueue } = await importPeer("liteque");
      const db = buildDBClient(target.file, { runMigrations: true });
      const queue = new SqliteQueue("bench", db, { defaultJobArgs: { numRetries: 0 }, keepFailedJobs: false });
      return {
        single: () => queue.enqueue({}),
        bulk: undefined,
        lat: (t) => queue.enqueue({ t }),
        async fill(total) {
          // liteque has no batch API: the queue is filled with the rows its enqueue() writes, by SQL.
          const Database = peerRequire("better-sqlite3");
          const raw = new Database(target.file);
          raw.pragma("busy_timeout = 15000");
          const queued = raw.prepare("SELECT count(*) AS n FROM tasks WHERE status = 'pending'").get().n;
          const insert = raw.prepare(
            `INSERT INTO tasks (queue, payload, createdAt, availableAt, status, allocationId, numRunsLeft, maxNumRuns, priority)
             VALUES ('bench', '{}', ?, ?, 'pending', ?, 1, 1, 0)`,
          );
          raw.transaction((n) => {
            for (let i = 0; i < n; i++) insert.run(Math.floor(Date.now() / 1000), Date.now(), Math.random().toString(36).slice(2, 15));
          })(Math.max(0, total - queued));
          raw.close();
        },
        close: async () => {},
      };
    }
    case "graphile-worker": {
      const { makeWorkerUtils } = await importPeer("graphile-worker");
      const utils = await makeWorkerUtils({ connectionString: target.connectionString, schema: target.schema });
      await utils.migrate();
      const bulk = (n) => utils.addJobs(Array.from({ length: n }, () => ({ identifier: "noop", payload: {} })));
      return {
        single: () => utils.addJob("noop", {}),
        bulk,
        lat: (t) => utils.addJob("lat", { t }),
        async fill(total) {
          const queued = await withPg(
            target,
            async (c) => (await c.query(`SELECT count(*)::int AS n FROM "${target.schema}"._private_jobs`)).rows[0].n,
          );
          for (let q = queued; q < total; q += SETTINGS.batch) await bulk(Math.min(SETTINGS.batch, total - q));
        },
        close: () => utils.release(),
      };
    }
    case "pg-boss": {
      const boss = await startBoss(target, { supervise: false, schedule: false });
      await ensureQueues(boss, ["noop", "lat"]);
      const bulk = (n) => boss.insert(Array.from({ length: n }, () => ({ name: "noop", data: {} })));
      return {
        single: () => boss.send("noop", {}),
        bulk,
        lat: (t) => boss.send("lat", { t }),
        async fill(total) {
          const queued = await boss.getQueueSize("noop");
          for (let q = queued; q < total; q += SETTINGS.batch) await bulk(Math.min(SETTINGS.batch, total - q));
        },
        close: () => boss.stop({ graceful: false, wait: true }),
      };
    }
    case "bullmq": {
      const { Queue } = await importPeer("bullmq");
      const queue = new Queue(target.queue, { connection: redisConnection(target) });
      const bulk = (n) => queue.addBulk(Array.from({ length: n }, () => ({ name: "noop", data: {} })));
      return {
        single: () => queue.add("noop", {}),
        bulk,
        lat: (t) => queue.add("lat", { t }),
        async fill(total) {
          const queued = await queue.count();
          for (let q = queued; q < total; q += SETTINGS.batch) await bulk(Math.min(SETTINGS.batch, total - q));
        },
        close: () => queue.close(),
      };
    }
    default:
      throw new Error(`unknown system ${system}`);
  }
}

/** ioredis options for BullMQ (a Worker needs maxRetriesPerRequest: null). */
function redisConnection(target) {
  const url = new URL(target.url);
  return { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
}

/** Removes the bench's BullMQ queues (their keys) from Redis. */
async function redisCleanupRole({ target, queues }) {
  const { Queue } = await importPeer("bullmq");
  for (const name of queues) {
    const queue = new Queue(name, { connection: redisConnection(target) });
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
  return { removed: queues.length };
}

async function startBoss(target, options = {}) {
  const PgBoss = await importPeer("pg-boss");
  const boss = new PgBoss({ connectionString: target.connectionString, schema: target.schema, ...options });
  boss.on("error", (error) => console.error(`pg-boss error: ${error.message}`));
  await boss.start();
  return boss;
}

async function ensureQueues(boss, names) {
  for (const name of names) if (!(await boss.getQueue(name))) await boss.createQueue(name).catch(() => {});
}

async function withPg(target, body) {
  const { Client } = repoRequire("pg");
  const client = new Client({ connectionString: target.connectionString });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** Times single or bulk enqueues (after opening and a few untimed ones), then fills the queue untimed. */
async function enqueueRole({ system, target, mode, count, capMs, fillTo, root }) {
  const p = await producer(system, target, root);
  try {
    if (mode === "migrate") return { ok: true };
    if (mode === "fill") {
      await p.fill(fillTo);
      return { queued: fillTo };
    }
    if (mode === "bulk" && !p.bulk) {
      await p.fill(fillTo);
      return { unsupported: "no batch API", queued: fillTo };
    }
    // Warm-up, untimed: the store is open and migrated, statements prepared, the JIT warm.
    for (let i = 0; i < 50; i++) await p.single();
    if (mode === "bulk") await p.bulk(SETTINGS.batch);
    let n = 0;
    const t = hrMs();
    const until = t + capMs;
    if (mode === "single") {
      while (n < count && (n % 100 !== 0 || hrMs() < until)) {
        await p.single();
        n += 1;
      }
    } else {
      while (n < count && hrMs() < until) {
        const size = Math.min(SETTINGS.batch, count - n);
        await p.bulk(size);
        n += size;
      }
    }
    const ms = hrMs() - t;
    if (fillTo) await p.fill(fillTo);
    return { n, ms, queued: fillTo ?? n };
  } finally {
    await p.close();
  }
}

/** A drain marker like the jt task's: first start, last end, count; written every 1,000 jobs or 0.5 s, on exit and on SIGTERM. */
function drainMarks(marksDir) {
  const marks = { first: 0, last: 0, count: 0 };
  let written = 0;
  const write = () => {
    if (marks.count > 0) writeFileSync(join(marksDir, `drain-${process.pid}.json`), JSON.stringify(marks));
    written = marks.last;
  };
  process.once("SIGTERM", () => {
    write();
    process.exit(0);
  });
  return {
    start(k = 1) {
      const t = hrMs();
      if (marks.count === 0) marks.first = t;
      marks.count += k;
      marks.last = t;
      if (marks.count % 1000 < k || t - written > 500) write();
    },
    end() {
      marks.last = hrMs();
    },
    write,
  };
}

/** A peer's worker process for a drain: works until nothing is runnable, then exits. */
async function drainWorkerRole({ system, target, concurrency, marks: marksDir, options = {} }) {
  const marks = drainMarks(marksDir);
  switch (system) {
    case "plainjob": {
      const Database = repoRequire("better-sqlite3");
      const { better, defineQueue, defineWorker } = await importPeer("plainjob");
      const queue = defineQueue({ connection: better(new Database(target.file)), logger: quietLogger });
      const worker = defineWorker("noop", async () => marks.start(), { queue, logger: quietLogger, onCompleted: () => marks.end() });
      // What the README's processAll does (0.0.14 does not export it): work until nothing is pending or processing.
      const running = worker.start();
      await sleep(10);
      while (queue.countJobs({ status: 0 }) + queue.countJobs({ status: 1 }) > 0) await sleep(50);
      await worker.stop();
      await running;
      queue.close();
      break;
    }
    case "liteque": {
      const { buildDBClient, SqliteQueue, Runner } = await importPeer("liteque");
      const db = buildDBClient(target.file);
      const queue = new SqliteQueue("bench", db, { defaultJobArgs: { numRetries: 0 }, keepFailedJobs: false });
      const runner = new Runner(queue, { run: async () => marks.start() }, { concurrency, pollIntervalMs: 1000, timeoutSecs: 60 });
      await runner.runUntilEmpty();
      break;
    }
    case "graphile-worker": {
      const { runOnce } = await importPeer("graphile-worker");
      await runOnce({
        connectionString: target.connectionString,
        schema: target.schema,
        concurrency,
        noHandleSignals: true,
        taskList: { noop: async () => marks.start() },
        preset: { worker: { localQueue: { size: concurrency * 10 }, completeJobBatchDelay: 0 } },
      });
      break;
    }
    case "pg-boss": {
      const boss = await startBoss(target);
      let inFlight = 0;
      await boss.work("noop", { batchSize: options.batchSize ?? concurrency, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        inFlight += 1;
        marks.start(jobs.length);
        inFlight -= 1;
      });
      // pg-boss has no work-until-empty: stop once nothing is left to fetch and nothing runs here.
      for (;;) {
        await sleep(250);
        if (inFlight === 0 && (await boss.getQueueSize("noop")) === 0) break;
      }
      await boss.stop({ graceful: true, wait: true });
      break;
    }
    case "bullmq": {
      const { Worker } = await importPeer("bullmq");
      const worker = new Worker(target.queue, async () => marks.start(), {
        connection: redisConnection(target),
        concurrency,
        autorun: false,
      });
      // BullMQ has no work-until-empty: its "drained" event says the queue has no waiting job left.
      const drained = new Promise((resolve) => worker.once("drained", resolve));
      void worker.run();
      await drained;
      await worker.close();
      break;
    }
    default:
      throw new Error(`no drain worker for ${system}`);
  }
  marks.write();
  return { ok: true };
}

/** SQLite: a worker and an enqueuer in one process. */
async function latencyInProcessRole({ system, target, n, pauseMs, concurrency }) {
  const ms = [];
  const record = (t) => ms.push(Number(process.hrtime.bigint() - BigInt(t)) / 1e6);
  let enqueue;
  let stop;
  switch (system) {
    case "jt-sqlite": {
      const load = (rel) => import(pathToFileURL(join(BUNDLE_DIR, rel)).href);
      const [{ SqliteStore }, { Jobs }, { JobWorker }, { Registry }, { Runner }] = await Promise.all(
        ["jobs/store/sqlite.js", "jobs/jobs.js", "jobs/worker.js", "registry/registry.js", "run/runner.js"].map(load),
      );
      const store = new SqliteStore(target.file);
      await store.migrate();
      const registry = new Registry();
      registry.define("lat", { args: ["t"] }, ({ args }) => record(args.t), undefined);
      const jobs = new Jobs(store, registry);
      const noSh = () => {
        throw new Error("no sh in this benchmark");
      };
      const worker = new JobWorker({
        store,
        location: { kind: "sqlite", file: target.file },
        jobs,
        catalog: registry,
        // As `jt jobs:work` runs a job: a Runner of its own per job (no environment configured here).
        runTask: (job, signal) =>
          new Runner({
            tasks: registry,
            trace: false,
            dryRun: false,
            signal,
            traceLine: () => {},
            sh: () => noSh,
            environment: undefined,
            interruptGraceMs: 10_000,
            confirm: async () => {},
            load: async () => {},
            enqueue: (task, options) => jobs.enqueue(task, options),
          }).run([{ name: job.task, values: job.args }]),
        queues: undefined,
        concurrency,
        prefetch: 0,
        leaseMs: 30_000,
        pollMs: 1_000,
        shutdownTimeoutMs: 5_000,
        pruneAfterMs: 7 * 86_400_000,
        schedules: [],
        untilEmpty: false,
        log: () => {},
      });
      const running = worker.run();
      enqueue = (t) => jobs.enqueue("lat", { args: [t] });
      stop = async () => {
        worker.stop();
        await running;
        await store.close();
      };
      break;
    }
    case "plainjob": {
      const Database = repoRequire("better-sqlite3");
      const { better, defineQueue, defineWorker } = await importPeer("plainjob");
      const queue = defineQueue({ connection: better(new Database(target.file)), logger: quietLogger });
      const worker = defineWorker("lat", async (job) => record(JSON.parse(job.data).t), {
        queue,
        logger: quietLogger,
        pollIntervall: SETTINGS.peerPollMs,
      });
      const running = worker.start();
      enqueue = async (t) => queue.add("lat", { t });
      stop = async () => {
        await worker.stop();
        await running;
        queue.close();
      };
      break;
    }
    case "liteque": {
      const { buildDBClient, SqliteQueue, Runner } = await importPeer("liteque");
      const db = buildDBClient(target.file, { runMigrations: true });
      const queue = new SqliteQueue("bench", db, { defaultJobArgs: { numRetries: 0 }, keepFailedJobs: false });
      const runner = new Runner(
        queue,
        { run: async (job) => record(job.data.t) },
        { concurrency, pollIntervalMs: SETTINGS.peerPollMs, timeoutSecs: 60 },
      );
      const running = runner.run();
      enqueue = (t) => queue.enqueue({ t });
      stop = async () => {
        runner.stop();
        await running;
      };
      break;
    }
    default:
      throw new Error(`no in-process latency for ${system}`);
  }
  await sleep(500);
  for (let i = 0; i < n; i++) {
    await enqueue(String(process.hrtime.bigint()));
    await sleep(pauseMs);
  }
  const until = Date.now() + 10_000;
  while (ms.length < n && Date.now() < until) await sleep(10);
  await stop();
  return { ms };
}

/** PostgreSQL: enqueues latency jobs one by one, each carrying the time just before its enqueue call. */
async function latencyEnqueueRole({ system, target, n, pauseMs, root }) {
  const p = await producer(system, target, root);
  try {
    for (let i = 0; i < n; i++) {
      await p.lat(String(process.hrtime.bigint()));
      await sleep(pauseMs);
    }
    return { n };
  } finally {
    await p.close();
  }
}

/** PostgreSQL peers: a worker process that waits for latency jobs and appends each one's latency (ns) to a file. */
async function latencyWorkerRole({ system, target, concurrency, marks: marksDir }) {
  const file = join(marksDir, `lat-${process.pid}.txt`);
  const record = (t) => appendFileSync(file, `${process.hrtime.bigint() - BigInt(t)}\n`);
  let stop;
  switch (system) {
    case "graphile-worker": {
      const { run, makeWorkerUtils } = await importPeer("graphile-worker");
      const utils = await makeWorkerUtils({ connectionString: target.connectionString, schema: target.schema });
      await utils.migrate();
      await utils.release();
      const runner = await run({
        connectionString: target.connectionString,
        schema: target.schema,
        concurrency,
        noHandleSignals: true,
        taskList: { lat: async (payload) => record(payload.t) },
      });
      stop = () => runner.stop();
      break;
    }
    case "pg-boss": {
      const boss = await startBoss(target);
      await ensureQueues(boss, ["noop", "lat"]);
      await boss.work("lat", { batchSize: 100, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const job of jobs) record(job.data.t);
      });
      stop = () => boss.stop({ graceful: true, wait: true });
      break;
    }
    case "bullmq": {
      const { Worker } = await importPeer("bullmq");
      const worker = new Worker(target.queue, async (job) => record(job.data.t), { connection: redisConnection(target), concurrency });
      await worker.waitUntilReady();
      stop = () => worker.close();
      break;
    }
    default:
      throw new Error(`no latency worker for ${system}`);
  }
  console.log("READY");
  await new Promise((resolve) => process.once("SIGTERM", resolve));
  await Promise.race([stop(), sleep(10_000)]);
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Entry (last: every const above is initialized by now).

if (flags.role) {
  await child(flags.role, JSON.parse(flags.spec ?? "{}"));
} else {
  await main();
}
