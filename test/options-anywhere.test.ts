/**
 * Options go anywhere on the line, as in Rake (issue 21 §1): from the root of an npm-workspaces
 * monorepo, `jt -C packages/api <options> <verb> …` and `jt <verb> … <options> -C packages/api`
 * are the same command, for tasks, `generate` and every jobs verb. An option a verb does not take
 * is named, with the verb, in either position.
 */
import { describe, test } from "vitest";
import { JOBS_VERBS } from "../src/jobs/verbs.js";
import { withoutTimes } from "./helpers/jobs.js";
import { project, type RunResult, type TestProject } from "./helpers/project.js";
import { spawnJt } from "./helpers/spawn.js";

const API = "packages/api";

const MAIL_TASKS = `import { desc, task } from "jt";

desc("Send the welcome mail");
task("mail:welcome", { args: ["user"], queue: "mail" }, ({ args }) => {
  console.log(\`welcome \${args.user} from \${process.env.MAIL_FROM ?? "nobody"}\`);
});
`;

/** A monorepo whose api workspace has jt tasks and a job store; the root has none. */
function monorepo(context: { onTestFinished: (fn: () => void) => void }): TestProject {
  return project(
    {
      "package.json": JSON.stringify({ name: "shop", private: true, workspaces: ["packages/*"] }),
      [`${API}/package.json`]: JSON.stringify({ name: "@shop/api", type: "module", private: true }),
      [`${API}/jt.config.json`]: JSON.stringify({ jobs: { lease: "1s", pollInterval: "100ms" } }),
      [`${API}/tasks/mail.ts`]: MAIL_TASKS,
      "packages/web/package.json": JSON.stringify({ name: "@shop/web", private: true }),
    },
    context,
  );
}

interface Case {
  /** The verb and its positional words. */
  command: string[];
  /** Options (with values) that go before the verb in one run and after it in the other. */
  options: string[];
  /** Run first, in the api workspace (for example a job for the verb to act on). */
  setup?: string[][];
  /** What the run must show (both orders must show the same). */
  shows: RegExp;
  code?: number;
}

const CASES: Record<string, Case> = {
  task: {
    command: ["mail:welcome[ann]"],
    options: ["--trace", "--quiet"],
    shows: /^\*\* Execute mail:welcome$[\s\S]*^welcome ann from nobody$|^welcome ann from nobody$[\s\S]*^\*\* Execute mail:welcome$/m,
  },
  "task with NAME=value": { command: ["mail:welcome[bo]"], options: ["MAIL_FROM=shop", "-q"], shows: /^welcome bo from shop$/m },
  listing: { command: [], options: ["-T", "mail", "-A"], shows: /^jt mail:welcome\[user\] {2}# Send the welcome mail$/m },
  generate: { command: ["generate", "task", "db", "seed"], options: ["--silent"], shows: /^created tasks\/db\.ts$/m },
  "jobs:work": { command: ["jobs:work"], options: [], shows: /./ },
  "jobs:workoff": {
    command: ["jobs:workoff"],
    options: ["--queues", "mail", "--concurrency", "2", "--prefetch", "1", "--log-format", "json", "--trace", "--quiet", "MAIL_FROM=ops"],
    setup: [["jobs:enqueue", "mail:welcome[cy]"]],
    shows: /"msg":"welcome cy from ops","worker":"[^"]+","job":1,"task":"mail:welcome"/,
  },
  "jobs:enqueue": {
    command: ["jobs:enqueue", "mail:welcome[di]"],
    options: ["--in", "5m", "--queue", "later", "--priority", "3", "--unique", "--json"],
    shows: /^\{"id":1,"task":"mail:welcome","args":\["di"\],"queue":"later",/m,
  },
  "jobs:list": {
    command: ["jobs:list"],
    options: ["--state", "queued", "--task", "mail:welcome", "--queue", "mail", "--limit", "5", "--json"],
    setup: [["jobs:enqueue", "mail:welcome[ed]"]],
    shows: /"args": \[\n\s+"ed"\n\s+\]/,
  },
  "jobs:show": { command: ["jobs:show", "1"], options: ["--json"], setup: [["jobs:enqueue", "mail:welcome[flo]"]], shows: /"id": 1,/ },
  "jobs:retry": { command: ["jobs:retry"], options: ["--all-failed"], shows: /^Retried 0 jobs$/m },
  "jobs:cancel": {
    command: ["jobs:cancel", "1"],
    options: ["-t"],
    setup: [["jobs:enqueue", "mail:welcome[gus]"]],
    shows: /^Cancelled 1 job: 1$/m,
  },
  "jobs:discard": { command: ["jobs:discard"], options: ["--all-failed"], shows: /^Discarded 0 jobs$/m },
  "jobs:stats": {
    command: ["jobs:stats"],
    options: ["--json"],
    setup: [["jobs:enqueue", "mail:welcome[hal]"]],
    shows: /"queue": "mail",\n\s+"state": "queued",\n\s+"count": 1/,
  },
  "jobs:pause": { command: ["jobs:pause", "mail"], options: ["--trace"], shows: /^Paused queue mail$/m },
  "jobs:resume": { command: ["jobs:resume"], options: ["--task", "mail:welcome"], shows: /^Not paused: task mail:welcome$/m },
  "jobs:prune": { command: ["jobs:prune"], options: ["--older-than", "1d"], shows: /^Pruned 0 completed jobs$/m },
  "jobs:clear": { command: ["jobs:clear"], options: ["-y"], setup: [["jobs:enqueue", "mail:welcome[ida]"]], shows: /^Deleted 1 job\b/m },
  "jobs:cron": {
    command: ["jobs:cron", "add", "nightly-welcome", "mail:welcome[ops]", "0 2 * * *"],
    options: ["--tz", "Europe/Paris"],
    shows: /^Added schedule nightly-welcome: mail:welcome\[ops\] on "0 2 \* \* \*" \(Europe\/Paris\), made at run time$/m,
  },
  "jobs:crontab": { command: ["jobs:crontab"], options: ["--trace"], shows: /^# No task has a cron schedule\.$/m },
  // A server runs until stopped: a public address without a token shows the options parsed, and exits.
  "jobs:dashboard": {
    command: ["jobs:dashboard"],
    options: ["--host", "0.0.0.0", "--port", "0", "--read-only"],
    code: 2,
    shows: /Refusing to serve the jobs dashboard on 0\.0\.0\.0 without authentication/,
  },
  "jobs:migrate": {
    command: ["jobs:migrate"],
    options: ["-t"],
    shows: /^The job store is up to date: SQLite .*packages\/api\/db\/jobs\.sqlite3$/m,
  },
};

/** Job ids, times and temporary paths aside, what the two orders print must be the same. */
function comparable(result: RunResult, root: string): { code: number | null; stdout: string; stderr: string } {
  const plain = (text: string) =>
    withoutTimes(text)
      .replaceAll(root, "<root>")
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
      .replace(/"(worker|pid|hostname|durationMs|ms)": ?("[^"]*"|\d+)/g, '"$1":<x>')
      .replace(/\bworker [\w.:-]+/g, "worker <id>")
      .replace(/\d+(\.\d+)?\s?m?s\b/g, "<duration>");
  return { code: result.code, stdout: plain(result.stdout), stderr: plain(result.stderr) };
}

async function runBothWays(c: Case, context: { onTestFinished: (fn: () => void) => void }) {
  const results = [];
  for (const order of ["before", "after"] as const) {
    const p = monorepo(context);
    for (const setup of c.setup ?? []) {
      const done = await p.run(setup, { cwd: API });
      if (done.code !== 0) throw new Error(`setup ${setup.join(" ")} exited ${done.code}: ${done.stderr}`);
    }
    const words = order === "before" ? ["-C", API, ...c.options, ...c.command] : [...c.command, ...c.options, "-C", API];
    results.push({ p, words, result: await p.run(words) });
  }
  return results;
}

describe.concurrent("options before or after the verb: the same command", () => {
  test("every jobs verb is covered here", ({ expect }) => {
    expect(JOBS_VERBS.map((verb) => verb.name).filter((name) => !(name in CASES))).toEqual([]);
  });

  for (const [name, c] of Object.entries(CASES)) {
    if (name === "jobs:work") continue;
    test(`${name}: ${c.options.join(" ") || "-C only"}`, async ({ expect, onTestFinished }) => {
      const [before, after] = await runBothWays(c, { onTestFinished });
      for (const { words, result } of [before!, after!]) {
        expect(result.code, `jt ${words.join(" ")}\n${result.stderr}`).toBe(c.code ?? 0);
        expect(result.stdout + result.stderr, `jt ${words.join(" ")}`).toMatch(c.shows);
      }
      expect(comparable(before!.result, before!.p.root)).toEqual(comparable(after!.result, after!.p.root));
    });
  }

  test("jobs:work with -C and its options before the verb: works the api's queue, stops on SIGTERM", async ({ expect, onTestFinished }) => {
    for (const words of [
      ["-C", API, "--queues", "mail", "--concurrency", "1", "-q", "jobs:work"],
      ["jobs:work", "--queues", "mail", "--concurrency", "1", "-q", "-C", API],
    ]) {
      const p = monorepo({ onTestFinished });
      expect((await p.run(["jobs:enqueue", "mail:welcome[joy]"], { cwd: API })).code).toBe(0);
      const worker = spawnJt(p.root, words, {}, { onTestFinished });
      await worker.waitFor("stdout", "welcome joy from nobody");
      worker.kill("SIGTERM");
      const exit = await worker.exited;
      expect(exit.code, exit.stderr).toBe(143);
      expect(withoutTimes(exit.stderr)).toMatch(/^jt: worker \S+ working queues mail in .*, 1 at a time$/m);
    }
  });
});

describe.concurrent("an option the verb does not take: named with the verb, in either position", () => {
  test.for<[string[], string]>([
    [["-n", "jobs:list"], "-n"],
    [["jobs:list", "-n"], "-n"],
    [["--dry-run", "-C", API, "jobs:stats"], "--dry-run"],
    [["jobs:stats", "-C", API, "--dry-run"], "--dry-run"],
    [["--multitask", "jobs:workoff"], "--multitask"],
    [["jobs:cancel", "1", "--all-failed"], "--all-failed"],
  ])("jt %j", async ([words, option], { expect, onTestFinished }) => {
    const p = monorepo({ onTestFinished });
    const result = await p.run(words, { cwd: words.includes("-C") ? "." : API });
    const verb = words.find((word) => word.startsWith("jobs:"))!;
    expect(result).toMatchObject({
      code: 2,
      stdout: "",
      stderr: `jt aborted!\njt ${verb} does not take the option '${option}'\n(See \`jt ${verb} --help\`)\n`,
    });
  });

  test("a task name that is not a jobs verb is still a task, whatever the options: jt -C packages/api jobz:list", async ({
    expect,
    onTestFinished,
  }) => {
    const result = await monorepo({ onTestFinished }).run(["-C", API, "jobz:list"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Don't know how to build task 'jobz:list'");
  });
});
