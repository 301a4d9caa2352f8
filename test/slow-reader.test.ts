/**
 * Nothing jt prints is lost to a slow reader (issue 10 §1). Pipes are asynchronous in Node on
 * POSIX, so output still queued when jt exits used to vanish: `jt big | (sleep 1; wc -l)` counted
 * 1,295 of 5,000 lines. Each test pipes the real bin/jt.js into a shell that sleeps before it reads,
 * so the pipe's buffer fills while jt is still writing.
 */
import { spawn } from "node:child_process";
import { describe, expect, test } from "vitest";
import { jobsConfig, withoutTimes } from "./helpers/jobs.js";
import { JT_BIN, project } from "./helpers/project.js";

const LINES = 5_000;
const LINE = "x".repeat(60);

/** Runs `sh -c "<jt …> | (sleep <s>; cat)"` in `cwd`; returns what the slow reader got and jt's exit code. */
function throughSlowReader(cwd: string, jtArgs: string, { stderrToo = false, sleep = 1 } = {}): Promise<{ read: string; code: string }> {
  const jt = `"${process.execPath}" "${JT_BIN}" ${jtArgs}${stderrToo ? " 2>&1" : ""}`;
  // PIPESTATUS is bash's; a plain sh gets jt's code through a file descriptor trick instead.
  const script = `{ ${jt}; echo "jt-exit=$?" >&3; } 3>&1 | (sleep ${sleep}; cat)`;
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", script], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("error", reject);
    child.on("close", () => {
      const match = /^jt-exit=(\d+)$/m.exec(out);
      resolve({ read: out.replace(/^jt-exit=\d+\n/m, ""), code: match?.[1] ?? "missing" });
    });
  });
}

const BIG_TASKS = `import { task } from "jt";
const print = () => { for (let i = 0; i < ${LINES}; i++) console.log(\`line \${i} ${LINE}\`); };
task("big", print);
task("big-exit", () => { print(); process.exit(0); });
task("big-fail", () => { print(); throw new Error("after the output"); });
`;

describe("a slow reader gets every byte", () => {
  test("a task's output, to the last line", async () => {
    const p = project({ "tasks/big.ts": BIG_TASKS });
    const { read, code } = await throughSlowReader(p.root, "big");
    expect(code).toBe("0");
    const lines = read.trimEnd().split("\n");
    expect(lines).toHaveLength(LINES);
    expect(lines.at(-1)).toBe(`line ${LINES - 1} ${LINE}`);
  });

  test("a task that calls process.exit() itself", async () => {
    const p = project({ "tasks/big.ts": BIG_TASKS });
    const { read, code } = await throughSlowReader(p.root, "big-exit");
    expect(code).toBe("0");
    expect(read.trimEnd().split("\n")).toHaveLength(LINES);
  });

  test("a failing task: its output and then the error report, exit 1", async () => {
    const p = project({ "tasks/big.ts": BIG_TASKS });
    const { read, code } = await throughSlowReader(p.root, "big-fail", { stderrToo: true });
    expect(code).toBe("1");
    expect(read).toContain(`line ${LINES - 1} ${LINE}\n`);
    expect(read).toMatch(/jt aborted!\nafter the output/);
  });

  test("-T --json of 600 tasks is whole JSON, from the full path and from the cached listing", async () => {
    const defs = Array.from({ length: 600 }, (_, i) => `desc("Task number ${i}, ${LINE}");\ntask("t${i}");`).join("\n");
    const p = project({ "tasks/many.ts": `import { desc, task } from "jt";\n${defs}\n` });
    for (const run of ["cold", "cached"]) {
      const { read, code } = await throughSlowReader(p.root, "-T --json");
      expect(code, run).toBe("0");
      expect(JSON.parse(read), run).toHaveLength(600);
    }
  });

  test("the worker log of jobs:workoff, to its closing summary", async () => {
    const p = project({
      "jt.config.json": jobsConfig({}, { environment: undefined }),
      "tasks/jobs.ts": `import { task } from "jt";
task("noop", () => {});
task("fill", async ({ enqueue }) => { for (let i = 0; i < 600; i++) await enqueue("noop"); });
`,
    });
    expect((await p.run(["fill"])).code).toBe(0);
    const { read, code } = await throughSlowReader(p.root, "jobs:workoff", { stderrToo: true });
    expect(code).toBe("0");
    expect(withoutTimes(read).match(/^jt: job \d+ noop completed/gm)).toHaveLength(600);
    expect(read).toMatch(/worker stopped: 600 completed, 0 failed for good/);
  });
});
