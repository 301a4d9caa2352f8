/**
 * The manifest cache: listings answered without loading task files, never wrong. Every test
 * proves what loaded by task files that append to a log when they load.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "vitest";
import { freshManifest } from "../src/load/fresh-manifest.js";
import { project, type TestProject } from "./helpers/project.js";
import { lines } from "./helpers/text.js";

/** A task file that logs its own loading, then defines `tasks` (name → description). */
function taskFile(label: string, tasks: Record<string, string>, extra = ""): string {
  return [
    `import { appendFileSync } from "node:fs";`,
    `import { desc, task } from "jt";`,
    `appendFileSync(${JSON.stringify("loads.log")}, ${JSON.stringify(`${label}\n`)});`,
    ...Object.entries(tasks).flatMap(([name, description]) => [
      `desc(${JSON.stringify(description)});`,
      `task(${JSON.stringify(name)}, () => console.log(${JSON.stringify(`${name} ran`)}));`,
    ]),
    extra,
  ].join("\n");
}

function loads(p: TestProject): string[] {
  const log = p.path("loads.log");
  if (!existsSync(log)) return [];
  const entries = readFileSync(log, "utf8").split("\n").filter(Boolean);
  rmSync(log);
  return entries;
}

/** Sets a file's mtime back to what it was: a tool that restores timestamps, or a clock that went back. */
function keepMtime(file: string, change: () => void): void {
  const { atime, mtime } = statSync(file);
  change();
  utimesSync(file, atime, mtime);
}

describe.concurrent("the manifest cache", () => {
  test("a second listing loads no task file; its output is the same", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "tasks/a.ts": taskFile("a", { alpha: "First task" }),
        "tasks/b.ts": taskFile("b", { beta: "Second task" }),
        blocker: "not a directory",
      },
      { onTestFinished },
    );
    const first = await p.run(["-T"]);
    expect(loads(p)).toEqual(["a", "b"]);
    const second = await p.run(["-T"]);
    expect(loads(p)).toEqual([]);
    expect(second).toEqual(first);
    expect(first.stdout).toBe(lines("jt alpha  # First task", "jt beta   # Second task"));
    for (const flags of [["-D"], ["-P"], ["-W"], ["-T", "--json"], ["-T", "-A", "al"]]) {
      const cold = await p.run(flags, { env: { JT_CACHE_DIR: p.path("blocker", "cache") } });
      const warm = await p.run(flags);
      expect(warm).toEqual(cold);
    }
    expect(loads(p)).toEqual(["a", "b", "a", "b", "a", "b", "a", "b", "a", "b"]);
  });

  test("-C dir with a relative path: missing, then stale, then fresh manifest", async ({ expect, onTestFinished }) => {
    // The cached-listing shortcut used to apply -C and not undo it, so the full path applied it twice.
    const p = project({ "app/tasks/a.ts": taskFile("a", { alpha: "Version 1" }) }, { onTestFinished });
    const expected = lines("jt alpha  # Version 1");
    expect(await p.run(["-C", "app", "-T"])).toMatchObject({ code: 0, stdout: expected });
    p.file("app/tasks/a.ts", taskFile("a", { alpha: "Version 2" }));
    expect(await p.run(["-T", "-C", "app"])).toMatchObject({ code: 0, stdout: lines("jt alpha  # Version 2") });
    expect(await p.run(["-C", "app", "-T"])).toMatchObject({ code: 0, stdout: lines("jt alpha  # Version 2") });
  });

  test("an edited task file is seen at once, even in the same second and with the same size", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/a.ts": taskFile("a", { alpha: "Version 1" }) }, { onTestFinished });
    await p.run(["-T"]);
    p.file("tasks/a.ts", taskFile("a", { alpha: "Version 2" }));
    expect((await p.run(["-T"])).stdout).toBe(lines("jt alpha  # Version 2"));
    p.file("tasks/a.ts", taskFile("a", { alpha: "Version 3" }));
    expect((await p.run(["-T"])).stdout).toBe(lines("jt alpha  # Version 3"));
  });

  test("an edit whose mtime is set back (same size) is still seen", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/a.ts": taskFile("a", { alpha: "Before edit" }) }, { onTestFinished });
    const file = p.path("tasks/a.ts");
    utimesSync(file, new Date(2020, 0, 1), new Date(2020, 0, 1));
    await p.run(["-T"]);
    expect(loads(p)).toEqual(["a"]);
    keepMtime(file, () => writeFileSync(file, taskFile("a", { alpha: "After edits" })));
    expect((await p.run(["-T"])).stdout).toBe(lines("jt alpha  # After edits"));
  });

  test("a file dated in the future (clock skew) never makes the cache stick", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/a.ts": taskFile("a", { alpha: "Skewed one" }) }, { onTestFinished });
    const file = p.path("tasks/a.ts");
    const future = new Date(Date.now() + 3600_000);
    utimesSync(file, future, future);
    await p.run(["-T"]);
    keepMtime(file, () => writeFileSync(file, taskFile("a", { alpha: "Skewed two" })));
    expect((await p.run(["-T"])).stdout).toBe(lines("jt alpha  # Skewed two"));
  });

  test("added, removed and renamed task files", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/a.ts": taskFile("a", { alpha: "A" }), "tasks/b.ts": taskFile("b", { beta: "B" }) }, { onTestFinished });
    await p.run(["-T"]);
    p.file("tasks/sub/c.ts", taskFile("c", { gamma: "C" }));
    expect((await p.run(["-T"])).stdout).toBe(lines("jt alpha  # A", "jt beta   # B", "jt gamma  # C"));
    rmSync(p.path("tasks/b.ts"));
    expect((await p.run(["-T"])).stdout).toBe(lines("jt alpha  # A", "jt gamma  # C"));
    renameSync(p.path("tasks/a.ts"), p.path("tasks/z.ts"));
    const renamed = await p.run(["-W"]);
    expect(renamed.stdout).toContain(`${p.path("tasks/z.ts")}:`);
    expect(renamed.stdout).not.toContain(`${p.path("tasks/a.ts")}:`);
  });

  test("a change in a module the task files import is seen", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "app/names.ts": `export const NAMES: string[] = ["one", "two"];\n`,
        "tasks/gen.ts": `import { desc, task } from "jt";\nimport { NAMES } from "../app/names.ts";\nfor (const n of NAMES) { desc(\`Generated \${n}\`); task(n, () => {}); }\n`,
      },
      { onTestFinished },
    );
    expect((await p.run(["-T"])).stdout).toBe(lines("jt one  # Generated one", "jt two  # Generated two"));
    p.file("app/names.ts", `export const NAMES: string[] = ["one", "six"];\n`);
    expect((await p.run(["-T"])).stdout).toBe(lines("jt one  # Generated one", "jt six  # Generated six"));
  });

  test("environment variables read while loading are part of the key", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "tasks/flags.ts": `import { desc, task } from "jt";\ndesc("Always");\ntask("always", () => {});\nif (process.env.WITH_BETA) { desc("Beta only"); task("beta", () => {}); }\n`,
      },
      { onTestFinished },
    );
    expect((await p.run(["-T"])).stdout).toBe(lines("jt always  # Always"));
    expect((await p.run(["-T"], { env: { WITH_BETA: "1" } })).stdout).toBe(lines("jt always  # Always", "jt beta    # Beta only"));
    expect((await p.run(["WITH_BETA=1", "-T"])).stdout).toBe(lines("jt always  # Always", "jt beta    # Beta only"));
    expect((await p.run(["-T"])).stdout).toBe(lines("jt always  # Always"));
    p.file(".env", "WITH_BETA=yes\n");
    expect((await p.run(["-T"])).stdout).toBe(lines("jt always  # Always", "jt beta    # Beta only"));
  });

  test("a config change (tasksDir) rebuilds it", async ({ expect, onTestFinished }) => {
    const p = project(
      {
        "jt.config.json": `{ "tasksDir": "tasks" }`,
        "tasks/a.ts": taskFile("a", { alpha: "In tasks" }),
        "jobs/j.ts": taskFile("j", { job: "In jobs" }),
      },
      { onTestFinished },
    );
    expect((await p.run(["-T"])).stdout).toBe(lines("jt alpha  # In tasks"));
    p.file("jt.config.json", `{ "tasksDir": "jobs"  }`);
    expect((await p.run(["-T"])).stdout).toBe(lines("jt job  # In jobs"));
  });

  test("an absolute tasksDir: the manifest is fresh for createJobs() and cached listings alike (one check)", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project({ "tasks/a.ts": taskFile("a", { alpha: "Absolute" }) }, { onTestFinished });
    p.file("jt.config.json", JSON.stringify({ tasksDir: p.path("tasks") }));
    expect((await p.run(["-T"])).stdout).toBe(lines("jt alpha  # Absolute"));
    expect(freshManifest(p.root, p.path("jt.config.json"))?.tasks.map((t) => t.name)).toEqual(["alpha"]);
    // A fresh manifest answers -T without loading the task file again.
    expect((await p.run(["-T"])).stdout).toBe(lines("jt alpha  # Absolute"));
    expect(loads(p)).toEqual(["a"]);
  });

  test("variables the task files never read (the shell's PWD, CI, colour) leave the manifest fresh, even after a first load that compiled them", async ({
    expect,
    onTestFinished,
  }) => {
    // Content no earlier run compiled: tsx starts esbuild's service, which copies the whole environment.
    const p = project({ "tasks/a.ts": taskFile("a", { alpha: "Compiled" }, `// ${Date.now()}-${Math.random()}`) }, { onTestFinished });
    expect((await p.run(["-T"])).stdout).toBe(lines("jt alpha  # Compiled"));
    expect(loads(p)).toEqual(["a"]);
    const elsewhere = { PWD: "/", OLDPWD: p.root, CI: "true", FORCE_COLOR: "0", TERM: "dumb", SHELL: "/bin/zsh" };
    expect((await p.run(["-T"], { env: elsewhere })).stdout).toBe(lines("jt alpha  # Compiled"));
    expect(loads(p)).toEqual([]);
  });

  test("a cache that cannot be written or read: jt still lists and runs", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/a.ts": taskFile("a", { alpha: "Works anyway" }), "not-a-dir": "a file" }, { onTestFinished });
    const env = { JT_CACHE_DIR: p.path("not-a-dir", "cache") };
    for (let i = 0; i < 2; i++) {
      expect(await p.run(["-T"], { env })).toMatchObject({ code: 0, stdout: lines("jt alpha  # Works anyway"), stderr: "" });
      expect(loads(p)).toEqual(["a"]);
    }
    expect(await p.run(["alpha"], { env })).toMatchObject({ code: 0, stdout: lines("alpha ran") });
  });

  test("a corrupt manifest is ignored and replaced", async ({ expect, onTestFinished }) => {
    const cache = project({}, { onTestFinished });
    const p = project({ "tasks/a.ts": taskFile("a", { alpha: "Still right" }) }, { onTestFinished });
    const env = { JT_CACHE_DIR: cache.root };
    await p.run(["-T"], { env });
    const [dir] = readdirSync(cache.root);
    writeFileSync(join(cache.root, dir!, "manifest.json"), "{ not json");
    expect((await p.run(["-T"], { env })).stdout).toBe(lines("jt alpha  # Still right"));
    expect(JSON.parse(readFileSync(join(cache.root, dir!, "manifest.json"), "utf8"))).toHaveProperty("tasks");
  });

  test("with node_modules, the cache lives in node_modules/.cache/jt; without, never in the project", async ({
    expect,
    onTestFinished,
  }) => {
    const bare = project({ "tasks/a.ts": taskFile("a", { alpha: "A" }) }, { onTestFinished });
    const home = project({}, { onTestFinished });
    await bare.run(["-T"], { env: { JT_CACHE_DIR: undefined, XDG_CACHE_HOME: home.root } });
    expect(readdirSync(bare.root).sort()).toEqual(["loads.log", "tasks"]);
    expect(readdirSync(join(home.root, "jt"))).toHaveLength(1);

    const withModules = project({ "tasks/a.ts": taskFile("a", { alpha: "A" }) }, { onTestFinished }).dir("node_modules");
    await withModules.run(["-T"], { env: { JT_CACHE_DIR: undefined } });
    expect(existsSync(withModules.path("node_modules/.cache/jt/manifest.json"))).toBe(true);
  });

  test("a read-only project still works (the cache goes elsewhere or nowhere)", async ({ expect, onTestFinished }) => {
    const p = project({ "tasks/a.ts": taskFile("a", { alpha: "Read only" }, ""), "node_modules/.keep": "" }, { onTestFinished });
    rmSync(p.path("node_modules/.keep"));
    chmodSync(p.path("node_modules"), 0o555);
    onTestFinished(() => chmodSync(p.path("node_modules"), 0o755));
    expect(await p.run(["-T"], { env: { JT_CACHE_DIR: undefined } })).toMatchObject({ code: 0, stdout: lines("jt alpha  # Read only") });
  });
});

describe.concurrent("running loads only what the targets need", () => {
  const FILES = {
    "tasks/a.ts": taskFile("a", { alpha: "A" }),
    "tasks/b.ts": taskFile("b", { beta: "B" }, `task("beta", ["gamma"]);\ntask("merged", () => console.log("merged in b"));`),
    "tasks/c.ts": taskFile(
      "c",
      { gamma: "C" },
      `task("merged", () => console.log("merged in c"));\ntask("caller", async ({ invoke }) => { await invoke("alpha"); });`,
    ),
  };

  test("a task's own file and its prerequisites' files, nothing else", async ({ expect, onTestFinished }) => {
    const p = project(FILES, { onTestFinished });
    await p.run(["-T"]);
    loads(p);
    expect(await p.run(["alpha"])).toMatchObject({ code: 0, stdout: lines("alpha ran") });
    expect(loads(p)).toEqual(["a"]);
    expect(await p.run(["beta"])).toMatchObject({ code: 0, stdout: lines("gamma ran", "beta ran") });
    expect(loads(p)).toEqual(["b", "c"]);
  });

  test("a task defined in two files loads both, its actions in file order", async ({ expect, onTestFinished }) => {
    const p = project(FILES, { onTestFinished });
    await p.run(["-T"]);
    loads(p);
    expect(await p.run(["merged"])).toMatchObject({ code: 0, stdout: lines("merged in b", "merged in c") });
    expect(loads(p)).toEqual(["b", "c"]);
  });

  test("ctx.invoke loads the file of the task it runs", async ({ expect, onTestFinished }) => {
    const p = project(FILES, { onTestFinished });
    await p.run(["-T"]);
    loads(p);
    expect(await p.run(["caller"])).toMatchObject({ code: 0, stdout: lines("alpha ran") });
    expect(loads(p)).toEqual(["c", "a"]);
  });

  test("an unknown task loads everything, so the suggestions come from every task", async ({ expect, onTestFinished }) => {
    const p = project(FILES, { onTestFinished });
    await p.run(["-T"]);
    loads(p);
    const result = await p.run(["gama"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Did you mean?  gamma");
    expect(loads(p)).toEqual(["a", "b", "c"]);
  });

  test("a warm run keeps stack traces pointing at the right .ts lines", async ({ expect, onTestFinished }) => {
    const source = `import { task } from "jt";\n\ntype Unused = { a: string };\n\ntask("boom", () => {\n  throw new Error("kaboom");\n});\n`;
    const p = project({ "tasks/boom.ts": source }, { onTestFinished });
    const cold = await p.run(["boom"]);
    const warm = await p.run(["boom"]);
    expect(cold.stderr).toContain(`${p.path("tasks/boom.ts")}:6:9`);
    expect(warm).toEqual(cold);
  });
});

describe.concurrent("after an edit, only what the edit touched reloads", () => {
  const three = () => ({
    "tasks/a.ts": taskFile("a", { alpha: "A" }),
    "tasks/b.ts": taskFile("b", { beta: "B" }),
    "tasks/c.ts": taskFile("c", { gamma: "C" }),
  });

  test("an edited task file alone loads; the listing has its new tasks and not its old ones; a run loads what it needs", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(three(), { onTestFinished });
    await p.run(["-T"]);
    expect(loads(p)).toEqual(["a", "b", "c"]);
    p.file("tasks/b.ts", taskFile("b", { beta2: "B, renamed" }));
    expect((await p.run(["-T"])).stdout).toBe(lines("jt alpha  # A", "jt beta2  # B, renamed", "jt gamma  # C"));
    expect(loads(p)).toEqual(["b"]);
    // The manifest was brought up to date: the next listing loads nothing, a run only its file.
    expect((await p.run(["-T"])).stdout).toBe(lines("jt alpha  # A", "jt beta2  # B, renamed", "jt gamma  # C"));
    expect(loads(p)).toEqual([]);
    p.file("tasks/c.ts", taskFile("c", { gamma: "C, again" }));
    expect(await p.run(["alpha"])).toMatchObject({ code: 0, stdout: lines("alpha ran") });
    expect(loads(p)).toEqual(["c", "a"]);
    expect(await p.run(["beta"])).toMatchObject({ code: 2 });
    expect(loads(p)).toEqual(["a", "b", "c"]); // an unknown name loads everything, for its close matches
  });

  test("an edit of a module the task files share, or of a task that another file defines too, reloads everything", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(
      {
        ...three(),
        "lib/shared.ts": `export const greeting = "hello";\n`,
        "tasks/c.ts": taskFile(
          "c",
          { gamma: "C" },
          `import { greeting } from "../lib/shared.ts";\nvoid greeting;\ntask("alpha", () => console.log("alpha, more"));\n`,
        ),
      },
      { onTestFinished },
    );
    await p.run(["-T"]);
    expect(loads(p)).toEqual(["a", "b", "c"]);
    p.file("lib/shared.ts", `export const greeting = "bonjour";\n`);
    await p.run(["-T"]);
    expect(loads(p)).toEqual(["a", "b", "c"]);
    p.file("tasks/c.ts", taskFile("c", { gamma: "C2" }, `task("alpha", () => console.log("alpha, more"));\n`));
    expect((await p.run(["alpha"])).stdout).toBe(lines("alpha ran", "alpha, more"));
    expect(loads(p)).toEqual(["a", "b", "c"]);
  });

  test("an edit that adds a task another file defines, or breaks the file, loads the rest as a full load would", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(three(), { onTestFinished });
    await p.run(["-T"]);
    loads(p);
    p.file("tasks/b.ts", `${taskFile("b", { beta: "B" })}\nthrow new Error("broken b");\n`);
    const broken = await p.run(["-T"]);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toContain("broken b");
    expect(broken.stdout).toBe(lines("jt alpha  # A", "jt beta   # B", "jt gamma  # C"));
    expect(loads(p)).toEqual(["b", "a", "c"]);
    // (A failure is never cached: this run starts from the last good manifest again.)
    p.file("tasks/b.ts", taskFile("b", { beta: "B", alpha: "Alpha, said again" }));
    expect((await p.run(["-D", "alpha"])).stdout).toContain("Alpha, said again");
    expect(loads(p)).toEqual(["b", "a", "c"]);
    // Now alpha is defined in a and b: an edit of either reloads both, and the rest.
    p.file("tasks/a.ts", taskFile("a", { alpha: "A2" }));
    expect((await p.run(["-D", "alpha"])).stdout).toContain("A2");
    expect(loads(p)).toEqual(["a", "b", "c"]);
  });
});
