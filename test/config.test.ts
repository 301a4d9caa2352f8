/**
 * Configuration through cosmiconfig (module name "jt"): where it is found, `tasksDir`, and the
 * errors for a bad config (exit 3). See the README's "Configuration" and issue 3.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, test, type ExpectStatic } from "vitest";
import type { RunResult } from "./helpers/project.js";
import { STACK_FRAME, lines, real } from "./helpers/text.js";
import { project } from "./helpers/project.js";

const JOB = `import { desc, task } from "jt";\ndesc("A job from jobs/");\ntask("job", () => console.log("job ran"));\n`;
const IGNORED = `import { desc, task } from "jt";\ndesc("From tasks/, which the config replaces");\ntask("from_tasks");\n`;

/** tasks in jobs/ (the configured dir) and in tasks/ (the default, which a config naming jobs/ must not load). */
function withJobs(files: Record<string, string>): Record<string, string> {
  return { "jobs/job.ts": JOB, "tasks/ignored.ts": IGNORED, ...files };
}

const JOBS_LISTED = lines("jt job  # A job from jobs/");

function expectConfigError(expect: ExpectStatic, result: RunResult): void {
  expect(result.code).toBe(3);
  expect(result.stdout).toBe("");
  expect(result.stderr.split("\n")[0]).toBe("jt aborted!");
  expect(result.stderr).not.toMatch(STACK_FRAME);
}

describe.concurrent("finding the config", () => {
  test("jt.config.json", async ({ expect, onTestFinished }) => {
    const p = project(withJobs({ "jt.config.json": `{ "tasksDir": "jobs" }\n` }), { onTestFinished });
    expect(await p.run(["-T"])).toMatchObject({ code: 0, stdout: JOBS_LISTED, stderr: "" });
  });

  test("a key whose value is undefined counts as not set (store: process.env.X with X unset)", async ({ expect, onTestFinished }) => {
    const config = `export default { tasksDir: "jobs", environment: undefined, jobs: { store: process.env.JT_TEST_NOT_SET, concurrency: undefined } };\n`;
    const p = project(withJobs({ "jt.config.mjs": config }), { onTestFinished });
    expect(await p.run(["-T"])).toMatchObject({ code: 0, stdout: JOBS_LISTED, stderr: "" });
  });

  test("jt.config.mjs", async ({ expect, onTestFinished }) => {
    const p = project(withJobs({ "jt.config.mjs": `const dir = ["jo", "bs"].join("");\nexport default { tasksDir: dir };\n` }), {
      onTestFinished,
    });
    expect(await p.run(["-T"])).toMatchObject({ code: 0, stdout: JOBS_LISTED, stderr: "" });
  });

  test("jt.config.ts, compiled through tsx (types, an enum), in a bare directory", async ({ expect, onTestFinished }) => {
    const p = project(
      withJobs({
        "jt.config.ts": `interface Config { tasksDir: string }
enum Dir { Jobs = "jobs" }
const config: Config = { tasksDir: Dir.Jobs };
export default config;
`,
      }),
      { onTestFinished },
    );
    expect(await p.run(["-T"])).toMatchObject({ code: 0, stdout: JOBS_LISTED, stderr: "" });
  });

  test('jt.config.ts in a "type": "module" project', async ({ expect, onTestFinished }) => {
    const p = project(
      withJobs({
        "package.json": `{ "name": "app", "type": "module" }\n`,
        "jt.config.ts": `const tasksDir: string = "jobs";\nexport default { tasksDir } satisfies { tasksDir: string };\n`,
      }),
      { onTestFinished },
    );
    expect(await p.run(["-T"])).toMatchObject({ code: 0, stdout: JOBS_LISTED, stderr: "" });
  });

  test(".jtrc.json", async ({ expect, onTestFinished }) => {
    const p = project(withJobs({ ".jtrc.json": `{ "tasksDir": "jobs" }\n` }), { onTestFinished });
    expect(await p.run(["-T"])).toMatchObject({ code: 0, stdout: JOBS_LISTED, stderr: "" });
  });

  test(`the "jt" key in package.json`, async ({ expect, onTestFinished }) => {
    const p = project(withJobs({ "package.json": `{ "name": "app", "jt": { "tasksDir": "jobs" } }\n` }), { onTestFinished });
    expect(await p.run(["-T"])).toMatchObject({ code: 0, stdout: JOBS_LISTED, stderr: "" });
  });

  test("tasksDir as an array: tasks from every directory load", async ({ expect, onTestFinished }) => {
    const p = project(
      withJobs({
        "jt.config.json": `{ "tasksDir": ["jobs", "lib/more-tasks"] }\n`,
        "lib/more-tasks/more.ts": `import { desc, task } from "jt";\ndesc("A task from lib/more-tasks/");\ntask("more", () => console.log("more ran"));\n`,
      }),
      { onTestFinished },
    );
    expect(await p.run(["-T"])).toMatchObject({
      code: 0,
      stderr: "",
      stdout: lines("jt job   # A job from jobs/", "jt more  # A task from lib/more-tasks/"),
    });
    expect(await p.run(["job", "more"])).toMatchObject({ code: 0, stdout: "job ran\nmore ran\n", stderr: "" });
  });

  test("a config file in a parent directory makes that directory the root", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "jt.config.json": `{ "tasksDir": "jobs" }\n`,
        "jobs/pwd.ts": `import { task } from "jt";\ntask("pwd", () => console.log(process.cwd()));\n`,
        // A package.json without a "jt" key is not a jt config: the search goes on past it.
        "packages/app/package.json": `{ "name": "app" }\n`,
        "packages/app/src/.keep": "",
      },
      { onTestFinished },
    );
    const root = real(p.root);
    expect(await p.run(["pwd"], { cwd: "packages/app/src" })).toMatchObject({ code: 0, stdout: `${root}\n`, stderr: `(in ${root})\n` });
  });

  test("a config without tasksDir uses tasks/ next to it", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        ".jtrc.json": `{}\n`,
        "tasks/t.ts": `import { desc, task } from "jt";\ndesc("Default dir");\ntask("t");\n`,
      },
      { onTestFinished },
    );
    expect(await p.run(["-T"])).toMatchObject({ code: 0, stdout: "jt t  # Default dir\n", stderr: "" });
  });
});

describe.concurrent("config errors (exit 3)", () => {
  test("an unknown key is named", async ({ expect, onTestFinished }) => {
    const p = project(withJobs({ "jt.config.json": `{ "tasksDir": "jobs", "colour": true }\n` }), { onTestFinished });
    const result = await p.run(["-T"]);
    expectConfigError(expect, result);
    expect(result.stderr).toContain("colour");
  });

  test("a misspelt key gets a did-you-mean", async ({ expect, onTestFinished }) => {
    const p = project(withJobs({ "jt.config.json": `{ "tasksDr": "jobs" }\n` }), { onTestFinished });
    const result = await p.run(["job"]);
    expectConfigError(expect, result);
    expect(result.stderr).toContain("tasksDr");
    expect(result.stderr).toMatch(/did you mean\W+tasksDir/i);
  });

  test("a wrong type: tasksDir: 5", async ({ expect, onTestFinished }) => {
    const p = project(withJobs({ "jt.config.json": `{ "tasksDir": 5 }\n` }), { onTestFinished });
    const result = await p.run(["-T"]);
    expectConfigError(expect, result);
    expect(result.stderr).toContain("tasksDir");
  });

  test('a wrong type inside the array: tasksDir: ["jobs", 5]', async ({ expect, onTestFinished }) => {
    const p = project(withJobs({ "jt.config.json": `{ "tasksDir": ["jobs", 5] }\n` }), { onTestFinished });
    const result = await p.run(["-T"]);
    expectConfigError(expect, result);
    expect(result.stderr).toContain("tasksDir");
  });

  test("invalid JSON in .jtrc.json names the file", async ({ expect, onTestFinished }) => {
    const p = project(withJobs({ ".jtrc.json": `{ "tasksDir": "jobs",\n` }), { onTestFinished });
    const result = await p.run(["-T"]);
    expectConfigError(expect, result);
    expect(result.stderr).toContain(join(real(p.root), ".jtrc.json"));
  });

  test("invalid JSON: the error says what is wrong in the file, not only its name", async ({ expect, onTestFinished }) => {
    // The README's "Errors": one line that says what is wrong. The parser's reason (with its position) must survive.
    const p = project(withJobs({ ".jtrc.json": `{ "tasksDir": "jobs" "x": 1 }\n` }), { onTestFinished });
    const result = await p.run(["-T"]);
    expectConfigError(expect, result);
    expect(result.stderr).toMatch(/position \d+|line \d+|:\d+:\d+/);
  });

  test("a configured tasksDir that does not exist is named", async ({ expect, onTestFinished }) => {
    const p = project(withJobs({ "jt.config.json": `{ "tasksDir": "no-such-dir" }\n` }), { onTestFinished });
    const result = await p.run(["job"]);
    expectConfigError(expect, result);
    expect(result.stderr).toContain("no-such-dir");
  });

  test("no tasks/ and no config anywhere up the tree: a helpful message", async ({ expect, onTestFinished }) => {
    const p = project({ "src/.keep": "" }, { onTestFinished });
    // The test means something only if no directory above the temporary one is a jt project.
    expect(jtMarkersAbove(p.root)).toEqual([]);
    const [run, listing] = await Promise.all([p.run(["hello"], { cwd: "src" }), p.run(["-T"])]);
    for (const result of [run, listing]) {
      expectConfigError(expect, result);
      expect(result.stderr).toContain("tasks/");
      expect(result.stderr).toMatch(/config/);
    }
    expect(run.stderr).toContain(real(p.path("src")));
  });
});

/** Anything in the directories above `dir` that would make one of them a jt project root. */
function jtMarkersAbove(dir: string): string[] {
  const found: string[] = [];
  for (let d = dirname(real(dir)); ; d = dirname(d)) {
    let entries: string[] = [];
    try {
      entries = readdirSync(d);
    } catch {
      entries = [];
    }
    for (const name of entries) {
      const path = join(d, name);
      if (name === "tasks" && isDir(path)) found.push(path);
      if (name.startsWith("jt.config.") || name.startsWith(".jtrc")) found.push(path);
      if (name === "package.json" && hasJtKey(path)) found.push(path);
    }
    if (existsSync(join(d, ".config")) && isDir(join(d, ".config"))) {
      for (const name of readdirSync(join(d, ".config"))) if (name.startsWith("jtrc")) found.push(join(d, ".config", name));
    }
    if (dirname(d) === d) return found;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function hasJtKey(path: string): boolean {
  try {
    return "jt" in (JSON.parse(readFileSync(path, "utf8")) as object);
  } catch {
    return false;
  }
}
