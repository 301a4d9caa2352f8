/**
 * The example app (examples/app, issue 4): a real SQLite database through `environment`. Each
 * test runs jt on a fresh copy of the app (without the repo copy's db/, as on a fresh clone), in
 * the layout package.json's "example" script expects, then opens the SQLite file itself.
 */
import { cpSync, existsSync, readFileSync, symlinkSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, test } from "vitest";
import { project, REPO_ROOT, type TestProject } from "./helpers/project.js";
import { readSqlite } from "./helpers/sqlite.js";
import { lines, position } from "./helpers/text.js";

const EXAMPLE_DIR = join(REPO_ROOT, "examples/app");
const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
const TARGETS = ["db:migrate", "db:seed", "active_directory:load[alice,bob]", "users:list"];

/** Splits a command line as sh would for plain words and '…' / "…" quoting (enough for an npm script). */
function shellWords(command: string): string[] {
  const words: string[] = [];
  for (const match of command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]!);
  return words;
}

/** A fresh copy of the example app at <tmp>/examples/app, with the repo's node_modules reachable from it. */
function freshExample(onTestFinished: (fn: () => void) => void): { root: TestProject; app: string; db: string } {
  const root = project({}, { onTestFinished });
  const app = root.path("examples/app");
  cpSync(EXAMPLE_DIR, app, {
    recursive: true,
    filter: (source) => {
      const rel = relative(EXAMPLE_DIR, source);
      // What a fresh clone has: not the database, the output (both gitignored) or installed packages.
      return !["db", "tmp", "node_modules"].some((dir) => rel === dir || rel.startsWith(`${dir}${sep}`));
    },
  });
  symlinkSync(join(REPO_ROOT, "node_modules"), root.path("node_modules"), "dir");
  return { root, app, db: join(app, "db/development.sqlite3") };
}

/** The example script's words after `node bin/jt.js`, run in `root` as npm would run them in the repo. */
function exampleArgs(): string[] {
  const words = shellWords(PACKAGE.scripts.example ?? "");
  return words.slice(2);
}

interface UserRow {
  id: number;
  login: string;
  name: string;
  email: string | null;
  department: string | null;
  source: string;
  created_at: string;
}

function readDb(file: string): { users: UserRow[]; migrations: string[] } {
  return readSqlite(file, (query) => ({
    users: query("SELECT * FROM users ORDER BY login").all() as UserRow[],
    migrations: query("SELECT version FROM schema_migrations ORDER BY version").pluck().all() as string[],
  }));
}

const MIGRATIONS = ["20260101000000_create_users", "20260102000000_add_users_source"];
const TABLE = lines(
  "login  name              source",
  "admin  Site Admin        seed",
  "alice  Alice Liddell     active_directory",
  "bob    Bob Builder       active_directory",
);
const FIRST_RUN =
  lines(`db:migrate: applied ${MIGRATIONS.join(", ")}`, "db:seed: 1 users", "active_directory:load: alice", "active_directory:load: bob") +
  TABLE;
const SECOND_RUN =
  lines("db:migrate: up to date", "db:seed: 3 users", "active_directory:load: alice", "active_directory:load: bob") + TABLE;
const USERS = [
  { login: "admin", name: "Site Admin", email: "admin@example.com", department: null, source: "seed" },
  { login: "alice", name: "Alice Liddell", email: "alice@example.com", department: "Engineering", source: "active_directory" },
  { login: "bob", name: "Bob Builder", email: "bob@example.com", department: "Operations", source: "active_directory" },
];
const HINT = "(See full trace by running task with --trace)";

describe.concurrent("the example app", () => {
  test("its jt-tasks.d.ts (kept in the repository) is what jt types writes for it", async ({ expect, onTestFinished }) => {
    const { root, app } = freshExample(onTestFinished);
    const kept = readFileSync(join(app, "jt-tasks.d.ts"), "utf8");
    expect(await root.run(["types"], { cwd: "examples/app" })).toMatchObject({ code: 0, stdout: "jt-tasks.d.ts: up to date (12 tasks)\n" });
    expect(readFileSync(join(app, "jt-tasks.d.ts"), "utf8")).toBe(kept);
  });

  test("package.json's example script runs the README's task list in examples/app", ({ expect }) => {
    expect(shellWords(PACKAGE.scripts.example ?? "")).toEqual(["node", "bin/jt.js", "-C", "examples/app", ...TARGETS]);
    // A fresh clone has no dist/ and the published package has no prepare script: npm builds first.
    expect(PACKAGE.scripts.preexample).toBe("npm run build");
    expect(PACKAGE.scripts.prepare).toBeUndefined();
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    expect(readme).toMatch(/^npm ci && npm run example\b/m);
  });

  test("the example command on a fresh copy: its output, and the rows are really in the SQLite file", async ({
    expect,
    onTestFinished,
  }) => {
    const { root, db } = freshExample(onTestFinished);
    expect(existsSync(db)).toBe(false);
    const result = await root.run(exampleArgs());
    expect(result).toEqual({ code: 0, signal: null, stdout: FIRST_RUN, stderr: "" });
    const stored = readDb(db);
    expect(stored.migrations).toEqual(MIGRATIONS);
    expect(stored.users.map(({ id: _id, created_at: _at, ...user }) => user)).toEqual(USERS);
  });

  test("running it again changes nothing (idempotent)", async ({ expect, onTestFinished }) => {
    const { root, db } = freshExample(onTestFinished);
    expect((await root.run(exampleArgs())).code).toBe(0);
    const before = readDb(db);
    const again = await root.run(exampleArgs());
    expect(again).toEqual({ code: 0, signal: null, stdout: SECOND_RUN, stderr: "" });
    expect(readDb(db)).toEqual(before);
  });

  test("users:list[json] and users:list[table]; the default argument is table", async ({ expect, onTestFinished }) => {
    const { root, app, db } = freshExample(onTestFinished);
    expect((await root.run(exampleArgs())).code).toBe(0);
    const [json, table, listed] = await Promise.all([
      root.run(["-C", "examples/app", "users:list[json]"]),
      root.run(["-C", "examples/app", "users:list[table]"]),
      root.run(["-T", "users:list"], { cwd: "examples/app" }),
    ]);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe("");
    expect(JSON.parse(json.stdout)).toEqual(readDb(db).users);
    expect(table).toEqual({ code: 0, signal: null, stdout: TABLE, stderr: "" });
    expect(listed).toEqual({
      code: 0,
      signal: null,
      stdout: lines("jt users:list[format]  # List users; format is table (the default) or json"),
      stderr: "",
    });
    expect(existsSync(join(app, "db/development.sqlite3"))).toBe(true);
  });

  test("active_directory:load[nosuch] fails with a clear message and writes nothing", async ({ expect, onTestFinished }) => {
    const { root, app, db } = freshExample(onTestFinished);
    expect((await root.run(exampleArgs())).code).toBe(0);
    const before = readDb(db);
    const result = await root.run(["active_directory:load[nosuch]"], { cwd: "examples/app" });
    const file = join(app, "tasks/active_directory.ts");
    const source = readFileSync(file, "utf8");
    expect(result).toEqual({
      code: 1,
      signal: null,
      stdout: "",
      stderr: lines(
        "jt aborted!",
        "'nosuch' is not in data/directory.json (nothing was loaded)",
        `${file}:${position(source, "new Error(`'${login}' is not in")}`,
        `${file}:${position(source, "map((login)")}`,
        "Tasks: TOP => active_directory:load",
        HINT,
      ),
    });
    expect(readDb(db)).toEqual(before);
  });

  test("db:reset in production without --yes: refused, the data stays", async ({ expect, onTestFinished }) => {
    const { root, db } = freshExample(onTestFinished);
    expect((await root.run(exampleArgs())).code).toBe(0);
    const before = readDb(db);
    const result = await root.run(["db:reset"], { cwd: "examples/app", env: { NODE_ENV: "production" } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    const err = result.stderr.split("\n");
    expect(err[0]).toBe("jt aborted!");
    expect(err[1]).toContain("'db:reset'");
    expect(err[1]).toContain("Drop every table and reload the seed data?");
    expect(result.stderr).toContain("--yes");
    expect(readDb(db)).toEqual(before);
  });

  test("db:reset --yes in production: drops, migrates and seeds again", async ({ expect, onTestFinished }) => {
    const { root, db } = freshExample(onTestFinished);
    expect((await root.run(exampleArgs())).code).toBe(0);
    const result = await root.run(["--yes", "db:reset"], { cwd: "examples/app", env: { NODE_ENV: "production" } });
    expect(result).toEqual({
      code: 0,
      signal: null,
      stdout: lines("db:reset: dropped all tables", `db:migrate: applied ${MIGRATIONS.join(", ")}`, "db:seed: 1 users"),
      stderr: "",
    });
    const stored = readDb(db);
    expect(stored.migrations).toEqual(MIGRATIONS);
    expect(stored.users.map(({ id: _id, created_at: _at, ...user }) => user)).toEqual([USERS[0]]);
  });
});

/** The README's jobs walkthrough, command by command (the `jt …` lines after `alias jt=`), so the two cannot drift apart. */
function readmeWalkthrough(): string[][] {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const block = /alias jt="node \.\.\/\.\.\/bin\/jt\.js"\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  return block
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line.startsWith("jt "))
    .flatMap((line) => line.split(" && "))
    .map((command) => shellWords(command).slice(1));
}

describe("the README's jobs walkthrough", () => {
  test("runs as written: every command succeeds, and each user gets exactly one welcome mail", { timeout: 90_000 }, async ({
    expect,
    onTestFinished,
  }) => {
    const { root } = freshExample(onTestFinished);
    const migrated = await root.run(["db:migrate", "db:seed"], { cwd: "examples/app" });
    expect(migrated.code, migrated.stderr).toBe(0);
    const commands = readmeWalkthrough();
    expect(commands.map((words) => words[0])).toContain("jobs:retry");
    for (const words of commands) {
      const result = await root.run(words, { cwd: "examples/app" });
      expect(result.code, `jt ${words.join(" ")}\n${result.stdout}${result.stderr}`).toBe(0);
    }
    const outbox = readFileSync(root.path("examples/app/tmp/outbox.txt"), "utf8");
    expect(outbox.match(/^To: .*$/gm)).toEqual(["To: zoe", "To: nobody"]);
  });
});
