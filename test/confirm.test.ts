/**
 * Tasks marked `{ confirm: "question" }` (issue 4, PaaS): with NODE_ENV=production they ask before
 * anything runs; `--yes` / `-y` answers; with no terminal and no --yes the run fails at once,
 * saying to pass --yes (never a silent skip, never a hang). Elsewhere they just run.
 */
import { describe, test } from "vitest";
import { startJt, startJtInTty, type LiveJt } from "./helpers/live.js";
import { sharedProject } from "./helpers/project.js";
import { lines, STACK_FRAME } from "./helpers/text.js";

const FILES = {
  "jt.config.json": `{ "environment": "./app/environment.ts" }\n`,
  "app/environment.ts": `import { defineEnvironment } from "jt";
export default defineEnvironment({
  setup() {
    console.log("environment booted");
    return {};
  },
  teardown() {
    console.log("environment closed");
  },
});
`,
  "tasks/confirm.ts": `import { task } from "jt";
task("first", () => console.log("first ran"));
task("pre", () => console.log("pre ran"));
task("drop", { deps: ["pre", "environment"], confirm: "Drop every table?" }, () => console.log("drop ran"));
task("deploy", ["first", "drop"], () => console.log("deploy ran"));
task("also", { confirm: "Really run also?" }, () => console.log("also ran"));
task("nightly", async ({ invoke }) => {
  console.log("nightly start");
  await invoke("drop");
  console.log("nightly end");
});
`,
};

/** What `jt first drop` prints when it runs. */
const RAN = lines("first ran", "pre ran", "environment booted", "drop ran", "environment closed");

describe.concurrent("confirm", () => {
  const p = sharedProject(FILES);

  /** jt with stdin an open pipe that nobody writes to: no terminal, and no end of input either. */
  const noTerminal = (args: string[], env: Record<string, string>, onTestFinished: (fn: () => void) => void) =>
    startJt(args, { cwd: p.root, env, stdin: "open", timeoutMs: 10_000 }, { onTestFinished }).done;

  describe("outside production the question is not asked", () => {
    test.for([
      ["unset", {}],
      ["development", { NODE_ENV: "development" }],
      ["test", { NODE_ENV: "test" }],
      ["empty", { NODE_ENV: "" }],
    ] as [string, Record<string, string>][])("NODE_ENV %s: the task just runs", async ([, env], { expect, onTestFinished }) => {
      const result = await noTerminal(["first", "drop"], env, onTestFinished);
      expect(result).toEqual({ code: 0, signal: null, stdout: RAN, stderr: "" });
    });
  });

  describe("NODE_ENV=production without a terminal", () => {
    /** The failure: at once, exit 2, nothing run (not even the environment), a message that says to pass --yes. */
    function expectRefused(
      expect: import("vitest").ExpectStatic,
      result: { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string },
      task: string,
      question: string,
    ) {
      expect(result.signal).toBeNull();
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).not.toMatch(STACK_FRAME);
      const err = result.stderr.split("\n");
      expect(err[0]).toBe("jt aborted!");
      expect(err[1]).toContain(`'${task}'`);
      expect(err[1]).toContain(question);
      expect(result.stderr).toContain("--yes");
      expect(err.at(-1)).toBe("");
    }

    test("fails before anything runs (earlier targets, prerequisites, the environment), saying to pass --yes", async ({
      expect,
      onTestFinished,
    }) => {
      const result = await noTerminal(["first", "drop"], { NODE_ENV: "production" }, onTestFinished);
      expectRefused(expect, result, "drop", "Drop every table?");
    });

    test("also when the confirm task is only a prerequisite of the target", async ({ expect, onTestFinished }) => {
      const result = await noTerminal(["deploy"], { NODE_ENV: "production" }, onTestFinished);
      expectRefused(expect, result, "drop", "Drop every table?");
    });

    test("also when NODE_ENV=production is given on the command line", async ({ expect, onTestFinished }) => {
      const result = await noTerminal(["first", "drop", "NODE_ENV=production"], {}, onTestFinished);
      expectRefused(expect, result, "drop", "Drop every table?");
    });

    test("an answer piped on stdin is not a terminal: still refused", async ({ expect }) => {
      const result = await p.run(["first", "drop"], { env: { NODE_ENV: "production" }, input: "y\n", timeoutMs: 10_000 });
      expectRefused(expect, result, "drop", "Drop every table?");
    });

    test.for(["--yes", "-y"])("%s runs everything, asking nothing", async (flag, { expect, onTestFinished }) => {
      const result = await noTerminal([flag, "first", "drop"], { NODE_ENV: "production" }, onTestFinished);
      expect(result).toEqual({ code: 0, signal: null, stdout: RAN, stderr: "" });
    });

    test("--yes after the targets works too", async ({ expect, onTestFinished }) => {
      const result = await noTerminal(["first", "drop", "--yes"], { NODE_ENV: "production" }, onTestFinished);
      expect(result).toEqual({ code: 0, signal: null, stdout: RAN, stderr: "" });
    });

    // A confirm task reached through ctx.invoke is not in the plan, but must not run unasked either.
    test("a confirm task run through ctx.invoke does not run unasked", async ({ expect, onTestFinished }) => {
      const result = await noTerminal(["nightly"], { NODE_ENV: "production" }, onTestFinished);
      expect(result.signal).toBeNull();
      expect(result.stdout).not.toContain("drop ran");
      expect(result.stdout).not.toContain("nightly end");
      expect(result.code).not.toBe(0);
      expect(result.stderr.split("\n")[0]).toBe("jt aborted!");
      expect(result.stderr).toContain("--yes");
    });
  });

  describe("NODE_ENV=production on a terminal", () => {
    const onTty = (args: string[], onTestFinished: (fn: () => void) => void, env: Record<string, string> = { NODE_ENV: "production" }) =>
      startJtInTty(args, { cwd: p.root, env: { NO_COLOR: "1", ...env }, timeoutMs: 15_000 }, { onTestFinished });

    /** Waits for the question, checks nothing has run yet, then types `keys`. */
    async function answer(jt: LiveJt, question: string, keys: string) {
      const shown = await jt.waitFor("stdout", question);
      if (/ ran|environment booted/.test(shown)) throw new Error(`something ran before the answer:\n${shown}`);
      jt.write(keys);
    }

    test.for([
      ["y", "y\r"],
      ["yes", "yes\r"],
      ["Y", "Y\r"],
    ])("answering %s runs it", async ([, keys], { expect, onTestFinished }) => {
      const jt = onTty(["first", "drop"], onTestFinished);
      await answer(jt, "Drop every table?", keys!);
      const result = await jt.done;
      expect(result.code).toBe(0);
      expect(result.stdout.endsWith(RAN)).toBe(true);
    });

    test.for([
      ["n", "n\r"],
      ["no", "no\r"],
      ["just Enter", "\r"],
      ["anything else", "sure\r"],
    ])("answering %s runs nothing and fails, saying so", async ([, keys], { expect, onTestFinished }) => {
      const jt = onTty(["first", "drop"], onTestFinished);
      await answer(jt, "Drop every table?", keys!);
      const result = await jt.done;
      expect([1, 2]).toContain(result.code);
      expect(result.stdout).not.toMatch(/ ran|environment booted/);
      expect(result.stdout).not.toMatch(STACK_FRAME);
      const afterPrompt = result.stdout.slice(result.stdout.indexOf("Drop every table?"));
      expect(afterPrompt).toContain("jt aborted!");
      expect(afterPrompt).toMatch(/not confirmed|did not run|declined|cancel/i);
    });

    test("Ctrl-D at the question is a no: nothing runs, no Node stack", async ({ expect, onTestFinished }) => {
      const jt = onTty(["first", "drop"], onTestFinished);
      await answer(jt, "Drop every table?", "\x04");
      const result = await jt.done;
      expect([1, 2]).toContain(result.code);
      expect(result.stdout).not.toMatch(/ ran|environment booted/);
      expect(result.stdout).toContain("jt aborted!");
      expect(result.stdout).not.toMatch(STACK_FRAME);
      expect(result.stdout).not.toContain("AbortError");
    });

    test("Ctrl-C at the question: interrupted (exit 130), nothing runs, no Node stack", async ({ expect, onTestFinished }) => {
      const jt = onTty(["first", "drop"], onTestFinished);
      await answer(jt, "Drop every table?", "\x03");
      const result = await jt.done;
      expect(result.code).toBe(130);
      expect(result.stdout).not.toMatch(/ ran|environment booted/);
      expect(result.stdout).not.toMatch(STACK_FRAME);
      expect(result.stdout).not.toContain("AbortError");
    });

    test("several confirm tasks: each question is asked; one no runs nothing", async ({ expect, onTestFinished }) => {
      const jt = onTty(["first", "drop", "also"], onTestFinished);
      await answer(jt, "Drop every table?", "y\r");
      await answer(jt, "Really run also?", "n\r");
      const result = await jt.done;
      expect([1, 2]).toContain(result.code);
      expect(result.stdout).not.toMatch(/ ran|environment booted/);
    });

    test("several confirm tasks, all answered yes: everything runs in order", async ({ expect, onTestFinished }) => {
      const jt = onTty(["first", "drop", "also"], onTestFinished);
      await answer(jt, "Drop every table?", "y\r");
      await answer(jt, "Really run also?", "y\r");
      const result = await jt.done;
      expect(result.code).toBe(0);
      expect(
        result.stdout.endsWith(lines("first ran", "pre ran", "environment booted", "drop ran", "also ran", "environment closed")),
      ).toBe(true);
    });

    test("--yes: no question", async ({ expect, onTestFinished }) => {
      const result = await onTty(["--yes", "first", "drop"], onTestFinished).done;
      expect(result).toEqual({ code: 0, signal: null, stdout: RAN, stderr: "" });
    });

    test("outside production: no question", async ({ expect, onTestFinished }) => {
      const result = await onTty(["first", "drop"], onTestFinished, {}).done;
      expect(result).toEqual({ code: 0, signal: null, stdout: RAN, stderr: "" });
    });
  });
});
