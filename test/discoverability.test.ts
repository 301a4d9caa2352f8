/**
 * jt's own jobs verbs can be found from the command line (issue 10 §3): `jt --help` has a section
 * for them, `jt jobs` lists them, `jt jobs:<verb> --help` shows each verb's options, and a person
 * reading `jt -T -A` on a terminal is told where they are (a script reading it is not).
 */
import { describe, test } from "vitest";
import { JOBS_VERBS } from "../src/jobs/verbs.js";
import { sharedProject } from "./helpers/project.js";
import { runInTty } from "./helpers/tty.js";

const HINT = "(jt's own jobs:* commands run tasks as background jobs: see them with `jt jobs`)";

describe.concurrent("finding the jobs verbs", () => {
  const p = sharedProject({
    "tasks/db.ts": `import { desc, task } from "jt";\ndesc("Migrate the database");\ntask("db:migrate", () => {});\ntask("db:internal", () => {});\n`,
  });

  test("jt --help: a 'Jobs commands' section with every verb and its one-line description", async ({ expect }) => {
    const help = await p.run(["--help"]);
    expect(help.code).toBe(0);
    const section = help.stdout.split("\nJobs commands")[1];
    expect(section, help.stdout).toBeDefined();
    for (const verb of JOBS_VERBS)
      expect(section).toMatch(new RegExp(`^  ${verb.name} +${verb.description.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
    expect(help.stdout).toContain("Options go anywhere on the line");
  });

  test.for([["jobs"], ["jobs", "--help"], ["-C", ".", "jobs"]])("jt %j: the verbs, exit 0", async (words, { expect }) => {
    const result = await p.run(words);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^Usage: jt jobs:<command> \[options\]$/m);
    for (const verb of JOBS_VERBS) expect(result.stdout).toMatch(new RegExp(`^  ${verb.name} `, "m"));
    expect(result.stdout).toContain("jt jobs:work --help");
  });

  test("jt jobs with anything else: exit 2, pointing at the full names", async ({ expect }) => {
    const result = await p.run(["jobs", "list"]);
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toContain("`jt jobs` lists the jobs commands and takes nothing else, not 'list'");
  });

  test.for(JOBS_VERBS.map((verb) => verb.name))("jt %s --help: its usage, arguments and every option, exit 0", async (name, { expect }) => {
    const verb = JOBS_VERBS.find((known) => known.name === name)!;
    const result = await p.run([name, "--help"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(new RegExp(`^Usage: jt ${name} `, "m"));
    for (const option of verb.options) expect(result.stdout).toContain(option.flags);
    for (const argument of verb.arguments) expect(result.stdout).toContain(argument.name);
    // The same with a global option first.
    expect((await p.run(["-C", ".", name, "--help"])).stdout).toBe(result.stdout);
  });

  test("jt -T -A on a terminal ends with where the jobs verbs are; piped, or with -T alone, it does not", async ({ expect }) => {
    const tty = await runInTty(p.root, ["-T", "-A"], { COLUMNS: "100" });
    expect(tty.code).toBe(0);
    expect(tty.output).toBe(`jt db:internal  # \njt db:migrate   # Migrate the database\n\n${HINT}\n`);
    const piped = await p.run(["-T", "-A"]);
    expect(piped.stdout).toBe("jt db:internal  # \njt db:migrate   # Migrate the database\n");
    expect((await runInTty(p.root, ["-T"], { COLUMNS: "100" })).output).not.toContain(HINT);
  });
});
