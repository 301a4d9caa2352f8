/**
 * File tasks (issue 13), as Rake's `file` and `directory`: a file task runs only when its file is
 * missing or older than a prerequisite; an existing file is a prerequisite without a task of its
 * own; -B runs them all; --trace marks the ones not needed `(first_time, not_needed)`.
 */
import { readFileSync, utimesSync, writeFileSync, existsSync } from "node:fs";
import { describe, test } from "vitest";
import { age, project } from "./helpers/project.js";
import { lines } from "./helpers/text.js";

const TASKS = `import { directory, file, task } from "jt";
import { readFileSync, writeFileSync } from "node:fs";

directory("out/gen");
file("out/gen/upper.txt", ["src.txt", "out/gen"], ({ name }) => {
  writeFileSync(name, readFileSync("src.txt", "utf8").toUpperCase());
  console.log(\`built \${name}\`);
});
file("stamp.txt", ["always"], ({ name }) => {
  writeFileSync(name, "x");
  console.log("stamped");
});
task("always", () => console.log("always"));
task("default", ["out/gen/upper.txt"]);
`;

type Cleanup = { onTestFinished: (fn: () => void) => void };
const fileProject = (context: Cleanup) => project({ "tasks/build.ts": TASKS, "src.txt": "hello\n" }, context);

describe.concurrent("file tasks", () => {
  test("built when missing (its directory made first), then not again until a prerequisite is newer", async ({
    expect,
    onTestFinished,
  }) => {
    const p = fileProject({ onTestFinished });
    age(p.path("src.txt"));
    expect(await p.run([])).toEqual({ code: 0, signal: null, stdout: lines("built out/gen/upper.txt"), stderr: "" });
    expect(readFileSync(p.path("out/gen/upper.txt"), "utf8")).toBe("HELLO\n");
    expect(await p.run([])).toEqual({ code: 0, signal: null, stdout: "", stderr: "" });
    writeFileSync(p.path("src.txt"), "again\n");
    utimesSync(p.path("out/gen/upper.txt"), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(await p.run([])).toMatchObject({ code: 0, stdout: lines("built out/gen/upper.txt") });
    expect(readFileSync(p.path("out/gen/upper.txt"), "utf8")).toBe("AGAIN\n");
  });

  test("--trace: Rake's lines, `not_needed` on what is up to date and no ** Execute for it", async ({ expect, onTestFinished }) => {
    const p = fileProject({ onTestFinished });
    age(p.path("src.txt"));
    const first = await p.run(["--trace"]);
    expect(first.stderr.split("\n").filter((line) => line.startsWith("**"))).toEqual([
      "** Invoke default (first_time)",
      "** Invoke out/gen/upper.txt (first_time)",
      "** Invoke src.txt (first_time, not_needed)",
      "** Invoke out/gen (first_time)",
      "** Execute out/gen",
      "** Execute out/gen/upper.txt",
      "** Execute default",
    ]);
    const again = await p.run(["--trace"]);
    expect(again.stderr.split("\n").filter((line) => line.startsWith("**"))).toEqual([
      "** Invoke default (first_time)",
      "** Invoke out/gen/upper.txt (first_time, not_needed)",
      "** Invoke src.txt (first_time, not_needed)",
      "** Invoke out/gen (first_time, not_needed)",
      "** Execute default",
    ]);
    expect((await p.run(["-n"])).stderr).not.toContain("Execute (dry run) out/gen/upper.txt");
  });

  test("-B (--build-all) runs every file task; a task prerequisite always makes its file task run", async ({ expect, onTestFinished }) => {
    const p = fileProject({ onTestFinished });
    await p.run([]);
    for (const flag of ["-B", "--build-all"])
      expect(await p.run([flag]), flag).toMatchObject({ code: 0, stdout: lines("built out/gen/upper.txt") });
    for (const run of ["first", "second"])
      expect(await p.run(["stamp.txt"]), run).toMatchObject({ code: 0, stdout: lines("always", "stamped") });
    expect(existsSync(p.path("stamp.txt"))).toBe(true);
  });

  test("a missing prerequisite file that no task makes: Rake's message (exit 3)", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/build.ts": TASKS }, { onTestFinished });
    const result = await p.run([]);
    expect(result.code).toBe(3);
    expect(result.stderr.split("\n").slice(0, 2)).toEqual([
      "jt aborted!",
      "Don't know how to build task 'src.txt' (See the list of available tasks with `jt --tasks`)",
    ]);
    expect(result.stderr).toContain("Tasks: TOP => default => out/gen/upper.txt");
  });
});
