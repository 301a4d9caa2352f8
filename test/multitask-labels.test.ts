/**
 * Labels for tasks run at once (issue 10 §5): in a multitask whose prerequisites run side by side,
 * each line they print (console.*, process.stdout/stderr writes, their sh commands) starts with
 * `[task]`, as go-task prefixes it; a line written in pieces is labelled once, whole. When only one
 * task runs at a time (a single task, -j 1, a multitask's own action, plain prerequisites) the
 * stream is left as it is.
 */
import { describe, test } from "vitest";
import { enqueueJob, jobsConfig } from "./helpers/jobs.js";
import { project, sharedProject } from "./helpers/project.js";

const TASKS = `import { multitask, task } from "jt";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

task("lint", async ({ sh }) => {
  for (let n = 1; n <= 3; n++) {
    console.log(\`lint line \${n}\`);
    await pause(15);
  }
  process.stdout.write("lint in ");
  await pause(15);
  process.stdout.write("pieces\\n");
  console.error("lint warning");
  await sh\`echo lint command\`;
});

task("test", async () => {
  for (let n = 1; n <= 3; n++) {
    console.log(\`test line \${n}\`);
    await pause(15);
  }
  process.stdout.write("test left unfinished");
});

multitask("ci", ["lint", "test"], () => {
  console.log("ci done");
});

task("setup", () => console.log("setup ran"));
task("needs_setup", ["setup"], async () => {
  await pause(10);
  console.log("needs_setup ran");
});
multitask("nested", ["needs_setup", "test"]);

task("sequential", ["lint", "test"], () => console.log("sequential done"));
`;

describe.concurrent("labels of tasks run at once", () => {
  const p = sharedProject({ "tasks/labels.ts": TASKS });

  test("a multitask: each line of its prerequisites starts with [task], on stdout and stderr; its own action's line does not", async ({
    expect,
  }) => {
    const result = await p.run(["ci"]);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout.split("\n").slice(0, -1);
    expect(out.at(-1)).toBe("ci done");
    const labelled = out.slice(0, -1);
    expect(
      labelled.filter((line) => !/^\[(lint|test)\] \1 /.test(line)),
      result.stdout,
    ).toEqual([]);
    expect(labelled.filter((line) => line.startsWith("[lint]"))).toEqual([
      "[lint] lint line 1",
      "[lint] lint line 2",
      "[lint] lint line 3",
      "[lint] lint in pieces",
      "[lint] lint command",
    ]);
    expect(labelled.filter((line) => line.startsWith("[test]"))).toEqual([
      "[test] test line 1",
      "[test] test line 2",
      "[test] test line 3",
      "[test] test left unfinished",
    ]);
    // Both ran at once: their lines alternate.
    const order = labelled.slice(0, 6).map((line) => line.slice(1, 5));
    expect(new Set(order.slice(0, 2)), result.stdout).toEqual(new Set(["lint", "test"]));
    expect(result.stderr.split("\n").slice(0, -1).sort()).toEqual(["[lint] echo lint command", "[lint] lint warning"]);
  });

  test("a prerequisite of a task in the group is labelled with its own name", async ({ expect }) => {
    const result = await p.run(["nested"]);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout.split("\n").slice(0, -1);
    expect(out).toContain("[setup] setup ran");
    expect(out).toContain("[needs_setup] needs_setup ran");
    expect(out.filter((line) => line.startsWith("[test] "))).toHaveLength(4);
  });

  test("one task at a time: no labels (a single task, -j 1, prerequisites of a plain task)", async ({ expect }) => {
    const single = await p.run(["lint"]);
    expect(single).toMatchObject({
      code: 0,
      stdout: "lint line 1\nlint line 2\nlint line 3\nlint in pieces\nlint command\n",
      stderr: "lint warning\necho lint command\n",
    });
    const oneSlot = await p.run(["-j", "1", "ci"]);
    expect(oneSlot.code, oneSlot.stderr).toBe(0);
    expect(oneSlot.stdout).not.toMatch(/^\[/m);
    expect(oneSlot.stdout).toContain("test left unfinishedci done\n");
    const sequential = await p.run(["sequential"]);
    expect(sequential.code, sequential.stderr).toBe(0);
    expect(sequential.stdout).toBe(
      "lint line 1\nlint line 2\nlint line 3\nlint in pieces\nlint command\ntest line 1\ntest line 2\ntest line 3\ntest left unfinishedsequential done\n",
    );
  });

  test("in a worker, a job's multitask: each line has the job, then the task's label", async ({ expect, onTestFinished }) => {
    const q = project({ "tasks/labels.ts": TASKS, "jt.config.json": jobsConfig({}, { environment: undefined }) }, { onTestFinished });
    const id = await enqueueJob(q, "ci");
    const work = await q.run(["jobs:workoff"], { timeoutMs: 30_000 });
    expect(work.code, work.stderr).toBe(0);
    const out = work.stdout
      .split("\n")
      .slice(0, -1)
      .map((line) => line.replace(/^\S+Z /, ""));
    expect(out).toContain(`job ${id} ci: [lint] lint line 1`);
    expect(out).toContain(`job ${id} ci: [test] test left unfinished`);
    expect(out.at(-1)).toBe(`job ${id} ci: ci done`);
    expect(work.stderr).toMatch(new RegExp(`^\\S+Z job ${id} ci: \\[lint\\] echo lint command$`, "m"));
  });
});
