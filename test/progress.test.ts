/**
 * `ctx.progress` in a terminal run (issue 15): a bar on a terminal, plain rate-limited lines on
 * stderr otherwise (CI, `heroku run`), stdout left to the task; bad arguments fail the task where
 * it called. (In a job it is stored with the job: test/jobs/progress-results.test.ts.)
 */
import { describe, expect as expectEach, test } from "vitest";
import { sharedProject } from "./helpers/project.js";
import { lines } from "./helpers/text.js";
import { runInTty } from "./helpers/tty.js";

const TASKS = `import { task } from "jt";

/** 0..10 at once, then "finished" on stdout. */
task("count", (ctx) => {
  for (let i = 0; i <= 10; i++) ctx.progress(i, 10, i === 10 ? "done" : "rows");
  console.log("finished");
});

/** Three reports without a total, the second within a second of the first. */
task("scan", async (ctx) => {
  ctx.progress(1, undefined, "files");
  ctx.progress(2, undefined, "files");
  await new Promise((resolve) => setTimeout(resolve, 1100));
  ctx.progress(3, undefined, "files");
});

/** Prints while its bar is drawn. */
task("chatty", async (ctx) => {
  for (let i = 1; i <= 3; i++) {
    ctx.progress(i, 3);
    console.log(\`line \${i}\`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
});

task("negative", (ctx) => ctx.progress(-1, 10));
task("zero-total", (ctx) => ctx.progress(1, 0));
task("not-a-number", (ctx) => ctx.progress("3" as unknown as number));
`;

const shared = sharedProject({ "tasks/progress.ts": TASKS });

/**
 * The terminal's text as lines: a carriage return, a move to the first column or an erased line
 * starts a line again; other escape sequences are removed.
 */
function screenLines(output: string): string[] {
  return output
    .replace(/\u001b\[\d*G|\u001b\[2K/g, "\r")
    .replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[78]/g, "")
    .split(/\r|\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line !== "");
}

describe("ctx.progress, not on a terminal", () => {
  test("lines on stderr: the first report, then at most one a second, and the one that reaches the total; stdout is the task's", async ({
    expect,
  }) => {
    const result = await shared.run(["count"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(lines("finished"));
    expect(result.stderr).toBe(lines("jt: count: 0/10 (0%) rows", "jt: count: 10/10 (100%) done"));
  });

  test("without a total: the count and the message, a second apart at most once", async ({ expect }) => {
    const result = await shared.run(["scan"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(lines("jt: scan: 1 files", "jt: scan: 3 files"));
  });

  test.each([
    ["negative", "ctx.progress: done must be a number of at least 0, not -1"],
    ["zero-total", "ctx.progress: total must be a number greater than 0 (or left out), not 0"],
    ["not-a-number", "ctx.progress: done must be a number of at least 0, not 3"],
  ])("bad arguments (%s) fail the task where it called, exit 1", async (name, message) => {
    const result = await shared.run([name]);
    expectEach(result.code).toBe(1);
    expectEach(result.stderr).toContain(`${message}\n${shared.path("tasks", "progress.ts")}:`);
    expectEach(result.stderr).toContain(`Tasks: TOP => ${name}`);
  });
});

describe("ctx.progress on a terminal", () => {
  test("a bar, left at its last state when the task ends; what the task prints gets lines of its own", async ({ expect }) => {
    const { output, code } = await runInTty(shared.root, ["count"]);
    expect(code).toBe(0);
    const screen = screenLines(output);
    expect(screen).toContain("finished");
    expect(screen.at(-1)).toBe(`count [${"█".repeat(30)}] 10/10 (100%) done`);
  });

  test("output written while a bar is drawn never shares its line", async ({ expect }) => {
    const { output, code } = await runInTty(shared.root, ["chatty"]);
    expect(code).toBe(0);
    const screen = screenLines(output);
    for (const line of ["line 1", "line 2", "line 3"]) expect(screen).toContain(line);
    expect(screen.filter((line) => line.includes("line ") && line.includes("chatty"))).toEqual([]);
    expect(screen.at(-1)).toBe(`chatty [${"█".repeat(30)}] 3/3 (100%)`);
  });
});
