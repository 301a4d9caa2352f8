/**
 * A store that does not open says which store (the file, or the URL without its password), why,
 * and what to do, with no frames from node_modules or from jt itself; exit 1 (issue 12). A
 * worker whose tables vanish under it creates them again, or stops with a message, instead of
 * logging the same error forever.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, test, type ExpectStatic } from "vitest";
import { project, type TestProject } from "../helpers/project.js";
import { spawnJt } from "../helpers/spawn.js";
import { adminClient, dropSchema, freshSchemaName, POSTGRES_URL, storeUrl } from "../helpers/postgres.js";

let admin: pg.Client;
beforeAll(async () => {
  admin = await adminClient();
});
afterAll(async () => {
  await admin?.end();
});

const TASKS = `import { task } from "jt";\nimport { appendFileSync } from "node:fs";\ntask("t", { args: ["n"] }, ({ args }) => appendFileSync("runs.log", \`\${args.n}\\n\`));\n`;

function storeProject(store: string, context: { onTestFinished: (fn: () => void) => void }): TestProject {
  return project(
    { "tasks/t.ts": TASKS, "jt.config.json": JSON.stringify({ jobs: { store, lease: "1s", pollInterval: "100ms" } }) },
    context,
  );
}

/** The report a person sees: jt aborted!, the store and the cause, the hint, no frames at all. */
function expectReport(expect: ExpectStatic, stderr: string, first: string, hint: string | RegExp) {
  const lines = stderr.split("\n");
  expect(lines[0]).toBe("jt aborted!");
  expect(lines[1]).toBe(first);
  if (typeof hint === "string") expect(lines[2]).toBe(hint);
  else expect(lines[2]).toMatch(hint);
  expect(stderr).not.toMatch(/node_modules|\/src\/|\.ts:\d+|^\s+at /m);
}

describe.concurrent("a job store that does not open", () => {
  test("SQLite: a path under a file, a directory it cannot write, a file that is not a database", async ({ expect, onTestFinished }) => {
    const under = storeProject("tasks/t.ts/jobs.sqlite3", { onTestFinished });
    const notDir = await under.run(["jobs:list"]);
    expect(notDir.code).toBe(1);
    expectReport(
      expect,
      notDir.stderr,
      `Cannot open the job store (SQLite ${under.path("tasks/t.ts/jobs.sqlite3")}): EEXIST: file already exists, mkdir '${under.path("tasks/t.ts")}'`,
      `Check that ${under.path("tasks/t.ts/jobs.sqlite3")}'s directory exists and this user can write to it, or set jobs.store in the jt config, or JT_JOBS_URL, to a writable path.`,
    );

    const proc = storeProject("/proc/jobs.sqlite3", { onTestFinished });
    const cannot = await proc.run(["jobs:enqueue", "t[1]"]);
    expect(cannot.code).toBe(1);
    expectReport(
      expect,
      cannot.stderr,
      "Cannot open the job store (SQLite /proc/jobs.sqlite3): unable to open database file",
      /^Check that \/proc\/jobs\.sqlite3's directory exists/,
    );

    const corrupt = storeProject("db/jobs.sqlite3", { onTestFinished }).file("db/jobs.sqlite3", "this is not a database, ".repeat(200));
    for (const verb of [["jobs:list"], ["jobs:workoff"]]) {
      const result = await corrupt.run(verb);
      expect(result.code, verb.join(" ")).toBe(1);
      expectReport(
        expect,
        result.stderr,
        `Cannot open the job store (SQLite ${corrupt.path("db/jobs.sqlite3")}): file is not a database`,
        `${corrupt.path("db/jobs.sqlite3")} is not a SQLite database, or is damaged: move it away (jt creates an empty store), or set jobs.store in the jt config, or JT_JOBS_URL, to the right file.`,
      );
    }
  });

  test("PostgreSQL: nothing listening, a database that does not exist; the password never shown", async ({ expect, onTestFinished }) => {
    const refused = storeProject("postgres://root:s3cret@127.0.0.1:1/test", { onTestFinished });
    const down = await refused.run(["jobs:list"]);
    expect(down.code).toBe(1);
    expectReport(
      expect,
      down.stderr,
      "Cannot open the job store (PostgreSQL postgres://…@127.0.0.1:1/test): connect ECONNREFUSED 127.0.0.1:1",
      "Is PostgreSQL running, and listening at that host and port?",
    );
    const url = new URL(POSTGRES_URL);
    url.pathname = "/jt_no_such_database";
    url.password = "s3cret";
    const missing = await storeProject(url.toString(), { onTestFinished }).run(["jobs:workoff"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'database "jt_no_such_database" does not exist\nCreate the database (createdb jt_no_such_database) or fix the URL\'s database name.\n',
    );
    expect(down.stderr + missing.stderr).not.toContain("s3cret");
  });
});

describe.concurrent("a worker whose tables vanish", { timeout: 60_000 }, () => {
  test("PostgreSQL: its schema dropped under a running worker: it creates it again and runs what is enqueued next", async ({
    expect,
    onTestFinished,
  }) => {
    const schema = freshSchemaName();
    onTestFinished(() => dropSchema(admin, schema));
    const p = storeProject(storeUrl(schema), { onTestFinished });
    const worker = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await worker.waitFor("stderr", /jt: worker \S+ working/);
    // Once it has run a job, it is past its start-up (which migrates, here and in its heartbeat thread).
    expect((await p.run(["jobs:enqueue", "t[before]"])).code).toBe(0);
    await worker.waitFor("stderr", /jt: job \d+ t\[before\] completed/, 20_000);
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await worker.waitFor("stderr", /jt: the store's tables are gone \(.*\): creating them again\n/, 20_000);
    expect((await p.run(["jobs:enqueue", "t[after]"])).code).toBe(0);
    await worker.waitFor("stderr", /jt: job \d+ t\[after\] completed/, 20_000);
    worker.kill("SIGTERM");
    const exit = await worker.exited;
    expect(exit.code).toBe(143);
    expect(exit.stderr.match(/tables are gone/g)).toHaveLength(1);
  });

  test("SQLite: the jobs table dropped, the migrations table kept: the worker stops with what to do, not an endless log", async ({
    expect,
    onTestFinished,
  }) => {
    const p = storeProject("db/jobs.sqlite3", { onTestFinished });
    const worker = spawnJt(p.root, ["jobs:work"], {}, { onTestFinished });
    await worker.waitFor("stderr", /jt: worker \S+ working/);
    expect((await p.run(["jobs:enqueue", "t[before]"])).code).toBe(0);
    await worker.waitFor("stderr", /jt: job \d+ t\[before\] completed/, 20_000);
    // As a careless script would: another connection drops jt's table.
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(p.path("db/jobs.sqlite3"));
    kept.push(db);
    db.exec("DROP TABLE jt_jobs");
    db.close();
    const exit = await worker.exited;
    expect(exit.code, exit.stderr).toBe(1);
    expect(exit.stderr).toMatch(/jt: the store's tables are gone \(no such table: jt_jobs\): creating them again\n/);
    expect(exit.stderr).toContain(
      "The job store's tables are gone and creating them again did not bring them back (no such table: jt_jobs): run jt jobs:migrate, then start the worker again",
    );
    expect(exit.stderr.match(/tables are gone \(/g)?.length).toBeLessThanOrEqual(2);
  });
});

/** Kept until exit: a garbage-collected better-sqlite3 handle can abort Node 24 (see src/jobs/store/sqlite.ts). */
const kept: object[] = [];
