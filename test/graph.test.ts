import { describe, expect, test } from "vitest";
import { project, sharedProject } from "./helpers/project.js";
import { lines } from "./helpers/text.js";

const DIAMOND = `
import { task } from "jt";
task("a", ["b", "c"], () => console.log("a"));
task("b", ["d"], () => console.log("b"));
task("c", ["d"], () => console.log("c"));
task("d", () => console.log("d"));
task("x", () => console.log("x"));
task("default", ["a"]);
`;

describe("the prerequisite graph", () => {
  test("runs prerequisites first, each task once, in Rake's order", async () => {
    const p = project({ "tasks/graph.ts": DIAMOND });
    const result = await p.run(["a"]);
    expect(result).toMatchObject({ code: 0, stdout: "d\nb\nc\na\n", stderr: "" });
  });

  test("no target runs the default task", async () => {
    const p = project({ "tasks/graph.ts": DIAMOND });
    expect((await p.run([])).stdout).toBe("d\nb\nc\na\n");
  });

  test("several targets run in order and a repeated one runs once", async () => {
    const p = project({ "tasks/graph.ts": DIAMOND });
    expect((await p.run(["x", "a", "d", "a"])).stdout).toBe("x\nd\nb\nc\na\n");
  });

  test("a cycle is reported before anything runs, exit 3", async () => {
    const p = project({
      "tasks/cycle.ts": `
import { task } from "jt";
task("first", () => console.log("first ran"));
task("cyc1", ["cyc2"], () => console.log("cyc1"));
task("cyc2", ["cyc3"]);
task("cyc3", ["cyc1"]);
`,
    });
    const result = await p.run(["first", "cyc1"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        "jt aborted!",
        "Circular dependency detected: TOP => cyc1 => cyc2 => cyc3 => cyc1",
        "",
        "Tasks: TOP => cyc1 => cyc2 => cyc3",
        "(See full trace by running task with --trace)",
        "",
      ].join("\n"),
    );
  });
});

describe.concurrent("the prerequisite graph, more", () => {
  const p = sharedProject({
    "tasks/graph.ts": DIAMOND,
    // Prerequisites named before they are defined, here and in a later file.
    "tasks/forward.ts": `
import { task } from "jt";
task("early", ["late", "elsewhere"], () => console.log("early"));
task("late", () => console.log("late"));
task("badpre", ["d", "nosuch"], () => console.log("badpre"));
`,
    "tasks/z_elsewhere.ts": `
import { task } from "jt";
task("elsewhere", () => console.log("elsewhere"));
`,
  });

  test("--trace shows Rake's Invoke/Execute lines; a repeat is invoked again, not executed", async ({ expect }) => {
    // rake --trace a a: flags in parentheses, or a trailing space when there are none.
    expect(await p.run(["--trace", "a", "a"])).toEqual({
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
        "** Invoke a ",
      ),
    });
  });

  test("a target that already ran is not run again as a prerequisite (rake d a)", async ({ expect }) => {
    expect(await p.run(["d", "a"])).toMatchObject({ code: 0, stdout: lines("d", "b", "c", "a"), stderr: "" });
  });

  test("prerequisites may be defined later in the file, or in a later file", async ({ expect }) => {
    expect(await p.run(["early"])).toMatchObject({ code: 0, stdout: lines("late", "elsewhere", "early"), stderr: "" });
  });

  test("an unknown prerequisite is reported before anything runs, exit 3", async ({ expect }) => {
    const result = await p.run(["x", "badpre"]);
    expect(result).toMatchObject({ code: 3, stdout: "" });
    expect(result.stderr).toContain("Don't know how to build task 'nosuch'");
    expect(result.stderr).toContain("Tasks: TOP => badpre\n");
  });
});

const INVOKE = `
import { task } from "jt";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

task("p", () => console.log("p"));
task("q", { args: ["n"], deps: ["p"] }, async ({ args }) => {
  await sleep(20);
  console.log(\`q n=\${args.n} extras=\${JSON.stringify(args.extras)}\`);
});
task("main", ["p"], async ({ invoke }) => {
  console.log("main start");
  await invoke("q", "1", "2");
  await invoke("q", "3");
  await invoke("p");
  console.log("main end");
});
task("solo", async ({ invoke }) => {
  console.log("solo start");
  await invoke("q", "7");
  console.log("solo end");
});
task("w", { args: ["who"] }, ({ args }) => console.log(\`w who=\${args.who}\`));
task("caller", async ({ invoke }) => {
  console.log("caller start");
  await invoke("w", "bob");
  console.log("caller end");
});
task("needs_w", ["w"], () => console.log("needs_w"));

task("slow", async () => {
  console.log("slow start");
  await sleep(60);
  console.log("slow end");
});
task("fast", async () => {
  console.log("fast start");
  await sleep(1);
  console.log("fast end");
});
task("both", ["slow", "fast"], () => console.log("both"));
task("multi", async () => {
  await sleep(30);
  console.log("multi 1");
});
task("multi", () => console.log("multi 2"));
`;

describe.concurrent("ctx.invoke and async actions", () => {
  const p = sharedProject({ "tasks/invoke.ts": INVOKE });

  test("invoke runs a task and its prerequisites unless already run; values become its args; it is awaited", async ({ expect }) => {
    expect(await p.run(["main"])).toMatchObject({
      code: 0,
      stdout: lines("p", "main start", 'q n=1 extras=["2"]', "main end"),
      stderr: "",
    });
  });

  test("invoke runs the prerequisites the invoked task still needs", async ({ expect }) => {
    expect(await p.run(["solo"])).toMatchObject({ code: 0, stdout: lines("solo start", "p", "q n=7 extras=[]", "solo end"), stderr: "" });
  });

  test("invoking a task that already ran (with other args) does nothing", async ({ expect }) => {
    expect(await p.run(["q[5]", "main"])).toMatchObject({
      code: 0,
      stdout: lines("p", "q n=5 extras=[]", "main start", "main end"),
      stderr: "",
    });
  });

  test("invoke runs, now and with its values, a task that only a later target needs", async ({ expect }) => {
    // Rake: the task has not run yet, so invoke runs it; the later target then finds it done.
    expect(await p.run(["caller", "needs_w"])).toMatchObject({
      code: 0,
      stdout: lines("caller start", "w who=bob", "caller end", "needs_w"),
      stderr: "",
    });
  });

  test("async actions are awaited, one task after another, actions in definition order", async ({ expect }) => {
    expect(await p.run(["both", "multi"])).toMatchObject({
      code: 0,
      stdout: lines("slow start", "slow end", "fast start", "fast end", "both", "multi 1", "multi 2"),
      stderr: "",
    });
  });
});

test("a 5,000-deep prerequisite chain runs, deepest first, without overflowing the stack", async () => {
  const depth = 5_000;
  const defs = Array.from({ length: depth }, (_, i) =>
    i + 1 < depth ? `task("t${i}", ["t${i + 1}"], () => { ran.push(${i}); });` : `task("t${i}", () => { ran.push(${i}); });`,
  );
  const p = project({
    "tasks/deep.ts": [
      `import { task } from "jt";`,
      `const ran: number[] = [];`,
      ...defs,
      `task("report", ["t0"], () => {`,
      `  const inOrder = ran.every((n, i) => n === ${depth - 1} - i);`,
      "  console.log(`ran ${ran.length} first=t${ran[0]} last=t${ran.at(-1)} inOrder=${inOrder}`);",
      `});`,
    ].join("\n"),
  });
  expect(await p.run(["report"])).toMatchObject({ code: 0, stdout: `ran ${depth} first=t${depth - 1} last=t0 inOrder=true\n`, stderr: "" });
});
