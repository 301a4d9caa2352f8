/**
 * The built-in `environment` task (the README's "The environment", issue 4): the module named by the
 * `environment` config key boots at most once per run, lazily, just before the first task that
 * depends on it; it shows in -P, --trace and -n (which does not boot it); teardown runs whatever
 * happened; load and setup failures have exact exit codes; and jt never hangs on what the app
 * left open. Interrupts are in signals.test.ts, .env in dotenv.test.ts.
 */
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "vitest";
import { project, REPO_ROOT, sharedProject } from "./helpers/project.js";
import { lines, position, STACK_FRAME } from "./helpers/text.js";

const HINT = "(See full trace by running task with --trace)";
const CONFIG = `{ "environment": "./app/env.ts" }\n`;

/** An environment that says what it does on stdout, at import time too. */
const ENV = `import { defineEnvironment } from "jt";

console.log("env: imported");

export default defineEnvironment({
  async setup() {
    await new Promise((resolve) => setTimeout(resolve, 5));
    console.log("env: setup");
    return { users: ["ann", "bob"] };
  },
  async teardown(app) {
    console.log(\`env: teardown (\${app.users.length} users)\`);
  },
});
`;

const TASKS = `import { multitask, task } from "jt";

task("plain", () => console.log("plain"));
task("plain2", ["plain"], () => console.log("plain2"));
task("users", ["environment"], ({ app }) => console.log(\`users: \${app.users.join(",")}\`));
task("count", ["environment"], ({ app }) => console.log(\`count: \${app.users.length}\`));
task("report", ["plain", "users"], ({ app }) => console.log(\`report: \${app.users.length}\`));
task("invoker", async ({ invoke }) => {
  console.log("invoker");
  await invoke("count");
});
multitask("both", ["users", "count"], () => console.log("both"));
task("sneaky", ({ app }) => console.log(\`sneaky: \${app.users}\`));
task("fail", ["environment"], () => {
  throw new Error("task boom");
});
`;

describe.concurrent("environment: when it boots", () => {
  const p = sharedProject({ "jt.config.json": CONFIG, "app/env.ts": ENV, "tasks/app.ts": TASKS });
  const tasksFile = p.path("tasks/app.ts");

  test("a run whose tasks do not depend on it never imports the module", async ({ expect }) => {
    expect(await p.run(["plain", "plain2"])).toEqual({ code: 0, signal: null, stdout: lines("plain", "plain2"), stderr: "" });
  });

  test("once, just before the first task that depends on it (not at the start), torn down after the last", async ({ expect }) => {
    expect(await p.run(["plain", "users", "count"])).toEqual({
      code: 0,
      signal: null,
      stdout: lines("plain", "env: imported", "env: setup", "users: ann,bob", "count: 2", "env: teardown (2 users)"),
      stderr: "",
    });
  });

  test("through a prerequisite: report => users => environment", async ({ expect }) => {
    expect(await p.run(["report"])).toEqual({
      code: 0,
      signal: null,
      stdout: lines("plain", "env: imported", "env: setup", "users: ann,bob", "report: 2", "env: teardown (2 users)"),
      stderr: "",
    });
  });

  test("through ctx.invoke of a task that depends on it", async ({ expect }) => {
    expect(await p.run(["invoker"])).toEqual({
      code: 0,
      signal: null,
      stdout: lines("invoker", "env: imported", "env: setup", "count: 2", "env: teardown (2 users)"),
      stderr: "",
    });
  });

  test("two prerequisites of a multitask that both depend on it: booted once", async ({ expect }) => {
    const result = await p.run(["both"]);
    expect(result).toMatchObject({ code: 0, signal: null, stderr: "" });
    // Run alongside each other, the tasks' lines are labelled (test/multitask-labels.test.ts), the environment's too.
    const out = result.stdout.split("\n");
    expect(out.filter((line) => line === "[environment] env: setup")).toHaveLength(1);
    expect(out.indexOf("[environment] env: setup")).toBeLessThan(
      Math.min(out.indexOf("[users] users: ann,bob"), out.indexOf("[count] count: 2")),
    );
    expect(out.indexOf("[users] users: ann,bob")).toBeGreaterThan(-1);
    expect(out.indexOf("[count] count: 2")).toBeGreaterThan(-1);
    expect(out.slice(-3)).toEqual(["both", "env: teardown (2 users)", ""]);
  });

  test("naming environment itself as a target boots it (and tears it down)", async ({ expect }) => {
    expect(await p.run(["environment", "count"])).toEqual({
      code: 0,
      signal: null,
      stdout: lines("env: imported", "env: setup", "count: 2", "env: teardown (2 users)"),
      stderr: "",
    });
  });

  test("-P lists environment like any task, without importing the module", async ({ expect }) => {
    expect(await p.run(["-P"])).toEqual({
      code: 0,
      signal: null,
      stdout: lines(
        "jt both",
        "    users",
        "    count",
        "jt count",
        "    environment",
        "jt environment",
        "jt fail",
        "    environment",
        "jt invoker",
        "jt plain",
        "jt plain2",
        "    plain",
        "jt report",
        "    plain",
        "    users",
        "jt sneaky",
        "jt users",
        "    environment",
      ),
      stderr: "",
    });
  });

  test("--trace: ** Invoke environment (first_time) and ** Execute environment, in Rake's order", async ({ expect }) => {
    const result = await p.run(["--trace", "report"]);
    expect(result).toMatchObject({
      code: 0,
      stdout: lines("plain", "env: imported", "env: setup", "users: ann,bob", "report: 2", "env: teardown (2 users)"),
    });
    expect(result.stderr.split("\n").filter((line) => /^\*\* (Invoke|Execute)/.test(line))).toEqual([
      "** Invoke report (first_time)",
      "** Invoke plain (first_time)",
      "** Execute plain",
      "** Invoke users (first_time)",
      "** Invoke environment (first_time)",
      "** Execute environment",
      "** Execute users",
      "** Execute report",
    ]);
  });

  test("--trace of a run that does not need it: no environment lines", async ({ expect }) => {
    expect(await p.run(["--trace", "plain2"])).toEqual({
      code: 0,
      signal: null,
      stdout: lines("plain", "plain2"),
      stderr: lines("** Invoke plain2 (first_time)", "** Invoke plain (first_time)", "** Execute plain", "** Execute plain2"),
    });
  });

  test("-n shows environment in the plan and does not boot it (nothing imported, no setup, no teardown)", async ({ expect }) => {
    expect(await p.run(["-n", "report"])).toEqual({
      code: 0,
      signal: null,
      stdout: "",
      stderr: lines(
        "** Invoke report (first_time)",
        "** Invoke plain (first_time)",
        "** Execute (dry run) plain",
        "** Invoke users (first_time)",
        "** Invoke environment (first_time)",
        "** Execute (dry run) environment",
        "** Execute (dry run) users",
        "** Execute (dry run) report",
      ),
    });
  });

  test("ctx.app without depending on environment: exit 1, a message naming the fix", async ({ expect }) => {
    const result = await p.run(["sneaky"]);
    expect(result).toMatchObject({ code: 1, stdout: "" });
    const err = result.stderr.split("\n");
    expect(err[0]).toBe("jt aborted!");
    expect(err[1]).toContain("'sneaky'");
    expect(err[1]).toContain(`["environment"]`);
    expect(err.slice(2)).toEqual([`${tasksFile}:${position(TASKS, "app }) => console.log(`sneaky")}`, "Tasks: TOP => sneaky", HINT, ""]);
  });

  test("ctx.app without depending on environment fails even when another task already booted it; teardown still runs", async ({
    expect,
  }) => {
    const result = await p.run(["users", "sneaky"]);
    expect(result).toMatchObject({
      code: 1,
      stdout: lines("env: imported", "env: setup", "users: ann,bob", "env: teardown (2 users)"),
    });
    expect(result.stderr).toContain(`["environment"]`);
    expect(result.stderr).toContain("Tasks: TOP => sneaky\n");
  });

  test("teardown runs after a failing task; the task's failure is reported, exit 1", async ({ expect }) => {
    expect(await p.run(["fail", "count"])).toEqual({
      code: 1,
      signal: null,
      stdout: lines("env: imported", "env: setup", "env: teardown (2 users)"),
      stderr: lines("jt aborted!", "task boom", `${tasksFile}:${position(TASKS, 'new Error("task boom")')}`, "Tasks: TOP => fail", HINT),
    });
  });
});

describe.concurrent("environment: adding to it, other module forms", () => {
  test("users can give environment prerequisites (run before setup) and actions (run after, with ctx.app)", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(
      {
        "jt.config.json": CONFIG,
        "app/env.ts": ENV,
        "tasks/app.ts": `import { task } from "jt";
task("config:check", () => console.log("config:check"));
task("environment", ["config:check"], ({ app }) => console.log(\`environment action: \${app.users.length}\`));
task("users", ["environment"], ({ app }) => console.log(\`users: \${app.users.join(",")}\`));
`,
      },
      { onTestFinished },
    );
    const [run, prereqs, trace] = await Promise.all([p.run(["users"]), p.run(["-P"]), p.run(["--trace", "users"])]);
    expect(run).toEqual({
      code: 0,
      signal: null,
      stdout: lines("config:check", "env: imported", "env: setup", "environment action: 2", "users: ann,bob", "env: teardown (2 users)"),
      stderr: "",
    });
    expect(prereqs).toMatchObject({
      code: 0,
      stdout: lines("jt config:check", "jt environment", "    config:check", "jt users", "    environment"),
    });
    expect(trace.stderr.split("\n").filter((line) => line.startsWith("** Invoke") || line.startsWith("** Execute"))).toEqual([
      "** Invoke users (first_time)",
      "** Invoke environment (first_time)",
      "** Invoke config:check (first_time)",
      "** Execute config:check",
      "** Execute environment",
      "** Execute users",
    ]);
  });

  test("a JavaScript ES module with top-level await, named in jt.config.mjs", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "package.json": `{ "type": "module" }\n`,
        "jt.config.mjs": `export default { environment: "./app/env.mjs" };\n`,
        "app/env.mjs": `import { defineEnvironment } from "jt";
const settings = await Promise.resolve({ name: "from top-level await" });
export default defineEnvironment({
  setup: () => ({ name: settings.name }),
  teardown: (app) => console.log(\`teardown \${app.name}\`),
});
`,
        "tasks/show.mjs": `import { task } from "jt";\ntask("show", ["environment"], ({ app }) => console.log(app.name));\n`,
      },
      { onTestFinished },
    );
    expect(await p.run(["show"])).toEqual({
      code: 0,
      signal: null,
      stdout: lines("from top-level await", "teardown from top-level await"),
      stderr: "",
    });
  });
});

describe.concurrent("environment: failures", () => {
  const USES_ENV = `import { task } from "jt";
task("plain", () => console.log("plain"));
task("t", ["environment"], () => console.log("t ran"));
`;

  test("depending on environment when none is configured: exit 3, the config line to add", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/app.ts": USES_ENV }, { onTestFinished });
    const result = await p.run(["plain", "t"]);
    expect(result).toMatchObject({ code: 3, stdout: "" });
    const err = result.stderr.split("\n");
    expect(err[0]).toBe("jt aborted!");
    expect(err[1]).toContain("environment");
    // The line to put in the config, e.g.  environment: "./app/environment.ts"
    expect(result.stderr).toMatch(/environment: ["']\.\/[\w./-]+["']/);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  test("a failing setup is reported like a failing task: exit 1, the module's file:line, Tasks: TOP => t => environment", async ({
    expect,
    onTestFinished,
  }) => {
    const env = `import { defineEnvironment } from "jt";
export default defineEnvironment({
  async setup() {
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw new Error("cannot connect to the database");
  },
  teardown() {
    console.log("teardown ran");
  },
});
`;
    const p = project({ "jt.config.json": CONFIG, "app/env.ts": env, "tasks/app.ts": USES_ENV }, { onTestFinished });
    expect(await p.run(["plain", "t", "plain"])).toEqual({
      code: 1,
      signal: null,
      stdout: lines("plain"),
      stderr: lines(
        "jt aborted!",
        "cannot connect to the database",
        `${p.path("app/env.ts")}:${position(env, "new Error(")}`,
        "Tasks: TOP => t => environment",
        HINT,
      ),
    });
  });

  test("an environment module with a syntax error: exit 3 naming it and its line; tasks that don't need it still run", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(
      {
        "jt.config.json": CONFIG,
        "app/env.ts": `import { defineEnvironment } from "jt";\nexport default defineEnvironment({\n  setup() { return { ; },\n});\n`,
        "tasks/app.ts": USES_ENV,
      },
      { onTestFinished },
    );
    const [broken, fine] = await Promise.all([p.run(["t"]), p.run(["plain"])]);
    expect(fine).toEqual({ code: 0, signal: null, stdout: lines("plain"), stderr: "" });
    expect(broken).toMatchObject({ code: 3, stdout: "" });
    const err = broken.stderr.split("\n");
    expect(err.slice(0, 3)).toEqual([
      "jt aborted!",
      'Failed to load app/env.ts: SyntaxError: Expected identifier but found ";"',
      `${p.path("app/env.ts")}:3:22`,
    ]);
    expect(broken.stderr).not.toMatch(STACK_FRAME);
  });

  test("an environment module that throws while loading: exit 3, its path and line", async ({ expect, onTestFinished }) => {
    const env = `import { defineEnvironment } from "jt";\nif (!process.env.NOPE) throw new Error("DATABASE_URL is not set");\nexport default defineEnvironment({ setup: () => ({}) });\n`;
    const p = project({ "jt.config.json": CONFIG, "app/env.ts": env, "tasks/app.ts": USES_ENV }, { onTestFinished });
    const result = await p.run(["t"]);
    expect(result).toMatchObject({ code: 3, stdout: "" });
    const err = result.stderr.split("\n");
    expect(err[0]).toBe("jt aborted!");
    expect(err[1]).toBe("Failed to load app/env.ts: DATABASE_URL is not set");
    expect(result.stderr).toContain(`${p.path("app/env.ts")}:${position(env, "new Error(")}`);
  });

  describe("a module without a proper default export: exit 3, saying what to export", () => {
    const cases: Record<string, string> = {
      "named exports only": `export function setup() {\n  console.log("setup ran");\n  return {};\n}\n`,
      "a default export without setup": `export default { teardown() {} };\n`,
      "a default export that is a function": `export default function setup() {\n  return {};\n}\n`,
      "a teardown that is not a function": `import { defineEnvironment } from "jt";\nexport default defineEnvironment({ setup: () => ({}), teardown: "close" as never });\n`,
    };
    for (const [name, env] of Object.entries(cases)) {
      test(name, async ({ expect, onTestFinished }) => {
        const p = project({ "jt.config.json": CONFIG, "app/env.ts": env, "tasks/app.ts": USES_ENV }, { onTestFinished });
        const result = await p.run(["t"]);
        expect(result).toMatchObject({ code: 3, stdout: "" });
        const err = result.stderr.split("\n");
        expect(err[0]).toBe("jt aborted!");
        expect(err[1]).toMatch(/^app\/env\.ts .*export default defineEnvironment/);
        expect(result.stderr).not.toMatch(STACK_FRAME);
      });
    }
  });

  test("the configured module does not exist: exit 3 naming it", async ({ expect, onTestFinished }) => {
    const p = project({ "jt.config.json": CONFIG, "tasks/app.ts": USES_ENV }, { onTestFinished });
    const result = await p.run(["t"]);
    expect(result).toMatchObject({ code: 3, stdout: "" });
    const err = result.stderr.split("\n");
    expect(err[0]).toBe("jt aborted!");
    expect(err[1]).toContain("./app/env.ts");
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  test("a teardown that throws: reported with its file:line, exit 1, after the tasks ran", async ({ expect, onTestFinished }) => {
    const env = `import { defineEnvironment } from "jt";
export default defineEnvironment({
  setup: () => ({}),
  async teardown() {
    throw new Error("pool already closed");
  },
});
`;
    const p = project({ "jt.config.json": CONFIG, "app/env.ts": env, "tasks/app.ts": USES_ENV }, { onTestFinished });
    const result = await p.run(["t"]);
    expect(result).toMatchObject({ code: 1, stdout: lines("t ran") });
    const err = result.stderr.split("\n");
    expect(err.slice(0, 3)).toEqual(["jt aborted!", "pool already closed", `${p.path("app/env.ts")}:${position(env, "new Error(")}`]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  test("a failing task and a throwing teardown: both reported, exit 1", async ({ expect, onTestFinished }) => {
    const env = `import { defineEnvironment } from "jt";
export default defineEnvironment({ setup: () => ({}), teardown() { throw new Error("pool already closed"); } });
`;
    const tasks = `import { task } from "jt";\ntask("t", ["environment"], () => {\n  throw new Error("task boom");\n});\n`;
    const p = project({ "jt.config.json": CONFIG, "app/env.ts": env, "tasks/app.ts": tasks }, { onTestFinished });
    const result = await p.run(["t"]);
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toContain("task boom\n");
    expect(result.stderr).toContain("pool already closed\n");
    expect(result.stderr).toContain("Tasks: TOP => t\n");
  });
});

/** An app that leaves a timer, a listening server and a connected socket open after teardown. */
const LEAKY_ENV = `import { defineEnvironment } from "jt";
import net from "node:net";

export default defineEnvironment({
  async setup() {
    setInterval(() => {}, 1000);
    const server = net.createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const socket = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    return { server, socket };
  },
  teardown() {
    console.log("teardown (closes nothing)");
  },
});
`;

describe.concurrent("environment: jt never hangs", () => {
  const p = sharedProject({
    "jt.config.json": CONFIG,
    "app/env.ts": LEAKY_ENV,
    "tasks/app.ts": `import { task } from "jt";
task("ok", ["environment"], () => console.log("ok ran"));
task("fail", ["environment"], () => {
  throw new Error("task boom");
});
`,
  });
  // Without jt's explicit exit, the interval alone would keep the process alive forever; the
  // helper SIGKILLs after this long (code null, signal SIGKILL), so a hang fails the test.
  const timeoutMs = 15_000;

  test("a success exits 0 although the app left a timer, a server and a socket open", async ({ expect }) => {
    expect(await p.run(["ok"], { timeoutMs })).toEqual({
      code: 0,
      signal: null,
      stdout: lines("ok ran", "teardown (closes nothing)"),
      stderr: "",
    });
  });

  test("a failure exits 1 all the same", async ({ expect }) => {
    const result = await p.run(["fail"], { timeoutMs });
    expect(result).toMatchObject({ code: 1, signal: null, stdout: lines("teardown (closes nothing)") });
    expect(result.stderr.startsWith("jt aborted!\ntask boom\n")).toBe(true);
  });

  test("--trace names what was still open (process.getActiveResourcesInfo())", async ({ expect }) => {
    const [success, failure] = await Promise.all([p.run(["--trace", "ok"], { timeoutMs }), p.run(["--trace", "fail"], { timeoutMs })]);
    expect(success).toMatchObject({ code: 0, signal: null });
    expect(failure).toMatchObject({ code: 1, signal: null });
    for (const result of [success, failure]) {
      const open = result.stderr.split("\n").filter((line) => line.includes("TCPServerWrap"));
      expect(open).toHaveLength(1);
      expect(open[0]).toContain("Timeout");
      expect(open[0]).toContain("TCPSocketWrap");
    }
  });

  test("without --trace, nothing about open handles is printed", async ({ expect }) => {
    const result = await p.run(["ok"], { timeoutMs });
    expect(result.stderr).not.toMatch(/TCPServerWrap|Timeout/);
  });
});

describe("environment: --trace names only what the app left open", () => {
  test("a pg pool ended in teardown (its sockets still closing) and jt's own work are not named", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "jt.config.json": CONFIG,
        "app/env.ts": `import { defineEnvironment } from "jt";
import pg from "pg";

export default defineEnvironment({
  async setup() {
    const pool = new pg.Pool({ connectionString: process.env.JT_TEST_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test" });
    await Promise.all([pool.query("SELECT 1"), pool.query("SELECT 2")]);
    return { pool };
  },
  async teardown({ pool }) {
    await pool.end();
  },
});
`,
        "tasks/app.ts": `import { task } from "jt";
task("count", ["environment"], async ({ app }) => console.log((await app.pool.query("SELECT 3 AS n")).rows[0].n));
`,
      },
      { onTestFinished },
    );
    mkdirSync(p.path("node_modules"));
    symlinkSync(join(REPO_ROOT, "node_modules/pg"), p.path("node_modules/pg"), "dir");
    // Cold (task files compiled and cached while it runs), then warm.
    for (const run of ["cold", "warm"]) {
      const result = await p.run(["--trace", "count"]);
      expect({ run, ...result }).toMatchObject({ run, code: 0, stdout: "3\n" });
      expect(result.stderr).not.toContain("still open");
    }
  });
});

describe.concurrent("environment: a slow teardown", () => {
  test("prints a warning while it runs (JT_TEARDOWN_WARN_MS) and still completes", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "jt.config.json": CONFIG,
        "app/env.ts": `import { defineEnvironment } from "jt";
export default defineEnvironment({
  setup: () => ({}),
  async teardown() {
    await new Promise((resolve) => setTimeout(resolve, 700));
    console.error("teardown finished");
  },
});
`,
        "tasks/app.ts": `import { task } from "jt";\ntask("t", ["environment"], () => console.log("t ran"));\n`,
      },
      { onTestFinished },
    );
    const result = await p.run(["t"], { env: { JT_TEARDOWN_WARN_MS: "200" } });
    expect(result).toMatchObject({ code: 0, signal: null, stdout: lines("t ran") });
    const err = result.stderr.split("\n");
    const warning = err.findIndex((line) => /teardown/i.test(line) && line.includes("app/env.ts"));
    expect(warning).toBeGreaterThanOrEqual(0);
    // The warning comes while the teardown runs, before it finishes; the run still ends cleanly.
    expect(warning).toBeLessThan(err.indexOf("teardown finished"));
    expect(err.at(-2)).toBe("teardown finished");
  });

  test("a quick teardown prints no warning", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "jt.config.json": CONFIG,
        "app/env.ts": `import { defineEnvironment } from "jt";\nexport default defineEnvironment({ setup: () => ({}), teardown() {} });\n`,
        "tasks/app.ts": `import { task } from "jt";\ntask("t", ["environment"], () => console.log("t ran"));\n`,
      },
      { onTestFinished },
    );
    expect(await p.run(["t"], { env: { JT_TEARDOWN_WARN_MS: "2000" } })).toEqual({
      code: 0,
      signal: null,
      stdout: lines("t ran"),
      stderr: "",
    });
  });
});
