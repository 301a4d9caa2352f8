/**
 * The worker log is a log (issue 10 §5): every line has its time and its job; a task's output is
 * attributed to its job and comes after that job's `started` line, also in one file that combines
 * stdout and stderr; with two jobs at once, each line is its own job's; `--log-format json` (or
 * jobs.logFormat) prints one object per line; a failed attempt's line carries its stack.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, test } from "vitest";
import { enqueueJob, jobsConfig } from "../helpers/jobs.js";
import { JT_BIN, project, type TestProject } from "../helpers/project.js";

const TASKS = `import { task } from "jt";
import { existsSync, writeFileSync } from "node:fs";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

task("chatty", async ({ sh }) => {
  console.log("hello from chatty");
  process.stdout.write("half ");
  await pause(20);
  process.stdout.write("a line\\n");
  console.error("a warning");
  await sh\`echo from a command\`;
  process.stdout.write("no newline at the end");
});

// Two of these run at once: each waits for the other to start, then they take turns printing.
task("turns", { args: ["name", "other"] }, async ({ args }) => {
  writeFileSync(\`started-\${args.name}\`, "");
  while (!existsSync(\`started-\${args.other}\`)) await pause(5);
  for (let n = 1; n <= 5; n++) {
    console.log(\`line \${n} from \${args.name}\`);
    await pause(15);
  }
});

task("quiet", () => {});

// 200 jobs that print nothing, then two pairs of jobs that print side by side.
task("fill", async ({ enqueue }) => {
  for (let n = 0; n < 200; n++) await enqueue("quiet");
  for (const [name, other] of [["a", "b"], ["b", "a"], ["c", "d"], ["d", "c"]]) await enqueue("turns", { args: [name, other] });
});

function explode(): never {
  throw new Error("kaboom");
}

task("boom", { retry: { attempts: 2, backoff: 0 } }, async () => {
  await pause(1);
  explode();
});
`;

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

function logProject(onTestFinished: (fn: () => void) => void, jobs: Record<string, unknown> = {}): TestProject {
  // A lease longer than the tests' usual 1 s: on a busy machine, a job run again after its lease expired would change the log.
  return project(
    { "jt.config.json": jobsConfig({ lease: "10s", ...jobs }, { environment: undefined }), "tasks/jobs.ts": TASKS },
    { onTestFinished },
  );
}

/** `jt jobs:workoff …` with stdout and stderr into one file, as `> worker.log 2>&1` does. */
function workoffIntoOneFile(p: TestProject, args: readonly string[] = []): Promise<{ code: number; log: string }> {
  const env = { ...process.env };
  for (const name of ["FORCE_COLOR", "NO_COLOR", "NODE_OPTIONS", "NODE_ENV"]) delete env[name];
  const command = `"${process.execPath}" "${JT_BIN}" jobs:workoff ${args.join(" ")} > worker.log 2>&1`;
  return new Promise((resolve) => {
    execFile("sh", ["-c", command], { cwd: p.root, env, timeout: 30_000 }, (error) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, log: readFileSync(p.path("worker.log"), "utf8") });
    });
  });
}

describe.concurrent("the worker log", () => {
  test("in one file with stdout and stderr: every line timed; started, then the job's output with its id, then completed", async ({
    expect,
    onTestFinished,
  }) => {
    const p = logProject(onTestFinished);
    const id = await enqueueJob(p, "chatty");
    const { code, log } = await workoffIntoOneFile(p);
    expect(code, log).toBe(0);
    const lines = log.split("\n").slice(0, -1);
    expect(
      lines.filter((line) => !TIME.test(line)),
      "every line starts with its time",
    ).toEqual([]);
    const times = lines.map((line) => Date.parse(line.slice(0, 24)));
    expect(times, "in order of time").toEqual([...times].sort((a, b) => a - b));
    const job = `job ${id} chatty`;
    expect(lines.map((line) => line.replace(TIME, "")).filter((line) => line.includes(job))).toEqual([
      `jt: ${job} started (attempt 1 of 5)`,
      `${job}: hello from chatty`,
      `${job}: half a line`,
      `${job}: a warning`,
      `${job}: echo from a command`,
      `${job}: from a command`,
      `${job}: no newline at the end`,
      expect.stringMatching(new RegExp(`^jt: ${job} completed in \\d+(\\.\\d+)?m?s$`)),
    ]);
  });

  test("two jobs at once: their lines interleave, and each line is attributed to its own job", async ({ expect, onTestFinished }) => {
    const p = logProject(onTestFinished);
    const a = await enqueueJob(p, "turns[a,b]");
    const b = await enqueueJob(p, "turns[b,a]");
    const work = await p.run(["jobs:workoff", "--concurrency", "2"], { timeoutMs: 30_000 });
    expect(work.code, work.stderr).toBe(0);
    const output = work.stdout
      .split("\n")
      .slice(0, -1)
      .map((line) => line.replace(TIME, ""));
    const parsed = output.map((line) => /^job (\d+) turns\[(\w),\w\]: line \d from (\w)$/.exec(line));
    expect(
      parsed.filter((match) => match === null),
      work.stdout,
    ).toEqual([]);
    const ids = { a, b } as Record<string, number>;
    for (const match of parsed) {
      expect(Number(match![1]), match![0]).toBe(ids[match![3]!]);
      expect(match![2], match![0]).toBe(match![3]);
    }
    expect(parsed).toHaveLength(10);
    const switches = parsed.filter((match, i) => i > 0 && match![3] !== parsed[i - 1]![3]).length;
    expect(switches, `the jobs took turns:\n${work.stdout}`).toBeGreaterThanOrEqual(3);
  });

  test("after 200 jobs in a row that printed nothing, the context is let go: lines of the jobs running then name them all; the next jobs' lines are attributed again", async ({
    expect,
    onTestFinished,
  }) => {
    const p = logProject(onTestFinished);
    expect(await p.run(["fill"])).toMatchObject({ code: 0 });
    const work = await p.run(["jobs:workoff", "--concurrency", "2"], { timeoutMs: 60_000 });
    expect(work.code, work.stderr).toBe(0);
    const ids = Object.fromEntries([...work.stderr.matchAll(/jt: job (\d+) turns\[(\w),\w\] started/g)].map((m) => [m[2]!, Number(m[1])]));
    const output = work.stdout
      .split("\n")
      .slice(0, -1)
      .map((line) => line.replace(TIME, ""));
    const from = (name: string) => output.filter((line) => line.endsWith(` from ${name}`));
    for (const name of ["a", "b"]) {
      // Once the other has ended (and a job started with a context runs beside it), a line is its own again.
      const lines = from(name);
      expect(lines, work.stdout).toHaveLength(5);
      expect(lines[0]).toBe(`one of jobs ${Math.min(ids.a!, ids.b!)}, ${Math.max(ids.a!, ids.b!)}: line 1 from ${name}`);
      for (const line of lines)
        expect(line).toMatch(
          new RegExp(
            `^(one of jobs ${Math.min(ids.a!, ids.b!)}, ${Math.max(ids.a!, ids.b!)}|job ${ids[name]} turns\\[${name},\\w\\]): line \\d from ${name}$`,
          ),
        );
    }
    for (const name of ["c", "d"]) {
      expect(from(name), work.stdout).toHaveLength(5);
      for (const line of from(name)) expect(line).toMatch(new RegExp(`^job ${ids[name]} turns\\[${name},\\w\\]: line \\d from ${name}$`));
    }
  });

  test("a failed attempt's line carries its stack: the app's frames, as jobs:show shows them", async ({ expect, onTestFinished }) => {
    const p = logProject(onTestFinished);
    const id = await enqueueJob(p, "boom");
    const work = await p.run(["jobs:workoff"], { timeoutMs: 30_000 });
    expect(work.code).toBe(1);
    const lines = work.stderr.split("\n").map((line) => line.replace(TIME, ""));
    for (const failed of [
      `jt: job ${id} boom failed (kaboom); retrying in 0ms`,
      `jt: job ${id} boom failed for good after 2 attempts: kaboom`,
    ]) {
      const at = lines.indexOf(failed);
      expect(at, work.stderr).toBeGreaterThan(-1);
      expect(lines[at + 1]).toMatch(/^ {4}at explode \(.*tasks\/jobs\.ts:\d+:\d+\)$/);
      expect(lines[at + 2]).toMatch(/^ {4}at .*tasks\/jobs\.ts:\d+:\d+/);
    }
    expect(work.stderr, "no jt frames").not.toMatch(/dist\/|src\/jobs/);
  });

  test("--log-format json: one object per line on both streams, with time, level, event, msg, worker and the job; output with its stream; a failure with its stack", async ({
    expect,
    onTestFinished,
  }) => {
    const p = logProject(onTestFinished);
    const chatty = await enqueueJob(p, "chatty");
    const boom = await enqueueJob(p, "boom");
    const work = await p.run(["jobs:workoff", "--log-format", "json", "--concurrency", "1"], { timeoutMs: 30_000 });
    expect(work.code, work.stderr).toBe(1);
    const parse = (text: string) =>
      text
        .split("\n")
        .slice(0, -1)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const out = parse(work.stdout);
    const err = parse(work.stderr);
    for (const entry of [...out, ...err]) {
      expect(entry.time, JSON.stringify(entry)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(entry).toMatchObject({
        level: expect.stringMatching(/^(info|warn|error)$/),
        event: expect.any(String),
        msg: expect.any(String),
        worker: expect.stringMatching(/:\d+:/),
      });
    }
    const worker = err[0]!.worker;
    expect(err[0]).toMatchObject({ event: "worker.started", level: "info" });
    expect(out.map((entry) => [entry.event, entry.stream, entry.job, entry.task, entry.attempt, entry.msg])).toEqual([
      ["output", "stdout", chatty, "chatty", 1, "hello from chatty"],
      ["output", "stdout", chatty, "chatty", 1, "half a line"],
      ["output", "stdout", chatty, "chatty", 1, "from a command"],
      ["output", "stdout", chatty, "chatty", 1, "no newline at the end"],
    ]);
    expect(err.filter((entry) => entry.job === chatty).map((entry) => [entry.event, entry.stream ?? null, entry.msg])).toEqual([
      ["job.started", null, `job ${chatty} chatty started (attempt 1 of 5)`],
      ["output", "stderr", "a warning"],
      ["output", "stderr", "echo from a command"],
      ["job.completed", null, expect.stringMatching(/completed in \d+(\.\d+)?m?s$/)],
    ]);
    const retrying = err.find((entry) => entry.event === "job.retrying");
    expect(retrying).toMatchObject({
      level: "warn",
      job: boom,
      task: "boom",
      args: [],
      attempt: 1,
      worker,
      msg: `job ${boom} boom failed (kaboom); retrying in 0ms`,
    });
    expect(retrying!.stack).toMatch(/^Error: kaboom\n {4}at explode \(.*tasks\/jobs\.ts:\d+:\d+\)/);
    expect(err.find((entry) => entry.event === "job.failed")).toMatchObject({
      level: "error",
      job: boom,
      attempt: 2,
      stack: expect.stringContaining("at explode ("),
    });
    expect(err.at(-1)).toMatchObject({ event: "worker.stopped", msg: "worker stopped: 1 completed, 1 failed for good, 0 released" });
  });

  test('jobs.logFormat "json" in the config; --log-format text overrides it; a format jt does not know is a usage error', async ({
    expect,
    onTestFinished,
  }) => {
    const p = logProject(onTestFinished, { logFormat: "json" });
    await enqueueJob(p, "chatty");
    const json = await p.run(["jobs:workoff"], { timeoutMs: 30_000 });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stderr.split("\n")[0]!)).toMatchObject({ event: "worker.started" });
    await enqueueJob(p, "chatty");
    const text = await p.run(["jobs:workoff", "--log-format", "text"], { timeoutMs: 30_000 });
    expect(text.stderr).toMatch(/^\S+Z jt: worker \S+ working off/);
    const wrong = await p.run(["jobs:workoff", "--log-format", "yaml"]);
    expect(wrong).toMatchObject({ code: 2, stderr: expect.stringContaining("--log-format takes text or json, not 'yaml'") });
    const help = await p.run(["jobs:work", "--help"]);
    expect(help.stdout).toMatch(/--log-format <format> +the worker's log: text/);
  });
});
