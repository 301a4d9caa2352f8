/**
 * `jt generate task <namespace> <name> [<name>...]` (issue 4): writes tasks/<namespace>.ts with a
 * described, typed skeleton for each name, prints the path, never overwrites a file (exit 2),
 * and rejects bad input with the usage line (exit 2).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "vitest";
import { project, REPO_ROOT, runJt } from "./helpers/project.js";
import { lines } from "./helpers/text.js";

const USAGE = "Usage: jt generate task <namespace> <name> [<name>...]";

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
    const tsconfig = JSON.stringify({
      compilerOptions: {
        target: "ES2023",
        lib: ["ES2023"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        typeRoots: [join(REPO_ROOT, "node_modules/@types")],
        types: ["node"],
      },
      include: ["tasks", "app"],
    });
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
