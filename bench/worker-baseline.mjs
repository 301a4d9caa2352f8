#!/usr/bin/env node
// jt's worker at this checkout against an earlier revision of jt, side by side: the same queue of
// no-op jobs drained by `jt jobs:workoff` of each, in interleaved rounds, on SQLite and PostgreSQL.
//
//   node bench/worker-baseline.mjs [--base REV] [--stores sqlite,postgres] [--jobs N] [--rounds N] [--concurrency N] [--quick] [--no-write]
//
// REV defaults to 3064d64, the last commit before the worker ran its jobs under a supervisor and
// traced faults to their job (issue 12, which allows crash isolation to cost at most 10 % of the
// throughput). The baseline is exported with `git archive` into node_modules/.cache/jt-bench/ and
// built there against this checkout's node_modules. Both revisions share the store schema, so each
// drain gets a fresh store filled the same way (this checkout's createJobs on SQLite, one INSERT on
// PostgreSQL). Two rates per drain: "steady" counts the jobs from the first task start to the last
// task end as the tasks recorded them (CLOCK_MONOTONIC); "wall" is jobs over spawn→exit, so it also
// pays for start-up, the supervisor's extra process included.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  benchEnv,
  capture,
  jtVersion,
  machineFacts,
  markdownTable,
  median,
  parseFlags,
  REPO_DIR,
  textTable,
  writeResultsSection,
} from "./lib/common.mjs";

const flags = parseFlags(process.argv.slice(2), {
  base: "value",
  stores: "value",
  jobs: "value",
  rounds: "value",
  concurrency: "value",
  quick: "boolean",
  "no-write": "boolean",
});
const QUICK = Boolean(flags.quick);
const BASE_REV = flags.base ?? "3064d64";
const JOBS = Number(flags.jobs ?? (QUICK ? 10_000 : 50_000));
const ROUNDS = Number(flags.rounds ?? (QUICK ? 2 : 5));
const CONCURRENCY = Number(flags.concurrency ?? 10);
const PG_URL = process.env.JT_BENCH_PG_URL ?? "postgres://root@127.0.0.1:5432/test";
const repoRequire = createRequire(join(REPO_DIR, "package.json"));
const log = (line) => process.stderr.write(`${line}\n`);

const baseSha = capture(["git", "-C", REPO_DIR, "rev-parse", "--short", `${BASE_REV}^{commit}`]);
if (!baseSha) {
  console.error(`worker-baseline: ${BASE_REV} is not a commit of ${REPO_DIR}`);
  process.exit(2);
}
const headSha = capture(["git", "-C", REPO_DIR, "rev-parse", "--short", "HEAD"]);

/** The baseline revision's files, built, with this checkout's node_modules. */
function buildBaseline() {
  const dir = join(REPO_DIR, "node_modules", ".cache", "jt-bench", `baseline-${baseSha}`);
  if (existsSync(join(dir, "dist", "index.js"))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync("sh", ["-c", `git -C "${REPO_DIR}" archive ${baseSha} | tar -x -C "${dir}"`], { encoding: "utf8" });
  if (archive.status !== 0) throw new Error(`git archive ${baseSha}: ${archive.stderr}`);
  symlinkSync(join(REPO_DIR, "node_modules"), join(dir, "node_modules"), "dir");
  log(`building ${baseSha} in ${dir} …`);
  const built = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: dir, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`building ${baseSha} failed: ${built.stderr}${built.stdout}`);
  return dir;
}

function makeProject(scratch, name, bin) {
  const dir = join(scratch, name);
  mkdirSync(join(dir, "tasks"), { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "private": true, "type": "module" }\n');
  writeFileSync(
    join(dir, "tasks", "bench.mjs"),
    `import { task } from "jt";
import { writeFileSync } from "node:fs";

const drain = { first: 0, last: 0, count: 0 };
task("noop", () => {
  const t = Number(process.hrtime.bigint()) / 1e6;
  if (drain.count === 0) drain.first = t;
  drain.count += 1;
  drain.last = t;
});
process.on("exit", () => {
  if (drain.count > 0) writeFileSync(process.env.JT_BENCH_MARKS, JSON.stringify(drain));
});
`,
  );
  const listed = spawnSync(process.execPath, [bin, "-T"], { cwd: dir, env: benchEnv(), encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`jt -T (${bin}) failed: ${listed.stderr}`);
  return dir;
}

async function withPg(body) {
  const { Client } = repoRequire("pg");
  const client = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** A fresh store holding JOBS queued no-op jobs. */
async function fill(kind, project, scratch, n) {
  if (kind === "sqlite") {
    const file = join(scratch, `store-${n}`, "jobs.sqlite3");
    const script = `import { createJobs } from ${JSON.stringify(pathToFileURL(join(REPO_DIR, "dist", "index.js")).href)};
const jobs = createJobs({ root: ${JSON.stringify(project)}, store: ${JSON.stringify(file)} });
for (let left = ${JOBS}; left > 0; left -= 1000) await jobs.enqueueMany(Array.from({ length: Math.min(1000, left) }, () => ({ task: "noop" })));
await jobs.close();`;
    const filled = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: project, env: benchEnv(), encoding: "utf8" });
    if (filled.status !== 0) throw new Error(`filling ${file}: ${filled.stderr}`);
    return { kind, file, store: file };
  }
  const schema = `jtbench_base_${process.pid}_${n}`;
  const url = new URL(PG_URL);
  url.searchParams.set("schema", schema);
  const target = { kind, schema, store: url.toString() };
  const migrate = `import { createJobs } from ${JSON.stringify(pathToFileURL(join(REPO_DIR, "dist", "index.js")).href)};
const jobs = createJobs({ root: ${JSON.stringify(project)}, store: ${JSON.stringify(target.store)} });
await jobs.enqueueMany([]);
await jobs.close();`;
  const migrated = spawnSync(process.execPath, ["--input-type=module", "-e", migrate], { cwd: project, env: benchEnv(), encoding: "utf8" });
  if (migrated.status !== 0) throw new Error(`migrating ${schema}: ${migrated.stderr}`);
  await withPg((client) =>
    client.query(
      `INSERT INTO "${schema}".jobs (task, args, queue, priority, state, run_at, max_attempts, unique_key, created_at, updated_at)
       SELECT 'noop', '[]'::jsonb, 'default', 0, 'queued', now(), 5, NULL, now(), now() FROM generate_series(1, $1)`,
      [JOBS],
    ),
  );
  // Analyzed, as autovacuum would have done within a minute: a fresh table's planner thinks it is empty.
  await withPg((client) => client.query(`ANALYZE "${schema}".jobs`));
  return target;
}

async function completed(target) {
  if (target.kind === "sqlite") {
    const Database = repoRequire("better-sqlite3");
    const db = new Database(target.file, { readonly: true });
    const { n } = db.prepare("SELECT count(*) AS n FROM jt_jobs WHERE state = 'completed'").get();
    db.close();
    return n;
  }
  return withPg(
    async (client) => (await client.query(`SELECT count(*)::int AS n FROM "${target.schema}".jobs WHERE state = 'completed'`)).rows[0].n,
  );
}

/**
 * The worker's log goes to a file, as a log collector would take it: read through a pipe by this
 * process, on a 2-core machine, the reader's speed would be measured too (jt's writes block).
 */
function workoff(bin, project, target, marks) {
  return new Promise((resolve, reject) => {
    const logFile = `${marks}.log`;
    const logFd = openSync(logFile, "w");
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [bin, "jobs:workoff", "--concurrency", String(CONCURRENCY)], {
      cwd: project,
      env: benchEnv({ JT_JOBS_URL: target.store, JT_BENCH_MARKS: marks }),
      stdio: ["ignore", logFd, logFd],
    });
    closeSync(logFd);
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`jobs:workoff (${bin}) exited ${code ?? signal}: ${readFileSync(logFile, "utf8").slice(-2000)}`));
      else resolve(wallMs);
    });
  });
}

async function main() {
  const facts = machineFacts();
  const t0 = Date.now();
  const baseDir = buildBaseline();
  const bins = [
    { key: "head", label: `this checkout (${headSha})`, bin: join(REPO_DIR, "bin", "jt.js") },
    { key: "base", label: `baseline (${baseSha})`, bin: join(baseDir, "bin", "jt.js") },
  ];
  const scratch = mkdtempSync(join(os.tmpdir(), "jt-bench-baseline-"));
  const schemas = [];
  let pgReason;
  try {
    await withPg((client) => client.query("SELECT 1"));
  } catch (error) {
    pgReason = error.message;
  }
  const kinds = (flags.stores ?? "sqlite,postgres").split(",").filter((kind) => kind === "sqlite" || (kind === "postgres" && !pgReason));
  const results = [];
  let n = 0;
  try {
    for (const b of bins) b.project = makeProject(scratch, b.key, b.bin);
    for (const kind of kinds) {
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? bins : [...bins].reverse();
        const row = { kind, round };
        for (const b of order) {
          n += 1;
          const target = await fill(kind, b.project, scratch, n);
          if (kind === "postgres") schemas.push(target.schema);
          const marks = join(scratch, `marks-${n}.json`);
          const wallMs = await workoff(b.bin, b.project, target, marks);
          const done = await completed(target);
          const drain = JSON.parse(readFileSync(marks, "utf8"));
          if (done !== JOBS || drain.count !== JOBS)
            throw new Error(`${b.label} on ${kind}: ${done} completed in the store, ${drain.count} ran, of ${JOBS}`);
          row[b.key] = { steady: (JOBS / (drain.last - drain.first)) * 1000, wall: (JOBS / wallMs) * 1000, wallMs };
          log(
            `${kind} round ${round + 1}/${ROUNDS} ${b.label}: ${Math.round(row[b.key].steady)}/s steady, ${Math.round(row[b.key].wall)}/s wall (${(wallMs / 1000).toFixed(2)} s)`,
          );
          if (target.file) rmSync(join(target.file, ".."), { recursive: true, force: true });
        }
        results.push(row);
      }
    }
  } finally {
    if (schemas.length > 0)
      await withPg((client) => client.query(schemas.map((s) => `DROP SCHEMA IF EXISTS "${s}" CASCADE;`).join("\n"))).catch(() => {});
    rmSync(scratch, { recursive: true, force: true });
  }
  const endFacts = machineFacts();
  const fmt = (v) => Math.round(v).toLocaleString("en-US");
  const pct = (r) => `${r >= 1 ? "+" : "−"}${Math.abs((r - 1) * 100).toFixed(1)} %`;
  const header = [
    "store",
    "rate",
    `this checkout (${headSha}) /s`,
    `baseline (${baseSha}) /s`,
    "ratio (median of rounds)",
    "ratio, each round",
  ];
  const rows = [];
  const verdicts = [];
  for (const kind of kinds) {
    const mine = results.filter((r) => r.kind === kind);
    for (const rate of ["steady", "wall"]) {
      const ratios = mine.map((r) => r.head[rate] / r.base[rate]);
      const ratio = median(ratios);
      rows.push([
        kind === "sqlite" ? "SQLite" : "PostgreSQL",
        rate,
        fmt(median(mine.map((r) => r.head[rate]))),
        fmt(median(mine.map((r) => r.base[rate]))),
        `${ratio.toFixed(3)} (${pct(ratio)})`,
        ratios.map((r) => r.toFixed(2)).join(", "),
      ]);
      if (rate === "steady")
        verdicts.push(`${kind === "sqlite" ? "SQLite" : "PostgreSQL"} ${ratio >= 0.9 ? "within" : "NOT within"} 10 % (${pct(ratio)})`);
    }
  }
  console.log(textTable(header, rows));
  console.log(verdicts.join("; "));
  const body = `## The worker against an earlier jt: throughput side by side

Measured ${facts.date} with \`node bench/worker-baseline.mjs${QUICK ? " --quick" : ""}${flags.base ? ` --base ${BASE_REV}` : ""}\` on ${facts.cpuCount} × ${facts.cpuModel.split(" ").slice(0, 2).join(" ")}, ${facts.memGiB} GiB, ${facts.platform}, Node ${facts.node}; load average ${facts.loadavg} at the start, ${endFacts.loadavg} at the end; ${Math.round((Date.now() - t0) / 1000)} s.

\`jt jobs:workoff --concurrency ${CONCURRENCY}\` of this checkout (${jtVersion()}) and of ${baseSha}${flags.base ? "" : " (the worker before its supervisor and its per-job fault tracing, issue 12, and before its log gave every line a time and a job, issue 10)"}, each draining a fresh store of ${JOBS.toLocaleString("en-US")} queued no-op jobs, in ${ROUNDS} rounds that alternate which goes first. "steady": jobs from the first task start to the last task end, as the tasks recorded them; "wall": jobs over spawn→exit, start-up (and the supervisor's second process) included. A ratio above 1 means this checkout is faster. Issue 12's bound: crash isolation keeps throughput within 10 % — ${verdicts.join("; ")}.${pgReason ? ` PostgreSQL was not measured: ${pgReason}.` : ""}

${markdownTable(header, rows)}`;
  if (!flags["no-write"]) writeResultsSection("worker-baseline", body);
}

await main();
