/**
 * Colour and terminal-only output (issue 4, PaaS; README "The command line"): colour only on a
 * terminal, never with NO_COLOR, always with FORCE_COLOR; no spinners or progress lines; listings
 * are never cut without a terminal.
 */
import { describe, test } from "vitest";
import { startJtInTty } from "./helpers/live.js";
import { sharedProject } from "./helpers/project.js";
import { lines, position } from "./helpers/text.js";

const TASKS = `import { desc, task } from "jt";

desc("A task with a description long enough to be cut on any narrow terminal, and then some more words at its end");
task("long", () => console.log("long ran"));

task("boom", () => {
  throw new Error("boom");
});

task("work", ["environment"], async ({ sh }) => {
  await sh\`node -e \${"console.log('child out')"}\`;
  await new Promise((resolve) => setTimeout(resolve, 300));
  console.log("work done");
});
`;

const ESC = "\x1b";
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const strip = (text: string) => text.replace(ANSI, "");
const HINT = "(See full trace by running task with --trace)";

describe.concurrent("colour and terminal output", () => {
  const p = sharedProject({
    "jt.config.json": `{ "environment": "./env.ts" }\n`,
    "env.ts": `import { defineEnvironment } from "jt";\nexport default defineEnvironment({ setup: () => ({}) });\n`,
    "tasks/color.ts": TASKS,
  });
  const BOOM = lines(
    "jt aborted!",
    "boom",
    `${p.path("tasks/color.ts")}:${position(TASKS, 'new Error("boom")')}`,
    "Tasks: TOP => boom",
    HINT,
  );
  const UNKNOWN = lines(
    "jt aborted!",
    "Don't know how to build task 'nosuch' (See the list of available tasks with `jt --tasks`)",
    "",
    HINT,
  );
  const WORK_ERR = lines(`node -e 'console.log('\\''child out'\\'')'`);
  const WORK_OUT = lines("child out", "work done");
  const LONG_LINE =
    "jt long  # A task with a description long enough to be cut on any narrow terminal, and then some more words at its end\n";

  describe("on pipes", () => {
    test("no escape codes: a failing task, an unknown task, a listing, a run", async ({ expect }) => {
      const [boom, unknown, listing, work] = await Promise.all([p.run(["boom"]), p.run(["nosuch"]), p.run(["-T"]), p.run(["work"])]);
      expect(boom).toEqual({ code: 1, signal: null, stdout: "", stderr: BOOM });
      expect(unknown).toEqual({ code: 2, signal: null, stdout: "", stderr: UNKNOWN });
      expect(listing).toEqual({ code: 0, signal: null, stdout: LONG_LINE, stderr: "" });
      expect(work).toEqual({ code: 0, signal: null, stdout: WORK_OUT, stderr: WORK_ERR });
    });

    test("FORCE_COLOR=1: errors are coloured", async ({ expect }) => {
      const [boom, unknown] = await Promise.all([
        p.run(["boom"], { env: { FORCE_COLOR: "1" } }),
        p.run(["nosuch"], { env: { FORCE_COLOR: "1" } }),
      ]);
      expect(boom.code).toBe(1);
      expect(unknown.code).toBe(2);
      for (const result of [boom, unknown]) {
        expect(result.stderr).toMatch(/^\x1b\[[0-9;]*m/);
        expect(result.stderr.split("\n")[0]).toMatch(/^(\x1b\[[0-9;]*m)+jt aborted!(\x1b\[[0-9;]*m)+$/);
      }
      expect(strip(boom.stderr)).toBe(BOOM);
      expect(strip(unknown.stderr)).toBe(UNKNOWN);
    });

    test("FORCE_COLOR wins over NO_COLOR", async ({ expect }) => {
      const boom = await p.run(["boom"], { env: { FORCE_COLOR: "1", NO_COLOR: "1" } });
      expect(boom.code).toBe(1);
      expect(boom.stderr).toContain(ESC);
      expect(strip(boom.stderr)).toBe(BOOM);
    });

    test("FORCE_COLOR=1 does not make a listing a terminal: nothing cut or coloured, even with COLUMNS set", async ({ expect }) => {
      const env = { FORCE_COLOR: "1", COLUMNS: "40", JT_COLUMNS: "40" };
      const [listing, json] = await Promise.all([p.run(["-T"], { env }), p.run(["-T", "--json"], { env })]);
      expect(listing).toEqual({ code: 0, signal: null, stdout: LONG_LINE, stderr: "" });
      expect(json.stdout).not.toContain(ESC);
      expect(JSON.parse(json.stdout)).toEqual([
        expect.objectContaining({
          name: "long",
          description: "A task with a description long enough to be cut on any narrow terminal, and then some more words at its end",
        }),
      ]);
    });
  });

  describe("on a terminal", () => {
    const tty = (args: string[], env: Record<string, string | undefined>, onTestFinished: (fn: () => void) => void) =>
      startJtInTty(args, { cwd: p.root, env: { TERM: "xterm", ...env } }, { onTestFinished }).done;

    test("errors are coloured", async ({ expect, onTestFinished }) => {
      const result = await tty(["boom"], {}, onTestFinished);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^(\x1b\[[0-9;]*m)+jt aborted!(\x1b\[[0-9;]*m)+\n/);
      expect(strip(result.stdout)).toBe(BOOM);
    });

    test("NO_COLOR=1: no escape codes at all", async ({ expect, onTestFinished }) => {
      const [boom, unknown] = await Promise.all([
        tty(["boom"], { NO_COLOR: "1" }, onTestFinished),
        tty(["nosuch"], { NO_COLOR: "1" }, onTestFinished),
      ]);
      expect(boom).toMatchObject({ code: 1, stdout: BOOM });
      expect(unknown).toMatchObject({ code: 2, stdout: UNKNOWN });
    });

    // https://no-color.org: "when present and not an empty string".
    test("an empty NO_COLOR does not turn colour off", async ({ expect, onTestFinished }) => {
      const result = await tty(["boom"], { NO_COLOR: "" }, onTestFinished);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(ESC);
    });

    test("no spinner or progress output: a run prints its lines and nothing else, with or without colour", async ({
      expect,
      onTestFinished,
    }) => {
      const [plain, coloured] = await Promise.all([tty(["work"], { NO_COLOR: "1" }, onTestFinished), tty(["work"], {}, onTestFinished)]);
      for (const result of [plain, coloured]) {
        expect(result.code).toBe(0);
        expect(result.stdout).not.toContain("\r");
        expect(result.stdout).toBe(WORK_ERR + WORK_OUT);
      }
    });
  });
});
