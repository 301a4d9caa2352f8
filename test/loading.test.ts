/**
 * Loading task files: which files, in which order, through tsx with no setup in the user's
 * project, and `import … from "jobs-and-tasks"` (or its alias "jt") reaching the running jt however the project is laid out.
 * Then the load errors: a syntax error or a throw names the file and line, exit 3, no raw stack.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "vitest";
import { project } from "./helpers/project.js";
import { STACK_FRAME, lines } from "./helpers/text.js";

describe.concurrent("which task files load, in which order", () => {
  test("every .ts, .mts, .js and .mjs under tasks/, recursively, in sorted full-path order; .d.ts and other files ignored", async ({
    expect,
    onTestFinished,
  }) => {
    const log = (name: string) => `console.log("loaded ${name}");\n`;
    const p = project(
      {
        "tasks/z.ts": log("tasks/z.ts"),
        "tasks/sub/m.mts": log("tasks/sub/m.mts"),
        "tasks/b/x.js": log("tasks/b/x.js"),
        "tasks/b/a/deep.ts": log("tasks/b/a/deep.ts"),
        "tasks/b.ts": log("tasks/b.ts"),
        "tasks/a.mjs": log("tasks/a.mjs"),
        "tasks/A.ts": log("tasks/A.ts"),
        "tasks/types.d.ts": `declare const x: number;\n${log("tasks/types.d.ts")}`,
        "tasks/notes.md": "# not a task file\n",
        "tasks/data.json": `{ "not": "a task file" }\n`,
        "tasks/script.sh": "echo not a task file\n",
      },
      { onTestFinished },
    );
    // Byte order of the whole path: "A" < "a"; "b.ts" < "b/…" ('.' < '/'); "b/a/…" < "b/x.js".
    expect(await p.run(["-T"])).toMatchObject({
      code: 0,
      stderr: "",
      stdout: lines(
        "loaded tasks/A.ts",
        "loaded tasks/a.mjs",
        "loaded tasks/b.ts",
        "loaded tasks/b/a/deep.ts",
        "loaded tasks/b/x.js",
        "loaded tasks/sub/m.mts",
        "loaded tasks/z.ts",
      ),
    });
  });

  test("a .mts file with top-level await loads, and the next file loads only after it finished", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "tasks/a.mts": `import { task } from "jt";
const value: number = await new Promise<number>((resolve) => setTimeout(() => resolve(42), 50));
console.log("a.mts done");
task("tla", () => console.log("tla", value));
`,
        "tasks/b.ts": `console.log("b.ts loaded");\n`,
      },
      { onTestFinished },
    );
    expect(await p.run(["tla"])).toMatchObject({ code: 0, stdout: lines("a.mts done", "b.ts loaded", "tla 42"), stderr: "" });
  });
});

const TRIO = {
  "tasks/a.ts": `import { desc, task } from "jobs-and-tasks";\ndesc("From .ts");\ntask("from_ts", () => console.log("ts ran"));\n`,
  "tasks/b.mts": `import { desc, task } from "jobs-and-tasks";\nawait Promise.resolve();\ndesc("From .mts");\ntask("from_mts", () => console.log("mts ran"));\n`,
  "tasks/c.js": `const { desc, task } = require("jobs-and-tasks");\ndesc("From .js");\ntask("from_cjs", () => console.log("cjs ran"));\n`,
};
const TRIO_LISTED = lines("jt from_cjs  # From .js", "jt from_mts  # From .mts", "jt from_ts   # From .ts");
const TRIO_RAN = lines("ts ran", "mts ran", "cjs ran");

describe.concurrent("reaching the running jt", () => {
  test(".ts in a bare directory: no package.json, no tsconfig, no node_modules", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "tasks/hello.ts": `import { desc, task } from "jt";
interface Greeting { to: string }
enum Punctuation { Bang = "!" }
const greeting: Greeting = { to: "world" } satisfies Greeting;
desc("Say hello");
task("hello", () => console.log(\`hello \${greeting.to}\${Punctuation.Bang}\`));
`,
      },
      { onTestFinished },
    );
    expect(existsSync(p.path("node_modules")) || existsSync(p.path("package.json")) || existsSync(p.path("tsconfig.json"))).toBe(false);
    expect(await p.run(["-T"])).toMatchObject({ code: 0, stdout: "jt hello  # Say hello\n", stderr: "" });
    expect(await p.run(["hello"])).toMatchObject({ code: 0, stdout: "hello world!\n", stderr: "" });
  });

  test("node_modules/jobs-and-tasks is a separate copy of jt: task files (.ts, .mts, CommonJS .js) still register into the running jt", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(TRIO, { onTestFinished }).installJt("copy");
    expect(await p.run(["-T"])).toMatchObject({ code: 0, stdout: TRIO_LISTED, stderr: "" });
    expect(await p.run(["from_ts", "from_mts", "from_cjs"])).toMatchObject({ code: 0, stdout: TRIO_RAN, stderr: "" });
  });

  test("node_modules/jobs-and-tasks is a separate copy: it is never loaded, `jobs-and-tasks` resolves to the running copy", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(TRIO, { onTestFinished }).installJt("copy");
    const entry = p.path("node_modules/jobs-and-tasks/dist/index.js");
    p.file(
      "node_modules/jobs-and-tasks/dist/index.js",
      `${readFileSync(entry, "utf8")}\nconsole.log("the copy in node_modules was loaded");\n`,
    );
    expect(await p.run(["from_ts", "from_mts", "from_cjs"])).toMatchObject({ code: 0, stdout: TRIO_RAN, stderr: "" });
  });

  test("node_modules/jobs-and-tasks is a symlink to jt", async ({ expect, onTestFinished }) => {
    const p = project(TRIO, { onTestFinished }).installJt("link");
    expect(await p.run(["-T"])).toMatchObject({ code: 0, stdout: TRIO_LISTED, stderr: "" });
    expect(await p.run(["from_ts", "from_mts", "from_cjs"])).toMatchObject({ code: 0, stdout: TRIO_RAN, stderr: "" });
  });

  test('a CommonJS .js file using require("jt")', async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "tasks/legacy.js": `const { desc, task } = require("jt");
desc("Old-style task");
task("legacy", ["helper"], () => console.log("legacy ran"));
task("helper", () => console.log("helper ran"));
module.exports = {};
`,
      },
      { onTestFinished },
    );
    expect(await p.run(["-T"])).toMatchObject({ code: 0, stdout: "jt legacy  # Old-style task\n", stderr: "" });
    expect(await p.run(["legacy"])).toMatchObject({ code: 0, stdout: "helper ran\nlegacy ran\n", stderr: "" });
  });

  test('a "type": "module" project: .js is ESM, .ts too, top-level await works in both', async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "package.json": `{ "name": "app", "type": "module" }\n`,
        "tasks/esm.js": `import { task } from "jt";
const n = await Promise.resolve(1);
task("esm_js", () => console.log("esm js", n, typeof require));
`,
        "tasks/typed.ts": `import { task } from "jt";
const n: number = await Promise.resolve(2);
task("esm_ts", ["esm_js"], () => console.log("esm ts", n, import.meta.url.endsWith("/tasks/typed.ts")));
`,
      },
      { onTestFinished },
    );
    expect(await p.run(["esm_ts"])).toMatchObject({ code: 0, stdout: "esm js 1 undefined\nesm ts 2 true\n", stderr: "" });
  });

  test('an action that does `await import("./helper.ts")`', async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "tasks/lazy.ts": `import { task } from "jt";
task("lazy", async () => {
  const { greet } = await import("./helper.ts");
  console.log(greet("ada"));
});
`,
        "tasks/helper.ts": `export function greet(name: string): string {
  return \`hello \${name}\`;
}
`,
      },
      { onTestFinished },
    );
    expect(await p.run(["lazy"])).toMatchObject({ code: 0, stdout: "hello ada\n", stderr: "" });
  });

  test("a task file importing a TypeScript module of the app (../app/models.ts, which imports another)", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(
      {
        "app/models.ts": `import { tableName } from "./db.ts";
export interface User { login: string }
export const users: User[] = [{ login: "ada" }, { login: "grace" }];
export const table: string = tableName("users");
`,
        "app/db.ts": `export const tableName = (name: string): string => \`app_\${name}\`;\n`,
        "tasks/users.ts": `import { desc, task } from "jt";
import { table, users, type User } from "../app/models.ts";
desc("List users");
task("users", () => console.log(table, users.map((u: User) => u.login).join(",")));
`,
      },
      { onTestFinished },
    );
    expect(await p.run(["users"])).toMatchObject({ code: 0, stdout: "app_users ada,grace\n", stderr: "" });
  });
});

describe.concurrent("load errors (exit 3)", () => {
  test.for([
    ["bad.ts", `import { task } from "jt";\nconst a = ;\ntask("x", () => {});\n`],
    ["bad.mts", `import { task } from "jt";\nconst a = ;\ntask("x", () => {});\n`],
    ["bad.mjs", `import { task } from "jt";\nconst a = ;\ntask("x", () => {});\n`],
    ["bad.js", `const { task } = require("jt");\nconst a = ;\ntask("x", () => {});\n`],
  ])("a syntax error in %s: exit 3, the file and line named, no raw stack", async ([file, source], { expect, onTestFinished }) => {
    const p = project(
      { "tasks/good.ts": `import { task } from "jt";\ntask("x", () => console.log("ran"));\n`, [`tasks/${file}`]: source! },
      { onTestFinished },
    );
    const result = await p.run(["x"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")[0]).toBe("jt aborted!");
    expect(result.stderr).toMatch(/SyntaxError/);
    expect(result.stderr).toContain(`tasks/${file}:2`);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  test("a file that throws while loading: exit 3, the message and file:line, no raw stack; the same for -T", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(
      {
        "tasks/bad.ts": `import { task } from "jt";
task("x", () => console.log("ran"));
function check(): void {
  throw new Error("oops while loading");
}
check();
`,
      },
      { onTestFinished },
    );
    const [run, listing] = await Promise.all([p.run(["x"]), p.run(["-T"])]);
    for (const result of [run, listing]) {
      expect(result.code).toBe(3);
      expect(result.stdout).toBe("");
      expect(result.stderr.split("\n")[0]).toBe("jt aborted!");
      expect(result.stderr).toContain("oops while loading");
      expect(result.stderr).toContain("tasks/bad.ts");
      expect(result.stderr).toMatch(/\/tasks\/bad\.ts:4\b/);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
  });

  test("with --trace, a load failure shows the stack", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "tasks/bad.ts": `import { task } from "jt";\ntask("x", () => {});\nthrow new Error("oops while loading");\n`,
      },
      { onTestFinished },
    );
    const result = await p.run(["--trace", "x"]);
    expect(result.code).toBe(3);
    expect(result.stderr.split("\n")[0]).toBe("jt aborted!");
    expect(result.stderr).toContain("oops while loading");
    expect(result.stderr).toMatch(/^\s+at .*\/tasks\/bad\.ts:3:\d+\)?$/m);
  });
});

describe.concurrent("several broken task files (issue 21 §2)", () => {
  const MAIL = `import { task } from "jt";\nconst host = process.env.MAIL_HOST;\nif (!host) throw new Error("MAIL_HOST is not set");\ntask("mail:send", () => {});\n`;
  const OK = `import { desc, task } from "jt";\ndesc("Says ok");\ntask("ok", () => console.log("ok"));\n`;
  const REPORT_BROKEN = `import { desc, task } from "jt";\ndesc("Reports");\ntask("report", () => {\n  const x = ;\n});\n`;
  const REPORT = `import { desc, task } from "jt";\ndesc("Reports");\ntask("report", () => console.log("report"));\n`;

  test("every file loads, each failure is reported in file order (file, cause, line), exit 3; -T lists what did load after them", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project({ "tasks/mail.ts": MAIL, "tasks/ok.ts": OK, "tasks/zz-report.ts": REPORT_BROKEN }, { onTestFinished });
    const [run, listing, enqueue] = await Promise.all([p.run(["ok"]), p.run(["-T"]), p.run(["jobs:enqueue", "ok"])]);
    for (const result of [run, listing, enqueue]) {
      expect(result.code).toBe(3);
      const report = result.stderr.split("\n");
      expect(report.slice(0, 3)).toEqual(["jt aborted!", "2 of 3 task files failed to load", ""]);
      const mail = report.indexOf("Failed to load tasks/mail.ts: MAIL_HOST is not set");
      const zz = report.indexOf('Failed to load tasks/zz-report.ts: SyntaxError: Unexpected ";"');
      expect(mail).toBe(3);
      expect(report[mail + 1]).toBe(p.path("tasks/mail.ts:3:18"));
      expect(zz).toBeGreaterThan(mail);
      expect(report[zz + 1]).toBe(p.path("tasks/zz-report.ts:4:13"));
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
    expect(run.stdout).toBe("");
    expect(listing.stdout).toBe("jt ok  # Says ok\n");
    expect(existsSync(p.path("db"))).toBe(false);
  });

  test("a failure is never cached: fixing one file leaves the other reported, fixing both lists everything", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project({ "tasks/mail.ts": MAIL, "tasks/ok.ts": OK, "tasks/zz-report.ts": REPORT_BROKEN }, { onTestFinished });
    expect((await p.run(["-T"])).code).toBe(3);
    p.file("tasks/zz-report.ts", REPORT);
    const one = await p.run(["-T"]);
    expect(one.code).toBe(3);
    expect(one.stderr.split("\n").slice(0, 3)).toEqual([
      "jt aborted!",
      "Failed to load tasks/mail.ts: MAIL_HOST is not set",
      p.path("tasks/mail.ts:3:18"),
    ]);
    expect(one.stdout).toBe("jt ok      # Says ok\njt report  # Reports\n");
    // The same project with the variable set loads (and now writes the listing cache); unset again, it fails again.
    const fixed = await p.run(["-T"], { env: { MAIL_HOST: "smtp.example" } });
    expect(fixed).toMatchObject({ code: 0, stderr: "", stdout: "jt ok      # Says ok\njt report  # Reports\n" });
    expect((await p.run(["-T"], { env: { MAIL_HOST: "smtp.example" } })).code).toBe(0);
    const again = await p.run(["report"]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain("Failed to load tasks/mail.ts: MAIL_HOST is not set");
  });
});
