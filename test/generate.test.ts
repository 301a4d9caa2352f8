/**
 * `jt generate task <namespace> <name> [<name>...]` (issue 4): writes tasks/<namespace>.ts with a
 * described, typed skeleton for each name, prints the path, never overwrites a file (exit 2),
 * and rejects bad input with the usage line (exit 2).
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "vitest";
import { project, REPO_ROOT, runJt, strictTsconfig } from "./helpers/project.js";
import { lines } from "./helpers/text.js";

const USAGE = "Usage: jt generate task <namespace> <name> [<name>...] | jt generate job <name>[<arg>,...]";

const OTHER = `import { desc, task } from "jt";\ndesc("Already here");\ntask("other", () => console.log("other ran"));\n`;

const ENVIRONMENT = {
  "jt.config.json": `{ "environment": "./app/environment.ts" }\n`,
  "app/environment.ts": `import { defineEnvironment } from "jobs-and-tasks";
export default defineEnvironment({
  setup() {
    console.log("environment booted");
    return {};
  },
  teardown() {
    console.log("environment closed");
  },
});
`,
};

/** Every path under `dir` (files and directories), relative, sorted. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

describe.concurrent("jt generate task", () => {
  test("writes tasks/<namespace>.ts with a described skeleton for each name and prints its path", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/other.ts": OTHER }, { onTestFinished });
    const result = await p.run(["generate", "task", "report", "daily", "weekly"]);
    expect(result).toEqual({ code: 0, signal: null, stdout: lines("created tasks/report.ts"), stderr: "" });
    const source = readFileSync(p.path("tasks/report.ts"), "utf8");
    expect(source).toMatch(/^import \{[^}]*\bdesc\b[^}]*\} from "jobs-and-tasks";$/m);
    expect(source).toMatch(/namespace\("report", /);
    for (const name of ["daily", "weekly"]) {
      // Each task is described (so `jt -T` lists it): a desc(...) right before its task(...).
      expect(source).toMatch(new RegExp(`desc\\(".+"\\);\\n\\s*task\\("${name}"`));
    }
    expect(readFileSync(p.path("tasks/other.ts"), "utf8")).toBe(OTHER);
  });

  test("the generated file loads: -T and -T -A list the tasks, and they run", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/other.ts": OTHER }, { onTestFinished });
    expect((await p.run(["generate", "task", "report", "daily", "weekly"])).code).toBe(0);
    const [listed, all, ran] = await Promise.all([p.run(["-T"]), p.run(["-T", "-A"]), p.run(["other", "report:daily", "report:weekly"])]);
    for (const listing of [listed, all]) {
      expect(listing.code).toBe(0);
      expect(listing.stderr).toBe("");
      expect(listing.stdout.split("\n")).toEqual([
        expect.stringMatching(/^jt other +# Already here$/),
        expect.stringMatching(/^jt report:daily +# \S.*$/),
        expect.stringMatching(/^jt report:weekly +# \S.*$/),
        "",
      ]);
    }
    expect(ran).toEqual({ code: 0, signal: null, stdout: lines("other ran", "running report:daily", "running report:weekly"), stderr: "" });
  });

  test("with an environment configured, each skeleton depends on environment", async ({ expect, onTestFinished }) => {
    const p = project({ ...ENVIRONMENT, "tasks/other.ts": OTHER }, { onTestFinished });
    expect(await p.run(["generate", "task", "report", "daily", "weekly"])).toMatchObject({
      code: 0,
      stdout: lines("created tasks/report.ts"),
    });
    const [prereqs, ran] = await Promise.all([p.run(["-P"]), p.run(["report:daily", "report:weekly"])]);
    expect(prereqs.stdout).toContain(lines("jt report:daily", "    environment", "jt report:weekly", "    environment"));
    expect(ran).toEqual({
      code: 0,
      signal: null,
      stdout: lines("environment booted", "running report:daily", "running report:weekly", "environment closed"),
      stderr: "",
    });
  });

  test("without an environment, the skeleton does not depend on it", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/other.ts": OTHER }, { onTestFinished });
    expect((await p.run(["generate", "task", "report", "daily"])).code).toBe(0);
    const prereqs = await p.run(["-P"]);
    expect(prereqs.stdout).toContain(lines("jt report:daily"));
    expect(prereqs.stdout).not.toContain("environment");
  });

  test("the generated files type-check (strict), with and without an environment", async ({ expect, onTestFinished }) => {
    const tsconfig = strictTsconfig({ include: ["tasks", "app"] });
    const plain = project({ "package.json": `{ "type": "module" }\n`, "tsconfig.json": tsconfig }, { onTestFinished }).installJt();
    const withEnv = project(
      { ...ENVIRONMENT, "package.json": `{ "type": "module" }\n`, "tsconfig.json": tsconfig },
      { onTestFinished },
    ).installJt();
    for (const p of [plain, withEnv]) {
      expect((await p.run(["generate", "task", "report", "daily", "weekly"])).code).toBe(0);
      let output = "";
      try {
        execFileSync(join(REPO_ROOT, "node_modules/.bin/tsc"), ["-p", "."], { cwd: p.root, encoding: "utf8", stdio: "pipe" });
      } catch (error) {
        output = String((error as { stdout?: string }).stdout ?? error);
      }
      expect(output, p === plain ? "without environment" : "with environment").toBe("");
    }
  });

  test("an existing file is never overwritten: exit 2, the file unchanged", async ({ expect, onTestFinished }) => {
    const mine = `// my own report tasks\n`;
    const p = project({ "tasks/report.ts": mine }, { onTestFinished });
    const before = tree(p.root);
    const result = await p.run(["generate", "task", "report", "daily"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    const err = result.stderr.split("\n");
    expect(err[0]).toBe("jt aborted!");
    expect(err[1]).toContain("tasks/report.ts");
    expect(err[1]).toContain("already exists");
    expect(readFileSync(p.path("tasks/report.ts"), "utf8")).toBe(mine);
    expect(tree(p.root)).toEqual(before);
  });

  describe("bad input: exit 2 with the usage line, nothing written", () => {
    const cases: [string, string[], string | undefined][] = [
      ["no generator", ["generate"], undefined],
      ["an unknown generator", ["generate", "model", "user"], "model"],
      ["no namespace", ["generate", "task"], undefined],
      ["no names", ["generate", "task", "report"], undefined],
      ["an invalid namespace", ["generate", "task", "a b", "x"], "a b"],
      ["a name containing ':'", ["generate", "task", "report", "a:b"], "a:b"],
      ["a name with brackets", ["generate", "task", "report", "a[b]"], "a[b]"],
      // The namespace becomes a path: it must not lead out of tasks/.
      ["a namespace that leaves tasks/", ["generate", "task", "../evil", "x"], "../evil"],
    ];
    test.for(cases)("%s", async ([, args, named], { expect, onTestFinished }) => {
      const p = project({ "tasks/other.ts": OTHER }, { onTestFinished });
      const before = tree(p.root);
      const result = await p.run(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      const err = result.stderr.split("\n");
      expect(err[0]).toBe("jt aborted!");
      if (named !== undefined) expect(err[1]).toContain(`'${named}'`);
      expect(err.slice(-2)).toEqual([USAGE, ""]);
      expect(tree(p.root)).toEqual(before);
    });
  });

  test("in a directory without tasks/, creates it; jt then finds the project", async ({ expect, onTestFinished }) => {
    const p = project({}, { onTestFinished });
    const result = await p.run(["generate", "task", "report", "daily"]);
    expect(result).toEqual({ code: 0, signal: null, stdout: lines("created tasks/report.ts"), stderr: "" });
    expect(existsSync(p.path("tasks/report.ts"))).toBe(true);
    expect(await p.run(["report:daily"])).toEqual({ code: 0, signal: null, stdout: lines("running report:daily"), stderr: "" });
  });

  test("-C dir: the file goes under dir", async ({ expect, onTestFinished }) => {
    const p = project({ "app/tasks/other.ts": OTHER }, { onTestFinished });
    const result = await p.run(["-C", "app", "generate", "task", "report", "daily"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^created (app\/)?tasks\/report\.ts\n$/);
    expect(existsSync(p.path("app/tasks/report.ts"))).toBe(true);
    expect(existsSync(p.path("tasks"))).toBe(false);
    expect((await p.run(["-C", "app", "report:daily"])).code).toBe(0);
  });

  test("-C to a missing directory: exit 2, nothing written", async ({ expect, onTestFinished }) => {
    const p = project({}, { onTestFinished });
    const result = await p.run(["-C", "nosuch", "generate", "task", "report", "daily"]);
    expect(result).toEqual({ code: 2, signal: null, stdout: "", stderr: lines("jt aborted!", "-C nosuch: no such directory") });
    expect(tree(p.root)).toEqual([]);
  });

  test("from a subdirectory of a project, the file goes in the project's tasks/", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/other.ts": OTHER, "lib/keep.txt": "" }, { onTestFinished });
    const result = await p.run(["generate", "task", "report", "daily"], { cwd: "lib" });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^created \S*tasks\/report\.ts\n$/);
    expect(existsSync(p.path("tasks/report.ts"))).toBe(true);
    expect(existsSync(p.path("lib/tasks"))).toBe(false);
  });

  test("a configured tasksDir is used", async ({ expect, onTestFinished }) => {
    const p = project({ "jt.config.json": `{ "tasksDir": "lib/tasks" }\n`, "lib/tasks/other.ts": OTHER }, { onTestFinished });
    const result = await p.run(["generate", "task", "report", "daily"]);
    expect(result).toEqual({ code: 0, signal: null, stdout: lines("created lib/tasks/report.ts"), stderr: "" });
    expect(existsSync(p.path("tasks"))).toBe(false);
    expect((await p.run(["report:daily"])).code).toBe(0);
  });

  test("a nested namespace (db:admin) writes tasks/db/admin.ts defining db:admin:<name>", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/other.ts": OTHER }, { onTestFinished });
    const result = await p.run(["generate", "task", "db:admin", "purge"]);
    expect(result).toEqual({ code: 0, signal: null, stdout: lines("created tasks/db/admin.ts"), stderr: "" });
    const listed = await p.run(["-T", "db:admin"]);
    expect(listed.stdout).toMatch(/^jt db:admin:purge +# \S.*\n$/);
    expect((await p.run(["db:admin:purge"])).code).toBe(0);
  });

  test("jt generate does not need a project and runs no task file", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/broken.ts": `throw new Error("must not load");\n` }, { onTestFinished });
    const result = await runJt(["generate", "task", "report", "daily"], { cwd: p.root });
    expect(result).toEqual({ code: 0, signal: null, stdout: lines("created tasks/report.ts"), stderr: "" });
  });
});

/** Runs a command in the project (a test runner); its exit code and output. */
function runIn(root: string, command: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: root, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1", CI: "1" } },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/** A project that depends on jt and on `runner` (vitest or tsx), linked from this repository's node_modules. */
function projectWith(
  runner: "vitest" | "tsx",
  packageJson: object,
  files: Record<string, string>,
  onTestFinished: (fn: () => void) => void,
) {
  const p = project({ "package.json": `${JSON.stringify(packageJson, null, 2)}\n`, ...files }, { onTestFinished }).installJt();
  symlinkSync(join(REPO_ROOT, "node_modules", runner), p.path("node_modules", runner), "dir");
  return p;
}

describe.concurrent("jt generate writes a test beside what it makes, when the project has a test runner", () => {
  test("vitest: tasks/report.ts and test/tasks/report.test.ts, which passes under vitest run", async ({ expect, onTestFinished }) => {
    const p = projectWith("vitest", { type: "module", devDependencies: { vitest: "^4" } }, { "tasks/other.ts": OTHER }, onTestFinished);
    const result = await p.run(["generate", "task", "report", "daily", "weekly"]);
    expect(result).toEqual({
      code: 0,
      signal: null,
      stdout: lines("created tasks/report.ts", "created test/tasks/report.test.ts (vitest: npx vitest run test/tasks/report.test.ts)"),
      stderr: "",
    });
    const test = readFileSync(p.path("test/tasks/report.test.ts"), "utf8");
    expect(test).toContain('import { runTask } from "jobs-and-tasks/testing";');
    expect(test).toContain('const run = await runTask("report:weekly");');
    const passed = await runIn(p.root, process.execPath, [join(REPO_ROOT, "node_modules/vitest/vitest.mjs"), "run"]);
    expect(passed.output).toMatch(/Tests\s+2 passed \(2\)/);
    expect(passed.code).toBe(0);
    // The test can fail: a task that no longer prints what it did.
    writeFileSync(p.path("tasks/report.ts"), readFileSync(p.path("tasks/report.ts"), "utf8").replaceAll("running ${ctx.name}", "done"));
    const failed = await runIn(p.root, process.execPath, [join(REPO_ROOT, "node_modules/vitest/vitest.mjs"), "run"]);
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(/Tests\s+2 failed \(2\)/);
  });

  test("node:test: jt generate job 'cleanup[id]' writes a job task and a test that enqueues and drains it, passing under node --test", async ({
    expect,
    onTestFinished,
  }) => {
    const p = projectWith(
      "tsx",
      { type: "module", scripts: { test: "node --import tsx --test" } },
      { ...ENVIRONMENT, "tasks/other.ts": OTHER },
      onTestFinished,
    );
    const result = await p.run(["generate", "job", "cleanup[id]"]);
    expect(result).toEqual({
      code: 0,
      signal: null,
      stdout: lines(
        "created tasks/cleanup.ts",
        "created test/jobs/cleanup.test.ts (node:test: node --import tsx --test test/jobs/cleanup.test.ts)",
      ),
      stderr: "",
    });
    const source = readFileSync(p.path("tasks/cleanup.ts"), "utf8");
    expect(source).toContain(
      `task("cleanup", { args: ["id"], deps: ["environment"], queue: "default", retry: { attempts: 5, backoff: "polynomial" }, timeout: "5m" }`,
    );
    const dry = await p.run(["jobs:enqueue", "-n", "cleanup[7]"]);
    expect(dry.stdout).toContain("  runs        environment → cleanup\n");
    const passed = await runIn(p.root, process.execPath, ["--import", "tsx", "--test", "test/jobs/cleanup.test.ts"]);
    // TAP on Node 20 (not a terminal), the spec reporter on Node 24.
    expect(passed.output).toMatch(/[#ℹ] pass 1\n/);
    expect(passed.code).toBe(0);
  });

  test("jest: the test uses Jest's globals; a nested job name (mail:digest) goes to tasks/mail/digest.ts", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project({ "package.json": `{ "devDependencies": { "jest": "^30" } }\n`, "tasks/other.ts": OTHER }, { onTestFinished });
    const result = await p.run(["generate", "job", "mail:digest[user,day]"]);
    expect(result.stdout).toBe(
      lines(
        "created tasks/mail/digest.ts",
        "created test/jobs/mail/digest.test.ts (jest: NODE_OPTIONS=--experimental-vm-modules npx jest test/jobs/mail/digest.test.ts)",
      ),
    );
    const test = readFileSync(p.path("test/jobs/mail/digest.test.ts"), "utf8");
    expect(test.startsWith('import { testJobs } from "jobs-and-tasks/testing";\n\ndescribe("mail:digest"')).toBe(true);
    expect(test).toContain('await jobs.enqueue("mail:digest", { args: ["1", "2"] });');
    const ran = await p.run(["mail:digest[ann,mon]"]);
    expect(ran).toEqual({ code: 0, signal: null, stdout: lines("mail:digest: ann mon"), stderr: "" });
  });

  test("tests/ is used when the project has it and no test/; with no test runner, no test is written", async ({
    expect,
    onTestFinished,
  }) => {
    const withTests = project({ "package.json": `{ "devDependencies": { "vitest": "^4" } }\n`, "tests/keep.txt": "" }, { onTestFinished });
    expect((await withTests.run(["generate", "task", "report", "daily"])).stdout).toContain("created tests/tasks/report.test.ts");
    const bare = project({ "package.json": `{ "devDependencies": { "typescript": "^5" } }\n` }, { onTestFinished });
    expect((await bare.run(["generate", "job", "cleanup"])).stdout).toBe(lines("created tasks/cleanup.ts"));
    expect(existsSync(bare.path("test"))).toBe(false);
  });

  test("an existing test file: exit 2 naming it, and the task file is not written either", async ({ expect, onTestFinished }) => {
    const p = project(
      { "package.json": `{ "devDependencies": { "vitest": "^4" } }\n`, "test/jobs/cleanup.test.ts": "// mine\n" },
      { onTestFinished },
    );
    const before = tree(p.root);
    const result = await p.run(["generate", "job", "cleanup"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("test/jobs/cleanup.test.ts already exists; jt generate does not overwrite files (nothing was written)");
    expect(tree(p.root)).toEqual(before);
  });

  test.for([
    ["no name", ["generate", "job"], "needs one job name"],
    ["two names", ["generate", "job", "a", "b"], "needs one job name"],
    ["a name under jobs:", ["generate", "job", "jobs:x"], "names under jobs: are jt's own"],
    ["an arg that is no identifier", ["generate", "job", "x[a-b]"], "Invalid argument name 'a-b'"],
    ["a path in the name", ["generate", "job", "../x"], "Invalid job name '../x'"],
  ] as const)("generate job with %s: exit 2, nothing written", async ([, args, message], { expect, onTestFinished }) => {
    const p = project({ "tasks/other.ts": OTHER }, { onTestFinished });
    const before = tree(p.root);
    const result = await p.run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.split("\n").slice(-2)).toEqual([USAGE, ""]);
    expect(tree(p.root)).toEqual(before);
  });
});
