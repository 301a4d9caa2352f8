/**
 * A script whose only work is one `enqueue()` exits when its last line has run (issue 11 §4), on
 * both stores: no pool timer of jt's keeps the process alive, and `createJobs().close()` stays
 * for a long-lived app that wants to close the client itself. The bound is loose on purpose (a
 * busy machine): what it tells apart is pg's 10 s idle timer keeping the process alive.
 */
import { spawn } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { project } from "../helpers/project.js";
import { listJobs } from "../helpers/jobs.js";
import { adminClient, dropSchema, freshSchemaName, storeUrl } from "../helpers/postgres.js";

let admin: pg.Client;
beforeAll(async () => {
  admin = await adminClient();
});
afterAll(async () => {
  await admin?.end();
});

const SCRIPT = `import { enqueue } from "jobs-and-tasks";
const job = await enqueue("mail:welcome", { args: ["zoe"] });
console.log(\`enqueued \${job.id}\`);
`;

/** Runs `node file` in `cwd`; resolves with its output and how long it lived after printing its last line. */
function runScript(cwd: string, file: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string; code: number | null; afterLastLineMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let lastLineAt = Date.now();
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      lastLineAt = Date.now();
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, afterLastLineMs: Date.now() - lastLineAt });
    });
  });
}

const stores: Record<string, () => Record<string, string>> = {
  SQLite: () => ({}),
  PostgreSQL: () => {
    const schema = freshSchemaName();
    onTestFinished(() => dropSchema(admin, schema));
    return { JT_JOBS_URL: storeUrl(schema) };
  },
};

describe.each(Object.keys(stores))("a script that only enqueues, on %s", (name) => {
  test("exits as soon as its last line has run, and the job is queued", async () => {
    const env = stores[name]!();
    const p = project({
      "package.json": `${JSON.stringify({ name: "script-app", private: true, type: "module" })}\n`,
      "tasks/mail.ts": `import { task } from "jobs-and-tasks";\ntask("mail:welcome", { args: ["login"] }, ({ args }) => console.log(args.login));\n`,
      "enqueue.mjs": SCRIPT,
    }).installJt();

    const result = await runScript(p.root, "enqueue.mjs", env);
    expect(result).toMatchObject({ code: 0, stdout: "enqueued 1\n", stderr: "" });
    expect(result.afterLastLineMs).toBeLessThan(5_000);

    const jobs = await listJobs(p, [], env);
    expect(jobs.map((job) => [job.task, job.args, job.state])).toEqual([["mail:welcome", ["zoe"], "queued"]]);
  }, 40_000);
});
