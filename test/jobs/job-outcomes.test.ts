/**
 * How a job's task steers its retries (issue 16), on both stores, through `jt jobs:workoff`:
 * `Discard` (thrown or returned) fails it now with its reason; `Snooze` (thrown or returned) runs it
 * again later without using an attempt; `retry.on` retries only the errors it matches and
 * `retry.discardOn` fails the job at once on the ones it matches; a test that throws changes
 * nothing (and says so). Bad settings are refused when the task file loads.
 */
import { describe, expect, test } from "vitest";
import { enqueueJob, fileLines, jobsProject, showJob } from "../helpers/jobs.js";
import { eachStore } from "../helpers/postgres.js";
import { project, type TestProject } from "../helpers/project.js";

const TASKS = `import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { Discard, Snooze, task } from "jobs-and-tasks";

class Transient extends Error {}
const ran = (name) => appendFileSync("ran.txt", name + "\\n");
const runs = (name) => (existsSync("ran.txt") ? readFileSync("ran.txt", "utf8").split("\\n").filter((line) => line === name).length : 0);

task("gone", { retry: { attempts: 5 } }, () => {
  ran("gone");
  throw new Discard("the account is closed");
});
task("gone-returned", { retry: { attempts: 5 } }, () => {
  ran("gone-returned");
  return new Discard();
});
task("later", { retry: { attempts: 1 } }, () => {
  ran("later");
  if (!existsSync("ready")) throw new Snooze("1s");
  return "done";
});
task("later-returned", { retry: { attempts: 1 } }, () => {
  ran("later-returned");
  return existsSync("ready") ? "done" : new Snooze(1000);
});
task("flaky", { retry: { attempts: 5, backoff: 0, on: [Transient] } }, () => {
  ran("flaky");
  if (runs("flaky") < 3) throw new Transient("try again");
  return runs("flaky");
});
task("picky", { retry: { attempts: 5, backoff: 0, on: Transient } }, () => {
  ran("picky");
  throw new TypeError("not the kind that heals");
});
task("missing", { retry: { attempts: 5, backoff: 0, discardOn: (error) => /404/.test(error.message) } }, () => {
  ran("missing");
  throw new Error("HTTP 404 from the partner API");
});
task("odd-test", { retry: { attempts: 2, backoff: 0, on: () => { throw new Error("the test broke"); } } }, () => {
  ran("odd-test");
  throw new Error("boom");
});
`;

const stores = eachStore();

function app(): TestProject {
  return jobsProject("outcomes-app", TASKS);
}

describe.each(Object.keys(stores))("Discard, Snooze, retry.on and retry.discardOn, on %s", (name) => {
  test("Discard fails the job now, its reason recorded; retry.discardOn the same; retry.on retries only what it matches", async () => {
    const env = stores[name]!();
    const p = app();
    const ids = Object.fromEntries(
      await Promise.all(
        ["gone", "gone-returned", "flaky", "picky", "missing", "odd-test"].map(async (t) => [t, await enqueueJob(p, t, [], env)]),
      ),
    ) as Record<string, number>;
    const workoff = await p.run(["jobs:workoff"], { env });
    const runs = (task: string) => fileLines(p, "ran.txt").filter((line) => line === task).length;

    const gone = await showJob(p, ids.gone!, env);
    expect(gone).toMatchObject({ state: "failed", attempts: 1, maxAttempts: 5 });
    expect(gone.errors.map((e) => e.message)).toEqual(["Discarded: the account is closed"]);
    expect(gone.errors[0]!.stack).toMatch(/tasks\/jobs\.ts:\d+/);
    expect(workoff.stderr).toMatch(/job \d+ gone failed for good \(discarded by its task\): Discarded: the account is closed/);
    expect((await showJob(p, ids["gone-returned"]!, env)).errors.map((e) => e.message)).toEqual(["Discarded: discarded by its task"]);
    expect(runs("gone")).toBe(1);

    const missing = await showJob(p, ids.missing!, env);
    expect(missing).toMatchObject({ state: "failed", attempts: 1 });
    expect(missing.errors.map((e) => e.message)).toEqual(["Discarded: HTTP 404 from the partner API"]);
    expect(workoff.stderr).toMatch(/missing failed for good \(retry\.discardOn matches its error\)/);

    expect(await showJob(p, ids.flaky!, env)).toMatchObject({ state: "completed", attempts: 3, result: 3 });
    const picky = await showJob(p, ids.picky!, env);
    expect(picky).toMatchObject({ state: "failed", attempts: 1 });
    expect(picky.errors.map((e) => e.message)).toEqual(["TypeError: not the kind that heals"]);
    expect(workoff.stderr).toMatch(/picky failed for good \(retry\.on does not match its error\)/);

    // A test that throws: said, and the job retried as usual (2 attempts).
    expect(workoff.stderr).toMatch(/odd-test: its retry\.on test threw \(the test broke\); retrying as usual/);
    expect(await showJob(p, ids["odd-test"]!, env)).toMatchObject({ state: "failed", attempts: 2 });
  }, 90_000);

  test("Snooze (thrown or returned) queues the job again for later, its run not counted as an attempt", async () => {
    const env = stores[name]!();
    const p = app();
    const thrown = await enqueueJob(p, "later", [], env);
    const returned = await enqueueJob(p, "later-returned", [], env);
    const before = Date.now();
    const workoff = await p.run(["jobs:workoff"], { env });
    expect(workoff.stderr).toMatch(/job \d+ later snoozed: runs again in 1s \(this run is not counted as an attempt\)/);
    for (const id of [thrown, returned]) {
      const job = await showJob(p, id, env);
      expect(job).toMatchObject({ state: "queued", attempts: 0, maxAttempts: 1, errors: [] });
      expect(job.runAt).toBeGreaterThanOrEqual(before + 900);
    }
    p.file("ready", "");
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await p.run(["jobs:workoff"], { env });
    for (const id of [thrown, returned])
      expect(await showJob(p, id, env)).toMatchObject({ state: "completed", attempts: 1, result: "done" });
    expect(fileLines(p, "ran.txt").filter((line) => line === "later")).toHaveLength(2);
  }, 90_000);
});

describe("bad settings", () => {
  test("retry.on that is no error class or test, and a Snooze without a duration, are refused with a message", async () => {
    const p = project({
      "tasks/bad.ts": `import { task } from "jobs-and-tasks";\ntask("bad", { retry: { on: "TimeoutError" } }, () => {});\n`,
    }).installJt();
    const listed = await p.run(["-T"]);
    expect(listed.code).not.toBe(0);
    expect(listed.stderr).toContain("retry.on must be an error class, a list of them, or a function (error) => boolean");

    const q = project({
      "tasks/snooze.ts": `import { Snooze, task } from "jobs-and-tasks";\ntask("soon", () => { throw new Snooze("soon"); });\n`,
    }).installJt();
    const run = await q.run(["soon"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Snooze takes a duration like "30s" or "5m", or milliseconds, not "soon"');
  }, 60_000);
});
