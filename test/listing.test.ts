/**
 * -T, -D, -P, -W and --json, in Rake's formats (as rake 13 prints them), with "jt"
 * in place of "rake". The C1 project is Rake's c1 Rakefile written as a jt task file.
 */
import { describe, test } from "vitest";
import { lines, real } from "./helpers/text.js";
import { runInTty } from "./helpers/tty.js";
import { sharedProject } from "./helpers/project.js";

// Line numbers matter for -W and --json: a:3, very_long_task_name:6, load:9, hidden:11,
// db:migrate:15, db:seed:21, dup:25 and 28, ver:31, excl:34, period:37.
// One change from Rake's c1: the seed description's first line ends with ":" instead of "."
// (a "." at a line end is covered by the first-sentence test), so the format tests do not
// depend on that one rule.
const C1 = `import { desc, namespace, task } from "jt";
desc("Short one");
task("a");

desc("A task with a much longer name than the others");
task("very_long_task_name", ["a"]);

desc("Load a person. Takes first and last names! More text here.");
task("load", { args: ["first", "last"], deps: ["a"] });

task("hidden", ["a", "load"]);

namespace("db", () => {
  desc("Migrate the database to the latest version. Runs all pending migrations in order, one by one, until none remain.");
  task("migrate", ["^a"]);

  desc(\`Seed the database:
Second line of seed description.
Third line: version 1.5 is used.
\`);
  task("seed", { args: ["file"], deps: ["migrate"] });
});

desc("First definition of dup");
task("dup");

desc("Second definition of dup");
task("dup", ["a"]);

desc("Version 2.5 of thing. Other sentence");
task("ver");

desc("Exclaim! and more");
task("excl");

desc("Ends with period.");
task("period");
`;

const C1_T = lines(
  "jt a                    # Short one",
  "jt db:migrate           # Migrate the database to the latest version",
  "jt db:seed[file]        # Seed the database:",
  "jt dup                  # First definition of dup / Second definition of dup",
  "jt excl                 # Exclaim",
  "jt load[first,last]     # Load a person",
  "jt period               # Ends with period",
  "jt ver                  # Version 2.5 of thing",
  "jt very_long_task_name  # A task with a much longer name than the others",
);

// Rake's c1b: the first-sentence rule and its quirks.
const C1B = `import { desc, task } from "jt";
desc("e.g. this is an example");
task("eg");
desc("Hi!there");
task("bang");
desc("Question? yes. And more");
task("q");
desc("Dots...and more");
task("dots");
desc("   padded with spaces   ");
task("padded");
desc("Line one\\nLine two. Sentence.");
task("nl");
desc("ignored desc (overwritten)");
desc("second desc wins");
task("twodesc");
desc("v1.2.3 released");
task("ver");
desc("Tab.\\tafter");
task("tab");
desc("Ends the line.\\nSecond line.");
task("dotnl");
task("this_is_an_extremely_long_task_name_over_thirty");
desc("x");
task("this_is_an_extremely_long_task_name_over_thirty");
`;

// Args in the name column; the longest name is one with args.
const ARGS = `import { desc, task } from "jt";
desc("Greet someone");
task("greet", { args: ["first", "last"], defaults: { last: "Smith" } }, () => {});
desc("Load the given users");
task("users:load", { args: ["users..."] }, () => {});
desc("X marks the spot");
task("x");
task("an_undescribed_task_with_a_long_name");
`;

// Rake's c9: plain byte order of full names.
const SORT_NAMES = ["dbx", "db_x", "db:migrate", "db", "Zeta", "alpha", "a-b", "a.b", "10", "9", "db-x"];
const SORT = `import { desc, task } from "jt";
for (const n of ${JSON.stringify(SORT_NAMES)}) { desc(\`d \${n}\`); task(n); }
`;

const sharedFirstSentence = sharedProject({ "tasks/c1b.ts": C1B });
const sharedSort = sharedProject({ "tasks/sort.ts": SORT });
const sharedUndocumented = sharedProject({ "tasks/c8.ts": `import { task } from "jt";\ntask("undoc", () => console.log("u"));\n` });

describe.concurrent("jt -T", () => {
  const c1 = sharedProject({ "tasks/c1.ts": C1 });
  const args = sharedProject({ "tasks/args.ts": ARGS });

  test("lists described tasks, names padded to one column, args in brackets, first sentences", async ({ expect }) => {
    expect(await c1.run(["-T"])).toMatchObject({ code: 0, stdout: C1_T, stderr: "" });
  });

  test("--tasks is -T", async ({ expect }) => {
    expect(await c1.run(["--tasks"])).toMatchObject({ code: 0, stdout: C1_T, stderr: "" });
  });

  test("pads to the longest name-with-args; a rest arg shows as name[users...]", async ({ expect }) => {
    const result = await args.run(["-T"]);
    expect(result).toMatchObject({
      code: 0,
      stderr: "",
      stdout: lines(
        "jt greet[first,last]     # Greet someone",
        "jt users:load[users...]  # Load the given users",
        "jt x                     # X marks the spot",
      ),
    });
  });

  test("-A adds undescribed tasks as `# ` (trailing space), and the column widens for them", async ({ expect }) => {
    const result = await args.run(["-T", "-A"]);
    expect(result).toMatchObject({
      code: 0,
      stderr: "",
      stdout: lines(
        "jt an_undescribed_task_with_a_long_name  # ",
        "jt greet[first,last]                     # Greet someone",
        "jt users:load[users...]                  # Load the given users",
        "jt x                                     # X marks the spot",
      ),
    });
  });

  test("-T -A on Rake's c1 (hidden shows `# ` with a trailing space)", async ({ expect }) => {
    const result = await c1.run(["-T", "-A"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      lines(
        "jt a                    # Short one",
        "jt db:migrate           # Migrate the database to the latest version",
        "jt db:seed[file]        # Seed the database:",
        "jt dup                  # First definition of dup / Second definition of dup",
        "jt excl                 # Exclaim",
        "jt hidden               # ",
        "jt load[first,last]     # Load a person",
        "jt period               # Ends with period",
        "jt ver                  # Version 2.5 of thing",
        "jt very_long_task_name  # A task with a much longer name than the others",
      ),
    );
  });

  test("first-sentence rule: '.' or '!' after a word char and before a space, a '.' at a line end, any '!', a newline", async ({
    expect,
  }) => {
    const p = sharedFirstSentence;
    const result = await p.run(["-T"]);
    expect(result).toMatchObject({
      code: 0,
      stderr: "",
      stdout: lines(
        "jt bang                                             # Hi",
        "jt dotnl                                            # Ends the line",
        "jt dots                                             # Dots...and more",
        "jt eg                                               # e.g",
        "jt nl                                               # Line one",
        "jt padded                                           # padded with spaces",
        "jt q                                                # Question? yes",
        "jt tab                                              # Tab",
        "jt this_is_an_extremely_long_task_name_over_thirty  # x",
        "jt twodesc                                          # second desc wins",
        "jt ver                                              # v1.2.3 released",
      ),
    });
  });

  test("sorts by plain byte order of the full names", async ({ expect }) => {
    const result = await sharedSort.run(["-T"]);
    expect(result).toMatchObject({
      code: 0,
      stderr: "",
      stdout: lines(
        "jt 10          # d 10",
        "jt 9           # d 9",
        "jt Zeta        # d Zeta",
        "jt a-b         # d a-b",
        "jt a.b         # d a.b",
        "jt alpha       # d alpha",
        "jt db          # d db",
        "jt db-x        # d db-x",
        "jt db:migrate  # d db:migrate",
        "jt db_x        # d db_x",
        "jt dbx         # d dbx",
      ),
    });
  });

  test("a pattern filters by name, and the column is as wide as the shown names only", async ({ expect }) => {
    const expected = lines("jt db:migrate     # Migrate the database to the latest version", "jt db:seed[file]  # Seed the database:");
    const [short, long] = await Promise.all([c1.run(["-T", "db"]), c1.run(["--tasks=db"])]);
    expect(short).toMatchObject({ code: 0, stdout: expected, stderr: "" });
    expect(long).toMatchObject({ code: 0, stdout: expected, stderr: "" });
  });

  test("the pattern is an unanchored regexp", async ({ expect }) => {
    const result = await c1.run(["-T", "^d"]);
    expect(result).toMatchObject({
      code: 0,
      stderr: "",
      stdout: lines(
        "jt db:migrate     # Migrate the database to the latest version",
        "jt db:seed[file]  # Seed the database:",
        "jt dup            # First definition of dup / Second definition of dup",
      ),
    });
    // "er" inside period, ver and very_long_task_name
    expect((await c1.run(["-T", "er"])).stdout).toBe(
      lines(
        "jt period               # Ends with period",
        "jt ver                  # Version 2.5 of thing",
        "jt very_long_task_name  # A task with a much longer name than the others",
      ),
    );
  });

  test("the pattern is matched against the plain name: not the args, not the description, case-sensitive", async ({ expect }) => {
    const results = await Promise.all([
      c1.run(["-T", "load\\["]),
      c1.run(["-T", "first"]),
      c1.run(["-T", "migrations"]),
      c1.run(["-T", "DB"]),
    ]);
    for (const result of results) expect(result).toMatchObject({ code: 0, stdout: "", stderr: "" });
    // ...and a pattern that does match the name still finds the task whose args it cannot see.
    expect((await c1.run(["-T", "^load$"])).stdout).toBe(lines("jt load[first,last]  # Load a person"));
  });

  test("an invalid regexp is a command-line error, exit 2", async ({ expect }) => {
    const result = await c1.run(["-T", "["]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")[0]).toBe("jt aborted!");
    expect(result.stderr).toContain("[");
  });

  test("with no described task, -T prints nothing", async ({ expect }) => {
    expect(await sharedUndocumented.run(["-T"])).toMatchObject({ code: 0, stdout: "", stderr: "" });
  });
});

describe.concurrent("jt -D", () => {
  const c1 = sharedProject({ "tasks/c1.ts": C1 });

  test("prints each description in full, lines indented by 4 spaces, a blank line after each task", async ({ expect }) => {
    const result = await c1.run(["-D"]);
    expect(result).toMatchObject({
      code: 0,
      stderr: "",
      stdout: lines(
        "jt a",
        "    Short one",
        "",
        "jt db:migrate",
        "    Migrate the database to the latest version. Runs all pending migrations in order, one by one, until none remain.",
        "",
        "jt db:seed[file]",
        "    Seed the database:",
        "    Second line of seed description.",
        "    Third line: version 1.5 is used.",
        "",
        "jt dup",
        "    First definition of dup",
        "    Second definition of dup",
        "",
        "jt excl",
        "    Exclaim! and more",
        "",
        "jt load[first,last]",
        "    Load a person. Takes first and last names! More text here.",
        "",
        "jt period",
        "    Ends with period.",
        "",
        "jt ver",
        "    Version 2.5 of thing. Other sentence",
        "",
        "jt very_long_task_name",
        "    A task with a much longer name than the others",
        "",
      ),
    });
  });

  test("takes a pattern", async ({ expect }) => {
    const result = await c1.run(["-D", "seed"]);
    expect(result).toMatchObject({
      code: 0,
      stderr: "",
      stdout: lines(
        "jt db:seed[file]",
        "    Seed the database:",
        "    Second line of seed description.",
        "    Third line: version 1.5 is used.",
        "",
      ),
    });
  });

  test("-A -D shows an undescribed task as its name and a blank line", async ({ expect }) => {
    expect(await c1.run(["-A", "-D", "hid"])).toMatchObject({ code: 0, stdout: "jt hidden\n\n", stderr: "" });
  });

  test("with no described task, -D prints nothing", async ({ expect }) => {
    expect(await sharedUndocumented.run(["-D"])).toMatchObject({ code: 0, stdout: "", stderr: "" });
  });
});

describe.concurrent("jt -P", () => {
  const c1 = sharedProject({ "tasks/c1.ts": C1 });
  const C1_P = lines(
    "jt a",
    "jt db:migrate",
    "    ^a",
    "jt db:seed",
    "    migrate",
    "jt dup",
    "    a",
    "jt excl",
    "jt hidden",
    "    a",
    "    load",
    "jt load",
    "    a",
    "jt period",
    "jt ver",
    "jt very_long_task_name",
    "    a",
  );

  test("lists every task by plain name, with its prerequisites as written", async ({ expect }) => {
    expect(await c1.run(["-P"])).toMatchObject({ code: 0, stdout: C1_P, stderr: "" });
  });

  test("--prereqs takes no pattern: a word after it does not filter", async ({ expect }) => {
    expect(await c1.run(["--prereqs", "db"])).toMatchObject({ code: 0, stdout: C1_P, stderr: "" });
  });

  test("lists undescribed tasks", async ({ expect }) => {
    expect(await sharedUndocumented.run(["-P"])).toMatchObject({ code: 0, stdout: "jt undoc\n", stderr: "" });
  });
});

describe.concurrent("jt -W", () => {
  const c1 = sharedProject({ "tasks/c1.ts": C1 });

  test("prints `jt %-30s file:line` for every definition, redefinitions and undescribed tasks included", async ({ expect }) => {
    const file = `${real(c1.root)}/tasks/c1.ts`;
    const result = await c1.run(["-W"]);
    expect(result).toMatchObject({
      code: 0,
      stderr: "",
      stdout: lines(
        `jt a                              ${file}:3`,
        `jt db:migrate                     ${file}:15`,
        `jt db:seed[file]                  ${file}:21`,
        `jt dup                            ${file}:25`,
        `jt dup                            ${file}:28`,
        `jt excl                           ${file}:34`,
        `jt hidden                         ${file}:11`,
        `jt load[first,last]               ${file}:9`,
        `jt period                         ${file}:37`,
        `jt ver                            ${file}:31`,
        `jt very_long_task_name            ${file}:6`,
      ),
    });
  });

  test("takes a pattern", async ({ expect }) => {
    const file = `${real(c1.root)}/tasks/c1.ts`;
    const result = await c1.run(["--where", "dup"]);
    expect(result).toMatchObject({
      code: 0,
      stderr: "",
      stdout: lines(`jt dup                            ${file}:25`, `jt dup                            ${file}:28`),
    });
  });

  test("a name longer than 30 columns is followed by one space", async ({ expect }) => {
    const file = `${real(sharedFirstSentence.root)}/tasks/c1b.ts`;
    const result = await sharedFirstSentence.run(["-W", "long"]);
    expect(result).toMatchObject({
      code: 0,
      stderr: "",
      stdout: lines(
        `jt this_is_an_extremely_long_task_name_over_thirty ${file}:23`,
        `jt this_is_an_extremely_long_task_name_over_thirty ${file}:25`,
      ),
    });
  });
});

describe.concurrent("jt -W with a name longer than 30 columns", () => {
  const project = sharedProject({
    "tasks/w.ts": `import { task } from "jt";\ntask("active_directory:synchronize", { args: ["logins"] }, () => {});\ntask("db:seed", () => {});\n`,
  });

  test("every location starts in the same column (Rake's %-30s widened to the longest name)", async ({ expect }) => {
    const file = `${real(project.root)}/tasks/w.ts`;
    const result = await project.run(["-W"]);
    expect(result).toMatchObject({
      code: 0,
      stderr: "",
      stdout: lines(`jt active_directory:synchronize[logins] ${file}:2`, `jt db:seed${" ".repeat(30)}${file}:3`),
    });
  });
});

describe.concurrent("--json", () => {
  const c1 = sharedProject({ "tasks/c1.ts": C1 });

  test("-T --json: the described tasks, with args, resolved prerequisites and where they are defined", async ({ expect }) => {
    const file = `${real(c1.root)}/tasks/c1.ts`;
    const result = await c1.run(["-T", "db", "--json"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const listed = JSON.parse(result.stdout) as { description: string }[];
    expect(listed).toEqual([
      {
        name: "db:migrate",
        description: expect.any(String),
        args: [],
        prerequisites: ["a"],
        file,
        line: 15,
        locations: [{ file, line: 15 }],
      },
      {
        name: "db:seed",
        description: expect.any(String),
        args: ["file"],
        prerequisites: ["db:migrate"],
        file,
        line: 21,
        locations: [{ file, line: 21 }],
      },
    ]);
    expect(listed[0]!.description).toMatch(/^Migrate the database to the latest version/);
    expect(listed[1]!.description).toMatch(/^Seed the database/);
  });

  test("-T --json lists only described tasks, sorted; -A adds the others", async ({ expect }) => {
    const [plain, all] = await Promise.all([c1.run(["--json", "-T"]), c1.run(["--json", "-T", "-A"])]);
    const names = (stdout: string) => (JSON.parse(stdout) as { name: string }[]).map((t) => t.name);
    const described = ["a", "db:migrate", "db:seed", "dup", "excl", "load", "period", "ver", "very_long_task_name"];
    expect(names(plain.stdout)).toEqual(described);
    expect(names(all.stdout)).toEqual([...described.slice(0, 5), "hidden", ...described.slice(5)]);
  });

  test("-P --json: every task, prerequisites resolved to full names", async ({ expect }) => {
    const result = await c1.run(["-P", "--json"]);
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as { name: string; prerequisites: string[]; description: string | null }[];
    expect(listed.map((t) => [t.name, t.prerequisites])).toEqual([
      ["a", []],
      ["db:migrate", ["a"]],
      ["db:seed", ["db:migrate"]],
      ["dup", ["a"]],
      ["excl", []],
      ["hidden", ["a", "load"]],
      ["load", ["a"]],
      ["period", []],
      ["ver", []],
      ["very_long_task_name", ["a"]],
    ]);
    expect(listed.find((t) => t.name === "hidden")!.description).toBeNull();
  });

  test("-W --json: every definition site in locations, undescribed tasks included", async ({ expect }) => {
    const file = `${real(c1.root)}/tasks/c1.ts`;
    const result = await c1.run(["-W", "^(dup|hidden)$", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        name: "dup",
        description: expect.any(String),
        args: [],
        prerequisites: ["a"],
        file,
        line: 25,
        locations: [
          { file, line: 25 },
          { file, line: 28 },
        ],
      },
      { name: "hidden", description: null, args: [], prerequisites: ["a", "load"], file, line: 11, locations: [{ file, line: 11 }] },
    ]);
  });
});

describe.concurrent("cutting descriptions to the terminal width", () => {
  const c1 = sharedProject({ "tasks/c1.ts": C1 });

  // room = width - 2 ("jt") - 19 (longest name with args) - 7; longer text → first room-3 chars + "...".
  test("on a TTY, -T cuts to COLUMNS (60 → room 32)", async ({ expect }) => {
    const result = await runInTty(c1.root, ["-T"], { COLUMNS: "60" });
    expect(result.code).toBe(0);
    expect(result.output).toBe(
      lines(
        "jt a                    # Short one",
        "jt db:migrate           # Migrate the database to the l...",
        "jt db:seed[file]        # Seed the database:",
        "jt dup                  # First definition of dup / Sec...",
        "jt excl                 # Exclaim",
        "jt load[first,last]     # Load a person",
        "jt period               # Ends with period",
        "jt ver                  # Version 2.5 of thing",
        "jt very_long_task_name  # A task with a much longer nam...",
      ),
    );
  });

  test("on a TTY, -T cuts to JT_COLUMNS (44 → room 16; a text of exactly 16 is kept)", async ({ expect }) => {
    const result = await runInTty(c1.root, ["-T"], { JT_COLUMNS: "44" });
    expect(result.code).toBe(0);
    expect(result.output).toBe(
      lines(
        "jt a                    # Short one",
        "jt db:migrate           # Migrate the d...",
        "jt db:seed[file]        # Seed the data...",
        "jt dup                  # First definit...",
        "jt excl                 # Exclaim",
        "jt load[first,last]     # Load a person",
        "jt period               # Ends with period",
        "jt ver                  # Version 2.5 o...",
        "jt very_long_task_name  # A task with a...",
      ),
    );
  });

  test("on a TTY too narrow for any text, every description becomes '...'", async ({ expect }) => {
    const result = await runInTty(c1.root, ["-T", "^(a|dup)$"], { JT_COLUMNS: "12" });
    expect(result.code).toBe(0);
    expect(result.output).toBe(lines("jt a    # ...", "jt dup  # ..."));
  });

  test("on a pipe, -T never cuts, even with COLUMNS and JT_COLUMNS set", async ({ expect }) => {
    const result = await c1.run(["-T"], { env: { COLUMNS: "44", JT_COLUMNS: "44" } });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("...");
    expect(result.stdout).toContain("jt db:migrate           # Migrate the database to the latest version\n");
    expect(result.stdout).toContain("jt dup                  # First definition of dup / Second definition of dup\n");
    expect(result.stdout).toContain("jt very_long_task_name  # A task with a much longer name than the others\n");
  });

  test("on a TTY, -D and -W are never cut", async ({ expect }) => {
    const file = `${real(c1.root)}/tasks/c1.ts`;
    const [described, where] = await Promise.all([
      runInTty(c1.root, ["-D", "db:migrate"], { COLUMNS: "60" }),
      runInTty(c1.root, ["-W", "db"], { COLUMNS: "60" }),
    ]);
    expect(described.output).toBe(
      lines(
        "jt db:migrate",
        "    Migrate the database to the latest version. Runs all pending migrations in order, one by one, until none remain.",
        "",
      ),
    );
    expect(where.output).toBe(lines(`jt db:migrate                     ${file}:15`, `jt db:seed[file]                  ${file}:21`));
  });
});
