/**
 * Rake's rules (issue 13): a name no task has gets a file task from the first rule whose pattern
 * matches it and whose sources exist (as files, tasks, or by a rule in turn); --rules traces the
 * matching; a warm run (task files known from the manifest) finds rule-made tasks too.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { describe, test } from "vitest";
import { age, project } from "./helpers/project.js";
import { lines } from "./helpers/text.js";

const RULES = `import { rule } from "jt";
import { readFileSync, writeFileSync } from "node:fs";

rule(".html", [".md"], ({ name, source, prerequisites }) => {
  writeFileSync(name, \`<p>\${readFileSync(source!, "utf8").trim()}</p>\\n\`);
  console.log(\`\${name} from \${prerequisites.join(" ")}\`);
});
rule(".gz", [".html"], ({ name, source }) => {
  writeFileSync(name, "gz");
  console.log(\`\${name} from \${source}\`);
});
rule(/^out\\/.+\\.txt$/, ["src/%n.md", "header.txt"], ({ name, source, prerequisites }) => {
  writeFileSync(name, readFileSync(source!, "utf8"));
  console.log(\`\${name} from \${prerequisites.join(" ")}\`);
});
`;
// The site task is in another file than the rules: a warm run must still load the rules.
const SITE = `import { task } from "jt";
task("site", ["a.html", "b.html"], () => console.log("site"));
task("header.txt", () => console.log("header task"));
`;

type Cleanup = { onTestFinished: (fn: () => void) => void };
const ruleProject = (context: Cleanup) =>
  project({ "tasks/rules.ts": RULES, "tasks/site.ts": SITE, "a.md": "a\n", "b.md": "b\n", "src/c.md": "c\n", "out/.keep": "" }, context);

describe.concurrent("rules", () => {
  test("make what is missing from its source, then nothing until the source is newer; warm runs the same", async ({
    expect,
    onTestFinished,
  }) => {
    const p = ruleProject({ onTestFinished });
    for (const file of ["a.md", "b.md"]) age(p.path(file), 7200);
    expect(await p.run(["site"])).toEqual({
      code: 0,
      signal: null,
      stdout: lines("a.html from a.md", "b.html from b.md", "site"),
      stderr: "",
    });
    expect(readFileSync(p.path("a.html"), "utf8")).toBe("<p>a</p>\n");
    // Warm (from the manifest): a.html exists now, as a file; the rule still owns it.
    expect(await p.run(["site"])).toMatchObject({ code: 0, stdout: lines("site") });
    writeFileSync(p.path("a.md"), "A\n");
    age(p.path("a.html"), 60);
    expect(await p.run(["site"])).toMatchObject({ code: 0, stdout: lines("a.html from a.md", "site") });
    expect(readFileSync(p.path("a.html"), "utf8")).toBe("<p>A</p>\n");
  });

  test("a target no task names, made through two rules; a source may be a task; --rules traces each attempt", async ({
    expect,
    onTestFinished,
  }) => {
    const p = ruleProject({ onTestFinished });
    const result = await p.run(["--rules", "a.gz", "out/c.txt"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(lines("a.html from a.md", "a.gz from a.html", "header task", "out/c.txt from src/c.md header.txt"));
    expect(result.stderr).toBe(
      lines(
        "Attempting Rule a.gz => a.html",
        "    Attempting Rule a.html => a.md",
        "    (a.html => a.md ... EXIST)",
        "(a.gz => a.html ... ENHANCE)",
        "Attempting Rule out/c.txt => src/c.md",
        "(out/c.txt => src/c.md ... EXIST)",
        "Attempting Rule out/c.txt => header.txt",
        "(out/c.txt => header.txt ... EXIST)",
      ),
    );
    expect(readFileSync(p.path("out/c.txt"), "utf8")).toBe("c\n");
  });

  test("no source for it: Rake's unknown-task report (exit 2), --rules saying which source failed", async ({ expect, onTestFinished }) => {
    const p = ruleProject({ onTestFinished });
    const result = await p.run(["--rules", "nope.gz"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("(nope.gz => nope.html ... FAIL)");
    expect(result.stderr).toContain("Don't know how to build task 'nope.gz' (See the list of available tasks with `jt --tasks`)");
    expect(result.stdout).toBe("");
  });

  test("a rule that needs itself forever: Rake's 'Rule Recursion Too Deep' with the names, exit 3, nothing run", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(
      {
        "tasks/deep.ts": `import { rule, task } from "jt";\nrule(".a", [(name) => \`\${name}.a\`], () => console.log("never"));\ntask("first", () => console.log("never either"));\ntask("default", ["first", "x.a"]);\n`,
      },
      { onTestFinished },
    );
    const result = await p.run([]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`Rule Recursion Too Deep: [x.a => x.a.a => x.a.a.a => `);
    expect(result.stderr).toContain(`${`x${".a".repeat(17)}`}]`);
    expect(result.stderr).toContain("Tasks: TOP => default");
  });

  test("bad rules are definition errors at their line (exit 3)", async ({ expect, onTestFinished }) => {
    for (const [line, message] of [
      [`rule(42, [".c"]);`, `rule() takes a pattern, a file ending like ".o" or a RegExp, not 42`],
      [`rule(".o", [".c"], "cc");`, "The action of rule /\\.o$/ must be a function"],
      [`rule(".o", ["%z"]);`, `Unknown path map spec '%z' in "%z"`],
      [`rule(".o", [null]);`, "a source must be a file ending"],
    ]) {
      const p = project({ "tasks/bad.ts": `import { rule } from "jt";\n${line}\n` }, { onTestFinished });
      const result = await p.run(["x.o"]);
      expect(result.code, line).toBe(3);
      expect(result.stderr, line).toContain(message);
      expect(result.stderr, line).toMatch(/tasks\/bad\.ts:2/);
    }
  });

  test("a task defined without actions gets the matching rule's action and sources (Rake's test_rule_runs_when_explicit_task_has_no_actions)", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(
      {
        "tasks/t.ts": `import { file, rule } from "jt";\nrule(".o", [".c"], ({ source, prerequisites }) => console.log(source, prerequisites.join(" ")));\nfile("abc.o", ["xyz.c"]);\n`,
        "abc.c": "",
        "xyz.c": "",
      },
      { onTestFinished },
    );
    expect(await p.run(["abc.o"])).toMatchObject({ code: 0, stdout: lines("abc.c xyz.c abc.c") });
  });

  test("ctx.source and ctx.prerequisites in any task; -T lists no rule; -n makes nothing", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "tasks/t.ts": `import { desc, rule, task } from "jt";\nrule(".out", [".in"], () => console.log("ran"));\ndesc("Show");\ntask("show", ["a", "b"], ({ source, prerequisites }) => console.log(source, prerequisites.join(",")));\ntask("a");\ntask("b");\ntask("none", ({ source, prerequisites }) => console.log(String(source), prerequisites.length));\n`,
        "x.in": "",
      },
      { onTestFinished },
    );
    expect(await p.run(["show", "none"])).toMatchObject({ code: 0, stdout: lines("a a,b", "undefined 0") });
    expect((await p.run(["-T"])).stdout).toBe(lines("jt show  # Show"));
    const dry = await p.run(["-n", "x.out"]);
    expect(dry).toMatchObject({ code: 0, stdout: "" });
    expect(dry.stderr).toContain("** Execute (dry run) x.out");
  });
});

describe.concurrent("--job-stats", () => {
  const TASKS = `import { multitask, task } from "jt";
const pause = () => new Promise((resolve) => setTimeout(resolve, 150));
multitask("all", ["a", "b", "c"], () => console.log("all"));
task("a", async () => { await pause(); });
task("b", async () => { await pause(); });
task("c", async () => { await pause(); });
task("default", () => console.log("default"));
`;

  test("how many tasks ran at once and in all, after the run; `history` adds when each started and ended", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project({ "tasks/t.ts": TASKS }, { onTestFinished });
    const summary = await p.run(["all", "--job-stats"]);
    expect(summary).toMatchObject({ code: 0, stdout: lines("all", "Maximum active tasks: 3", "Total tasks run:      4") });
    const serial = await p.run(["all", "-j", "1", "--job-stats"]);
    expect(serial.stdout).toContain("Maximum active tasks: 1\n");
    const history = await p.run(["--job-stats", "history", "all"]);
    expect(history.code).toBe(0);
    const events = history.stdout.split("Job History:\n")[1]!.trimEnd().split("\n");
    expect(events.map((line) => line.trim().split(/\s+/).slice(1))).toEqual(
      expect.arrayContaining([
        ["started", "a"],
        ["finished", "a"],
        ["started", "all"],
        ["finished", "all"],
      ]),
    );
    expect(events).toHaveLength(8);
    const times = events.map((line) => Number(line.trim().split(/\s+/)[0]));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(100_000); // microseconds: the 150 ms pauses
  });

  test("a word after it that is no level is a target; a failed run prints no stats", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/t.ts": `${TASKS}task("boom", () => { throw new Error("boom"); });\n` }, { onTestFinished });
    expect(await p.run(["--job-stats", "default"])).toMatchObject({
      code: 0,
      stdout: lines("default", "Maximum active tasks: 1", "Total tasks run:      1"),
    });
    const failed = await p.run(["--job-stats", "boom"]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
  });
});
