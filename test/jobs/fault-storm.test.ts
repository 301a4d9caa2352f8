/**
 * A kill -9 storm with a ledger of executions (issue 12), on SQLite and on PostgreSQL: three
 * supervised workers drain jobs enqueued while their executors — and now and then a whole worker —
 * are killed with SIGKILL. Every run of a job appends to a ledger; afterwards no job is lost or
 * stuck, and every job that ran more than once ran in a process that was killed.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import type pg from "pg";
import { createJobs } from "../../src/index.js";
import { project, type TestProject } from "../helpers/project.js";
import { listJobs } from "../helpers/jobs.js";
import { adminClient, dropSchema, eventually, freshSchemaName, storeUrl } from "../helpers/postgres.js";
import { descendantsOf, spawnJt, type RunningJt } from "../helpers/spawn.js";

const JOBS = 240;
const STORM_MS = 6_000;

const TASKS = `import { task } from "jt";
import { appendFileSync } from "node:fs";

task("ledger", { args: ["n"], retry: { attempts: 50, backoff: 0 } }, async ({ args }) => {
  appendFileSync("ledger.log", \`start \${args.n} \${process.pid}\\n\`);
  await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 40));
  appendFileSync("ledger.log", \`done \${args.n} \${process.pid}\\n\`);
});
`;

let admin: pg.Client;
beforeAll(async () => {
  admin = await adminClient("jt-test-storm");
});
afterAll(async () => {
  await admin?.end();
});

/** The worker's executor: its child running bin/jt.js (it restarts under a new pid after each kill). */
function executorOf(worker: RunningJt): number | undefined {
  return descendantsOf(worker.pid).find((p) => p.command.includes("jt.js"))?.pid;
}

interface Ledger {
  starts: Map<string, number[]>;
  dones: Map<string, number[]>;
}

function readLedger(p: TestProject): Ledger {
  const ledger: Ledger = { starts: new Map(), dones: new Map() };
  const file = p.path("ledger.log");
  if (!existsSync(file)) return ledger;
  for (const line of readFileSync(file, "utf8").split("\n").filter(Boolean)) {
    const [what, n, pid] = line.split(" ");
    const map = what === "start" ? ledger.starts : ledger.dones;
    map.set(n!, [...(map.get(n!) ?? []), Number(pid)]);
  }
  return ledger;
}

async function storm(store: "sqlite" | "postgres"): Promise<void> {
  const started = Date.now();
  let url: string | undefined;
  if (store === "postgres") {
    const schema = freshSchemaName();
    url = storeUrl(schema);
    onTestFinished(() => dropSchema(admin, schema));
  }
  const p = project({
    "jt.config.json": `${JSON.stringify({ jobs: { ...(url ? { store: url } : {}), lease: "1s", pollInterval: "100ms" } }, null, 2)}\n`,
    "tasks/jobs.ts": TASKS,
  });
  expect((await p.run(["jobs:migrate"])).code).toBe(0);
  const workers: RunningJt[] = [];
  const startWorker = async () => {
    const worker = spawnJt(p.root, ["jobs:work", "--concurrency", "4"], {}, { onTestFinished });
    workers.push(worker);
    await worker.waitFor("stderr", /jt: worker \S+ working/, 30_000);
    return worker;
  };
  const live = await Promise.all([startWorker(), startWorker(), startWorker()]);
  const client = createJobs({ root: p.root });
  onTestFinished(() => client.close());
  const killed = new Set<number>();
  let executorKills = 0;
  let workerKills = 0;
  const enqueued: Promise<unknown>[] = [];
  const stormEnds = Date.now() + STORM_MS;
  let batch = 0;
  while (Date.now() < stormEnds) {
    // Jobs keep arriving during the storm, as from a web process.
    if (batch < 3) {
      const from = batch * (JOBS / 3);
      enqueued.push(
        client.enqueueMany(Array.from({ length: JOBS / 3 }, (_, i) => ({ task: "ledger", options: { args: [String(from + i + 1)] } }))),
      );
      batch += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 300));
    const index = Math.floor(Math.random() * live.length);
    const victim = live[index]!;
    if (Math.random() < 0.8) {
      const executor = executorOf(victim);
      if (executor === undefined) continue; // between executors
      killed.add(executor);
      process.kill(executor, "SIGKILL");
      executorKills += 1;
    } else {
      // The machine dies: supervisor and executor at once; its jobs wait for their lease.
      const executor = executorOf(victim);
      if (executor !== undefined) killed.add(executor);
      killed.add(victim.pid);
      victim.killTree("SIGKILL");
      workerKills += 1;
      live[index] = await startWorker();
    }
  }
  await Promise.all(enqueued);
  while (batch < 3) {
    const from = batch * (JOBS / 3);
    await client.enqueueMany(Array.from({ length: JOBS / 3 }, (_, i) => ({ task: "ledger", options: { args: [String(from + i + 1)] } })));
    batch += 1;
  }

  const counts = await eventually(
    "every job completed",
    async () => {
      const jobs = await listJobs(p);
      const completed = jobs.filter((job) => job.state === "completed").length;
      return completed === JOBS ? jobs : undefined;
    },
    60_000,
    500,
  );
  for (const worker of live) worker.kill("SIGTERM");
  const exits = await Promise.all(live.map((worker) => worker.exited));
  for (const exit of exits) expect(exit.code, exit.stderr).toBe(143);

  const ledger = readLedger(p);
  const lost = Array.from({ length: JOBS }, (_, i) => String(i + 1)).filter((n) => !ledger.dones.has(n));
  const unexplained: string[] = [];
  let duplicates = 0;
  for (const [n, starts] of ledger.starts) {
    if (starts.length === 1) continue;
    duplicates += starts.length - 1;
    // Every run before the last was cut short or not recorded: it ran in a process that was killed.
    for (const pid of starts.slice(0, -1)) if (!killed.has(pid)) unexplained.push(`job ${n}: an earlier run in ${pid}, never killed`);
  }
  const stuck = counts.filter((job) => job.state !== "completed");
  console.info(
    `[storm ${store}] ${JOBS} jobs, ${executorKills} executors and ${workerKills} whole workers killed: ` +
      `${lost.length} lost, ${duplicates} duplicate runs (all explained: ${unexplained.length === 0}), ${stuck.length} stuck, ` +
      `max attempts ${Math.max(...counts.map((job) => job.attempts))}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  expect(lost).toEqual([]);
  expect(stuck).toEqual([]);
  expect(unexplained).toEqual([]);
  expect(executorKills + workerKills).toBeGreaterThan(5);
}

describe("a kill -9 storm: zero lost, no job stuck, every duplicate run explained by a kill", { timeout: 120_000 }, () => {
  test("on SQLite", () => storm("sqlite"));
  test("on PostgreSQL", () => storm("postgres"));
});
