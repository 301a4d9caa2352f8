/**
 * The command-line flags that change how a run goes: -n, -t, -C, -q/-s and the `(in dir)`
 * announcement, -V, -h, NAME=value, and command-line mistakes (as rake 13 answers them).
 */
import { describe, test } from "vitest";
import { jtPackageVersion, lines, real } from "./helpers/text.js";
import { project, sharedProject } from "./helpers/project.js";

// Rake's c5, plus a chain with no repeated invocation and a task that reads the environment at load time.
const C5 = `import { task } from "jt";
const fooAtLoad = process.env.FOO;
const barAtLoad = process.env.BAR;
task("a", ["b", "c"], () => { console.log("a runs"); console.error("a to stderr"); });
task("b", ["d"], () => console.log("b runs"));
task("c", ["d"], () => console.log("c runs"));
task("d", () => console.log("d runs"));
task("x", ["y"], () => console.log("x runs"));
task("y", ["z"], () => console.log("y runs"));
task("z", () => console.log("z runs"));
task("pwd", () => console.log(process.cwd()));
task("env", () => console.log(\`FOO=\${JSON.stringify(process.env.FOO)} BAR=\${JSON.stringify(process.env.BAR)}\`));
task("loadenv", () => console.log(\`at load: FOO=\${JSON.stringify(fooAtLoad)} BAR=\${JSON.stringify(barAtLoad)}\`));
task("default", ["env"]);
`;

const C5_FILES = { "tasks/c5.ts": C5, "sub/deeper/.keep": "" };

describe.concurrent("-n / --dry-run", () => {
  const p = sharedProject(C5_FILES);

  test("prints ** Invoke and ** Execute (dry run) lines to stderr and runs no action", async ({ expect }) => {
    const result = await p.run(["-n", "x"]);
    expect(result).toMatchObject({
      code: 0,
      stdout: "",
      stderr: lines(
        "** Invoke x (first_time)",
        "** Invoke y (first_time)",
        "** Invoke z (first_time)",
        "** Execute (dry run) z",
        "** Execute (dry run) y",
        "** Execute (dry run) x",
      ),
    });
  });

  test("a repeated invocation is `** Invoke d ` with a trailing space (Rake's c5)", async ({ expect }) => {
    const result = await p.run(["-n", "a"]);
    expect(result).toMatchObject({
      code: 0,
      stdout: "",
      stderr: lines(
        "** Invoke a (first_time)",
        "** Invoke b (first_time)",
        "** Invoke d (first_time)",
        "** Execute (dry run) d",
        "** Execute (dry run) b",
        "** Invoke c (first_time)",
        "** Invoke d ",
        "** Execute (dry run) c",
        "** Execute (dry run) a",
      ),
    });
  });

  test("--dry-run, and a target named twice is invoked again but not executed", async ({ expect }) => {
    const result = await p.run(["--dry-run", "z", "z"]);
    expect(result).toMatchObject({
      code: 0,
      stdout: "",
      stderr: lines("** Invoke z (first_time)", "** Execute (dry run) z", "** Invoke z "),
    });
  });
});

describe.concurrent("-t / --trace", () => {
  const p = sharedProject(C5_FILES);

  test("prints ** Invoke and ** Execute lines to stderr and runs the actions", async ({ expect }) => {
    const result = await p.run(["-t", "x"]);
    expect(result).toMatchObject({
      code: 0,
      stdout: lines("z runs", "y runs", "x runs"),
      stderr: lines(
        "** Invoke x (first_time)",
        "** Invoke y (first_time)",
        "** Invoke z (first_time)",
        "** Execute z",
        "** Execute y",
        "** Execute x",
      ),
    });
  });

  test("Rake's c5 under --trace: repeated invocations keep the trailing space; the action's stderr interleaves", async ({ expect }) => {
    const result = await p.run(["--trace", "a"]);
    expect(result).toMatchObject({
      code: 0,
      stdout: lines("d runs", "b runs", "c runs", "a runs"),
      stderr: lines(
        "** Invoke a (first_time)",
        "** Invoke b (first_time)",
        "** Invoke d (first_time)",
        "** Execute d",
        "** Execute b",
        "** Invoke c (first_time)",
        "** Invoke d ",
        "** Execute c",
        "** Execute a",
        "a to stderr",
      ),
    });
  });
});

describe.concurrent("the project root, -C, and (in dir)", () => {
  const p = sharedProject(C5_FILES);

  test("from the root: no announcement", async ({ expect }) => {
    expect(await p.run(["pwd"])).toMatchObject({ code: 0, stdout: `${real(p.root)}\n`, stderr: "" });
  });

  test("from a subdirectory: finds the root upwards by its tasks/ dir, works there, says (in root) on stderr", async ({ expect }) => {
    const root = real(p.root);
    expect(await p.run(["pwd"], { cwd: "sub/deeper" })).toMatchObject({ code: 0, stdout: `${root}\n`, stderr: `(in ${root})\n` });
  });

  test("-s suppresses (in root); -q keeps it", async ({ expect }) => {
    const root = real(p.root);
    const [silent, quiet] = await Promise.all([p.run(["-s", "pwd"], { cwd: "sub/deeper" }), p.run(["-q", "pwd"], { cwd: "sub/deeper" })]);
    expect(silent).toMatchObject({ code: 0, stdout: `${root}\n`, stderr: "" });
    expect(quiet).toMatchObject({ code: 0, stdout: `${root}\n`, stderr: `(in ${root})\n` });
  });

  test("(in root) comes before the trace, and is printed for listings too", async ({ expect }) => {
    const root = real(p.root);
    const [traced, listed] = await Promise.all([p.run(["--trace", "pwd"], { cwd: "sub" }), p.run(["-T"], { cwd: "sub" })]);
    expect(traced).toMatchObject({
      code: 0,
      stdout: `${root}\n`,
      stderr: lines(`(in ${root})`, "** Invoke pwd (first_time)", "** Execute pwd"),
    });
    expect(listed).toMatchObject({ code: 0, stdout: "", stderr: `(in ${root})\n` });
  });

  test("-C dir changes there first, then searches upwards (Rake: `rake -C sub` says (in root))", async ({ expect }) => {
    const root = real(p.root);
    expect(await p.run(["-C", "sub", "pwd"])).toMatchObject({ code: 0, stdout: `${root}\n`, stderr: `(in ${root})\n` });
  });

  test("-C straight to the root: no announcement", async ({ expect }) => {
    const root = real(p.root);
    const [short, long] = await Promise.all([
      p.run(["-C", root, "pwd"], { cwd: "sub/deeper" }),
      p.run(["--directory", "../..", "pwd"], { cwd: "sub/deeper" }),
    ]);
    expect(short).toMatchObject({ code: 0, stdout: `${root}\n`, stderr: "" });
    expect(long).toMatchObject({ code: 0, stdout: `${root}\n`, stderr: "" });
  });

  test("-C to a directory that does not exist is a command-line error, exit 2", async ({ expect }) => {
    const result = await p.run(["-C", "no-such-dir", "pwd"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")[0]).toBe("jt aborted!");
    expect(result.stderr).toContain("no-such-dir");
  });

  test("a jt config also marks the root (here tasks live in jobs/, and there is no tasks/ dir)", async ({ expect, onTestFinished }) => {
    const q = project(
      {
        ".jtrc.json": `{ "tasksDir": "jobs" }`,
        "jobs/pwd.ts": `import { task } from "jt";\ntask("pwd", () => console.log(process.cwd()));\n`,
        "src/lib/.keep": "",
      },
      { onTestFinished },
    );
    const root = real(q.root);
    expect(await q.run(["pwd"], { cwd: "src/lib" })).toMatchObject({ code: 0, stdout: `${root}\n`, stderr: `(in ${root})\n` });
  });

  test("the nearest marker wins: a tasks/ dir in a subdirectory makes that the root", async ({ expect, onTestFinished }) => {
    const q = project(
      {
        "tasks/outer.ts": `import { task } from "jt";\ntask("where", () => console.log("outer"));\n`,
        "inner/tasks/inner.ts": `import { task } from "jt";\ntask("where", () => console.log("inner", process.cwd()));\n`,
        "inner/src/.keep": "",
      },
      { onTestFinished },
    );
    const inner = real(q.path("inner"));
    expect(await q.run(["where"], { cwd: "inner/src" })).toMatchObject({ code: 0, stdout: `inner ${inner}\n`, stderr: `(in ${inner})\n` });
  });
});

describe.concurrent("-V and -h", () => {
  const sharedVersionProject = sharedProject({ "tasks/t.ts": `import { task } from "jt";\ntask("t", () => console.log("ran"));\n` });

  test("-V and --version print `jt, version <package.json version>`, also outside any project", async ({ expect, onTestFinished }) => {
    const p = sharedVersionProject;
    const empty = project({}, { onTestFinished });
    const expected = { code: 0, stdout: `jt, version ${jtPackageVersion()}\n`, stderr: "" };
    const results = await Promise.all([p.run(["-V"]), p.run(["--version"]), empty.run(["-V"])]);
    for (const result of results) expect(result).toMatchObject(expected);
  });

  test("-h and --help print the usage and exit 0, also outside any project", async ({ expect, onTestFinished }) => {
    const p = sharedVersionProject;
    const empty = project({}, { onTestFinished });
    const [short, long, outside] = await Promise.all([p.run(["-h"]), p.run(["--help"]), empty.run(["-h"])]);
    expect(short.code).toBe(0);
    expect(short.stderr).toBe("");
    expect(short.stdout).toMatch(/\bjt \[options\]/);
    for (const flag of [
      "-T, --tasks",
      "-D, --describe",
      "-P, --prereqs",
      "-W, --where",
      "-n, --dry-run",
      "-t, --trace",
      "-C, --directory",
      "-V, --version",
    ]) {
      expect(short.stdout).toContain(flag);
    }
    expect(long).toMatchObject({ code: 0, stdout: short.stdout, stderr: "" });
    expect(outside).toMatchObject({ code: 0, stdout: short.stdout, stderr: "" });
  });
});

describe.concurrent("NAME=value", () => {
  const p = sharedProject(C5_FILES);

  test("sets process.env for the run, anywhere among the targets; the value keeps later '=' signs", async ({ expect }) => {
    expect(await p.run(["FOO=1", "env", "BAR=x=y"])).toMatchObject({ code: 0, stdout: `FOO="1" BAR="x=y"\n`, stderr: "" });
  });

  test("is set before task files load", async ({ expect }) => {
    expect(await p.run(["loadenv", "FOO=early", "BAR=x=y"])).toMatchObject({
      code: 0,
      stdout: `at load: FOO="early" BAR="x=y"\n`,
      stderr: "",
    });
  });

  test("overrides the real environment", async ({ expect }) => {
    expect(await p.run(["env", "FOO=inner"], { env: { FOO: "outer" } })).toMatchObject({ code: 0, stdout: `FOO="inner" BAR=undefined\n` });
  });

  test("with only assignments, the default task runs", async ({ expect }) => {
    expect(await p.run(["FOO=2"])).toMatchObject({ code: 0, stdout: `FOO="2" BAR=undefined\n`, stderr: "" });
  });
});

describe.concurrent("command-line mistakes", () => {
  const p = sharedProject(C5_FILES);

  test.for([
    [["-T", "-P"], ["-T"]],
    [["-P", "-T"], ["-T"]],
    [["-T", "-D"], ["-D"]],
    [["-D", "-W"], ["-W"]],
    [["--prereqs", "--where"], ["-W"]],
    [["-T", "d", "-D"], ["-D"]],
    [
      ["-D", "-T", "d"],
      ["-T", "d"],
    ],
    [
      ["-P", "-D", "d"],
      ["-D", "d"],
    ],
  ])(
    "listing flags combine as in Rake: %j lists as %j (-T/-D/-W: the last wins, with its pattern; any of them over -P)",
    async ([args, same], { expect }) => {
      // -A: the tasks here have no descriptions.
      const combined = await p.run([...args!, "-A"]);
      const single = await p.run([...same!, "-A"]);
      expect(single.code).toBe(0);
      expect(single.stdout).not.toBe("");
      expect(combined).toEqual(single);
    },
  );

  test("-H is --help, as in Rake", async ({ expect }) => {
    const help = await p.run(["--help"]);
    expect(help.stdout).toContain("Usage: jt [options]");
    expect(await p.run(["-H"])).toEqual(help);
  });

  test.for([
    ["--bogus", "--bogus"],
    ["--bogus=1", "--bogus=1"],
    ["-Z", "-Z"],
  ])("an unknown option (%s) → exit 2, Rake's `invalid option: …`, nothing run", async ([option, named], { expect }) => {
    const result = await p.run([option!, "d"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`jt aborted!\ninvalid option: ${named}\n(See \`jt --help\`)\n`);
  });
});

describe.concurrent("Rake's other options: --trace=stdout, --backtrace, --comments, -N, -v, JTOPT", () => {
  const TASKS = `import { desc, task } from "jt";
desc("Say hi");
task("hi", ["pre"], async ({ sh }) => {
  await sh\`node -e \${"console.log('hi')"}\`;
});
task("pre", () => console.log("pre"));
task("boom", () => {
  throw new Error("boom");
});
`;
  const p = sharedProject({ "tasks/t.ts": TASKS, "sub/.keep": "" });
  const ECHO = `node -e 'console.log('\\''hi'\\'')'`;

  test.for([["--trace=stdout"], ["-tstdout"]])(
    "%s: the ** lines on stdout, in order with the tasks' output",
    async ([flag], { expect }) => {
      expect(await p.run([flag!, "hi"])).toEqual({
        code: 0,
        signal: null,
        stdout: lines("** Invoke hi (first_time)", "** Invoke pre (first_time)", "** Execute pre", "pre", "** Execute hi", "hi"),
        stderr: lines(ECHO),
      });
      const failed = await p.run([flag!, "boom"]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toBe("");
      expect(failed.stdout).toMatch(/^\*\* Invoke boom \(first_time\)\n\*\* Execute boom\njt aborted!\nboom\n/);
    },
  );

  test("--backtrace: the full stack, without the ** lines; --backtrace=stdout prints it on stdout", async ({ expect }) => {
    const result = await p.run(["--backtrace", "boom"]);
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).not.toContain("** ");
    expect(result.stderr).toMatch(/^jt aborted!\nboom\n {4}at .*tasks\/t\.ts:8:9\)?\n/);
    expect(result.stderr).not.toContain("(See full trace");
    const onStdout = await p.run(["--backtrace=stdout", "boom"]);
    expect(onStdout).toMatchObject({ code: 1, stderr: "" });
    expect(onStdout.stdout).toMatch(/^jt aborted!\nboom\n {4}at /);
  });

  test("--trace and --backtrace take stdout or stderr only", async ({ expect }) => {
    expect(await p.run(["--trace=file", "hi"])).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: lines("jt aborted!", "--trace and --backtrace write to stdout or stderr, not 'file'", "(See `jt --help`)"),
    });
  });

  test("--comments: -W lists only described tasks when it comes after -W (or -A), as in Rake", async ({ expect }) => {
    const file = p.path("tasks/t.ts");
    expect((await p.run(["-W", "--comments"])).stdout).toBe(lines(`jt hi${" ".repeat(28)} ${file}:3`));
    expect(
      (await p.run(["--comments", "-W"])).stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split(/\s+/)[1]),
    ).toEqual(["boom", "hi", "pre"]);
    expect(await p.run(["-T", "-A", "--comments"])).toMatchObject({ code: 0, stdout: lines("jt hi  # Say hi") });
  });

  test("-N (--no-search, --nosearch): no project in the directory itself is exit 3; without it, jt finds the parent's", async ({
    expect,
  }) => {
    const sub = p.path("sub");
    for (const flag of ["-N", "--no-search", "--nosearch"]) {
      const result = await p.run([flag, "pre"], { cwd: "sub" });
      expect(result.code, flag).toBe(3);
      expect(result.stderr.split("\n")[1], flag).toBe(
        `No tasks found: no tasks/ directory or jt config in ${sub} (-N: parent directories not searched)`,
      );
    }
    expect(await p.run(["pre"], { cwd: "sub" })).toMatchObject({ code: 0, stdout: lines("pre"), stderr: lines(`(in ${p.root})`) });
    expect(await p.run(["-N", "pre"])).toMatchObject({ code: 0, stdout: lines("pre") });
  });

  test("-v echoes sh's commands again after -q (the last of -q, -s, -v wins); JTOPT holds default options, as RAKEOPT", async ({
    expect,
  }) => {
    expect(await p.run(["-q", "-v", "hi"])).toMatchObject({ code: 0, stdout: lines("pre", "hi"), stderr: lines(ECHO) });
    expect(await p.run(["-v", "-q", "hi"])).toMatchObject({ code: 0, stdout: lines("pre", "hi"), stderr: "" });
    expect(await p.run(["hi"], { env: { JTOPT: "-q" } })).toMatchObject({ code: 0, stdout: lines("pre", "hi"), stderr: "" });
    expect(await p.run(["-v", "hi"], { env: { JTOPT: "  -q  " } })).toMatchObject({ code: 0, stderr: lines(ECHO) });
    expect(await p.run([], { env: { JTOPT: "-T" } })).toMatchObject({ code: 0, stdout: lines("jt hi  # Say hi") });
  });
});

describe.concurrent("-f and task files that import more task files", () => {
  test("-f file: that task file instead of tasks/, from where jt started; the project's own listing cache is left alone", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(
      {
        "tasks/own.ts": `import { desc, task } from "jt";\ndesc("The project's own");\ntask("own", () => console.log("own"));\n`,
        "other/more.ts": `import { desc, task } from "jt";\ndesc("From elsewhere");\ntask("elsewhere", () => console.log("elsewhere"));\n`,
      },
      { onTestFinished },
    );
    expect((await p.run(["-T"])).stdout).toBe(lines("jt own  # The project's own"));
    expect(await p.run(["-f", "other/more.ts", "elsewhere"])).toEqual({ code: 0, signal: null, stdout: lines("elsewhere"), stderr: "" });
    expect((await p.run(["--tasks-file", "other/more.ts", "-T"])).stdout).toBe(lines("jt elsewhere  # From elsewhere"));
    expect((await p.run(["-T"])).stdout).toBe(lines("jt own  # The project's own"));
    const missing = await p.run(["-f", "nope.ts", "own"]);
    expect(missing).toMatchObject({ code: 2, stdout: "" });
    expect(missing.stderr).toContain(`-f: no such task file: ${p.path("nope.ts")}`);
  });

  test("-f works where there is no project (no tasks/, no config): the working directory is the root", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project({ "one.ts": `import { task } from "jt";\ntask("one", () => console.log("one"));\n` }, { onTestFinished });
    expect(await p.run(["-f", "one.ts", "one"])).toEqual({ code: 0, signal: null, stdout: lines("one"), stderr: "" });
  });

  test("a task defined in a module a task file imports runs by name, cold and warm (as Rake's import, with ES import)", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(
      {
        "package.json": `{ "type": "module", "private": true }\n`,
        "tasks/main.ts": `import "../lib/more.ts";\nimport { task } from "jt";\ntask("local", ["imported"], () => console.log("local"));\n`,
        "lib/more.ts": `import { task } from "jt";\ntask("imported", () => console.log("imported"));\n`,
      },
      { onTestFinished },
    );
    for (const run of ["cold", "warm", "warm again"])
      expect(await p.run(["imported"]), run).toEqual({ code: 0, signal: null, stdout: lines("imported"), stderr: "" });
    expect(await p.run(["local"])).toMatchObject({ code: 0, stdout: lines("imported", "local") });
  });
});
