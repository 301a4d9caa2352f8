/**
 * Namespaces and name resolution end to end. The first block is a Rakefile of namespaces written
 * as a task file, and expects the outputs rake 13 printed for it ("rake" → "jt");
 * the `rake:setup` prefix has no jt equivalent and is left out.
 */
import { describe, test } from "vitest";
import { lines, stackLines } from "./helpers/text.js";
import { project, sharedProject } from "./helpers/project.js";

const C4 = `import { namespace, task } from "jt";

const say = (text: string) => () => console.log(text);

task("setup", say("top:setup"));
task("only_top", say("top:only_top"));

namespace("db", () => {
  task("setup", say("db:setup"));
  task("migrate", ["setup", "only_top"], say("db:migrate"));
  task("up", ["^setup"], say("db:up"));
  task("full", ["db:setup"], say("db:full"));
  namespace("inner", () => {
    task("setup", say("db:inner:setup"));
    task("go", ["setup", "^setup", "^^setup", "^^^^setup"], say("db:inner:go"));
    task("other", ["db:setup", "inner:setup"], say("db:inner:other"));
  });
  // a task in db named like an outer one: the self-reference falls back to the top level
  task("only_top", ["only_top"], say("db:only_top"));
});

namespace("app", () => {
  task("run", ["db:migrate", "inner:setup"], say("app:run"));
  task("run2", ["db:inner:go"], say("app:run2"));
});

// colon-qualified definitions outside a namespace block
task("ns2:thing", ["setup"], say("ns2:thing"));

// redefinition: adds prerequisites and actions, in order
task("redef", ["setup"], say("redef action 1"));
task("redef", ["only_top", "setup"], say("redef action 2"));
task("redef", say("redef action 3"));

namespace("x", () => {
  task("y");
});
`;

const HINT = "(See full trace by running task with --trace)";

describe.concurrent("the reference's c4 Rakefile, as a task file", () => {
  const p = sharedProject({ "tasks/c4.ts": C4 });

  test.for<[string, string[]]>([
    ["db:migrate", ["db:setup", "top:only_top", "db:only_top", "db:migrate"]],
    ["db:up", ["top:setup", "db:up"]],
    ["db:full", ["db:setup", "db:full"]],
    ["db:inner:go", ["db:inner:setup", "db:setup", "top:setup", "db:inner:go"]],
    ["db:inner:other", ["db:setup", "db:inner:setup", "db:inner:other"]],
    ["app:run2", ["db:inner:setup", "db:setup", "top:setup", "db:inner:go", "app:run2"]],
    ["ns2:thing", ["top:setup", "ns2:thing"]],
    ["redef", ["top:setup", "top:only_top", "redef action 1", "redef action 2", "redef action 3"]],
    ["db:only_top", ["top:only_top", "db:only_top"]],
  ])("jt %s", async ([target, expected], { expect }) => {
    expect(await p.run([target])).toEqual({ code: 0, signal: null, stdout: lines(...expected), stderr: "" });
  });

  test("jt app:run: inner:setup is in no scope enclosing app (exit 3, Rake's message)", async ({ expect }) => {
    expect(await p.run(["app:run"])).toEqual({
      code: 3,
      signal: null,
      stdout: "",
      stderr: lines(
        "jt aborted!",
        "Don't know how to build task 'inner:setup' (See the list of available tasks with `jt --tasks`)",
        "Did you mean?  db:inner:setup",
        "",
        "Tasks: TOP => app:run",
        HINT,
      ),
    });
  });

  test("jt migrate: command-line names are full names, but db:migrate is suggested", async ({ expect }) => {
    expect(await p.run(["migrate"])).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: lines(
        "jt aborted!",
        "Don't know how to build task 'migrate' (See the list of available tasks with `jt --tasks`)",
        "Did you mean?  db:migrate",
        "",
        HINT,
      ),
    });
  });

  test("jt inner:go and jt x: not found from the top level", async ({ expect }) => {
    const [innerGo, x] = await Promise.all([p.run(["inner:go"]), p.run(["x"])]);
    expect(innerGo.code).toBe(2);
    expect(innerGo.stdout).toBe("");
    expect(innerGo.stderr.split("\n").slice(0, 2)).toEqual([
      "jt aborted!",
      "Don't know how to build task 'inner:go' (See the list of available tasks with `jt --tasks`)",
    ]);
    expect(x).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: lines("jt aborted!", "Don't know how to build task 'x' (See the list of available tasks with `jt --tasks`)", "", HINT),
    });
  });

  test("jt -P: every task, prerequisites as written, redefinition without repeats", async ({ expect }) => {
    expect(await p.run(["-P"])).toEqual({
      code: 0,
      signal: null,
      stderr: "",
      stdout: lines(
        "jt app:run",
        "    db:migrate",
        "    inner:setup",
        "jt app:run2",
        "    db:inner:go",
        "jt db:full",
        "    db:setup",
        "jt db:inner:go",
        "    setup",
        "    ^setup",
        "    ^^setup",
        "    ^^^^setup",
        "jt db:inner:other",
        "    db:setup",
        "    inner:setup",
        "jt db:inner:setup",
        "jt db:migrate",
        "    setup",
        "    only_top",
        "jt db:only_top",
        "    only_top",
        "jt db:setup",
        "jt db:up",
        "    ^setup",
        "jt ns2:thing",
        "    setup",
        "jt only_top",
        "jt redef",
        "    setup",
        "    only_top",
        "jt setup",
        "jt x:y",
      ),
    });
  });
});

const MORE = `import { namespace, task } from "jt";

const say = (text: string) => () => console.log(text);

task("setup", say("top:setup"));

// A name with ':' at the top level: its prerequisites are looked up in its own namespace first.
task("ns3:thing", ["setup"], say("ns3:thing"));
task("ns3:setup", say("ns3:setup"));

// namespace() nesting, a namespace name with ':', and reopening a namespace.
namespace("outer", () => {
  namespace("mid", () => {
    task("leaf", ["setup"], say("outer:mid:leaf"));
  });
  task("setup", say("outer:setup"));
});
namespace("outer:mid", () => {
  task("other", ["leaf"], say("outer:mid:other"));
});
namespace("outer", () => {
  task("later", ["mid:other"], say("outer:later"));
});

// A ':' name inside a namespace: defined as db:x:y, looked up from db:x outwards.
namespace("db", () => {
  task("setup", say("db:setup"));
  task("x:y", ["setup"], say("db:x:y"));
});

// The innermost match wins over an outer one of the same name.
namespace("a", () => {
  task("setup", say("a:setup"));
  namespace("b", () => {
    task("setup", say("a:b:setup"));
    task("go", ["setup", "^setup"], say("a:b:go"));
  });
});

// Redefinition across files and namespace blocks adds actions, in definition order.
namespace("db", () => {
  task("seed", say("db:seed 1"));
});
`;

const MORE_LATER_FILE = `import { namespace, task } from "jt";
namespace("db", () => {
  task("seed", ["setup"], () => console.log("db:seed 2"));
});
task("db:seed", ["setup"], () => console.log("db:seed 3"));
`;

describe.concurrent("more namespaces", () => {
  const p = sharedProject({ "tasks/a_more.ts": MORE, "tasks/b_later.ts": MORE_LATER_FILE });

  test.for<[string[], string[]]>([
    [["ns3:thing"], ["ns3:setup", "ns3:thing"]],
    [["outer:mid:leaf"], ["outer:setup", "outer:mid:leaf"]],
    [["outer:later"], ["outer:setup", "outer:mid:leaf", "outer:mid:other", "outer:later"]],
    [["db:x:y"], ["db:setup", "db:x:y"]],
    [["a:b:go"], ["a:b:setup", "a:setup", "a:b:go"]],
    [["db:seed"], ["db:setup", "db:seed 1", "db:seed 2", "db:seed 3"]],
  ])("jt %j", async ([targets, expected], { expect }) => {
    expect(await p.run(targets)).toEqual({ code: 0, signal: null, stdout: lines(...expected), stderr: "" });
  });
});

describe.concurrent("redefinition with different args", () => {
  const REDEFINE = `import { task } from "jt";
task("t", { args: ["a", "b"] }, () => console.log("first"));
task("t", { args: ["a", "b"] }, () => console.log("same args: fine"));
task("t", { args: ["x"] }, () => console.log("different"));
`;
  const p = sharedProject({ "tasks/redefine.ts": REDEFINE });

  test("is a definition error: exit 3, jt aborted!, the task named, no stack", async ({ expect }) => {
    const result = await p.run(["t"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    const err = result.stderr.split("\n");
    expect(err[0]).toBe("jt aborted!");
    expect(err[1]).toContain("'t'");
    expect(stackLines(result.stderr)).toEqual([]);
  });

  test("names the file and line of the offending definition (a task file that throws while loading)", async ({ expect }) => {
    const result = await p.run(["t"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${p.path("tasks/redefine.ts")}:4`);
  });
});

describe.concurrent("namespace() and task() with names and prerequisites that are not strings", () => {
  const NAMES = `import { namespace, task } from "jt";
namespace({ toString: () => "ns" } as unknown as string, () => task("x", () => console.log("ns:x ran")));
namespace(7 as unknown as string, () => task("y", () => console.log("7:y ran")));
task("nullpre", null as unknown as string[], () => console.log("nullpre ran"));
`;

  test("a string-like name is converted with String(), as task() converts its own; task(name, null, fn) has no prerequisites (Rake's task x: nil)", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project({ "tasks/names.ts": NAMES }, { onTestFinished });
    expect(await p.run(["ns:x", "7:y", "nullpre"])).toEqual({
      code: 0,
      signal: null,
      stdout: lines("ns:x ran", "7:y ran", "nullpre ran"),
      stderr: "",
    });
  });

  test.for([
    ["undefined", 'namespace() takes a name, a string like "db", not undefined'],
    ["null", 'namespace() takes a name, a string like "db", not null'],
    ["{ a: 1 }", 'namespace() takes a name, a string like "db", not an object'],
    ['["a"]', 'namespace() takes a name, a string like "db", not an array'],
  ])(
    "namespace(%s, …) is refused with a message naming namespace (exit 3), not a TypeError",
    async ([value, message], { expect, onTestFinished }) => {
      const file = `import { namespace, task } from "jt";\ntask("ok", () => {});\nnamespace(${value} as unknown as string, () => {});\n`;
      const p = project({ "tasks/bad.ts": file }, { onTestFinished });
      const result = await p.run(["ok"]);
      expect(result.code).toBe(3);
      expect(result.stdout).toBe("");
      expect(result.stderr.split("\n").slice(0, 3)).toEqual(["jt aborted!", message, `${p.path("tasks/bad.ts")}:3:1`]);
      expect(result.stderr).not.toContain("TypeError");
    },
  );

  test("namespace(name, not-a-function) is refused too", async ({ expect, onTestFinished }) => {
    const p = project(
      { "tasks/bad.ts": `import { namespace } from "jt";\nnamespace("db", "tasks" as unknown as () => void);\n` },
      { onTestFinished },
    );
    const result = await p.run(["-T"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("namespace('db', …) takes a function that defines its tasks, not string tasks");
  });
});
