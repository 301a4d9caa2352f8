/**
 * Several machines, simulated (issue 7): real `jt jobs:work` processes sharing one PostgreSQL
 * schema. No job runs twice except after a lost lease; `kill -9` of a worker → its job finishes
 * elsewhere; three workers with the clock on → exactly one job per cron slot; a worker whose
 * connections are killed from the test (not the server) carries on; and the jobs:* verbs.
 *
 * Each test has a project of its own whose jt.config.json points at a fresh schema (jt_t_<random>,
 * dropped afterwards) with a 1 s lease and a 200 ms poll. Its tasks append a line to a file per
 * run, which is how the tests count runs. jt sets no application_name of its own, so a test names
 * a worker's connections with PGAPPNAME (the pg driver honours it) to find and kill exactly them.
 * Tests wait for output or for the database to show something, never for a fixed time; their
 * time limits are safety nets.
 */
import type pg from "pg";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { createJobs } from "../../src/index.js";
import { PostgresStore } from "../../src/jobs/store/postgres.js";
import { JT_BIN, project, type TestProject } from "../helpers/project.js";
import { spawnJt, type RunningJt } from "../helpers/spawn.js";
import { tcpProxy } from "../helpers/proxy.js";
import { fromJson, withoutTimes, type JobJson } from "../helpers/jobs.js";
import { adminClient, backends, dropSchema, eventually, freshSchemaName, storeUrl, terminate } from "../helpers/postgres.js";

let admin: pg.Client;
beforeAll(async () => {
  admin = await adminClient();
});
afterAll(async () => {
  await admin?.end();
});

const WORKER_STARTED = /jt: worker \S+ working/;

/** The project's task file: every run appends "<task> <arg> <pid>" to runs.log. */
function tasks(p: TestProject, extra = ""): string {
  return `import { task } from "jt";
import { appendFileSync, existsSync, writeFileSync } from "node:fs";

const LOG = ${JSON.stringify(p.path("runs.log"))};
const ran = (line: string) => appendFileSync(LOG, \`\${line} \${process.pid}\\n\`);

task("record", { args: ["n"] }, ({ args }) => {
  ran(\`record \${args.n}\`);
});

/** Hangs on its first run (the worker is killed meanwhile); later runs finish at once. */
task("stuck_once", { args: ["n"] }, async ({ args }) => {
  const marker = \`\${LOG}.stuck-\${args.n}\`;
  const first = !existsSync(marker);
  if (first) writeFileSync(marker, "");
  ran(\`stuck_once \${args.n} start\`);
  console.log(\`stuck_once \${args.n} started in \${process.pid}\`);
  if (first) await new Promise((resolve) => setTimeout(resolve, 120_000));
  ran(\`stuck_once \${args.n} done\`);
});

${extra}`;
}

interface PgProject {
  p: TestProject;
  schema: string;
  url: string;
  /** A store of the test's own on the project's schema. */
  store: PostgresStore;
  /** Starts `jt jobs:work …` with its connections named `name`; resolves once it is working. */
  worker(name: string, args?: readonly string[]): Promise<RunningJt>;
  /** The lines runs.log has so far. */
  runs(): string[];
}

/** A project on a fresh schema (migrated by the test's store), its workers killed and schema dropped afterwards. */
async function pgProject(options: { tasks?: string; jobs?: Record<string, unknown> } = {}): Promise<PgProject> {
  const schema = freshSchemaName();
  const url = storeUrl(schema);
  const p = project();
  p.file("jt.config.json", `${JSON.stringify({ jobs: { store: url, lease: "1s", pollInterval: "200ms", ...options.jobs } }, null, 2)}\n`);
  p.file("tasks/jobs.ts", tasks(p, options.tasks));
  const store = new PostgresStore(url, { poolSize: 2 });
  const workers: RunningJt[] = [];
  onTestFinished(async () => {
    for (const w of workers) w.stop();
    await Promise.all(workers.map((w) => w.exited.catch(() => {})));
    await store.close().catch(() => {});
    await dropSchema(admin, schema);
  });
  await store.migrate();
  return {
    p,
    schema,
    url,
    store,
    async worker(name, args = []) {
      const w = spawnJt(p.root, ["jobs:work", ...args], { env: { PGAPPNAME: name }, timeoutMs: 60_000 });
      workers.push(w);
      await w.waitFor("stderr", WORKER_STARTED, 30_000);
      return w;
    },
    runs() {
      const file = p.path("runs.log");
      return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
    },
  };
}

/** Terminates every backend of the worker named `name` and waits until the server shows none; returns their pids. */
async function killAllOf(name: string): Promise<number[]> {
  const pids = (await backends(admin, { applicationName: name })).map((b) => b.pid);
  await terminate(admin, pids);
  await eventually(
    "the killed backends are gone",
    async () => !(await backends(admin, { applicationName: name })).some((b) => pids.includes(b.pid)),
  );
  return pids;
}

function appName(what: string): string {
  return `jt-w-${what}-${randomBytes(3).toString("hex")}`;
}

async function counts(schema: string): Promise<Record<string, number>> {
  const { rows } = await admin.query<{ state: string; n: string }>(`SELECT state, count(*) AS n FROM "${schema}".jobs GROUP BY state`);
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** SIGTERMs a worker and returns its exit (SIGKILL after 15 s, which the exit shows as timedOut/signal). */
async function stop(worker: RunningJt) {
  worker.kill("SIGTERM");
  const timer = setTimeout(() => worker.stop(), 15_000);
  try {
    return await worker.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Enqueues through the app's API (createJobs), as a web process would. */
async function enqueueFromApp(project: PgProject, jobs: readonly { task: string; args?: (string | number)[] }[]) {
  const client = createJobs({ root: project.p.root, store: project.url });
  try {
    return await client.enqueueMany(jobs.map(({ task, args }) => ({ task, options: { args } })));
  } finally {
    await client.close();
  }
}

describe("several workers on one PostgreSQL database", () => {
  test("three workers drain 300 jobs: every job ran exactly once, and all completed", async () => {
    const t = await pgProject();
    const workers = await Promise.all([1, 2, 3].map((i) => t.worker(appName(`drain${i}`))));
    const enqueued = await enqueueFromApp(
      t,
      Array.from({ length: 300 }, (_, n) => ({ task: "record", args: [n] })),
    );
    expect(enqueued).toHaveLength(300);
    await eventually("300 jobs completed", async () => (await counts(t.schema)).completed === 300, 45_000, 100);

    const exits = await Promise.all(workers.map(stop));
    for (const exit of exits) expect(exit, exit.stderr).toMatchObject({ code: 143, timedOut: false });
    const runs = t.runs();
    expect(runs).toHaveLength(300);
    const byArg = new Map<string, number>();
    for (const line of runs) byArg.set(line.split(" ")[1]!, (byArg.get(line.split(" ")[1]!) ?? 0) + 1);
    expect([...byArg.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...byArg.keys()].map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, n) => n));
    // Every job once: one attempt each, no lease lost.
    const jobs = await t.store.list({ limit: 1000 });
    expect(jobs.filter((j) => j.state !== "completed" || j.attempts !== 1 || j.errors.length > 0)).toEqual([]);
    // The workers shared the work (each claims at most its concurrency at a time).
    const pids = new Set(runs.map((line) => line.split(" ")[2]));
    expect(
      pids.size,
      `runs per worker pid: ${JSON.stringify(Object.fromEntries([...pids].map((pid) => [pid, runs.filter((l) => l.endsWith(` ${pid}`)).length])))}`,
    ).toBeGreaterThanOrEqual(2);
    // Nothing went wrong on the way (the summary line aside: "0 failed for good").
    for (const exit of exits) {
      expect(
        withoutTimes(exit.stderr)
          .split("\n")
          .filter((line) => !line.startsWith("jt: worker stopped:") && /failed|could not|expired|error/i.test(line)),
      ).toEqual([]);
    }
  });

  test("kill -9 of a worker mid-job: another worker completes it, on attempt 2, the expired lease recorded", async () => {
    const t = await pgProject();
    const workers = await Promise.all([1, 2].map((i) => t.worker(appName(`kill${i}`))));
    const [job] = await enqueueFromApp(t, [{ task: "stuck_once", args: [1] }]);

    // Whichever worker took it: kill it.
    const victim = await Promise.race(
      workers.map(async (w) => {
        await w.waitFor("stdout", /stuck_once 1 started in \d+/, 20_000);
        return w;
      }),
    );
    const survivor = workers.find((w) => w !== victim)!;
    victim.killTree("SIGKILL"); // the worker and its executor: a machine that died
    expect((await victim.exited).signal).toBe("SIGKILL");

    // The survivor puts the job back once its lease (1 s) expires, and runs it again.
    await survivor.waitFor("stderr", new RegExp(`job ${job!.id} stuck_once\\[1\\] completed`), 20_000);
    const done = (await t.store.get(job!.id))!;
    expect(done).toMatchObject({ state: "completed", attempts: 2, lockedBy: null, lockedUntil: null });
    expect(done.errors).toHaveLength(1);
    expect(done.errors[0]).toMatchObject({ attempt: 1, message: expect.stringMatching(/lease expired/) });
    expect(t.runs().map((line) => line.replace(/ \d+$/, ""))).toEqual(["stuck_once 1 start", "stuck_once 1 start", "stuck_once 1 done"]);
    expect(t.runs().map((line) => line.split(" ").at(-1))).toEqual([
      String(victim.workerPid),
      String(survivor.workerPid),
      String(survivor.workerPid),
    ]);
    expect(survivor.stderr).toMatch(/put back 1 job whose worker stopped/);
    expect((await stop(survivor)).code).toBe(143);
  });

  test("three workers with a per-second cron for ~4 s: exactly one job per slot", async () => {
    const t = await pgProject({
      tasks: `task("tick", { cron: "* * * * * *" }, () => ran("tick"));\n`,
    });
    const workers = await Promise.all([1, 2, 3].map((i) => t.worker(appName(`cron${i}`))));
    const enqueuedSlots = () =>
      workers.flatMap((w) => [...w.stderr.matchAll(/cron \* \* \* \* \* \*: enqueued tick for (\S+)/g)].map((m) => m[1]!));
    // Let the clocks of all three run for about four seconds' worth of slots.
    await eventually("5 cron slots enqueued", () => enqueuedSlots().length >= 5, 30_000, 50);
    const exits = await Promise.all(workers.map(stop));
    for (const exit of exits) expect(exit.code, exit.stderr).toBe(143);

    const slots = enqueuedSlots()
      .map((iso) => Date.parse(iso))
      .sort((a, b) => a - b);
    // No slot twice, none skipped between the first and the last.
    expect(new Set(slots).size).toBe(slots.length);
    expect(slots.slice(1).map((slot, i) => slot - slots[i]!)).toEqual(slots.slice(1).map(() => 1000));
    // One job per slot in the store, each run at most once (the last ones may still have been queued).
    const jobs = await t.store.list({ task: "tick", limit: 1000 });
    expect(jobs).toHaveLength(slots.length);
    const completed = jobs.filter((j) => j.state === "completed");
    expect(completed.every((j) => j.attempts === 1)).toBe(true);
    expect(t.runs().filter((line) => line.startsWith("tick "))).toHaveLength(completed.length);
    expect(completed.length).toBeGreaterThanOrEqual(slots.length - 3);
  });

  test("a worker whose database connections are killed carries on: it completes jobs enqueued afterwards", async () => {
    const t = await pgProject();
    const name = appName("drop");
    const worker = await t.worker(name);
    const [first] = await enqueueFromApp(t, [{ task: "record", args: ["before"] }]);
    await worker.waitFor("stderr", new RegExp(`job ${first!.id} record\\[before\\] completed`));
    // Its connections: the store's pool, the LISTEN connection and the heartbeat thread's.
    const mine = await eventually("the worker's LISTEN connection", async () => {
      const found = await backends(admin, { applicationName: name });
      return found.some((b) => b.query.startsWith("LISTEN")) ? found : undefined;
    });
    expect(mine.length).toBeGreaterThanOrEqual(2);

    for (let round = 1; round <= 3; round++) {
      const killed = await killAllOf(name);
      expect(killed.length, `round ${round}: backends killed`).toBeGreaterThan(0);
      const jobs = await enqueueFromApp(
        t,
        Array.from({ length: 5 }, (_, i) => ({ task: "record", args: [`r${round}-${i}`] })),
      );
      for (const job of jobs) await worker.waitFor("stderr", new RegExp(`job ${job.id} record\\[r${round}-\\d\\] completed`), 20_000);
      // It connected again (it listens again, on a new connection).
      await eventually(`round ${round}: listening again`, async () =>
        (await backends(admin, { applicationName: name })).some((b) => b.query.startsWith("LISTEN") && !killed.includes(b.pid)),
      );
    }
    expect(new Set(t.runs().map((l) => l.split(" ")[1])).size).toBe(16);
    expect(t.runs()).toHaveLength(16);
    const exit = await stop(worker);
    expect(exit, exit.stderr).toMatchObject({ code: 143, timedOut: false });
  });

  test("the database goes away while a job runs and comes back seconds later: its outcome is written once it is back, no attempt lost", async () => {
    const t = await pgProject({
      jobs: { lease: "10s" },
      tasks: `task("outage", async () => {
  console.log("outage: started");
  const go = LOG + ".go";
  while (!existsSync(go)) await new Promise((resolve) => setTimeout(resolve, 50));
  ran("outage done");
});
`,
    });
    const target = new URL(t.url);
    const proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    onTestFinished(() => proxy.close());
    const through = new URL(t.url);
    through.port = String(proxy.port);
    t.p.file(
      "jt.config.json",
      `${JSON.stringify({ jobs: { store: through.toString(), lease: "10s", pollInterval: "200ms" } }, null, 2)}\n`,
    );
    const worker = await t.worker(appName("outage"));
    const [job] = await enqueueFromApp(t, [{ task: "outage" }]);
    await worker.waitFor("stdout", "outage: started");

    await proxy.cut();
    t.p.file("runs.log.go", "");
    await worker.waitFor(
      "stderr",
      new RegExp(`^\\S+ jt: job ${job!.id}: recording the outcome failed \\(.+\\); trying again for up to 10s, the lease$`, "m"),
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // down for a few seconds, as a restart is
    await proxy.restore();
    await worker.waitFor("stderr", `jt: job ${job!.id}: outcome recorded, the store is back`, 20_000);
    await worker.waitFor("stderr", new RegExp(`jt: job ${job!.id} outage completed`), 20_000);

    const stored = (await t.store.get(job!.id))!;
    expect(stored).toMatchObject({ state: "completed", attempts: 1, errors: [] });
    expect(t.runs().filter((line) => line.startsWith("outage done"))).toHaveLength(1);
    const exit = await stop(worker);
    expect(exit, exit.stderr).toMatchObject({ code: 143, timedOut: false });
  });

  test("connections killed while the worker is busy in a CPU-bound task: the job and the next ones complete, the worker stays up", async () => {
    const t = await pgProject({
      tasks: `task("spin", { args: ["n"] }, ({ args }) => {
  console.log(\`spin \${args.n} started\`);
  const until = Date.now() + 1500;
  while (Date.now() < until) {} // CPU-bound: the worker's event loop does not run meanwhile
  ran(\`spin \${args.n}\`);
});
`,
    });
    const name = appName("busy");
    const worker = await t.worker(name);
    const [spin] = await enqueueFromApp(t, [{ task: "spin", args: [1] }]);
    await worker.waitFor("stdout", "spin 1 started");
    // Kill them all while the task spins: the worker sees the drop only when it next uses them.
    expect((await killAllOf(name)).length).toBeGreaterThan(0);
    await worker.waitFor("stderr", new RegExp(`job ${spin!.id} spin\\[1\\] (completed|finished, but)`), 20_000);
    const after = await enqueueFromApp(
      t,
      Array.from({ length: 5 }, (_, i) => ({ task: "record", args: [`after-${i}`] })),
    );
    await eventually(
      "the spin job and the jobs enqueued after it completed",
      async () => (await counts(t.schema)).completed === 1 + after.length,
      20_000,
      100,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- worker stderr ---\n${worker.stderr}`);
    });
    const exit = await stop(worker);
    expect(exit, exit.stderr).toMatchObject({ code: 143, timedOut: false });
  });
});

describe("the jobs:* verbs on PostgreSQL", () => {
  test("jt jobs:migrate creates jt's schema, and is idempotent, also when several run at once", async () => {
    const schema = freshSchemaName();
    onTestFinished(() => dropSchema(admin, schema));
    const p = project({
      "jt.config.json": `${JSON.stringify({ jobs: { store: storeUrl(schema) } })}\n`,
      "tasks/a.ts": `import { task } from "jt";\ntask("a", () => {});\n`,
    });
    const migrations = async () =>
      (
        await admin.query<{ version: number; applied_at: Date }>(`SELECT version, applied_at FROM "${schema}".migrations ORDER BY version`)
      ).rows.map((r) => `${r.version}@${r.applied_at.toISOString()}`);
    // The release phase of several dynos at once.
    const results = await Promise.all([1, 2, 3].map(() => p.run(["jobs:migrate"], { timeoutMs: 30_000 })));
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      // The URL without its credentials.
      expect(r.stdout).toBe(`The job store is up to date: PostgreSQL ${storeUrl(schema).replace(/\/\/[^@/]*@/, "//…@")}\n`);
      expect(r.stdout).toContain(`//…@`);
    }
    const first = await migrations();
    expect(first.length).toBeGreaterThan(0);
    const tables = await admin.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
      [schema],
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(["cron", "jobs", "migrations"]));
    const again = await p.run(["jobs:migrate"]);
    expect(again.code, again.stderr).toBe(0);
    expect(await migrations()).toEqual(first);
  });

  test("a server that is not there: jobs:migrate fails with a clear message, not a stack", async () => {
    const p = project({
      "jt.config.json": `${JSON.stringify({ jobs: { store: "postgres://root@127.0.0.1:1/test?schema=nowhere" } })}\n`,
      "tasks/a.ts": `import { task } from "jt";\ntask("a", () => {});\n`,
    });
    const result = await p.run(["jobs:migrate"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Cannot open the job store \(PostgreSQL postgres:\/\/…@127\.0\.0\.1:1\/test\?schema=nowhere\)/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  test("enqueue, list, show, cancel, workoff, retry, discard, stats, prune, cron, crontab and clear work on PostgreSQL", async () => {
    const t = await pgProject({
      tasks: `task("flaky", { retry: { attempts: 1 } }, () => {
  if (!existsSync(LOG + ".fixed")) throw new Error("flaky boom");
  ran("flaky");
});
task("nightly", { cron: "0 3 * * *" }, () => {});
`,
    });
    const jt = async (args: string[], expectCode = 0) => {
      const result = await t.p.run(args, { timeoutMs: 30_000 });
      expect(result.code, `jt ${args.join(" ")}\n${result.stdout}${result.stderr}`).toBe(expectCode);
      return result.stdout;
    };
    const idOf = (stdout: string) => Number(/^(?:Already enqueued|Enqueued) job (\d+): /.exec(stdout)![1]);
    const list = async (...args: string[]) => (JSON.parse(await jt(["jobs:list", "--json", ...args])) as JobJson[]).map(fromJson);

    const one = idOf(await jt(["jobs:enqueue", "record[1]"]));
    const later = idOf(await jt(["jobs:enqueue", "record[2]", "--in", "1h"]));
    const unique = await jt(["jobs:enqueue", "record[3]", "--unique", "--queue", "low"]);
    expect(await jt(["jobs:enqueue", "record[3]", "--unique", "--queue", "low"])).toMatch(
      new RegExp(`^Already enqueued job ${idOf(unique)}: `),
    );
    const flaky = idOf(await jt(["jobs:enqueue", "flaky"]));
    const unknown = await t.p.run(["jobs:enqueue", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Cannot enqueue 'nope': there is no such task/);
    expect((await list()).map((j) => j.id)).toEqual([flaky, idOf(unique), later, one]);
    expect((await list("--queue", "low")).map((j) => j.args)).toEqual([["3"]]);
    expect((await list("--task", "record", "--state", "queued")).map((j) => j.id)).toEqual([idOf(unique), later, one]);

    expect(await jt(["jobs:cancel", String(later)])).toBe(`Cancelled 1 job: ${later}\n`);
    const workoff = await t.p.run(["jobs:workoff"], { timeoutMs: 30_000 });
    expect(workoff.code, workoff.stderr).toBe(1); // flaky failed for good
    expect(workoff.stderr).toMatch(/flaky failed for good after 1 attempt: flaky boom/);
    const failed = fromJson(JSON.parse(await jt(["jobs:show", String(flaky), "--json"])) as JobJson);
    expect(failed).toMatchObject({ state: "failed", attempts: 1, errors: [{ attempt: 1, message: "flaky boom" }] });
    expect(failed.errors[0]!.stack).toMatch(/flaky boom/);
    expect(await jt(["jobs:show", String(flaky)])).toMatch(/flaky boom/);
    const stats = JSON.parse(await jt(["jobs:stats", "--json"])) as { queue: string; state: string; count: number }[];
    expect(stats).toEqual(
      expect.arrayContaining([
        { queue: "default", state: "completed", count: 1 },
        { queue: "default", state: "failed", count: 1 },
        { queue: "default", state: "cancelled", count: 1 },
        { queue: "low", state: "completed", count: 1 },
      ]),
    );
    expect(stats).toHaveLength(4);

    t.p.file("runs.log.fixed", "");
    expect(await jt(["jobs:retry", "--all-failed"])).toBe(`Retried 1 job: ${flaky}\n`);
    await jt(["jobs:workoff"]);
    expect((JSON.parse(await jt(["jobs:show", String(flaky), "--json"])) as JobJson).state).toBe("completed");
    expect(
      t
        .runs()
        .map((l) => l.replace(/ \d+$/, ""))
        .sort(),
    ).toEqual(["flaky", "record 1", "record 3"]);

    expect(await jt(["jobs:discard", String(later)])).toBe(`Discarded 1 job: ${later}\n`);
    expect(await jt(["jobs:prune", "--older-than", "1h"])).toBe("Pruned 0 completed jobs\n");
    await eventually(
      "a completed job a few ms old",
      async () => (await t.store.now()) > Math.max(...(await t.store.list({ states: ["completed"] })).map((j) => j.finishedAt!)),
    );
    expect(await jt(["jobs:prune", "--older-than", "1ms"])).toBe("Pruned 3 completed jobs\n");

    const cron = JSON.parse(await jt(["jobs:cron", "--json"])) as { task: string; cron: string; lastRun: string | null; nextRun: string }[];
    expect(cron).toMatchObject([{ task: "nightly", cron: "0 3 * * *", lastRun: null, nextRun: expect.stringMatching(/T03:00:00\.000Z$/) }]);
    expect(await jt(["jobs:crontab"])).toContain(`0 3 * * * cd ${t.p.root} && ${process.execPath} ${JT_BIN} nightly`);

    await jt(["jobs:enqueue", "record[4]"]);
    expect(await jt(["jobs:clear", "--yes"])).toBe("Deleted 1 job\n");
    expect(await list()).toEqual([]);
  });
});
