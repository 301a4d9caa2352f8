/**
 * Pausing (issues 15 and 16), on both stores, from the command line and from app code: a paused
 * queue or task is not claimed (its jobs keep queueing) until resumed; `jt jobs:pause` lists what
 * is paused; a paused schedule shows in `jobs:cron`; bad names and bad targets are refused with a
 * message and exit 2 (a TypeError from the API). The dashboard's buttons and a running worker are
 * in dashboard-browser.test.ts.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import { enqueueJob, jobsProject, showJob } from "../helpers/jobs.js";
import { eachStore } from "../helpers/postgres.js";
import type { TestProject } from "../helpers/project.js";
import { spawnJt } from "../helpers/spawn.js";

const TASKS = `import { task } from "jobs-and-tasks";
task("mail:welcome", { args: ["login"], queue: "mail" }, () => {});
task("reports:export", () => {});
task("reports:daily", { cron: "0 3 * * *" }, () => {});
`;

const APP = `import { createJobs } from "jobs-and-tasks";
const jobs = createJobs();
const [verb, kind, name] = process.argv.slice(2);
try {
  console.log(JSON.stringify(await jobs[verb](kind === "bad" ? { nope: name } : { [kind]: name })));
} catch (error) {
  console.log(JSON.stringify({ error: error.constructor.name, message: error.message }));
}
await jobs.close();
`;

const stores = eachStore();

function app(): TestProject {
  return jobsProject("pause-app", TASKS, { files: { "app.mjs": APP } });
}

describe.each(Object.keys(stores))("pausing, on %s", (name) => {
  test("jt jobs:pause <queue> / --task: no claim until jobs:resume; jobs:pause lists what is paused", async () => {
    const env = stores[name]!();
    const p = app();
    expect((await p.run(["jobs:pause"], { env })).stdout).toBe("Nothing is paused.\n");
    expect(await p.run(["jobs:pause", "mail", "sms"], { env })).toMatchObject({ code: 0, stdout: "Paused queue mail\nPaused queue sms\n" });
    expect((await p.run(["jobs:pause", "mail"], { env })).stdout).toBe("Already paused: queue mail\n");
    expect(await p.run(["jobs:pause", "--task", "reports:export"], { env })).toMatchObject({
      code: 0,
      stdout: "Paused task reports:export\n",
    });
    expect((await p.run(["jobs:pause"], { env })).stdout).toMatch(
      /^queue mail \(paused (now|\d+(\.\d)?\w+ ago)\)\nqueue sms \(paused .*\)\ntask reports:export \(paused .*\)\n$/,
    );

    const mail = await enqueueJob(p, "mail:welcome[ann]", [], env);
    const exported = await enqueueJob(p, "reports:export", [], env);
    const other = await enqueueJob(p, "reports:daily", [], env);
    await p.run(["jobs:workoff"], { env });
    expect((await showJob(p, other, env)).state).toBe("completed");
    expect((await showJob(p, mail, env)).state).toBe("queued");
    expect((await showJob(p, exported, env)).state).toBe("queued");

    expect((await p.run(["jobs:resume", "mail"], { env })).stdout).toBe("Resumed queue mail\n");
    expect((await p.run(["jobs:resume", "mail"], { env })).stdout).toBe("Not paused: queue mail\n");
    await p.run(["jobs:workoff"], { env });
    expect((await showJob(p, mail, env)).state).toBe("completed");
    expect((await showJob(p, exported, env)).state).toBe("queued");
    expect((await p.run(["jobs:resume", "--task", "reports:export"], { env })).code).toBe(0);
    await p.run(["jobs:workoff"], { env });
    expect((await showJob(p, exported, env)).state).toBe("completed");
  }, 60_000);

  test("jt jobs:cron pause|resume <task>: jobs:cron shows it paused; app code pauses and resumes too", async () => {
    const env = stores[name]!();
    const p = app();
    expect((await p.run(["jobs:cron", "pause", "reports:daily"], { env })).stdout).toBe("Paused schedule reports:daily\n");
    const table = (await p.run(["jobs:cron"], { env })).stdout;
    expect(table).toMatch(/reports:daily .* paused: \d{4}-\d\d-\d\d 03:00 UTC \(in .*\) passes/);
    const [schedule] = JSON.parse((await p.run(["jobs:cron", "--json"], { env })).stdout) as { paused: boolean }[];
    expect(schedule!.paused).toBe(true);
    expect((await p.run(["jobs:cron", "resume", "reports:daily"], { env })).stdout).toBe("Resumed schedule reports:daily\n");

    const api = async (...args: string[]) => {
      const script = spawnJt(p.root, args, { env, bin: "app.mjs", timeoutMs: 30_000 }, { onTestFinished });
      const exit = await script.exited;
      expect(exit.stderr).toBe("");
      return JSON.parse(exit.stdout) as unknown;
    };
    expect(await api("pause", "queue", "mail")).toBe(true);
    expect(await api("pause", "queue", "mail")).toBe(false);
    expect(await api("pause", "schedule", "reports:daily")).toBe(true);
    expect((await p.run(["jobs:pause"], { env })).stdout).toMatch(/^queue mail .*\nschedule reports:daily .*\n$/);
    expect(await api("resume", "queue", "mail")).toBe(true);
    expect(await api("resume", "task", "reports:export")).toBe(false);
    expect(await api("pause", "bad", "x")).toEqual({
      error: "TypeError",
      message: 'jt: pause and resume take { queue }, { task } or { schedule } with a name, not {"nope":"x"}',
    });
  }, 60_000);
});

describe("pausing: bad input", () => {
  test("an unknown task or schedule, a missing name, an unknown cron action: a message and exit 2, nothing paused", async () => {
    const p = app();
    const refused = async (args: string[], message: string) => {
      const result = await p.run(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
    };
    await refused(["jobs:pause", "--task", "reports:exprt"], "Don't know task 'reports:exprt'\nDid you mean?  reports:export");
    await refused(["jobs:pause", "mail", "--task", "reports:export"], "Give queue names or --task, not both");
    await refused(["jobs:resume"], "jt jobs:resume needs queue names or --task <name>");
    await refused(["jobs:cron", "pause", "reports:export"], "No cron schedule named 'reports:export'\nThe schedules: reports:daily");
    await refused(["jobs:cron", "pause"], "jt jobs:cron pause needs the schedule's name (a scheduled task's)");
    await refused(["jobs:cron", "stop", "reports:daily"], "jt jobs:cron takes add, set, remove, test, pause or resume, not 'stop'");
    expect((await p.run(["jobs:pause"])).stdout).toBe("Nothing is paused.\n");
  }, 60_000);
});
