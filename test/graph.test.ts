import { describe, expect, test } from "vitest";
import { project } from "./helpers/project.js";

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
