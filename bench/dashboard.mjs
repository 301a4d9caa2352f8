#!/usr/bin/env node
// The dashboard with a million jobs (issue 15): how long its pages take to answer, on SQLite and on
// PostgreSQL, with the store seeded straight through SQL (a week of jobs, 600 ms apart: 95 %
// completed, 3 % failed with an error, 1 % queued, 1 % cancelled; 5 queues, 20 tasks).
//
//   npm run build && node bench/dashboard.mjs            # ~3 minutes; prints the table (paste it in RESULTS.md)
//   node bench/dashboard.mjs --jobs 100000 --stores sqlite
//
// Each page is fetched from `jt jobs:dashboard` over HTTP: 3 warm-up requests, then the median and
// the slowest of 15. JT_BENCH_PG_URL picks the PostgreSQL server (default postgres://root@127.0.0.1:5432/test).
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchEnv, JT_BIN, jobsBenchProject, median, REPO_DIR, runIn } from "./lib/common.mjs";

const { values: flags } = parseArgs({
  options: { jobs: { type: "string", default: "1000000" }, stores: { type: "string", default: "sqlite,postgres" } },
});
const JOBS = Number(flags.jobs);
const PG_URL = process.env.JT_BENCH_PG_URL ?? "postgres://root@127.0.0.1:5432/test";
const require = createRequire(join(REPO_DIR, "package.json"));
const SPACING_MS = 600;

const PAGES = [
  ["overview", "/"],
  ["jobs, newest", "/jobs"],
  ["jobs, failed", "/jobs?state=failed"],
  ["jobs, one queue and task", "/jobs?queue=q3&task=task8"],
  ["jobs, page 100 (keyset)", null], // filled in: the before= of the 100th page
  ["jobs, text in args (common)", "/jobs?q=account-12"],
  ["jobs, text in errors (rare)", "RARE"],
  ["a job", "HALF"],
  ["schedules", "/schedules"],
  ["workers", "/workers"],
  ["metrics", "/metrics"],
];

function project(store) {
  const tasks = Array.from({ length: 20 }, (_, i) => `task("task${i}", { args: ["account", "n"] }, () => {});`).join("\n");
  const root = jobsBenchProject("dashboard", store, {
    "tasks/jobs.ts": `import { task } from "jobs-and-tasks";\n${tasks}\ntask("nightly", { cron: "0 3 * * *" }, () => {});\n`,
  });
  runIn(root, ["jobs:migrate"]);
  return root;
}

function seedSqlite(file, now) {
  const Database = require("better-sqlite3");
  const db = new Database(file);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF");
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @jobs),
     j AS (SELECT i, @now - (@jobs - i) * @spacing AS at,
            CASE WHEN i % 100 < 95 THEN 'completed' WHEN i % 100 < 98 THEN 'failed' WHEN i % 100 < 99 THEN 'queued' ELSE 'cancelled' END AS state
           FROM n)
     INSERT INTO jt_jobs (task, args, queue, priority, state, run_at, attempts, max_attempts, created_at, updated_at, finished_at, errors, started_at, worker)
     SELECT 'task' || (i % 20), json_array('account-' || i, '' || (i % 97)), 'q' || (i % 5), 0, state, at,
       CASE WHEN state = 'queued' THEN 0 ELSE 1 END, CASE WHEN state = 'failed' THEN 1 ELSE 3 END, at, at + 100,
       CASE WHEN state IN ('completed', 'failed', 'cancelled') THEN at + 100 END,
       CASE WHEN state = 'failed' THEN json_array(json_object('attempt', 1, 'at', at + 100, 'message', 'timeout talking to upstream ' || i)) ELSE '[]' END,
       CASE WHEN state IN ('completed', 'failed') THEN at END, CASE WHEN state IN ('completed', 'failed') THEN 'bench:1:abc' END
     FROM j`,
  ).run({ jobs: JOBS, now, spacing: SPACING_MS });
  db.exec("ANALYZE");
  db.close();
}

async function seedPostgres(schema, now) {
  const pg = require("pg");
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(
    `WITH j AS (SELECT i, to_timestamp(($2::double precision - ($1 - i) * $3) / 1000) AS at,
            CASE WHEN i % 100 < 95 THEN 'completed' WHEN i % 100 < 98 THEN 'failed' WHEN i % 100 < 99 THEN 'queued' ELSE 'cancelled' END AS state
           FROM generate_series(1, $1::int) AS i)
     INSERT INTO "${schema}".jobs (task, args, queue, priority, state, run_at, attempts, max_attempts, created_at, updated_at, finished_at, errors, started_at, worker)
     SELECT 'task' || (i % 20), jsonb_build_array('account-' || i, (i % 97)::text), 'q' || (i % 5), 0, state, at,
       CASE WHEN state = 'queued' THEN 0 ELSE 1 END, CASE WHEN state = 'failed' THEN 1 ELSE 3 END, at, at + interval '100 ms',
       CASE WHEN state IN ('completed', 'failed', 'cancelled') THEN at + interval '100 ms' END,
       CASE WHEN state = 'failed' THEN jsonb_build_array(jsonb_build_object('attempt', 1, 'at', extract(epoch FROM at) * 1000 + 100, 'message', 'timeout talking to upstream ' || i)) ELSE '[]' END,
       CASE WHEN state IN ('completed', 'failed') THEN at END, CASE WHEN state IN ('completed', 'failed') THEN 'bench:1:abc' END
     FROM j`,
    [JOBS, now, SPACING_MS],
  );
  await client.query(`VACUUM ANALYZE "${schema}".jobs`);
  await client.end();
}

async function dropSchema(schema) {
  const pg = require("pg");
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

async function serve(root) {
  const child = spawn(process.execPath, [JT_BIN, "jobs:dashboard", "--port", "0"], {
    cwd: root,
    env: benchEnv(),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  const url = await new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk) => {
      err += chunk;
      const match = /jobs dashboard on (http:\/\/\S+)\/ /.exec(err);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`jobs:dashboard exited ${code}: ${err}`)));
  });
  return { url, log: () => err, stop: () => child.kill("SIGTERM") };
}

async function time(url) {
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.text();
  if (!response.ok) throw new Error(`${url}: ${response.status} ${body.slice(0, 200)}`);
  return { ms: performance.now() - started, body };
}

async function measure(base) {
  const rows = [];
  // The 100th page's before=: the id 99 pages of 50 below the newest.
  let pageHundred = "/jobs";
  for (let i = 0; i < 99; i++) {
    const { body } = await time(`${base}${pageHundred}`);
    pageHundred = /<a rel="next" href="([^"]+)">/.exec(body)[1].replace(/&amp;/g, "&");
  }
  for (const [name, path] of PAGES) {
    const url = `${base}${path === "HALF" ? `/jobs/${Math.floor(JOBS / 2)}` : path === "RARE" ? `/jobs?q=upstream%20${Math.floor(JOBS / 100) * 100 - 4}` : (path ?? pageHundred)}`;
    for (let i = 0; i < 3; i++) await time(url);
    const times = [];
    for (let i = 0; i < 15; i++) times.push((await time(url)).ms);
    rows.push({ name, median: median(times), max: Math.max(...times) });
  }
  return rows;
}

const results = {};
for (const store of flags.stores.split(",")) {
  const now = Date.now();
  let root;
  let schema;
  const seeding = performance.now();
  if (store === "sqlite") {
    root = project("db/jobs.sqlite3");
    seedSqlite(join(root, "db", "jobs.sqlite3"), now);
  } else {
    schema = `jt_bench_dashboard_${process.pid}`;
    const url = new URL(PG_URL);
    url.searchParams.set("schema", schema);
    root = project(url.toString());
    await seedPostgres(schema, now);
  }
  console.error(`${store}: seeded ${JOBS} jobs in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
  const server = await serve(root);
  try {
    results[store] = await measure(server.url);
  } catch (error) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    console.error(server.log());
    throw error;
  } finally {
    server.stop();
    if (schema) await dropSchema(schema);
    rmSync(root, { recursive: true, force: true });
  }
}

const stores = Object.keys(results);
const label = { sqlite: "SQLite", postgres: "PostgreSQL" };
console.log(`| page (${JOBS.toLocaleString("en")} jobs) | ${stores.map((s) => `${label[s]} median / max`).join(" | ")} |`);
console.log(`|---|${stores.map(() => "---:").join("|")}|`);
for (let i = 0; i < PAGES.length; i++) {
  const cells = stores.map((s) => `${results[s][i].median.toFixed(0)} / ${results[s][i].max.toFixed(0)} ms`);
  console.log(`| ${PAGES[i][0]} | ${cells.join(" | ")} |`);
}
