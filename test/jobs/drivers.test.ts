/**
 * The database driver a user installs (issue 21 §3): better-sqlite3 12 and 13 are both taken where
 * Node allows them; one that cannot load (13 on Node 20, a build that never ran, none at all, pg 7)
 * is refused before it is loaded, in one sentence naming the version found, why, and the command
 * that fixes it, exit 3. Each case is a real package in the temporary project's node_modules,
 * which jt looks in before its own.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, test } from "vitest";
import { project, REPO_ROOT, type TestProject } from "../helpers/project.js";

const NODE_MAJOR = Number(process.versions.node.split(".")[0]);
const TASKS = `import { task } from "jt";\nimport { appendFileSync } from "node:fs";\ntask("t", { args: ["n"] }, ({ args }) => appendFileSync("runs.log", \`\${args.n}\\n\`));\n`;

function driverProject(context: { onTestFinished: (fn: () => void) => void }, store = "db/jobs.sqlite3"): TestProject {
  return project({ "tasks/t.ts": TASKS, "jt.config.json": JSON.stringify({ jobs: { store } }) }, context).dir("node_modules");
}

/** Puts the repository's package `from` (an npm alias such as better-sqlite3-13) in the project as `name`. */
function installAs(p: TestProject, from: string, name: string, how: "link" | "copy" = "link"): string {
  const target = p.path("node_modules", name);
  mkdirSync(dirname(target), { recursive: true }); // a scoped package: node_modules/@scope/
  if (how === "link") symlinkSync(join(REPO_ROOT, "node_modules", from), target, "dir");
  else cpSync(join(REPO_ROOT, "node_modules", from), target, { recursive: true });
  return target;
}

/** The report's first lines, without the --trace hint. */
function report(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line !== "" && !line.startsWith("(See full trace"));
}

describe.concurrent("the SQLite driver the app installed", () => {
  test.runIf(NODE_MAJOR < 22)(
    "better-sqlite3 13 on Node 20 is refused before it is loaded (loading it would crash the process)",
    async ({ expect, onTestFinished }) => {
      const p = driverProject({ onTestFinished });
      installAs(p, "better-sqlite3-13", "better-sqlite3", "copy");
      for (const verb of [["jobs:enqueue", "t[1]"], ["jobs:list"], ["jobs:workoff"]]) {
        const result = await p.run(verb);
        expect(result.code, verb.join(" ")).toBe(3);
        expect(report(result.stderr)).toEqual([
          "jt aborted!",
          `better-sqlite3 13.2.0 (node_modules/better-sqlite3) needs Node 22 or later (its engines field says ">=22"); this is Node ${process.versions.node}, where loading it would crash the process`,
          "Install the version for this Node, in your app: npm install better-sqlite3@12 (or run jt on Node 22 or later)",
        ]);
        expect(result.signal).toBe(null);
      }
      // Nothing was half-done: no store file was created.
      expect(readdirSync(p.root)).not.toContain("db");
    },
  );

  test.runIf(NODE_MAJOR >= 22)("better-sqlite3 13 on Node 22 and later runs jobs", async ({ expect, onTestFinished }) => {
    const p = driverProject({ onTestFinished });
    installAs(p, "better-sqlite3-13", "better-sqlite3", "copy");
    expect((await p.run(["jobs:enqueue", "t[1]"])).code).toBe(0);
    const work = await p.run(["jobs:workoff"]);
    expect(work.stderr).toContain("1 completed");
    expect(work.code).toBe(0);
  });

  test("better-sqlite3 12 whose build never ran names the command that builds it", async ({ expect, onTestFinished }) => {
    const p = driverProject({ onTestFinished });
    const target = installAs(p, "better-sqlite3", "better-sqlite3", "copy");
    rmSync(join(target, "build"), { recursive: true, force: true });
    for (const dependency of ["bindings", "file-uri-to-path"]) installAs(p, dependency, dependency);
    const result = await p.run(["jobs:list"]);
    expect(result.code).toBe(3);
    const lines = report(result.stderr);
    expect(lines.slice(0, 3)).toEqual([
      "jt aborted!",
      expect.stringMatching(
        /^better-sqlite3 12\.\d+\.\d+ is installed without its native part: its install script, which builds it, did not run$/,
      ),
      "Build it, in your app: npm install-scripts approve better-sqlite3 && npm rebuild better-sqlite3",
    ]);
    expect(lines[3]).toMatch(/^\(npm 11 skips install scripts until they are approved; Could not locate the bindings file\.\)?/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  test("no better-sqlite3 anywhere: what to install for this Node", async ({ expect, onTestFinished }) => {
    // jt itself is a copy inside the project, so the driver in jt's own repository is out of reach.
    const p = driverProject({ onTestFinished });
    const jt = p.path("node_modules/jobs-and-tasks");
    mkdirSync(jt);
    for (const part of ["package.json", "bin", "dist"]) cpSync(join(REPO_ROOT, part), join(jt, part), { recursive: true });
    const runtime = Object.keys(
      (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: object }).dependencies,
    );
    for (const dependency of runtime) installAs(p, dependency, dependency);
    const result = await p.run(["jobs:list"], { bin: join(jt, "bin/jt.js") });
    expect(report(result.stderr)).toEqual([
      "jt aborted!",
      "Jobs on SQLite need the better-sqlite3 package, which is not installed",
      `Install it in your app: npm install better-sqlite3@${NODE_MAJOR < 22 ? 12 : 13}`,
    ]);
    expect(result.code).toBe(3);
  });
});

describe.concurrent("the PostgreSQL driver the app installed", () => {
  test("pg 7 is too old: one sentence, the version found and what to install", async ({ expect, onTestFinished }) => {
    const p = driverProject({ onTestFinished }, "postgres://127.0.0.1:5432/test");
    installAs(p, "pg-7", "pg", "copy");
    const result = await p.run(["jobs:list"]);
    expect(report(result.stderr)).toEqual([
      "jt aborted!",
      "Jobs on PostgreSQL work with pg 8; this app has pg 7.18.2 (node_modules/pg), which is too old",
      "Install a version jt supports, in your app: npm install pg@8",
    ]);
    expect(result.code).toBe(3);
  });
});
