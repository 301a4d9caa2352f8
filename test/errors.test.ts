/**
 * Every failure a run can end in, with exact stderr in Rake's layout:
 * `jt aborted!`, the message, the user's own frames (or one blank line when there are none),
 * `Caused by:`, `Tasks: TOP => …` and the --trace hint; exit codes as the README's "Exit codes" documents.
 */
import { describe, test } from "vitest";
import { lines, position, stackLines } from "./helpers/text.js";
import { sharedProject } from "./helpers/project.js";

const ERRORS = `import { task } from "jt";

function helper(): never {
  throw new Error("boom from helper");
}

task("a", ["b"], () => console.log("a"));
task("b", ["c"], () => console.log("b"));
task("c", () => {
  helper();
});
task("ok", () => console.log("ok ran"));
task("ok2", () => console.log("ok2 ran"));

task("typeerr", () => {
  throw new TypeError("bad type");
});
class MyError extends Error {}
task("custom", () => {
  throw new MyError("custom error");
});
class NamedError extends Error {
  override name = "NamedError";
}
task("named", () => {
  throw new NamedError("named error");
});
task("str", () => {
  throw "just a string";
});
task("obj", () => {
  throw { code: 42 };
});
task("caused", () => {
  const inner = new Error("inner cause");
  throw new Error("outer error", { cause: inner });
});
task("async", async () => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  throw new RangeError("late");
});
task("rejected", () => Promise.reject(new Error("rejected")));
task("multi", () => {
  throw new Error("multi\\nline\\nmessage");
});

task("inner", () => {
  throw new Error("inner boom");
});
task("outer", async ({ invoke }) => {
  console.log("outer start");
  await invoke("inner");
  console.log("outer end");
});

task("invokes_nope", async ({ invoke }) => {
  console.log("invokes_nope start");
  await invoke("nope");
  console.log("invokes_nope end");
});

task("sets_exit_code", () => {
  process.exitCode = 5;
  console.log("sets_exit_code ran");
});
task("sets_exit_code_and_fails", () => {
  process.exitCode = 5;
  throw new Error("failed after setting exitCode");
});

task("migrate", () => console.log("migrate"));
task("build");
task("built");
task("badpre", ["ok", "nosuch"], () => console.log("badpre"));
task("deepbad", ["badpre"]);
task("typo_pre", ["migrat"]);
task("cyc1", ["cyc2"], () => console.log("cyc1"));
task("cyc2", ["cyc3"]);
task("cyc3", ["cyc1"]);
`;

const HINT = "(See full trace by running task with --trace)";
const DONT_KNOW = (name: string) => `Don't know how to build task '${name}' (See the list of available tasks with \`jt --tasks\`)`;

describe.concurrent("errors", () => {
  const p = sharedProject({ "tasks/errors.ts": ERRORS });
  const file = p.path("tasks/errors.ts");
  /** `/abs/tasks/errors.ts:line:col` of a place in the task file. */
  const at = (needle: string) => `${file}:${position(ERRORS, needle)}`;

  describe("unknown task: exit 2, in Rake's layout (a blank line, the --trace hint)", () => {
    test("no close match: Rake's message only", async ({ expect }) => {
      const result = await p.run(["nosuch"]);
      expect(result).toEqual({ code: 2, signal: null, stdout: "", stderr: lines("jt aborted!", DONT_KNOW("nosuch"), "", HINT) });
    });

    test("one close match: Did you mean?", async ({ expect }) => {
      const result = await p.run(["migrat"]);
      expect(result).toEqual({
        code: 2,
        signal: null,
        stdout: "",
        stderr: lines("jt aborted!", DONT_KNOW("migrat"), "Did you mean?  migrate", "", HINT),
      });
    });

    test("several close matches: one per line, indented by 15 spaces", async ({ expect }) => {
      const result = await p.run(["buil"]);
      expect(result.code).toBe(2);
      const either = (first: string, second: string) =>
        lines("jt aborted!", DONT_KNOW("buil"), `Did you mean?  ${first}`, `               ${second}`, "", HINT);
      // Rake printed "built" first; the order of equally close names is not part of the format.
      expect([either("build", "built"), either("built", "build")]).toContain(result.stderr);
    });

    test("an unknown target after a good one: nothing runs", async ({ expect }) => {
      const result = await p.run(["ok", "nosuch"]);
      expect(result).toMatchObject({ code: 2, stdout: "", stderr: lines("jt aborted!", DONT_KNOW("nosuch"), "", HINT) });
    });
  });

  describe("unknown prerequisite: exit 3, nothing runs", () => {
    test("Rake's message, then Tasks: naming the task that wants it (not an earlier target)", async ({ expect }) => {
      const result = await p.run(["ok", "deepbad"]);
      expect(result).toEqual({
        code: 3,
        signal: null,
        stdout: "",
        stderr: lines("jt aborted!", DONT_KNOW("nosuch"), "", "Tasks: TOP => deepbad => badpre", HINT),
      });
    });

    test("with a close match", async ({ expect }) => {
      const result = await p.run(["typo_pre"]);
      expect(result).toEqual({
        code: 3,
        signal: null,
        stdout: "",
        stderr: lines("jt aborted!", DONT_KNOW("migrat"), "Did you mean?  migrate", "", "Tasks: TOP => typo_pre", HINT),
      });
    });
  });

  test("a cycle: exit 3, nothing runs", async ({ expect }) => {
    const result = await p.run(["ok", "cyc1"]);
    expect(result).toEqual({
      code: 3,
      signal: null,
      stdout: "",
      stderr: lines(
        "jt aborted!",
        "Circular dependency detected: TOP => cyc1 => cyc2 => cyc3 => cyc1",
        "",
        "Tasks: TOP => cyc1 => cyc2 => cyc3",
        HINT,
      ),
    });
  });

  describe("a failing task: exit 1", () => {
    test("the message, the user's frames, the chain and the hint; nothing after it runs", async ({ expect }) => {
      const result = await p.run(["a"]);
      expect(result).toEqual({
        code: 1,
        signal: null,
        stdout: "",
        stderr: lines(
          "jt aborted!",
          "boom from helper",
          at('new Error("boom from helper")'),
          at("helper();"),
          "Tasks: TOP => a => b => c",
          HINT,
        ),
      });
    });

    test("--trace: the trace lines, the full stack, the chain, no hint", async ({ expect }) => {
      const result = await p.run(["--trace", "a"]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      const err = result.stderr.split("\n");
      expect(err.slice(0, 6)).toEqual([
        "** Invoke a (first_time)",
        "** Invoke b (first_time)",
        "** Invoke c (first_time)",
        "** Execute c",
        "jt aborted!",
        "boom from helper",
      ]);
      expect(err[6]).toBe(`    at helper (${at('new Error("boom from helper")')})`);
      expect(stackLines(result.stderr).length).toBeGreaterThan(1);
      expect(err.slice(-2)).toEqual(["Tasks: TOP => a => b => c", ""]);
      expect(result.stderr).not.toContain("(See full trace");
    });

    test("a built-in error class is named: TypeError: …", async ({ expect }) => {
      const result = await p.run(["typeerr"]);
      expect(result).toMatchObject({
        code: 1,
        stderr: lines("jt aborted!", "TypeError: bad type", at('new TypeError("bad type")'), "Tasks: TOP => typeerr", HINT),
      });
    });

    test("an error class with its own name: NamedError: …", async ({ expect }) => {
      const result = await p.run(["named"]);
      expect(result).toMatchObject({
        code: 1,
        stderr: lines("jt aborted!", "NamedError: named error", at('new NamedError("named error")'), "Tasks: TOP => named", HINT),
      });
    });

    test("a subclass of Error that does not set name is named by its class (Rake; Node's inspect)", async ({ expect }) => {
      const result = await p.run(["custom"]);
      expect(result).toMatchObject({
        code: 1,
        stderr: lines("jt aborted!", "MyError: custom error", at('new MyError("custom error")'), "Tasks: TOP => custom", HINT),
      });
    });

    test("a thrown string: the string, then a blank line for the missing frames", async ({ expect }) => {
      const result = await p.run(["str"]);
      expect(result).toMatchObject({ code: 1, stderr: lines("jt aborted!", "just a string", "", "Tasks: TOP => str", HINT) });
    });

    test("a thrown object: shown as data, no stack", async ({ expect }) => {
      const result = await p.run(["obj"]);
      expect(result.code).toBe(1);
      const err = result.stderr.split("\n");
      expect(err[0]).toBe("jt aborted!");
      expect(err[1]).toContain('"code":42');
      expect(err.slice(2)).toEqual(["", "Tasks: TOP => obj", HINT, ""]);
    });

    test("an error with a cause: Caused by:, the cause's message and frames", async ({ expect }) => {
      const result = await p.run(["caused"]);
      expect(result).toMatchObject({
        code: 1,
        stderr: lines(
          "jt aborted!",
          "outer error",
          at('new Error("outer error"'),
          "",
          "Caused by:",
          "inner cause",
          at('new Error("inner cause")'),
          "Tasks: TOP => caused",
          HINT,
        ),
      });
    });

    test("an async action that throws after an await", async ({ expect }) => {
      const result = await p.run(["async"]);
      expect(result).toMatchObject({
        code: 1,
        stderr: lines("jt aborted!", "RangeError: late", at('new RangeError("late")'), "Tasks: TOP => async", HINT),
      });
    });

    test("an action returning a rejected promise", async ({ expect }) => {
      const result = await p.run(["rejected"]);
      expect(result).toMatchObject({
        code: 1,
        stderr: lines("jt aborted!", "rejected", at('new Error("rejected")'), "Tasks: TOP => rejected", HINT),
      });
    });

    test("a multi-line message is printed as it is", async ({ expect }) => {
      const result = await p.run(["multi"]);
      expect(result).toMatchObject({
        code: 1,
        stderr: lines("jt aborted!", "multi", "line", "message", at('new Error("multi'), "Tasks: TOP => multi", HINT),
      });
    });

    test("the failure stops later targets", async ({ expect }) => {
      const result = await p.run(["ok", "str", "ok2"]);
      expect(result).toMatchObject({ code: 1, stdout: "ok ran\n" });
      expect(result.stderr.startsWith("jt aborted!\njust a string\n")).toBe(true);
    });

    test("an action that throws inside ctx.invoke of another task: Rake's chain for invoke starts afresh", async ({ expect }) => {
      const result = await p.run(["outer"]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("outer start\n");
      const err = result.stderr.split("\n");
      expect(err.slice(0, 3)).toEqual(["jt aborted!", "inner boom", at('new Error("inner boom")')]);
      expect(err.slice(-3)).toEqual(["Tasks: TOP => inner", HINT, ""]);
      expect(stackLines(result.stderr)).toEqual([]);
    });
  });

  test("ctx.invoke of a name that is no task fails the task where it called it, as in Rake: exit 1, the location, the chain", async ({
    expect,
  }) => {
    const result = await p.run(["ok", "invokes_nope", "ok2"]);
    expect(result).toEqual({
      code: 1,
      signal: null,
      stdout: "ok ran\ninvokes_nope start\n",
      stderr: lines("jt aborted!", DONT_KNOW("nope"), at('invoke("nope")'), "Tasks: TOP => invokes_nope", HINT),
    });
  });

  test("process.exitCode set by a task: the run goes on, then jt exits with it; a failure's exit code wins", async ({ expect }) => {
    expect(await p.run(["sets_exit_code", "ok"])).toEqual({ code: 5, signal: null, stdout: "sets_exit_code ran\nok ran\n", stderr: "" });
    const failed = await p.run(["sets_exit_code_and_fails"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("failed after setting exitCode");
  });

  test("no target and no default task: exit 2, a clear message", async ({ expect }) => {
    const [none, named] = await Promise.all([p.run([]), p.run(["default"])]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe("");
    const err = none.stderr.split("\n");
    expect(err[0]).toBe("jt aborted!");
    expect(err[1]).toMatch(/'default'/);
    expect(stackLines(none.stderr)).toEqual([]);
    expect(named).toMatchObject({ code: 2, stdout: "", stderr: lines("jt aborted!", DONT_KNOW("default"), "", HINT) });
  });
});

describe("errors: frames of a library with a broken source map", () => {
  // TypeORM's published maps name `src/decorator/columns/Column.ts`: mapped, that lands in the
  // app's own `src/`, where no such file exists. It is the library's frame, not the app's.
  const TASKS = `import { task } from "jt";
import { Column } from "brokenlib";
task("entity", () => {
  Column();
});
`;
  const p = sharedProject({
    "tasks/entity.ts": TASKS,
    "node_modules/brokenlib/package.json": `{ "name": "brokenlib", "main": "index.js" }\n`,
    "node_modules/brokenlib/index.js": `"use strict";\nexports.Column = function Column() {\n  throw new Error("Column type for Post#title is not defined");\n};\n//# sourceMappingURL=index.js.map\n`,
    "node_modules/brokenlib/index.js.map": JSON.stringify({
      version: 3,
      file: "index.js",
      sources: ["../../src/decorator/columns/Column.ts"],
      names: [],
      mappings: "AAAA;AACA;AACA;AACA",
    }),
  });

  test("a mapped frame whose file does not exist is not shown as the app's code, cold or warm", async ({ expect }) => {
    for (const run of ["cold", "warm"]) {
      const result = await p.run(["entity"]);
      expect({ run, ...result }).toEqual({
        run,
        code: 1,
        signal: null,
        stdout: "",
        stderr: lines(
          "jt aborted!",
          "Column type for Post#title is not defined",
          `${p.path("tasks/entity.ts")}:${position(TASKS, "Column();")}`,
          "Tasks: TOP => entity",
          HINT,
        ),
      });
    }
  });
});
