/**
 * jt-tasks.d.ts (issue 17, "Types for every call site"): jt writes the project's task names and
 * args as a declaration file whenever it reads the task files anew, and on `jt types`; with it,
 * TypeScript checks the task name and args of enqueue, createJobs().enqueue, ctx.enqueue,
 * ctx.invoke, runTask and testJobs().enqueue. Each test compiles a real project with tsc; an
 * `@ts-expect-error` that no longer finds its error fails the compile, so each expected error is
 * proven to be there.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "vitest";
import { project, REPO_ROOT, strictTsconfig, type TestProject } from "./helpers/project.js";
import { lines } from "./helpers/text.js";

// TypeScript's default skipLibCheck (false): jt-tasks.d.ts (a .d.ts) is checked too.
const TSCONFIG = strictTsconfig({ skipLibCheck: false });

const TASKS = `import { namespace, task } from "jobs-and-tasks";

namespace("mail", () => {
  task("welcome", { args: ["login"], queue: "mail" }, () => {});
});
task("load", { args: ["source", "logins..."] }, () => {});
task("nightly", () => {});
`;

/** Calls that must compile, and calls that must not (each marked @ts-expect-error). */
const APP = `import { createJobs, enqueue, task } from "jobs-and-tasks";
import { runTask, testJobs } from "jobs-and-tasks/testing";

export async function valid(dynamic: string): Promise<void> {
  await enqueue("mail:welcome", { args: [42], wait: "5m" });
  await enqueue("mail:welcome");
  await enqueue("load", { args: ["ldap", "ann", "bob", "cy"] });
  await createJobs().enqueue("nightly");
  // A name read at run time cannot be checked: it is allowed, also built from a template.
  await enqueue(dynamic, { args: ["x", 1, true] });
  await enqueue(\`mail:\${dynamic}\`);
  await runTask("mail:welcome", { args: ["ann"] });
  await runTask("mail:welcome[ann]");
  await testJobs().enqueue("load", { args: ["csv"] });
}

task("calls", async ({ invoke, enqueue: enqueueHere, execute }) => {
  await invoke("mail:welcome", "ann");
  await execute("load", "ldap", "ann");
  await enqueueHere("nightly");
});

export async function invalid(): Promise<void> {
  // @ts-expect-error a misspelt task name
  await enqueue("mail:welcom", { args: [42] });
  // @ts-expect-error mail:welcome takes one arg
  await enqueue("mail:welcome", { args: [1, 2] });
  // @ts-expect-error nightly takes none
  await createJobs().enqueue("nightly", { args: ["x"] });
  // @ts-expect-error no such task
  await runTask("mail:welcom[ann]");
  // @ts-expect-error no such task
  await testJobs().enqueue("nigthly");
}

task("wrong", async ({ invoke, enqueue: enqueueHere }) => {
  // @ts-expect-error a misspelt task name
  await invoke("mail:welcom", "ann");
  // @ts-expect-error a misspelt task name
  await enqueueHere("nigthly");
});
`;

function typedProject(files: Record<string, string>, onTestFinished: (fn: () => void) => void): TestProject {
  return project(
    { "package.json": `{ "type": "module" }\n`, "tsconfig.json": TSCONFIG, "tasks/app.ts": TASKS, ...files },
    { onTestFinished },
  ).installJt();
}

/** tsc's errors for the project ("" when it compiles). */
function compile(root: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", "."],
      { cwd: root, encoding: "utf8" },
      (error, stdout) => resolve(error ? stdout || String(error) : ""),
    );
  });
}

describe.concurrent("jt-tasks.d.ts", () => {
  test("any jt command writes it; then every call site checks the task name and args (and a string-typed name passes)", async ({
    expect,
    onTestFinished,
  }) => {
    const p = typedProject({ "src/app.ts": APP }, onTestFinished);
    expect((await p.run(["-T"])).code).toBe(0);
    expect(readFileSync(p.path("jt-tasks.d.ts"), "utf8")).toContain(
      [
        "    load: { readonly args: readonly [source?: string | number | boolean, ...logins: (string | number | boolean)[]] };",
        '    "mail:welcome": { readonly args: readonly [login?: string | number | boolean] };',
        "    nightly: { readonly args: readonly [] };",
      ].join("\n"),
    );
    expect(await compile(p.root)).toBe("");
  });

  test("the errors the compiler gives name the task names it knows", async ({ expect, onTestFinished }) => {
    const p = typedProject({ "src/app.ts": `import { enqueue } from "jobs-and-tasks";\nawait enqueue("mail:welcom");\n` }, onTestFinished);
    expect((await p.run(["-T"])).code).toBe(0);
    const errors = await compile(p.root);
    expect(errors).toContain("src/app.ts(2,15): error TS2769: No overload matches this call.");
    expect(errors).toContain(`Argument of type '"mail:welcom"' is not assignable to parameter of type`);
  });

  test("a project jt has never run in has no file, and every name compiles", async ({ expect, onTestFinished }) => {
    const unchecked = APP.replace(/\n\s*\/\/ @ts-expect-error[^\n]*/g, "");
    const p = typedProject({ "src/app.ts": unchecked }, onTestFinished);
    expect(existsSync(p.path("jt-tasks.d.ts"))).toBe(false);
    expect(await compile(p.root)).toBe("");
  });

  test("a task added to a task file: the next jt command (any: jt -T) writes the file again, and a call to it compiles", async ({
    expect,
    onTestFinished,
  }) => {
    const call = `import { enqueue } from "jobs-and-tasks";\nawait enqueue("reports:weekly", { args: ["acme"] });\n`;
    const p = typedProject({ "src/app.ts": call }, onTestFinished);
    expect((await p.run(["-T"])).code).toBe(0);
    expect(await compile(p.root)).toContain(`'"reports:weekly"' is not assignable`);
    writeFileSync(
      p.path("tasks/reports.ts"),
      `import { task } from "jobs-and-tasks";\ntask("reports:weekly", { args: ["tenant"] }, () => {});\n`,
    );
    expect((await p.run(["-T"])).code).toBe(0);
    expect(await compile(p.root)).toBe("");
  });

  test("jt types writes it (also without a tsconfig.json) and says when it was up to date; types: false turns it off", async ({
    expect,
    onTestFinished,
  }) => {
    const plain = project({ "tasks/app.ts": TASKS }, { onTestFinished });
    expect((await plain.run(["-T"])).code).toBe(0);
    expect(existsSync(plain.path("jt-tasks.d.ts"))).toBe(false);
    expect(await plain.run(["types"])).toEqual({ code: 0, signal: null, stdout: lines("jt-tasks.d.ts: written (3 tasks)"), stderr: "" });
    expect((await plain.run(["types"])).stdout).toBe(lines("jt-tasks.d.ts: up to date (3 tasks)"));

    const off = typedProject({ "jt.config.json": `{ "types": false }\n` }, onTestFinished);
    expect((await off.run(["-T"])).code).toBe(0);
    expect(existsSync(off.path("jt-tasks.d.ts"))).toBe(false);
    expect(await off.run(["types"])).toMatchObject({ code: 2, stderr: expect.stringContaining("types: false") });

    const elsewhere = typedProject({ "jt.config.json": `{ "types": "src/types/tasks.d.ts" }\n` }, onTestFinished);
    expect((await elsewhere.run(["-T"])).code).toBe(0);
    expect(existsSync(elsewhere.path("src/types/tasks.d.ts"))).toBe(true);
    expect(await elsewhere.run(["-T"], { env: {} })).toMatchObject({ code: 0 });
    const bad = typedProject({ "jt.config.json": `{ "types": "tasks.ts" }\n` }, onTestFinished);
    expect(await bad.run(["-T"])).toMatchObject({
      code: 3,
      stderr: expect.stringContaining(`'types' must be false or a path ending in ".d.ts"`),
    });
  });

  test("a project with rules: any name compiles (a rule makes tasks for any file), known names still check their args", async ({
    expect,
    onTestFinished,
  }) => {
    const rules = `import { rule } from "jobs-and-tasks";\nrule(".html", [".md"], () => {});\n`;
    const app = `import { enqueue } from "jobs-and-tasks";
await enqueue("guide.html");
// @ts-expect-error nightly takes no args
await enqueue("nightly", { args: ["x"] });
`;
    const p = typedProject({ "tasks/rules.ts": rules, "src/app.ts": app }, onTestFinished);
    expect((await p.run(["-T"])).code).toBe(0);
    expect(readFileSync(p.path("jt-tasks.d.ts"), "utf8")).toContain(
      "    [name: string]: { readonly args: readonly (string | number | boolean | undefined)[] };",
    );
    expect(await compile(p.root)).toBe("");
  });
});
