/**
 * jt in the apps people have (issue 11 §3): small real apps in test/apps, installed with their real
 * libraries, each run as its users run it — `environment` boots the app's models, a task reads them
 * with bracket args, app code (not a task) enqueues a job, `jt jobs:workoff` runs it on PostgreSQL —
 * once cold (no cache of jt's) and once warm (served from jt's manifest and compiled-code caches).
 *
 * - drizzle: Drizzle ORM + pg, an ES module project, `@/*` tsconfig path aliases everywhere.
 * - typeorm: TypeORM entities with bare `@Column()` (decorator metadata, through SWC) and a
 *   User ↔ Post relation whose entity files import each other.
 * - nestjs: NestJS 12 (ES modules), `createApplicationContext`, constructor injection.
 * - knex: Knex in a CommonJS JavaScript project.
 * - monorepo: npm workspaces, jt run from the `packages/api` folder, models from `@mono/db`.
 * - express: Express 5 and pg, the job enqueued inside the request's own transaction; its server
 *   is also started, as `npm start` would, and sent requests.
 * - kysely: Kysely's typed query builder on pg, ES modules.
 * - sequelize: Sequelize 6 models in a CommonJS TypeScript project with `@/*` aliases.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { installedApp, realApp } from "./helpers/real-app.js";
import { spawnJt } from "./helpers/spawn.js";
import { adminClient, dropSchema, freshSchemaName, POSTGRES_URL, storeUrl } from "./helpers/postgres.js";

const APPS: { app: string; cwd?: string }[] = [
  { app: "drizzle" },
  { app: "typeorm" },
  { app: "nestjs" },
  { app: "knex" },
  { app: "monorepo", cwd: "packages/api" },
  { app: "express" },
  { app: "kysely" },
  { app: "sequelize" },
];

let admin: pg.Client;
beforeAll(async () => {
  admin = await adminClient();
});
afterAll(async () => {
  await admin?.end();
});

describe.each(APPS)("the $app app", ({ app, cwd }) => {
  beforeAll(() => {
    installedApp(app);
  }, 240_000);

  test("boots its models, runs a task with args, enqueues from app code and works the job off: cold, then warm", async ({
    onTestFinished,
  }) => {
    const p = realApp(app, onTestFinished);
    const schema = freshSchemaName();
    onTestFinished(() => dropSchema(admin, schema));
    const cache = p.path(".jt-cache");
    const env = { DATABASE_URL: POSTGRES_URL, APP_SCHEMA: schema, JT_JOBS_URL: storeUrl(schema), JT_CACHE_DIR: cache };
    const jt = (...args: string[]) => p.run(args, { cwd, env, timeoutMs: 60_000 });

    const users = [
      ["cold", "alice", "Alice Liddell"],
      ["warm", "bob", "Bob Builder"],
    ] as const;
    for (const [index, [pass, login, name]] of users.entries()) {
      const listing = await jt("-T");
      expect({ pass, ...listing }).toMatchObject({ pass, code: 0, stderr: "" });
      expect(listing.stdout).toMatch(/^jt users:create\[login,name\] +# Create a user/m);
      expect(listing.stdout).toMatch(/^jt users:show\[login\] +# Show a user and their posts/m);

      expect({ pass, ...(await jt("db:migrate")) }).toMatchObject({ pass, code: 0, stdout: "db:migrate: users, posts\n", stderr: "" });
      expect({ pass, ...(await jt(`users:create[${login},${name}]`)) }).toMatchObject({
        pass,
        code: 0,
        stdout: `users:create: ${login} (welcome mail is job ${index + 1})\n`,
        stderr: "",
      });
      expect({ pass, ...(await jt(`users:show[${login}]`)) }).toMatchObject({
        pass,
        code: 0,
        stdout: `${login}: ${name}; posts: none\n`,
        stderr: "",
      });

      const work = await jt("jobs:workoff");
      expect({ pass, code: work.code }).toEqual({ pass, code: 0 });
      expect(work.stdout).toContain(`job ${index + 1} mail:welcome[${login}]: mail:welcome: ${login}`);
      expect(work.stderr).toContain("worker stopped: 1 completed, 0 failed for good");

      expect({ pass, ...(await jt(`users:show[${login}]`)) }).toMatchObject({
        pass,
        code: 0,
        stdout: `${login}: ${name}; posts: Welcome, ${name}!\n`,
        stderr: "",
      });
      // What the warm pass is served from: the manifest and the compiled code the cold pass cached.
      expect(readdirSync(cache).length).toBeGreaterThan(0);
    }
  }, 180_000);
});

describe("the express app's server", () => {
  beforeAll(() => {
    installedApp("express");
  }, 240_000);

  test("a request enqueues in its transaction: a rolled-back request leaves no job, the committed one runs", async ({ onTestFinished }) => {
    const p = realApp("express", onTestFinished);
    const schema = freshSchemaName();
    onTestFinished(() => dropSchema(admin, schema));
    const env = { DATABASE_URL: POSTGRES_URL, APP_SCHEMA: schema, JT_JOBS_URL: storeUrl(schema), JT_CACHE_DIR: p.path(".jt-cache") };
    expect(await p.run(["db:migrate"], { env })).toMatchObject({ code: 0, stdout: "db:migrate: users, posts\n" });

    const server = spawnJt(p.root, [], { env: { ...env, PORT: "0" }, bin: "server.js", timeoutMs: 60_000 }, { onTestFinished });
    const [, port] = await server.waitFor("stdout", /listening on (\d+)/);
    const post = async (body: object) => {
      const response = await fetch(`http://127.0.0.1:${port}/users`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    };

    expect(await post({ login: "carol", name: "Carol Danvers", email: "carol@example.com" })).toEqual({
      status: 201,
      body: { login: "carol", welcomeJob: 1 },
    });
    // Dave's address is taken: his user and his job were written, then the transaction rolled back.
    expect(await post({ login: "dave", name: "Dave Lister", email: "carol@example.com" })).toMatchObject({ status: 422 });

    const work = await p.run(["jobs:workoff"], { env });
    expect(work.code).toBe(0);
    expect(work.stdout).toContain("job 1 mail:welcome[carol]: mail:welcome: carol");
    expect(work.stderr).toContain("worker stopped: 1 completed, 0 failed for good");
    // jt's dashboard, mounted with app.use("/admin/jobs", …) behind the app's own check.
    const page = (path: string, headers: Record<string, string> = { "x-admin": "yes" }) =>
      fetch(`http://127.0.0.1:${port}${path}`, { headers }).then(async (response) => ({
        status: response.status,
        html: await response.text(),
      }));
    expect((await page("/admin/jobs/jobs/1", {})).status).toBe(401);
    const job = await page("/admin/jobs/jobs/1");
    expect(job.status).toBe(200);
    expect(job.html).toContain("<h1>Job 1: mail:welcome[carol]</h1>");
    expect(job.html).toContain('<td class="state-completed" id="state">completed</td>');
    expect((await page("/admin/jobs/")).html).toContain('<a href="/admin/jobs/jobs?queue=default&amp;state=completed">1</a>');
    server.kill("SIGTERM");
    expect(await server.exited).toMatchObject({ code: 0, stderr: "" });
    expect(await p.run(["users:show[carol]"], { env })).toMatchObject({
      code: 0,
      stdout: "carol: Carol Danvers; posts: Welcome, Carol Danvers!\n",
      stderr: "",
    });
    expect(await p.run(["users:show[dave]"], { env })).toMatchObject({ code: 1, stderr: expect.stringContaining("No user 'dave'") });
    const jobs = await p.run(["jobs:list", "--json"], { env });
    expect((JSON.parse(jobs.stdout) as { args: string[] }[]).map((job) => job.args)).toEqual([["carol"]]);
  }, 120_000);
});

describe("the jest app: jt's testing helpers under Jest", () => {
  beforeAll(() => {
    installedApp("jest");
  }, 240_000);

  test("its tests run tasks and drain jobs with runTask and testJobs, and pass", async ({ onTestFinished }) => {
    const installed = installedApp("jest");
    const p = realApp("jest", onTestFinished);
    // jt's testing helpers are ES modules: Jest loads them with its (experimental) VM modules.
    const jest = spawnJt(
      p.root,
      ["--ci"],
      { bin: join(installed, "node_modules/jest/bin/jest.js"), env: { NODE_OPTIONS: "--experimental-vm-modules" }, timeoutMs: 120_000 },
      { onTestFinished },
    );
    const { code, stderr } = await jest.exited;
    expect(stderr).toMatch(/Tests: +3 passed, 3 total/);
    expect(code).toBe(0);
  }, 180_000);
});
