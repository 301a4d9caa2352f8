/**
 * Running a task again and replacing tasks (issue 13), as Rails apps do with Rake: ctx.reenable
 * (Rake's reenable) for per-tenant loops, ctx.execute (Rake's execute: actions only), clearTask
 * (Rake's clear, clear_actions, clear_prerequisites, clear_comments, clear_args) for a task another
 * file or a package defines, taskDefined (task_defined?). The real bin/jt.js in a temp project.
 */
import { describe, test } from "vitest";
import { project, sharedProject } from "./helpers/project.js";
import { lines, position } from "./helpers/text.js";

/** A "package" of tasks: loads first (file-name order). */
const PACKAGE = `import { desc, task } from "jt";

task("prep", () => console.log("prep"));
desc("Seed the database from the package's data");
task("db:seed", ["prep"], () => console.log("package seed"));
desc("Something noisy");
task("noisy", ["prep"], () => console.log("noisy"));
task("tenant", { args: ["name"], deps: ["prep"] }, ({ args }) => console.log(\`tenant \${args.name}\`));
`;

const APP = `import { clearTask, task, taskDefined } from "jt";

clearTask("db:seed", "actions");
task("db:seed", () => console.log("app seed"));
clearTask("noisy");
task("defined", () => console.log(\`noisy \${taskDefined("noisy")}, nope \${taskDefined("nope")}\`));

task("all_tenants", async ({ invoke, reenable }) => {
  for (const name of ["a", "b", "c"]) {
    await invoke("tenant", name);
    reenable("tenant");
  }
});
task("without_reenable", async ({ invoke }) => {
  for (const name of ["a", "b"]) await invoke("tenant", name);
});
task("executes", async ({ execute, invoke }) => {
  await execute("tenant", "x");
  await execute("tenant", "y");
  await invoke("tenant", "z");
  await invoke("tenant", "w");
});
task("bad_reenable", ({ reenable }) => reenable("nope"));
task("bad_execute", ({ execute }) => execute("nope"));
`;

const HINT = "(See full trace by running task with --trace)";

describe.concurrent("running a task again", () => {
  const p = sharedProject({ "tasks/a_package.ts": PACKAGE, "tasks/b_app.ts": APP });

  test("ctx.reenable: a loop over tenants runs the task once per tenant, its prerequisite once", async ({ expect }) => {
    expect(await p.run(["all_tenants"])).toEqual({
      code: 0,
      signal: null,
      stdout: lines("prep", "tenant a", "tenant b", "tenant c"),
      stderr: "",
    });
    // Without it, the run-once guarantee holds: the second invoke does nothing.
    expect(await p.run(["without_reenable"])).toMatchObject({ code: 0, stdout: lines("prep", "tenant a") });
  });

  test("ctx.execute: the actions only, as often as asked, and it does not count as run for invoke; --trace shows ** Execute", async ({
    expect,
  }) => {
    expect(await p.run(["executes"])).toEqual({
      code: 0,
      signal: null,
      stdout: lines("tenant x", "tenant y", "prep", "tenant z"),
      stderr: "",
    });
    const traced = await p.run(["--trace", "executes"]);
    expect(traced.stderr.split("\n").filter((line) => line.startsWith("**"))).toEqual([
      "** Invoke executes (first_time)",
      "** Execute executes",
      "** Execute tenant",
      "** Execute tenant",
      "** Invoke tenant (first_time)",
      "** Invoke prep (first_time)",
      "** Execute prep",
      "** Execute tenant",
      "** Invoke tenant ",
    ]);
  });

  test.for(["bad_reenable", "bad_execute"])(
    "%s of a name that is no task fails the task where it was called (exit 1)",
    async (name, { expect }) => {
      const result = await p.run([name]);
      const call = name === "bad_reenable" ? 'reenable("nope")' : 'execute("nope")';
      expect(result).toEqual({
        code: 1,
        signal: null,
        stdout: "",
        stderr: lines(
          "jt aborted!",
          "Don't know how to build task 'nope' (See the list of available tasks with `jt --tasks`)",
          `${p.path("tasks/b_app.ts")}:${position(APP, call)}`,
          `Tasks: TOP => ${name}`,
          HINT,
        ),
      });
    },
  );
});

describe.concurrent("replacing and silencing a task another file defines", () => {
  const p = sharedProject({ "tasks/a_package.ts": PACKAGE, "tasks/b_app.ts": APP });

  test("clearTask(name, 'actions') then task(name, action): the new action, the old prerequisites and description; cold, then warm", async ({
    expect,
  }) => {
    for (const run of ["cold", "warm"]) {
      expect(await p.run(["db:seed"]), run).toEqual({ code: 0, signal: null, stdout: lines("prep", "app seed"), stderr: "" });
    }
    expect((await p.run(["-T", "db"])).stdout).toBe(lines("jt db:seed  # Seed the database from the package's data"));
  });

  test("clearTask(name): no action, no prerequisites, no description left; the task still exists (taskDefined)", async ({ expect }) => {
    expect(await p.run(["noisy"])).toEqual({ code: 0, signal: null, stdout: "", stderr: "" });
    expect((await p.run(["-T"])).stdout).not.toContain("noisy");
    expect(await p.run(["defined"])).toMatchObject({ code: 0, stdout: lines("noisy true, nope false") });
  });

  test("a warm run of a task from the clearing file alone also loads the file that defined what it clears", async ({ expect }) => {
    await p.run(["-T"]);
    for (const run of ["first", "again"])
      expect(await p.run(["defined"]), run).toMatchObject({ code: 0, stdout: lines("noisy true, nope false"), stderr: "" });
  });
});

describe.concurrent("clearTask mistakes: exit 3, nothing runs", () => {
  test("a task not defined (yet): named, with the load order to fix it", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "tasks/a_first.ts": `import { clearTask, task } from "jt";\ntask("ok", () => console.log("ok"));\nclearTask("later");\n`,
        "tasks/b_later.ts": `import { task } from "jt";\ntask("later");\n`,
      },
      { onTestFinished },
    );
    const result = await p.run(["ok"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n").slice(0, 4)).toEqual([
      "jt aborted!",
      "clearTask('later'): no task 'later' is defined (yet)",
      "Task files load in file-name order: clear a task in a file that loads after the one that defines it",
      `${p.path("tasks/a_first.ts")}:3:1`,
    ]);
  });

  test("a part that is not one", async ({ expect, onTestFinished }) => {
    const p = project(
      { "tasks/t.ts": `import { clearTask, task } from "jt";\ntask("ok");\nclearTask("ok", "body" as "actions");\n` },
      { onTestFinished },
    );
    const result = await p.run(["ok"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("clearTask('ok', …): 'body' is not one of actions, prerequisites, description, args");
  });
});

describe.concurrent("ctx.execute and ctx.reenable on a warm run, of a task in a file not loaded yet", () => {
  test("execute loads its file first; reenable of a task whose file is not loaded does nothing (it has not run); a misspelt one still fails", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(
      {
        "tasks/a_work.ts": `import { task } from "jt";\ntask("work", { args: ["n"] }, ({ args }) => console.log(\`work \${args.n}\`));\n`,
        "tasks/b_caller.ts": `import { task } from "jt";
task("caller", async ({ execute, invoke, reenable }) => {
  reenable("work");
  await execute("work", "1");
  await invoke("work", "2");
  reenable("work");
  await invoke("work", "3");
});
task("typo", ({ reenable }) => reenable("wrok"));
`,
      },
      { onTestFinished },
    );
    await p.run(["-T"]); // the manifest: later runs load only the files a target needs
    for (const run of ["warm", "warm again"])
      expect(await p.run(["caller"]), run).toEqual({ code: 0, signal: null, stdout: lines("work 1", "work 2", "work 3"), stderr: "" });
    const typo = await p.run(["typo"]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("Don't know how to build task 'wrok'");
  });
});
