/**
 * `.env` files (issue 4, README ".env"): read from the project root before task files and the
 * environment load; never overriding a variable already set (shell, platform, `NAME=value`);
 * `dotenv: false` turns it off; `dotenv: ".env.test"` or an array names other files (the first
 * to set a variable wins); a named file that is missing is exit 3; a missing default `.env` is fine.
 */
import { describe, test } from "vitest";
import { project, sharedProject } from "./helpers/project.js";
import { lines, STACK_FRAME } from "./helpers/text.js";

const ENV = `import { defineEnvironment } from "jt";

const atImport = process.env.DOT_GREETING;

export default defineEnvironment({
  setup() {
    console.log(\`env: imported with \${atImport}, setup with \${process.env.DOT_GREETING}\`);
    return {};
  },
});
`;

const TASKS = `import { task } from "jt";

const atLoad = process.env.DOT_GREETING;

task("show", ["environment"], () => {
  console.log(\`task: loaded with \${atLoad}, runs with \${process.env.DOT_GREETING}\`);
  console.log(\`DOT_QUOTED=\${process.env.DOT_QUOTED}\`);
  console.log(\`DOT_ONLY_SECOND=\${process.env.DOT_ONLY_SECOND}\`);
});

task("child", async ({ sh }) => {
  await sh\`node -e \${"console.log('child: ' + process.env.DOT_GREETING)"}\`;
});
`;

const DOTENV = `# a comment
DOT_GREETING=from .env

DOT_QUOTED="a quoted value # not a comment"
`;

/** What `show` prints when DOT_GREETING is `greeting` everywhere. */
function shown(greeting: string, quoted = "a quoted value # not a comment", onlySecond = "undefined"): string {
  return lines(
    `env: imported with ${greeting}, setup with ${greeting}`,
    `task: loaded with ${greeting}, runs with ${greeting}`,
    `DOT_QUOTED=${quoted}`,
    `DOT_ONLY_SECOND=${onlySecond}`,
  );
}

/** Variables these tests use, cleared so that nothing from the shell running the tests leaks in. */
const CLEAN = { DOT_GREETING: undefined, DOT_QUOTED: undefined, DOT_ONLY_SECOND: undefined };

describe.concurrent(".env in the project root", () => {
  const p = sharedProject({
    "jt.config.json": `{ "environment": "./app/env.ts" }\n`,
    "app/env.ts": ENV,
    "tasks/show.ts": TASKS,
    ".env": DOTENV,
    "sub/dir/.keep": "",
  });

  test("is loaded before task files and the environment: both see its values", async ({ expect }) => {
    expect(await p.run(["show"], { env: CLEAN })).toEqual({ code: 0, signal: null, stdout: shown("from .env"), stderr: "" });
  });

  test("never overrides a variable set in the shell", async ({ expect }) => {
    expect(await p.run(["show"], { env: { ...CLEAN, DOT_GREETING: "from the shell" } })).toMatchObject({
      code: 0,
      stdout: shown("from the shell"),
    });
  });

  test("never overrides a variable set in the shell to the empty string", async ({ expect }) => {
    expect(await p.run(["show"], { env: { ...CLEAN, DOT_GREETING: "" } })).toMatchObject({ code: 0, stdout: shown("") });
  });

  test("never overrides NAME=value from jt's command line", async ({ expect }) => {
    expect(await p.run(["show", "DOT_GREETING=from the command line"], { env: CLEAN })).toMatchObject({
      code: 0,
      stdout: shown("from the command line"),
    });
  });

  test("NAME=value beats the shell too", async ({ expect }) => {
    expect(await p.run(["show", "DOT_GREETING=cli"], { env: { ...CLEAN, DOT_GREETING: "shell" } })).toMatchObject({
      code: 0,
      stdout: shown("cli"),
    });
  });

  test("is read from the project root when jt runs in a subdirectory", async ({ expect }) => {
    expect(await p.run(["show"], { env: CLEAN, cwd: "sub/dir" })).toEqual({
      code: 0,
      signal: null,
      stdout: shown("from .env"),
      stderr: `(in ${p.root})\n`,
    });
  });

  test("commands run through sh see its values", async ({ expect }) => {
    expect(await p.run(["-q", "child"], { env: CLEAN })).toEqual({ code: 0, signal: null, stdout: lines("child: from .env"), stderr: "" });
  });
});

describe.concurrent("the dotenv config key", () => {
  const files = (config: string, extra: Record<string, string> = {}) => ({
    "jt.config.json": config,
    "app/env.ts": ENV,
    "tasks/show.ts": TASKS,
    ".env": DOTENV,
    ...extra,
  });

  test("dotenv: false turns it off", async ({ expect, onTestFinished }) => {
    const p = project(files(`{ "environment": "./app/env.ts", "dotenv": false }\n`), { onTestFinished });
    expect(await p.run(["show"], { env: CLEAN })).toEqual({ code: 0, signal: null, stdout: shown("undefined", "undefined"), stderr: "" });
  });

  test("dotenv: true is the default (.env)", async ({ expect, onTestFinished }) => {
    const p = project(files(`{ "environment": "./app/env.ts", "dotenv": true }\n`), { onTestFinished });
    expect(await p.run(["show"], { env: CLEAN })).toEqual({ code: 0, signal: null, stdout: shown("from .env"), stderr: "" });
  });

  test('dotenv: ".env.test" loads that file instead of .env', async ({ expect, onTestFinished }) => {
    const p = project(
      files(`{ "environment": "./app/env.ts", "dotenv": ".env.test" }\n`, { ".env.test": "DOT_GREETING=from .env.test\n" }),
      { onTestFinished },
    );
    expect(await p.run(["show"], { env: CLEAN })).toEqual({
      code: 0,
      signal: null,
      stdout: shown("from .env.test", "undefined"),
      stderr: "",
    });
  });

  test("a path in a subdirectory, relative to the project root", async ({ expect, onTestFinished }) => {
    const p = project(
      files(`{ "environment": "./app/env.ts", "dotenv": "config/ci.env" }\n`, {
        "config/ci.env": "DOT_GREETING=from config/ci.env\n",
        "sub/.keep": "",
      }),
      { onTestFinished },
    );
    expect(await p.run(["show"], { env: CLEAN, cwd: "sub" })).toMatchObject({ code: 0, stdout: shown("from config/ci.env", "undefined") });
  });

  test("an array: each file in turn, the first to set a variable wins", async ({ expect, onTestFinished }) => {
    const p = project(
      files(`{ "environment": "./app/env.ts", "dotenv": [".env.local", ".env"] }\n`, {
        ".env.local": "DOT_GREETING=from .env.local\n",
        ".env": `${DOTENV}DOT_ONLY_SECOND=from the second file\n`,
      }),
      { onTestFinished },
    );
    expect(await p.run(["show"], { env: CLEAN })).toEqual({
      code: 0,
      signal: null,
      stdout: shown("from .env.local", "a quoted value # not a comment", "from the second file"),
      stderr: "",
    });
  });

  test("the shell still beats every file of the array", async ({ expect, onTestFinished }) => {
    const p = project(
      files(`{ "environment": "./app/env.ts", "dotenv": [".env.local", ".env"] }\n`, { ".env.local": "DOT_GREETING=from .env.local\n" }),
      { onTestFinished },
    );
    expect(await p.run(["show"], { env: { ...CLEAN, DOT_GREETING: "shell" } })).toMatchObject({ code: 0, stdout: shown("shell") });
  });

  test("a named file that does not exist: exit 3 naming it, nothing runs", async ({ expect, onTestFinished }) => {
    const p = project(files(`{ "environment": "./app/env.ts", "dotenv": ".env.test" }\n`), { onTestFinished });
    const result = await p.run(["show"], { env: CLEAN });
    expect(result).toMatchObject({ code: 3, stdout: "" });
    const err = result.stderr.split("\n");
    expect(err[0]).toBe("jt aborted!");
    expect(err[1]).toContain(".env.test");
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  test("one missing file of an array: exit 3 naming it", async ({ expect, onTestFinished }) => {
    const p = project(files(`{ "environment": "./app/env.ts", "dotenv": [".env", ".env.local"] }\n`), { onTestFinished });
    const result = await p.run(["show"], { env: CLEAN });
    expect(result).toMatchObject({ code: 3, stdout: "" });
    expect(result.stderr.split("\n")[0]).toBe("jt aborted!");
    expect(result.stderr.split("\n")[1]).toContain(".env.local");
  });

  test("no .env and no dotenv setting: fine", async ({ expect, onTestFinished }) => {
    const p = project(
      { "jt.config.json": `{ "environment": "./app/env.ts" }\n`, "app/env.ts": ENV, "tasks/show.ts": TASKS },
      { onTestFinished },
    );
    expect(await p.run(["show"], { env: CLEAN })).toEqual({ code: 0, signal: null, stdout: shown("undefined", "undefined"), stderr: "" });
  });

  test("a dotenv value of the wrong type: exit 3, a config error", async ({ expect, onTestFinished }) => {
    const p = project(files(`{ "environment": "./app/env.ts", "dotenv": 42 }\n`), { onTestFinished });
    const result = await p.run(["show"], { env: CLEAN });
    expect(result).toMatchObject({ code: 3, stdout: "" });
    expect(result.stderr.split("\n")[1]).toContain("dotenv");
  });
});
