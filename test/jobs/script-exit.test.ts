/**
 * A script whose only work is one `enqueue()` exits when its last line has run (issue 11 §4), on
 * both stores: no pool timer of jt's keeps the process alive, and `createJobs().close()` stays
 * for a long-lived app that wants to close the client itself. The bound is loose on purpose (a
 * busy machine): what it tells apart is pg's 10 s idle timer keeping the process alive.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import { project } from "../helpers/project.js";
import { listJobs } from "../helpers/jobs.js";
import { spawnJt } from "../helpers/spawn.js";
import { eachStore } from "../helpers/postgres.js";

const SCRIPT = `import { enqueue } from "jobs-and-tasks";
const job = await enqueue("mail:welcome", { args: ["zoe"] });
console.log(\`enqueued \${job.id}\`);
`;

const stores = eachStore();

describe.each(Object.keys(stores))("a script that only enqueues, on %s", (name) => {
  test("exits as soon as its last line has run, and the job is queued", async () => {
    const env = stores[name]!();
    const p = project({
      "package.json": `${JSON.stringify({ name: "script-app", private: true, type: "module" })}\n`,
      "tasks/mail.ts": `import { task } from "jobs-and-tasks";\ntask("mail:welcome", { args: ["login"] }, ({ args }) => console.log(args.login));\n`,
      "enqueue.mjs": SCRIPT,
    }).installJt();

    const script = spawnJt(p.root, [], { env, bin: "enqueue.mjs", timeoutMs: 30_000 }, { onTestFinished });
    await script.waitFor("stdout", "enqueued 1\n");
    const printedAt = Date.now();
    const exit = await script.exited;
    expect(exit).toMatchObject({ code: 0, stdout: "enqueued 1\n", stderr: "", timedOut: false });
    expect(exit.at - printedAt).toBeLessThan(5_000);

    const jobs = await listJobs(p, [], env);
    expect(jobs.map((job) => [job.task, job.args, job.state])).toEqual([["mail:welcome", ["zoe"], "queued"]]);
  }, 40_000);
});
