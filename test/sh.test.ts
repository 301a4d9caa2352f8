/**
 * `ctx.sh` (the README's "`sh`", issue 4): a template tag and `sh(file, args, options)` over execa,
 * never a shell. The command is echoed to stderr before it runs (not under -q / -s), its output
 * is shown as it arrives and returned; each `${value}` is one argument; a failure fails the task
 * with the command, its exit code and the user's file:line; the run's interrupt stops the child.
 */
import { existsSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { describe, test } from "vitest";
import { eventually, isAlive, startJt } from "./helpers/live.js";
import { project, sharedProject } from "./helpers/project.js";
import { lines, position, STACK_FRAME } from "./helpers/text.js";

/** Prints its arguments as one JSON array: what the command really received. */
const ARGV = `console.log(JSON.stringify(process.argv.slice(2)));\n`;

const SH = `import { task } from "jt";

const show = (label: string, r: { exitCode: number | undefined; failed: boolean; stdout: string; stderr: string }) =>
  console.log(label + ": " + JSON.stringify({ exitCode: r.exitCode, failed: r.failed, stdout: r.stdout, stderr: r.stderr }));

task("tag", async ({ sh }) => {
  const result = await sh\`node argv.mjs hello \${"a b"}\`;
  show("tag", result);
});

task("streams", async ({ sh }) => {
  const result = await sh\`node -e \${"console.log('child out'); console.error('child err')"}\`;
  show("streams", result);
});

task("file-form", async ({ sh }) => {
  const result = await sh("node", ["argv.mjs", "a b", ["c", "d"], 42, true, ""]);
  show("file-form", result);
});

task("values", async ({ sh }) => {
  await sh\`node argv.mjs --name=\${"a b"} \${["p q", "r"]} \${[]} \${""} end\`;
});

task("numbers", async ({ sh }) => {
  await sh\`node argv.mjs \${42} \${[1, 2.5]}\`;
});

task("booleans", async ({ sh }) => {
  await sh\`node argv.mjs \${true} \${[false]}\`;
});

task("fail", async ({ sh }) => {
  await sh\`node -e \${"process.exit(3)"}\`;
  console.log("after the failed command");
});
task("after-fail", ["fail"], () => console.log("after-fail ran"));

task("no-reject", async ({ sh }) => {
  const result = await sh("node", ["-e", "console.log('partial'); process.exit(4)"], { reject: false });
  show("no-reject", result);
  const tagged = await sh({ reject: false })\`node -e \${"process.exit(5)"}\`;
  show("tagged", tagged);
});

task("options", async ({ sh }) => {
  await sh({ cwd: "sub" })\`node -e \${"console.log('cwd ' + process.cwd())"}\`;
  await sh("node", ["-e", "console.log('env ' + process.env.JT_OPTION_VAR + ' ' + process.env.JT_PARENT_VAR)"], { env: { JT_OPTION_VAR: "from-option" } });
  const input = await sh("node", ["-e", "process.stdin.pipe(process.stdout)"], { input: "typed in\\n" });
  console.log("input " + JSON.stringify(input.stdout));
  console.log("jt's own env " + process.env.JT_OPTION_VAR);
});

task("chained", async ({ sh }) => {
  const inSub = sh({ cwd: "sub" })({ env: { JT_OPTION_VAR: "chained" } });
  await inSub\`node -e \${"console.log(process.cwd() + ' ' + process.env.JT_OPTION_VAR)"}\`;
  await inSub("node", ["-e", "console.log('file form ' + process.cwd())"]);
});

task("envecho", async ({ sh }) => {
  await sh({ env: { RAKE_TEST_SH: "someval", SPACED: "a b", UNSET: undefined } })\`printenv RAKE_TEST_SH\`;
});

task("verbosity", async ({ sh }) => {
  const quiet = sh({ verbose: false });
  await quiet\`node -e \${"console.log('quiet one')"}\`;
  await quiet({ cwd: "." })\`node -e \${"console.log('quiet two')"}\`;
  await sh({ verbose: true })\`node -e \${"console.log('loud')"}\`;
});

task("pwd", async ({ sh }) => {
  await sh\`node -e \${"console.log(process.cwd())"}\`;
});

task("missing", async ({ sh }) => {
  await sh\`jt-no-such-command --flag\`;
});

task("killed", async ({ sh }) => {
  await sh\`node -e \${"process.kill(process.pid, 'SIGKILL')"}\`;
});

task("timeout", async ({ sh }) => {
  await sh("node", ["-e", "setTimeout(() => {}, 20000)"], { timeout: 300 });
});

task("stdin", async ({ sh }) => {
  const result = await sh\`node -e \${"process.stdin.pipe(process.stdout)"}\`;
  console.log("read " + JSON.stringify(result.stdout));
});

task("long", async ({ sh }) => {
  await sh\`node -e \${"console.log('child pid ' + process.pid); setInterval(() => {}, 1000)"}\`;
  console.log("after the command");
});
`;

const HINT = "(See full trace by running task with --trace)";

describe.concurrent("sh", () => {
  const p = sharedProject({ "tasks/sh.ts": SH, "argv.mjs": ARGV, "sub/.keep": "" });
  const file = p.path("tasks/sh.ts");
  const lineOf = (needle: string) => position(SH, needle).split(":")[0];

  describe("echo and output", () => {
    test("the tag echoes the command to stderr, shows its output and returns it", async ({ expect }) => {
      const result = await p.run(["tag"]);
      expect(result).toEqual({
        code: 0,
        signal: null,
        stdout: lines(`["hello","a b"]`, `tag: {"exitCode":0,"failed":false,"stdout":"[\\"hello\\",\\"a b\\"]","stderr":""}`),
        stderr: lines("node argv.mjs hello 'a b'"),
      });
    });

    test("the echo comes before the command runs; the command's stderr is shown and returned too", async ({ expect }) => {
      const result = await p.run(["streams"]);
      expect(result).toEqual({
        code: 0,
        signal: null,
        stdout: lines("child out", `streams: {"exitCode":0,"failed":false,"stdout":"child out","stderr":"child err"}`),
        stderr: lines(`node -e 'console.log('\\''child out'\\''); console.error('\\''child err'\\'')'`, "child err"),
      });
    });

    test.for(["-q", "--quiet", "-s", "--silent"])("%s: no echo, the output is still shown", async (flag, { expect }) => {
      const result = await p.run([flag, "tag"]);
      expect(result).toEqual({
        code: 0,
        signal: null,
        stdout: lines(`["hello","a b"]`, `tag: {"exitCode":0,"failed":false,"stdout":"[\\"hello\\",\\"a b\\"]","stderr":""}`),
        stderr: "",
      });
    });

    test("the output is shown while the command runs, not when it ends", async ({ expect, onTestFinished }) => {
      const live = project(
        {
          "tasks/live.ts": `import { task } from "jt";
task("live", async ({ sh }) => {
  const result = await sh\`node wait.mjs\`;
  console.log("returned " + JSON.stringify(result.stdout));
});
`,
          // Prints, then waits for the test to create "go" (which it does only once it has seen the line).
          "wait.mjs": `import { existsSync } from "node:fs";
console.log("waiting for go");
const deadline = Date.now() + 20000;
const timer = setInterval(() => {
  if (existsSync("go")) { clearInterval(timer); console.log("got go"); }
  else if (Date.now() > deadline) { clearInterval(timer); console.log("gave up"); process.exitCode = 1; }
}, 20);
`,
        },
        { onTestFinished },
      );
      const jt = startJt(["live"], { cwd: live.root, timeoutMs: 25_000 }, { onTestFinished });
      await jt.waitFor("stdout", "waiting for go\n", 12_000);
      writeFileSync(live.path("go"), "");
      const result = await jt.done;
      expect(result).toEqual({
        code: 0,
        signal: null,
        stdout: lines("waiting for go", "got go", `returned "waiting for go\\ngot go"`),
        stderr: lines("node wait.mjs"),
      });
    });

    test("-n: the action does not run, so neither does the command", async ({ expect, onTestFinished }) => {
      const dry = project(
        {
          "tasks/dry.ts": `import { task } from "jt";\ntask("touch", async ({ sh }) => { await sh\`node -e \${"require('fs').writeFileSync('ran', '')"}\`; });\n`,
        },
        { onTestFinished },
      );
      const result = await dry.run(["-n", "touch"]);
      expect(result).toEqual({
        code: 0,
        signal: null,
        stdout: "",
        stderr: lines("** Invoke touch (first_time)", "** Execute (dry run) touch"),
      });
      expect(existsSync(dry.path("ran"))).toBe(false);
    });
  });

  describe("arguments: each value is one argument, never parsed by a shell", () => {
    test("sh(file, args): arrays expand, numbers and booleans become strings, '' stays an argument", async ({ expect }) => {
      const result = await p.run(["file-form"]);
      expect(result).toEqual({
        code: 0,
        signal: null,
        stdout: lines(
          `["a b","c","d","42","true",""]`,
          `file-form: {"exitCode":0,"failed":false,"stdout":"[\\"a b\\",\\"c\\",\\"d\\",\\"42\\",\\"true\\",\\"\\"]","stderr":""}`,
        ),
        stderr: lines("node argv.mjs 'a b' c d 42 true ''"),
      });
    });

    test("the tag: a value next to text joins it, an array is several arguments, [] none, '' one", async ({ expect }) => {
      const result = await p.run(["-q", "values"]);
      expect(result).toEqual({ code: 0, signal: null, stdout: lines(`["--name=a b","p q","r","","end"]`), stderr: "" });
    });

    test("the tag: numbers (alone or in an array) are one argument each", async ({ expect }) => {
      const result = await p.run(["-q", "numbers"]);
      expect(result).toEqual({ code: 0, signal: null, stdout: lines(`["42","1","2.5"]`), stderr: "" });
    });

    // ShValue (src/api/types.ts) allows booleans, and sh(file, args) takes them.
    test("the tag: booleans (alone or in an array) are one argument each", async ({ expect }) => {
      const result = await p.run(["-q", "booleans"]);
      expect(result).toEqual({ code: 0, signal: null, stdout: lines(`["true","false"]`), stderr: "" });
    });

    test("no shell injection: hostile values arrive verbatim and run nothing", async ({ expect, onTestFinished }) => {
      const HOSTILE = [
        `"; rm -rf x`,
        `'; rm -rf x; '`,
        "$(touch pwned)",
        "`touch pwned-backtick`",
        "; touch pwned-semicolon",
        "&& touch pwned-and",
        "| touch pwned-pipe",
        "> redirected",
        "*",
        "$HOME",
        "it's",
        "a\nb",
      ];
      const p2 = project(
        {
          "argv.mjs": ARGV,
          "x/keep.txt": "still here\n",
          "hostile.json": JSON.stringify(HOSTILE),
          "tasks/inject.ts": `import { task } from "jt";
import { readFileSync } from "node:fs";
const values: string[] = JSON.parse(readFileSync("hostile.json", "utf8"));
task("all", async ({ sh }) => {
  console.log("tag");
  for (const value of values) await sh\`node argv.mjs \${value}\`;
  console.log("joined");
  for (const value of values.slice(0, 4)) await sh\`node argv.mjs prefix-\${value}\`;
  console.log("array");
  await sh\`node argv.mjs \${values}\`;
  console.log("file-form");
  await sh("node", ["argv.mjs", ...values]);
});
`,
        },
        { onTestFinished },
      );
      const one = (args: string[]) => `${JSON.stringify(args)}\n`;
      const result = await p2.run(["-q", "all"]);
      expect(result).toEqual({
        code: 0,
        signal: null,
        stdout: [
          "tag\n",
          ...HOSTILE.map((v) => one([v])),
          "joined\n",
          ...HOSTILE.slice(0, 4).map((v) => one([`prefix-${v}`])),
          "array\n",
          one(HOSTILE),
          "file-form\n",
          one(HOSTILE),
        ].join(""),
        stderr: "",
      });
      for (const marker of ["pwned", "pwned-backtick", "pwned-semicolon", "pwned-and", "pwned-pipe", "redirected"]) {
        expect(existsSync(p2.path(marker)), marker).toBe(false);
      }
      expect(existsSync(p2.path("x/keep.txt"))).toBe(true);
    });

    test("the echoed command is quoted so that a shell would pass the same arguments", async ({ expect, onTestFinished }) => {
      const VALUES = [`"; rm -rf x`, "$(touch pwned)", "it's", "a b", "*", ""];
      const p2 = project(
        {
          "argv.mjs": ARGV,
          "x/keep.txt": "",
          "values.json": JSON.stringify(VALUES),
          "tasks/echo.ts": `import { task } from "jt";
import { readFileSync } from "node:fs";
task("echo", async ({ sh }) => {
  await sh\`node argv.mjs \${JSON.parse(readFileSync("values.json", "utf8"))}\`;
});
`,
        },
        { onTestFinished },
      );
      const result = await p2.run(["echo"]);
      expect(result.code).toBe(0);
      const echoed = result.stderr.replace(/\n$/, "");
      expect(echoed.split("\n")).toHaveLength(1);
      const viaShell = execFileSync("sh", ["-c", echoed], { cwd: p2.root, encoding: "utf8" });
      expect(viaShell).toBe(`${JSON.stringify(VALUES)}\n`);
      expect(existsSync(p2.path("pwned"))).toBe(false);
      expect(existsSync(p2.path("x/keep.txt"))).toBe(true);
    });
  });

  describe("failures", () => {
    test("a non-zero exit fails the task: exit 1, the command and its code, the user's file:line; nothing after it runs", async ({
      expect,
    }) => {
      const result = await p.run(["after-fail"]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      const err = result.stderr.split("\n");
      expect(err).toEqual([
        "node -e 'process.exit(3)'",
        "jt aborted!",
        "Command failed with exit code 3: node -e 'process.exit(3)'",
        expect.stringMatching(new RegExp(`^${file}:${lineOf("process.exit(3)")}:\\d+$`)),
        "Tasks: TOP => after-fail => fail",
        HINT,
        "",
      ]);
    });

    test("reject: false returns the failed result instead (file form and sh({ reject: false }))", async ({ expect }) => {
      const result = await p.run(["-q", "no-reject"]);
      expect(result).toEqual({
        code: 0,
        signal: null,
        stdout: lines(
          "partial",
          `no-reject: {"exitCode":4,"failed":true,"stdout":"partial","stderr":""}`,
          `tagged: {"exitCode":5,"failed":true,"stdout":"","stderr":""}`,
        ),
        stderr: "",
      });
    });

    test("a command that does not exist fails the task with a clear message naming it", async ({ expect }) => {
      const result = await p.run(["missing"]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).not.toMatch(STACK_FRAME);
      const err = result.stderr.split("\n");
      // One line says what is wrong (the README's "Errors"), then the user's frame, the chain and the hint.
      expect(err).toEqual([
        "jt-no-such-command --flag",
        "jt aborted!",
        expect.stringMatching(/jt-no-such-command.*(not found|ENOENT)|(not found|ENOENT).*jt-no-such-command/i),
        expect.stringMatching(new RegExp(`^${file}:${lineOf("jt-no-such-command")}:\\d+$`)),
        "Tasks: TOP => missing",
        HINT,
        "",
      ]);
    });

    test("a command killed by a signal fails the task and names the signal", async ({ expect }) => {
      const result = await p.run(["-q", "killed"]);
      expect(result.code).toBe(1);
      const err = result.stderr.split("\n");
      expect(err[0]).toBe("jt aborted!");
      expect(err[1]).toMatch(/SIGKILL/);
      expect(err[1]).toContain("node -e 'process.kill(process.pid, '\\''SIGKILL'\\'')'");
      expect(err.slice(-3)).toEqual(["Tasks: TOP => killed", HINT, ""]);
    });

    test("timeout: the command is stopped and the task fails saying so", async ({ expect }) => {
      const result = await p.run(["-q", "timeout"]);
      expect(result.code).toBe(1);
      const err = result.stderr.split("\n");
      expect(err[0]).toBe("jt aborted!");
      expect(err[1]).toMatch(/timed out/i);
      expect(err[1]).toContain("node -e 'setTimeout(() => {}, 20000)'");
      expect(err.slice(-3)).toEqual(["Tasks: TOP => timeout", HINT, ""]);
    });
  });

  describe("options", () => {
    test("cwd (relative to the project root), env (added to jt's), input; jt's own env is untouched", async ({ expect }) => {
      const result = await p.run(["-q", "options"], { env: { JT_PARENT_VAR: "from-parent" } });
      expect(result).toEqual({
        code: 0,
        signal: null,
        stdout: lines(`cwd ${p.path("sub")}`, "env from-option from-parent", "typed in", `input "typed in"`, "jt's own env undefined"),
        stderr: "",
      });
    });

    test("sh({ verbose }) decides the echo of its commands whatever -q and -v say (a quiet block: a quiet sh)", async ({ expect }) => {
      for (const flags of [[], ["-q"], ["-v"]]) {
        expect(await p.run([...flags, "verbosity"]), flags.join(" ")).toEqual({
          code: 0,
          signal: null,
          stdout: lines("quiet one", "quiet two", "loud"),
          stderr: lines(`node -e 'console.log('\\''loud'\\'')'`),
        });
      }
    });

    test("the echo shows the variables a command gets, as Rake's sh does (quoted when they need it)", async ({ expect }) => {
      expect(await p.run(["envecho"])).toEqual({
        code: 0,
        signal: null,
        stdout: lines("someval"),
        stderr: lines("RAKE_TEST_SH=someval SPACED='a b' printenv RAKE_TEST_SH"),
      });
    });

    test("sh(options) returns an sh with those options, for the tag and the file form; options add up", async ({ expect }) => {
      const result = await p.run(["chained"]);
      expect(result).toEqual({
        code: 0,
        signal: null,
        stdout: lines(`${p.path("sub")} chained`, `file form ${p.path("sub")}`),
        stderr: lines(
          `JT_OPTION_VAR=chained node -e 'console.log(process.cwd() + '\\'' '\\'' + process.env.JT_OPTION_VAR)'`,
          `JT_OPTION_VAR=chained node -e 'console.log('\\''file form '\\'' + process.cwd())'`,
        ),
      });
    });

    test("the default cwd is the project root, even when jt starts in a subdirectory", async ({ expect }) => {
      const result = await p.run(["-q", "pwd"], { cwd: "sub" });
      expect(result).toEqual({ code: 0, signal: null, stdout: lines(p.root), stderr: lines(`(in ${p.root})`) });
    });

    // Rake's sh inherits stdin; a command that reads it must see jt's input (and its end), never wait forever.
    test("without input, the command reads jt's stdin", async ({ expect }) => {
      const result = await p.run(["-q", "stdin"], { input: "piped in\n", timeoutMs: 6000 });
      expect(result).toEqual({ code: 0, signal: null, stdout: lines("piped in", `read "piped in"`), stderr: "" });
    });
  });

  test("SIGINT stops the running command: no child is left, exit 130", async ({ expect, onTestFinished }) => {
    const jt = startJt(["long"], { cwd: p.root }, { onTestFinished });
    const out = await jt.waitFor("stdout", /child pid \d+\n/);
    const pid = Number(/child pid (\d+)/.exec(out)![1]);
    expect(isAlive(pid)).toBe(true);
    jt.kill("SIGINT");
    const result = await jt.done;
    expect(result.code).toBe(130);
    expect(result.stdout).not.toContain("after the command");
    expect(await eventually(() => !isAlive(pid), 1000)).toBe(true);
  });
});
