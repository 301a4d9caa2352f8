/**
 * Parallel prerequisites (issue 5; rake 13's test_rake_multi_task.rb): a multitask runs its
 * prerequisites concurrently; `-m` makes every task a multitask; `-j n` caps how many actions run
 * at once (Rake's default: CPU cores + 4); each task still runs once, whatever paths reach it; a
 * failure aborts the tasks alongside it through ctx.signal and every failure is reported; output
 * of concurrent `sh` commands is never mixed inside a line. Runs without a multitask keep Rake's
 * order and trace exactly.
 *
 * Timings are measured from timestamps the actions print (not process start-up), with generous
 * bounds: four 300 ms actions take ≥ 1200 ms one after another and about 300 ms at once.
 */
import { existsSync, writeFileSync } from "node:fs";
import { describe, test, type ExpectStatic } from "vitest";
import { startJt } from "./helpers/live.js";
import { project, sharedProject } from "./helpers/project.js";
import { spawnJt, survivors } from "./helpers/spawn.js";
import { lines, position, STACK_FRAME } from "./helpers/text.js";

const HINT = "(See full trace by running task with --trace)";

/** Output without the `[task]` labels of tasks run at once (test/multitask-labels.test.ts is about those). */
function unlabelled(text: string): string {
  return text.replace(/^\[[\w:-]+\] /gm, "");
}

const TASKS = `import { multitask, task } from "jt";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** At least ms by the clock the timestamps use. */
async function work(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) await pause(until - Date.now());
}

/** An action that prints when it starts and ends (epoch ms) and works for 300 ms. */
const timed = (name: string) => async () => {
  console.log(\`start \${name} \${Date.now()}\`);
  await work(300);
  console.log(\`end \${name} \${Date.now()}\`);
};

for (const name of ["w1", "w2", "w3", "w4"]) task(name, timed(name));
multitask("par", ["w1", "w2", "w3", "w4"], () => console.log("par done"));
task("seq", ["w1", "w2", "w3", "w4"], () => console.log("seq done"));
// More prerequisites than the default -j (cores + 4) allows at once on up to 12 cores.
const wide = Array.from({ length: 16 }, (_, i) => \`v\${i + 1}\`);
for (const name of wide) task(name, timed(name));
multitask("wide", wide, () => console.log("wide done"));

task("shared", timed("shared"));
task("left", ["shared"], () => console.log("left"));
task("right", ["shared"], () => console.log("right"));
multitask("diamond", ["left", "right"], () => console.log("diamond done"));

task("a", ["b", "c"], () => console.log("a"));
task("b", ["d"], () => console.log("b"));
task("c", ["d"], () => console.log("c"));
task("d", () => console.log("d"));
multitask("ma", ["b", "c"], () => console.log("ma"));

task("once", () => console.log("once ran"));
task("inv1", async ({ invoke }) => {
  await invoke("once");
  console.log("inv1 done");
});
task("inv2", async ({ invoke }) => {
  await invoke("once");
  console.log("inv2 done");
});
task("inv3", async ({ invoke }) => {
  // Its own parent, which is waiting for it: already invoked, as in Rake.
  await invoke("invokers");
  console.log("inv3 done");
});
multitask("invokers", ["inv1", "inv2", "inv3"], () => console.log("invokers done"));

const many = Array.from({ length: 12 }, (_, i) => \`many\${i}\`);
for (const name of many) {
  task(name, async ({ signal, sh }) => {
    signal.addEventListener("abort", () => {});
    await sh\`node -e \${"setTimeout(() => {}, 100)"}\`;
  });
}
multitask("many", many, () => console.log("many done"));
`;

const FAILURES = `import { existsSync } from "node:fs";
import { multitask, task } from "jt";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

task("fails", async () => {
  await pause(50);
  throw new Error("fails: boom");
});
task("fails_later", async () => {
  // Ignores ctx.signal and fails for a reason of its own.
  await pause(400);
  throw new Error("fails_later: boom");
});
/** Resolves when the signal aborts (a timer keeps the process alive meanwhile, as real work would). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 30_000);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}
task("listens", async ({ signal }) => {
  console.log("listens: started");
  await aborted(signal);
  console.log(\`listens: aborted=\${signal.aborted}\`);
  signal.throwIfAborted();
});
task("after", () => console.log("after ran"));
multitask("one_fails", ["listens", "fails"], () => console.log("one_fails ran"));
multitask("two_fail", ["fails", "fails_later", "listens"], () => console.log("two_fail ran"));

task("f", async () => {
  await pause(50);
  throw new Error("f failed");
});
task("p1", ["f"]);
task("p2", ["f"]);
multitask("m", ["p1", "p2"]);

task("command", async ({ sh }) => {
  await sh\`node hang.mjs\`;
  console.log("command finished");
});
task("fails_once_command_runs", async () => {
  // Fails once the test has seen the command start (and said so with a file), or after 10 s.
  const started = Date.now();
  while (!existsSync("command-started") && Date.now() - started < 10_000) await pause(20);
  throw new Error("fails_once_command_runs: boom");
});
multitask("stops_command", ["command", "fails_once_command_runs"]);

multitask("interruptible", ["listens", "listens2"]);
task("listens2", async ({ signal }) => {
  console.log("listens2: started");
  await aborted(signal);
  console.log(\`listens2: aborted=\${signal.aborted}\`);
});
`;

/** A command that says its pid and hangs. */
const HANG = `console.log("command pid " + process.pid);
setTimeout(() => {}, 30_000);
`;

/** Each action's start and end (epoch ms) as the tasks printed them, in the order printed. */
function timings(stdout: string) {
  const events = [...unlabelled(stdout).matchAll(/^(start|end) (\w+) (\d+)$/gm)].map((m) => ({
    kind: m[1]!,
    name: m[2]!,
    at: Number(m[3]),
  }));
  const starts = events.filter((e) => e.kind === "start");
  const ends = events.filter((e) => e.kind === "end");
  return {
    order: events.map((e) => `${e.kind} ${e.name}`),
    /** From the first action's start to the last one's end. */
    window: Math.max(...ends.map((e) => e.at)) - Math.min(...starts.map((e) => e.at)),
    /** Whether every action started before any ended. */
    allAtOnce: Math.max(...starts.map((e) => e.at)) <= Math.min(...ends.map((e) => e.at)),
  };
}

function expectOk(expect: ExpectStatic, result: { code: number | null; stderr: string }): void {
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
}

describe("multitask timing", () => {
  const p = sharedProject({ "tasks/multi.ts": TASKS });

  test("-j 4: four 300 ms prerequisites run at once, well under 4 × 300 ms", async ({ expect }) => {
    const result = await p.run(["-j", "4", "par"]);
    expectOk(expect, result);
    const t = timings(result.stdout);
    expect(t.order.filter((e) => e.startsWith("start"))).toHaveLength(4);
    expect(t.allAtOnce).toBe(true);
    expect(t.window).toBeLessThan(900);
    expect(result.stdout.endsWith("par done\n")).toBe(true);
  });

  test("-j 1: one action at a time, in the order written, at least 4 × 300 ms", async ({ expect }) => {
    const result = await p.run(["-j", "1", "par"]);
    expectOk(expect, result);
    const t = timings(result.stdout);
    expect(t.order).toEqual(["start w1", "end w1", "start w2", "end w2", "start w3", "end w3", "start w4", "end w4"]);
    expect(t.window).toBeGreaterThanOrEqual(4 * 300);
    expect(result.stdout.endsWith("par done\n")).toBe(true);
  });

  test("no -j: Rake's default (CPU cores + 4, so at least 5) runs all four at once", async ({ expect }) => {
    const result = await p.run(["par"]);
    expectOk(expect, result);
    const t = timings(result.stdout);
    expect(t.allAtOnce).toBe(true);
    expect(t.window).toBeLessThan(900);
  });

  test("-m makes a plain task's prerequisites concurrent; without it they run one after another", async ({ expect }) => {
    const parallel = await p.run(["-m", "seq"]);
    expectOk(expect, parallel);
    expect(timings(parallel.stdout).allAtOnce).toBe(true);
    expect(timings(parallel.stdout).window).toBeLessThan(900);
    expect(parallel.stdout.endsWith("seq done\n")).toBe(true);

    const sequential = await p.run(["seq"]);
    expectOk(expect, sequential);
    const t = timings(sequential.stdout);
    expect(t.order).toEqual(["start w1", "end w1", "start w2", "end w2", "start w3", "end w3", "start w4", "end w4"]);
    expect(t.window).toBeGreaterThanOrEqual(4 * 300);
  });

  test("--multitask is -m", async ({ expect }) => {
    const result = await p.run(["--multitask", "--jobs", "4", "seq"]);
    expectOk(expect, result);
    expect(timings(result.stdout).allAtOnce).toBe(true);
  });
});

describe.concurrent("multitask: each task once, Rake's order where there is no multitask", () => {
  const p = sharedProject({ "tasks/multi.ts": TASKS });

  test("a diamond under a multitask: the shared prerequisite runs once, before both that need it", async ({ expect }) => {
    const result = await p.run(["diamond"]);
    expectOk(expect, result);
    const out = unlabelled(result.stdout)
      .split("\n")
      .map((line) => line.replace(/ \d+$/, ""));
    expect(out.filter((line) => line === "start shared")).toHaveLength(1);
    expect(out.slice(0, 2)).toEqual(["start shared", "end shared"]);
    expect(out.slice(2, 4).sort()).toEqual(["left", "right"]);
    expect(out.slice(4)).toEqual(["diamond done", ""]);
  });

  test("-m on a plain diamond: d once, then b and c (in either order), then a", async ({ expect }) => {
    const result = await p.run(["-m", "a"]);
    expectOk(expect, result);
    const out = unlabelled(result.stdout).split("\n");
    expect(out[0]).toBe("d");
    expect(out.slice(1, 3).sort()).toEqual(["b", "c"]);
    expect(out.slice(3)).toEqual(["a", ""]);
  });

  test("a task needed by two targets, one a multitask, still runs once", async ({ expect }) => {
    const result = await p.run(["ma", "a", "d"]);
    expectOk(expect, result);
    expect(
      unlabelled(result.stdout)
        .split("\n")
        .filter((line) => line === "d"),
    ).toHaveLength(1);
    expect(result.stdout.endsWith("ma\na\n")).toBe(true);
  });

  test("ctx.invoke inside concurrent tasks: run once; invoking the waiting parent returns at once; no deadlock with -j 1", async ({
    expect,
  }) => {
    for (const jobs of ["1", "4"]) {
      const result = await p.run(["-j", jobs, "invokers"]);
      expectOk(expect, result);
      const out = unlabelled(result.stdout).split("\n");
      expect(out.filter((line) => line === "once ran")).toHaveLength(1);
      expect(out.slice(0, -2).sort()).toEqual(["inv1 done", "inv2 done", "inv3 done", "once ran"]);
      expect(out.slice(-2)).toEqual(["invokers done", ""]);
    }
  });

  test("twelve prerequisites at once, each listening to ctx.signal and running a command: no listener-leak warning", async ({ expect }) => {
    expect(await p.run(["-q", "many"])).toEqual({ code: 0, signal: null, stdout: lines("many done"), stderr: "" });
  });

  test("-j takes a whole number of at least 1: exit 2 before anything runs", async ({ expect }) => {
    for (const [args, value] of [
      [["-j", "0"], "0"],
      [["-j", "1.5"], "1.5"],
      [["--jobs=x"], "x"],
      [["-j4x"], "4x"],
    ] as const) {
      expect(await p.run([...args, "par"])).toEqual({
        code: 2,
        signal: null,
        stdout: "",
        stderr: lines("jt aborted!", `-j/--jobs takes a whole number of at least 1, got '${value}'`),
      });
    }
  });

  test("-j without a number means no limit, as in Rake; the word after it is a task, not its value", async ({ expect }) => {
    for (const args of [
      ["-j", "wide"],
      ["wide", "-j"],
      ["--jobs", "wide"],
    ]) {
      const result = await p.run(args);
      expectOk(expect, result);
      const t = timings(result.stdout);
      expect(
        t.order.filter((e) => e.startsWith("start")),
        args.join(" "),
      ).toHaveLength(16);
      expect(t.allAtOnce, args.join(" ")).toBe(true);
      expect(result.stdout.endsWith("wide done\n")).toBe(true);
    }
  });

  test("--trace under concurrency: Invoke and Execute lines as they happen, each task executed once", async ({ expect }) => {
    const result = await p.run(["--trace", "diamond"]);
    expect(result.code).toBe(0);
    const err = result.stderr.split("\n");
    expect(err[0]).toBe("** Invoke diamond (first_time)");
    expect(err.slice(-2)).toEqual(["** Execute diamond", ""]);
    expect(err.filter((line) => line.startsWith("** Execute ")).sort()).toEqual([
      "** Execute diamond",
      "** Execute left",
      "** Execute right",
      "** Execute shared",
    ]);
    expect(err.filter((line) => line.startsWith("** Invoke shared")).sort()).toEqual([
      "** Invoke shared ",
      "** Invoke shared (first_time)",
    ]);
    expect(err.indexOf("** Execute shared")).toBeLessThan(Math.min(err.indexOf("** Execute left"), err.indexOf("** Execute right")));
  });

  test("the sequential trace is Rake's, unchanged (and -j alone changes nothing)", async ({ expect }) => {
    const expected = {
      code: 0,
      signal: null,
      stdout: lines("d", "b", "c", "a"),
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
      ),
    };
    expect(await p.run(["--trace", "a"])).toEqual(expected);
    expect(await p.run(["--trace", "-j", "2", "a"])).toEqual(expected);
  });

  test("-n with a multitask: a dry run keeps Rake's order, so its output is the same every time", async ({ expect }) => {
    expect(await p.run(["-n", "ma"])).toEqual({
      code: 0,
      signal: null,
      stdout: "",
      stderr: lines(
        "** Invoke ma (first_time)",
        "** Invoke b (first_time)",
        "** Invoke d (first_time)",
        "** Execute (dry run) d",
        "** Execute (dry run) b",
        "** Invoke c (first_time)",
        "** Invoke d ",
        "** Execute (dry run) c",
        "** Execute (dry run) ma",
      ),
    });
  });
});

describe.concurrent("multitask failures", () => {
  const p = sharedProject({ "tasks/failures.ts": FAILURES });
  const file = p.path("tasks/failures.ts");
  const at = (needle: string) => `${file}:${position(FAILURES, needle)}`;

  test("one failing prerequisite aborts the one alongside it (ctx.signal.aborted), which is not reported; exit 1", async ({ expect }) => {
    expect(await p.run(["one_fails", "after"])).toEqual({
      code: 1,
      signal: null,
      stdout: lines("[listens] listens: started", "[listens] listens: aborted=true"),
      stderr: lines("jt aborted!", "fails: boom", at('new Error("fails: boom")'), "Tasks: TOP => one_fails => fails", HINT),
    });
  });

  test("two failing prerequisites: both reported, each with its frames and chain, in the order they failed; exit 1", async ({ expect }) => {
    expect(await p.run(["two_fail"])).toEqual({
      code: 1,
      signal: null,
      stdout: lines("[listens] listens: started", "[listens] listens: aborted=true"),
      stderr: lines(
        "jt aborted!",
        "2 concurrent tasks failed",
        "",
        "fails: boom",
        at('new Error("fails: boom")'),
        "Tasks: TOP => two_fail => fails",
        "",
        "fails_later: boom",
        at('new Error("fails_later: boom")'),
        "Tasks: TOP => two_fail => fails_later",
        HINT,
      ),
    });
  });

  test("--trace: every failure with its full stack, no hint", async ({ expect }) => {
    const result = await p.run(["--trace", "two_fail"]);
    expect(result.code).toBe(1);
    const err = result.stderr.split("\n");
    const report = err.slice(err.indexOf("jt aborted!"));
    expect(report.slice(0, 4)).toEqual(["jt aborted!", "2 concurrent tasks failed", "", "fails: boom"]);
    expect(report).toContain("Tasks: TOP => two_fail => fails");
    expect(report).toContain("fails_later: boom");
    expect(report.slice(-2)).toEqual(["Tasks: TOP => two_fail => fails_later", ""]);
    expect(result.stderr).toMatch(STACK_FRAME);
    expect(result.stderr).not.toContain(HINT);
  });

  test("a prerequisite that fails under two paths is reported once (Rake: the chain through the first path)", async ({ expect }) => {
    expect(await p.run(["m"])).toEqual({
      code: 1,
      signal: null,
      stdout: "",
      stderr: lines("jt aborted!", "f failed", at('new Error("f failed")'), "Tasks: TOP => m => p1 => f", HINT),
    });
  });

  test("an sh command of a task alongside is stopped; its stop is not reported", async ({ expect, onTestFinished }) => {
    const q = project({ "tasks/failures.ts": FAILURES, "hang.mjs": HANG }, { onTestFinished });
    const jt = spawnJt(q.root, ["stops_command"], {}, { onTestFinished });
    const [, pid] = await jt.waitFor("stdout", /command pid (\d+)\n/);
    writeFileSync(q.path("command-started"), "");
    const exit = await jt.exited;
    expect(exit.code).toBe(1);
    expect(exit.stdout).not.toContain("command finished");
    expect(exit.stderr).toBe(
      lines(
        "[command] node hang.mjs",
        "jt aborted!",
        "fails_once_command_runs: boom",
        `${q.path("tasks/failures.ts")}:${position(FAILURES, 'new Error("fails_once_command_runs: boom")')}`,
        "Tasks: TOP => stops_command => fails_once_command_runs",
        HINT,
      ),
    );
    expect(await survivors([Number(pid)])).toEqual([]);
  });

  test("an interrupt still reaches every task running at once: exit 130", async ({ expect, onTestFinished }) => {
    const jt = spawnJt(p.root, ["interruptible"], {}, { onTestFinished });
    await jt.waitFor("stdout", "listens: started\n");
    await jt.waitFor("stdout", "listens2: started\n");
    jt.kill("SIGINT");
    const exit = await jt.exited;
    expect(exit.code).toBe(130);
    expect(exit.stdout).toContain("listens: aborted=true\n");
    expect(exit.stdout).toContain("listens2: aborted=true\n");
    expect(exit.stderr).toContain("jt aborted!\nInterrupted by SIGINT\n");
    expect(exit.stderr).not.toMatch(STACK_FRAME);
  });
});

/** Prints 30 lines of 300 characters to stdout and to stderr, each written in two halves with a pause between. */
const HALVES = `const tag = process.argv[2];
let i = 0;
function next() {
  if (i === 30) return;
  const line = tag + ":" + String(i++).padStart(2, "0") + ":" + tag.repeat(294);
  process.stdout.write(line.slice(0, 150));
  process.stderr.write(line.slice(0, 150));
  setTimeout(() => {
    process.stdout.write(line.slice(150) + "\\n");
    process.stderr.write(line.slice(150) + "\\n");
    setTimeout(next, 2);
  }, 4);
}
next();
`;

const OUTPUT = `import { multitask, task } from "jt";

task("out_a", async ({ sh }) => {
  const result = await sh\`node halves.mjs A\`;
  console.log(\`captured A: \${result.stdout.split("\\n").length} lines, \${result.stderr.split("\\n").length} on stderr\`);
});
task("out_b", async ({ sh }) => {
  const result = await sh("node", ["halves.mjs", "B"]);
  console.log(\`captured B: \${result.stdout.split("\\n").length} lines, \${result.stderr.split("\\n").length} on stderr\`);
});
multitask("both", ["out_a", "out_b"]);

task("quick", () => console.log("quick"));
multitask("prompt", ["quick"], async ({ sh }) => {
  // After its prerequisites, a multitask's own action runs alone: a prompt shows before its newline.
  const result = await sh\`node ask.mjs\`;
  console.log(\`answered \${JSON.stringify(result.stdout)}\`);
});
`;

/** Writes a prompt without a newline, then waits for the test to create "go". */
const ASK = `import { existsSync } from "node:fs";
process.stdout.write("Continue? ");
const deadline = Date.now() + 20000;
const timer = setInterval(() => {
  if (existsSync("go")) { clearInterval(timer); console.log("yes"); }
  else if (Date.now() > deadline) { clearInterval(timer); process.exitCode = 1; }
}, 20);
`;

describe.concurrent("output of concurrent tasks", () => {
  const p = sharedProject({ "tasks/output.ts": OUTPUT, "halves.mjs": HALVES, "ask.mjs": ASK });

  test("sh commands running at once: every line on stdout and stderr is whole; the results keep all the output", async ({ expect }) => {
    const result = await p.run(["both"]);
    expect(result.code).toBe(0);
    const whole = /^(A:\d\d:A{294}|B:\d\d:B{294})$/;
    const out = unlabelled(result.stdout).split("\n").slice(0, -1);
    const err = unlabelled(result.stderr).split("\n").slice(0, -1);
    const captured = out.filter((line) => line.startsWith("captured "));
    expect(captured.sort()).toEqual(["captured A: 30 lines, 30 on stderr", "captured B: 30 lines, 30 on stderr"]);
    expect(out.filter((line) => !line.startsWith("captured ")).filter((line) => !whole.test(line))).toEqual([]);
    expect(err.filter((line) => !whole.test(line))).toEqual(["node halves.mjs A", "node halves.mjs B"]);
    for (const lineSet of [out, err]) {
      expect(lineSet.filter((line) => line.startsWith("A:"))).toHaveLength(30);
      expect(lineSet.filter((line) => line.startsWith("B:"))).toHaveLength(30);
    }
  });

  test("outside a concurrent group (here a multitask's own action) output still shows as it arrives: a prompt before its newline", async ({
    expect,
    onTestFinished,
  }) => {
    const q = project({ "tasks/output.ts": OUTPUT, "ask.mjs": ASK }, { onTestFinished });
    const jt = startJt(["prompt"], { cwd: q.root }, { onTestFinished });
    await jt.waitFor("stdout", "quick\nContinue? ", 12_000);
    expect(existsSync(q.path("go"))).toBe(false);
    writeFileSync(q.path("go"), "");
    expect(await jt.done).toEqual({
      code: 0,
      signal: null,
      stdout: lines("quick", "Continue? yes", `answered "Continue? yes"`),
      stderr: lines("node ask.mjs"),
    });
  });
});
