/**
 * Schedules changed at run time (issue 16), on both stores: a schedule made for a task and its
 * args fires exactly once per slot across three workers and survives their restart; a code
 * schedule's cron overridden and the override removed; a run-time schedule paused and resumed;
 * `jobs:cron test` runs the task now; app code's setSchedule / schedules / removeSchedule; bad
 * input refused with nothing written.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import { fileLines, jobsProject, listJobs, stopWorker } from "../helpers/jobs.js";
import { eachStore } from "../helpers/postgres.js";
import type { TestProject } from "../helpers/project.js";
import { spawnJt } from "../helpers/spawn.js";

const TASKS = `import { appendFileSync } from "node:fs";
import { task } from "jobs-and-tasks";

task("reports:daily", { cron: "0 3 * * *", tz: "Europe/Paris" }, () => {
  appendFileSync("ran.txt", "daily\\n");
});
task("reports:export", { args: ["format", "tenant"] }, ({ args }) => {
  if (args.format === "pdf") throw new Error("no pdf renderer");
  appendFileSync("ran.txt", \`export \${args.format} \${args.tenant}\\n\`);
  console.log(\`exported \${args.tenant}\`);
});
`;

const API = `import { createJobs } from "jobs-and-tasks";
const jobs = createJobs();
const made = await jobs.setSchedule("export:acme", { task: "reports:export", args: ["csv", "acme"], cron: "0 2 * * *", tz: "Europe/Paris" });
const override = await jobs.setSchedule("reports:daily", { cron: "30 4 * * *" });
const listed = (await jobs.schedules()).map((s) => [s.name, s.source, s.cron, s.tz ?? null, s.code?.cron ?? null]);
let refused;
try {
  await jobs.setSchedule("export:bad", { task: "reports:export", args: [1, 2, 3], cron: "* * * * *" });
} catch (error) {
  refused = error.message;
}
await jobs.removeSchedule("reports:daily");
const after = (await jobs.schedules()).map((s) => [s.name, s.source, s.cron]);
console.log(JSON.stringify({ made, override: override.source, listed, refused, after }));
await jobs.close();
`;

interface CronJson {
  name: string;
  task: string;
  args: string[];
  cron: string;
  tz: string | null;
  source: string;
  code: { cron: string; tz: string | null } | null;
  paused: boolean;
}

const stores = eachStore();

function app(): TestProject {
  return jobsProject("runtime-schedules-app", TASKS, { files: { "api.mjs": API } });
}

async function cron(p: TestProject, env: Record<string, string>): Promise<CronJson[]> {
  const result = await p.run(["jobs:cron", "--json"], { env });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as CronJson[];
}

/** Three `jt jobs:work` for `ms`, then SIGTERM. */
async function runWorkers(p: TestProject, env: Record<string, string>, ms: number): Promise<void> {
  const workers = [0, 1, 2].map(() => spawnJt(p.root, ["jobs:work"], { env }, { onTestFinished }));
  await Promise.all(workers.map((w) => w.waitFor("stderr", /jt: worker \S+ working/)));
  await new Promise((resolve) => setTimeout(resolve, ms));
  for (const exit of await Promise.all(workers.map((w) => stopWorker(w)))) expect(exit.code, exit.stderr).toBe(143);
}

describe.each(Object.keys(stores))("run-time schedules, on %s", (name) => {
  test("a schedule added at run time fires exactly once per slot across three workers, and again after they restart", async () => {
    const env = stores[name]!();
    const p = app();
    const added = await p.run(["jobs:cron", "add", "export:acme", "reports:export[csv,acme]", "* * * * * *"], { env });
    expect(added).toMatchObject({ code: 0, stderr: "" });
    expect(added.stdout).toBe('Added schedule export:acme: reports:export[csv,acme] on "* * * * * *", made at run time\n');
    expect((await cron(p, env)).map((s) => [s.name, s.task, s.args, s.source])).toEqual([
      ["export:acme", "reports:export", ["csv", "acme"], "runtime"],
      ["reports:daily", "reports:daily", [], "code"],
    ]);

    await runWorkers(p, env, 3_000);
    const first = (await listJobs(p, [], env)).filter((job) => job.task === "reports:export");
    await runWorkers(p, env, 3_000);
    const all = (await listJobs(p, [], env)).filter((job) => job.task === "reports:export");
    const slots = all.map((job) => job.runAt);
    expect(new Set(slots).size, "one job per slot").toBe(slots.length);
    expect(slots.every((slot) => slot % 1000 === 0)).toBe(true);
    expect(first.length).toBeGreaterThanOrEqual(2);
    expect(all.length, "the schedule survived the workers' restart").toBeGreaterThan(first.length);
    expect(all.every((job) => job.args.join(",") === "csv,acme")).toBe(true);
    const ran = fileLines(p, "ran.txt").filter((line) => line === "export csv acme");
    expect(ran.length).toBe(all.filter((job) => job.state === "completed").length);
  }, 90_000);

  test("a task's cron overridden at run time runs on the override; removed, the task file's applies again; a paused one passes its slots", async () => {
    const env = stores[name]!();
    const p = app();
    const set = await p.run(["jobs:cron", "set", "reports:daily", "* * * * * *", "--tz", "UTC"], { env });
    expect(set.stdout).toBe(
      'Changed schedule reports:daily: reports:daily on "* * * * * *" (UTC), overriding its task file\'s "0 3 * * *" (Europe/Paris)\n',
    );
    const [daily] = await cron(p, env);
    expect(daily).toMatchObject({ cron: "* * * * * *", tz: "UTC", source: "override", code: { cron: "0 3 * * *", tz: "Europe/Paris" } });
    const table = await p.run(["jobs:cron"], { env });
    expect(table.stdout).toMatch(/^reports:daily +reports:daily +\* \* \* \* \* \* +UTC +override of 0 3 \* \* \* \(Europe\/Paris\) /m);

    await runWorkers(p, env, 2_500);
    const overridden = (await listJobs(p, [], env)).filter((job) => job.task === "reports:daily").length;
    expect(overridden).toBeGreaterThanOrEqual(1);

    expect((await p.run(["jobs:cron", "remove", "reports:daily"], { env })).stdout).toBe(
      "Removed the override of reports:daily: it runs on its task file's cron again\n",
    );
    expect((await cron(p, env))[0]).toMatchObject({ cron: "0 3 * * *", tz: "Europe/Paris", source: "code", code: null });

    // A run-time schedule, paused: its slots pass without a job until it is resumed.
    await p.run(["jobs:cron", "add", "export:beta", "reports:export[csv,beta]", "* * * * * *"], { env });
    expect((await p.run(["jobs:cron", "pause", "export:beta"], { env })).stdout).toBe("Paused schedule export:beta\n");
    await runWorkers(p, env, 2_500);
    const jobs = await listJobs(p, [], env);
    expect(jobs.filter((job) => job.task === "reports:daily").length, "no more slots of the override").toBe(overridden);
    expect(jobs.filter((job) => job.task === "reports:export")).toEqual([]);
    expect((await p.run(["jobs:cron", "resume", "export:beta"], { env })).stdout).toBe("Resumed schedule export:beta\n");
    await runWorkers(p, env, 2_500);
    expect((await listJobs(p, [], env)).filter((job) => job.task === "reports:export").length).toBeGreaterThanOrEqual(1);
  }, 90_000);

  test("app code sets, lists and removes schedules; a bad one throws", async () => {
    const env = stores[name]!();
    const p = app();
    const run = spawnJt(p.root, [], { env, bin: "api.mjs", timeoutMs: 60_000 }, { onTestFinished });
    const exit = await run.exited;
    expect(exit.stderr).toBe("");
    const out = JSON.parse(exit.stdout) as Record<string, unknown>;
    expect(out.made).toEqual({
      name: "export:acme",
      task: "reports:export",
      args: ["csv", "acme"],
      cron: "0 2 * * *",
      tz: "Europe/Paris",
      source: "runtime",
    });
    expect(out.override).toBe("override");
    expect(out.listed).toEqual([
      ["export:acme", "runtime", "0 2 * * *", "Europe/Paris", null],
      // The override keeps the task's zone when it names none.
      ["reports:daily", "override", "30 4 * * *", "Europe/Paris", "0 3 * * *"],
    ]);
    expect(out.refused).toBe(
      "Schedule 'export:bad': Cannot enqueue reports:export[1,2,3]: 'reports:export' takes 2 args [format,tenant], not 3",
    );
    expect(out.after).toEqual([
      ["export:acme", "runtime", "0 2 * * *"],
      ["reports:daily", "code", "0 3 * * *"],
    ]);
  }, 60_000);
});

describe("run-time schedules: jobs:cron test, and bad input", () => {
  test("jobs:cron test runs the schedule's task now, in the foreground, its exit status the command's", async () => {
    const p = app();
    await p.run(["jobs:cron", "add", "export:acme", "reports:export[csv,acme]", "0 2 * * *"]);
    const ok = await p.run(["jobs:cron", "test", "export:acme"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe("exported acme\n");
    expect(ok.stderr).toContain('jt: schedule export:acme: running reports:export[csv,acme] now, as a slot of "0 2 * * *" would');
    await p.run(["jobs:cron", "add", "export:pdf", "reports:export[pdf,acme]", "0 2 * * *"]);
    const failed = await p.run(["jobs:cron", "test", "export:pdf"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("no pdf renderer");
    expect((await p.run(["jobs:cron", "test", "reports:daily"])).code).toBe(0);
    expect(fileLines(p, "ran.txt")).toEqual(["export csv acme", "daily"]);
    expect(await listJobs(p)).toEqual([]);
  }, 60_000);

  test("a duplicate name, a code schedule's name, an unknown task, too many args, a bad cron or zone, an unknown schedule: exit 2, nothing written", async () => {
    const p = app();
    await p.run(["jobs:cron", "add", "export:acme", "reports:export[csv,acme]", "0 2 * * *"]);
    const before = (await p.run(["jobs:cron", "--json"])).stdout;
    const refused = async (args: string[], message: string) => {
      const result = await p.run(["jobs:cron", ...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(message);
    };
    await refused(["add", "export:acme", "reports:export[pdf]", "* * * * *"], "A schedule named 'export:acme' exists already");
    await refused(
      ["add", "reports:daily", "reports:daily", "* * * * *"],
      "'reports:daily' is the schedule of task reports:daily, defined in its task file",
    );
    await refused(
      ["add", "x", "reports:exprt[csv]", "* * * * *"],
      "Schedule 'x': Cannot enqueue 'reports:exprt': there is no such task (did you mean 'reports:export'?)",
    );
    await refused(["add", "x", "reports:export[a,b,c]", "* * * * *"], "'reports:export' takes 2 args [format,tenant], not 3");
    await refused(["add", "x", "reports:export", "every day"], `Schedule 'x': invalid cron expression "every day"`);
    await refused(["add", "x", "reports:export", "* * * * *", "--tz", "Mars/Olympus"], 'unknown time zone "Mars/Olympus"');
    await refused(["add", "bad name", "reports:export", "* * * * *"], "A schedule's name is letters, digits");
    await refused(["add", "x", "reports:export"], `Usage: jt jobs:cron add <name> 'task[args]' "<cron>" [--tz zone]`);
    await refused(["set", "nope", "* * * * *"], "No schedule named 'nope' (the schedules: export:acme, reports:daily)");
    await refused(["remove", "reports:daily"], "'reports:daily' is defined in its task file (its cron option), not at run time");
    await refused(["remove", "nope"], "No schedule named 'nope'");
    await refused(["test", "nope"], "No schedule named 'nope'");
    await refused(["pause", "nope"], "Don't know task 'nope'");
    expect((await p.run(["jobs:cron", "--json"])).stdout).toBe(before);
  }, 60_000);
});
