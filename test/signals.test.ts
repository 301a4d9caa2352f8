/**
 * Interrupting a run (issue 4, README "Interrupting a run"): the first SIGINT / SIGTERM aborts
 * `ctx.signal`, the running action stops (or is given up after JT_INTERRUPT_GRACE_MS), no later
 * task starts, teardown runs, and jt exits 130 / 143; a second signal exits at once; commands
 * started through `sh` are stopped and none is left behind.
 *
 * Signals go to jt's pid only (as `kill -INT <pid>` or a PaaS sends them), not to its process
 * group as a terminal's Ctrl-C would: jt itself must stop what it started. Each test waits for a
 * line of output before signalling, never for a fixed time.
 */
import { describe, test, type ExpectStatic } from "vitest";
import { sharedProject } from "./helpers/project.js";
import { killAll, spawnJt, survivors, waitForDescendant, type Exit } from "./helpers/spawn.js";
import { lines, STACK_FRAME } from "./helpers/text.js";

const ENV = `import { defineEnvironment } from "jt";

export default defineEnvironment({
  async setup() {
    if (process.env.SLOW_SETUP) {
      console.log("env: slow setup started");
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    }
    console.log("env: setup");
    return {};
  },
  async teardown() {
    if (process.env.SLOW_TEARDOWN) {
      console.log("env: slow teardown started");
      await new Promise((resolve) => setTimeout(resolve, 30_000));
    }
    console.log("env: teardown");
  },
});
`;

const TASKS = `import { task } from "jt";

/** Resolves after ms, or rejects with the abort reason when the signal fires (an action that listens). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      console.log(\`aborted: signal.aborted=\${signal.aborted}\`);
      reject(signal.reason);
    }, { once: true });
  });
}

task("wait", ["environment"], async ({ signal }) => {
  console.log("wait: started");
  await sleep(30_000, signal);
  console.log("wait: finished");
});

task("graceful", ["environment"], async ({ signal }) => {
  console.log("graceful: started");
  // Stops early and returns normally, as a well-behaved loop does: if (signal.aborted) break;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 30_000);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
  console.log("graceful: stopped early");
});

task("stubborn", ["environment"], async () => {
  console.log("stubborn: started (ignores ctx.signal)");
  await new Promise((resolve) => setTimeout(resolve, 30_000));
  console.log("stubborn: finished");
});

task("plain_wait", async ({ signal }) => {
  console.log("plain_wait: started");
  await sleep(30_000, signal);
});

task("after", () => console.log("after: ran"));

task("sleep", ["environment"], async ({ sh }) => {
  await sh\`sleep 30\`;
  console.log("sleep: finished");
});

task("child", ["environment"], async ({ sh }) => {
  await sh\`node child.mjs\`;
  console.log("child: finished");
});

task("deaf_child", ["environment"], async ({ sh }) => {
  await sh\`node child.mjs --ignore-sigterm\`;
  console.log("deaf_child: finished");
});

task("tree", ["environment"], async ({ sh }) => {
  await sh\`node tree.mjs\`;
  console.log("tree: finished");
});
`;

/** A child process that says its pid, then waits 30 s; with --ignore-sigterm it shrugs off SIGTERM and SIGINT. */
const CHILD = `if (process.argv.includes("--ignore-sigterm")) {
  process.on("SIGTERM", () => console.log("child: ignoring SIGTERM"));
  process.on("SIGINT", () => console.log("child: ignoring SIGINT"));
}
setTimeout(() => {}, 30_000);
console.log(\`child: pid \${process.pid}\`);
`;

/** A command with a child of its own (as \`npm run x\` runs a shell that runs node). */
const TREE = `import { spawn } from "node:child_process";
console.log(\`tree: pid \${process.pid}\`);
const child = spawn(process.execPath, ["child.mjs"], { stdio: "inherit" });
child.on("exit", (code) => process.exit(code ?? 1));
`;

const HINT = "(See full trace by running task with --trace)";

/** stderr of an interrupted run, after jt's own notice of the signal: Rake's layout naming the signal. */
function expectInterruptReport(expect: ExpectStatic, exit: Exit, signal: "SIGINT" | "SIGTERM", chain: string): void {
  const err = exit.stderr.split("\n");
  const start = err.indexOf("jt aborted!");
  expect(start).toBeGreaterThanOrEqual(0);
  expect(err[start + 1]).toContain(signal);
  expect(err.slice(-3)).toEqual([`Tasks: TOP => ${chain}`, HINT, ""]);
  expect(exit.stderr).not.toMatch(STACK_FRAME);
}

describe.concurrent("signals", () => {
  const p = sharedProject({
    "jt.config.json": `{ "environment": "./app/env.ts" }\n`,
    "app/env.ts": ENV,
    "tasks/signals.ts": TASKS,
    "child.mjs": CHILD,
    "tree.mjs": TREE,
  });

  test("SIGINT: ctx.signal aborts, the action stops, no later task starts, teardown runs, exit 130", async ({ expect, onTestFinished }) => {
    const jt = spawnJt(p.root, ["wait", "after"], {}, { onTestFinished });
    await jt.waitFor("stdout", "wait: started\n");
    jt.kill("SIGINT");
    const exit = await jt.exited;
    expect(exit).toMatchObject({ code: 130, signal: null, timedOut: false });
    expect(exit.stdout).toBe(lines("env: setup", "wait: started", "aborted: signal.aborted=true", "env: teardown"));
    expect(exit.stderr.split("\n")[0]).toBe(
      "jt: SIGINT received, stopping wait (waiting up to 10s for it to end) (press Ctrl-C again to exit at once)",
    );
    expectInterruptReport(expect, exit, "SIGINT", "wait");
  });

  test("SIGTERM: the same, exit 143", async ({ expect, onTestFinished }) => {
    const jt = spawnJt(p.root, ["wait", "after"], {}, { onTestFinished });
    await jt.waitFor("stdout", "wait: started\n");
    jt.kill("SIGTERM");
    const exit = await jt.exited;
    expect(exit).toMatchObject({ code: 143, signal: null, timedOut: false });
    expect(exit.stdout).toBe(lines("env: setup", "wait: started", "aborted: signal.aborted=true", "env: teardown"));
    expectInterruptReport(expect, exit, "SIGTERM", "wait");
  });

  test("--trace: nothing after the interrupted task is executed", async ({ expect, onTestFinished }) => {
    const jt = spawnJt(p.root, ["--trace", "wait", "after"], {}, { onTestFinished });
    await jt.waitFor("stdout", "wait: started\n");
    jt.kill("SIGINT");
    const exit = await jt.exited;
    expect(exit.code).toBe(130);
    expect(exit.stderr.split("\n").filter((line) => line.startsWith("** Execute"))).toEqual(["** Execute environment", "** Execute wait"]);
    expect(exit.stdout).not.toContain("after: ran");
  });

  test("an action that stops early and returns normally on abort is still an interrupted run: exit 130", async ({
    expect,
    onTestFinished,
  }) => {
    const jt = spawnJt(p.root, ["graceful"], {}, { onTestFinished });
    await jt.waitFor("stdout", "graceful: started\n");
    jt.kill("SIGINT");
    const exit = await jt.exited;
    expect(exit.stdout).toBe(lines("env: setup", "graceful: started", "graceful: stopped early", "env: teardown"));
    expect(exit).toMatchObject({ code: 130, signal: null, timedOut: false });
  });

  test("the interrupt is reported in the task that was running, not in a later target that never started", async ({
    expect,
    onTestFinished,
  }) => {
    const jt = spawnJt(p.root, ["graceful", "after"], {}, { onTestFinished });
    await jt.waitFor("stdout", "graceful: started\n");
    jt.kill("SIGINT");
    const exit = await jt.exited;
    expect(exit.code).toBe(130);
    expect(exit.stdout).not.toContain("after: ran");
    expectInterruptReport(expect, exit, "SIGINT", "graceful");
  });

  test("without an environment: the action stops, exit 130, no teardown", async ({ expect, onTestFinished }) => {
    const jt = spawnJt(p.root, ["plain_wait", "after"], {}, { onTestFinished });
    await jt.waitFor("stdout", "plain_wait: started\n");
    jt.kill("SIGINT");
    const exit = await jt.exited;
    expect(exit).toMatchObject({
      code: 130,
      signal: null,
      timedOut: false,
      stdout: lines("plain_wait: started", "aborted: signal.aborted=true"),
    });
  });

  test("a second SIGINT during a slow teardown exits at once with 130", async ({ expect, onTestFinished }) => {
    const jt = spawnJt(p.root, ["wait"], { env: { SLOW_TEARDOWN: "1" } }, { onTestFinished });
    await jt.waitFor("stdout", "wait: started\n");
    jt.kill("SIGINT");
    await jt.waitFor("stdout", "env: slow teardown started\n");
    const sentAt = Date.now();
    jt.kill("SIGINT");
    const exit = await jt.exited;
    expect(exit).toMatchObject({ code: 130, signal: null, timedOut: false });
    expect(exit.stdout).not.toContain("env: teardown\n");
    // The teardown would have taken 30 s.
    expect(exit.at - sentAt).toBeLessThan(10_000);
  });

  test("SIGINT during a slow setup: setup finishes, no task starts, teardown runs, exit 130", async ({ expect, onTestFinished }) => {
    const jt = spawnJt(p.root, ["wait", "after"], { env: { SLOW_SETUP: "1" } }, { onTestFinished });
    await jt.waitFor("stdout", "env: slow setup started\n");
    jt.kill("SIGINT");
    const exit = await jt.exited;
    expect(exit).toMatchObject({ code: 130, signal: null, timedOut: false });
    expect(exit.stdout).toBe(lines("env: slow setup started", "env: setup", "env: teardown"));
    expect(exit.stderr.split("\n")[0]).toBe(
      "jt: SIGINT received, stopping environment (waiting up to 10s for it to end) (press Ctrl-C again to exit at once)",
    );
  });

  test("an action that ignores ctx.signal is given up after the grace period; teardown still runs", async ({ expect, onTestFinished }) => {
    const jt = spawnJt(p.root, ["stubborn", "after"], { env: { JT_INTERRUPT_GRACE_MS: "300" } }, { onTestFinished });
    await jt.waitFor("stdout", "stubborn: started (ignores ctx.signal)\n");
    const sentAt = Date.now();
    jt.kill("SIGINT");
    const exit = await jt.exited;
    expect(exit).toMatchObject({ code: 130, signal: null, timedOut: false });
    expect(exit.stdout).toBe(lines("env: setup", "stubborn: started (ignores ctx.signal)", "env: teardown"));
    expect(exit.stderr).toMatch(
      /^jt: SIGINT received, stopping stubborn \(waiting up to 300ms for it to end\) \(press Ctrl-C again to exit at once\)$/m,
    );
    // 300 ms of grace, not the 10 s default (nor the action's 30 s).
    expect(exit.at - sentAt).toBeLessThan(8_000);
    expectInterruptReport(expect, exit, "SIGINT", "stubborn");
  });

  describe("commands started through sh are stopped; none is left behind", () => {
    test("sh`sleep 30`: stopped, exit 130 (not a command failure), teardown runs", async ({ expect, onTestFinished }) => {
      const jt = spawnJt(p.root, ["sleep", "after"], {}, { onTestFinished });
      const sleep = await waitForDescendant(jt.pid, /^sleep 30$/);
      onTestFinished(() => killAll([sleep.pid]));
      jt.kill("SIGINT");
      const exit = await jt.exited;
      expect(exit).toMatchObject({ code: 130, signal: null, timedOut: false, stdout: lines("env: setup", "env: teardown") });
      expect(await survivors([sleep.pid])).toEqual([]);
      expectInterruptReport(expect, exit, "SIGINT", "sleep");
    });

    test("a node script that reports its pid: stopped on SIGTERM too (exit 143)", async ({ expect, onTestFinished }) => {
      const jt = spawnJt(p.root, ["child", "after"], {}, { onTestFinished });
      const pid = Number((await jt.waitFor("stdout", /child: pid (\d+)\n/))[1]);
      onTestFinished(() => killAll([pid]));
      jt.kill("SIGTERM");
      const exit = await jt.exited;
      expect(exit).toMatchObject({ code: 143, signal: null, timedOut: false });
      expect(exit.stdout).toBe(lines("env: setup", `child: pid ${pid}`, "env: teardown"));
      expect(await survivors([pid])).toEqual([]);
    });

    test("a command that ignores SIGTERM is killed before jt exits", async ({ expect, onTestFinished }) => {
      const jt = spawnJt(p.root, ["deaf_child"], {}, { onTestFinished });
      const pid = Number((await jt.waitFor("stdout", /child: pid (\d+)\n/))[1]);
      onTestFinished(() => killAll([pid]));
      jt.kill("SIGINT");
      const exit = await jt.exited;
      expect(exit).toMatchObject({ code: 130, signal: null, timedOut: false });
      expect(exit.stdout).toContain("env: teardown\n");
      expect(await survivors([pid], 500)).toEqual([]);
    });

    test("a command that ignores SIGTERM is killed before jt exits, also with a short grace period", async ({ expect, onTestFinished }) => {
      const jt = spawnJt(p.root, ["deaf_child"], { env: { JT_INTERRUPT_GRACE_MS: "300" } }, { onTestFinished });
      const pid = Number((await jt.waitFor("stdout", /child: pid (\d+)\n/))[1]);
      onTestFinished(() => killAll([pid]));
      jt.kill("SIGINT");
      const exit = await jt.exited;
      expect(exit).toMatchObject({ code: 130, signal: null, timedOut: false });
      expect(exit.stdout).toContain("env: teardown\n");
      expect(await survivors([pid], 500)).toEqual([]);
    });

    test("a command's own child processes are stopped too (a process tree, as npm run makes)", async ({ expect, onTestFinished }) => {
      // A grace period shorter than the default 10 s keeps this quick: the grandchild keeps the
      // command's stdout open, so the sh promise would not settle until it exits.
      const jt = spawnJt(p.root, ["tree", "after"], { env: { JT_INTERRUPT_GRACE_MS: "1000" } }, { onTestFinished });
      const parent = Number((await jt.waitFor("stdout", /tree: pid (\d+)\n/))[1]);
      const child = Number((await jt.waitFor("stdout", /child: pid (\d+)\n/))[1]);
      onTestFinished(() => killAll([parent, child]));
      jt.kill("SIGINT");
      const exit = await jt.exited;
      expect(exit).toMatchObject({ code: 130, signal: null, timedOut: false });
      expect(await survivors([parent, child])).toEqual([]);
    });
  });
});
