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
 */
import { readdirSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { installedApp, realApp } from "./helpers/real-app.js";
import { adminClient, dropSchema, freshSchemaName, POSTGRES_URL, storeUrl } from "./helpers/postgres.js";

const APPS: { app: string; cwd?: string }[] = [{ app: "drizzle" }, { app: "typeorm" }, { app: "nestjs" }, { app: "knex" }, { app: "monorepo", cwd: "packages/api" }];

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

  test("boots its models, runs a task with args, enqueues from app code and works the job off: cold, then warm", async ({ onTestFinished }) => {
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
      expect({ pass, ...(await jt(`users:show[${login}]`)) }).toMatchObject({ pass, code: 0, stdout: `${login}: ${name}; posts: none\n`, stderr: "" });

      const work = await jt("jobs:workoff");
      expect({ pass, code: work.code }).toEqual({ pass, code: 0 });
      expect(work.stdout).toContain(`job ${index + 1} mail:welcome[${login}]: mail:welcome: ${login}`);
      expect(work.stderr).toContain("worker stopped: 1 completed, 0 failed for good");

      expect({ pass, ...(await jt(`users:show[${login}]`)) }).toMatchObject({ pass, code: 0, stdout: `${login}: ${name}; posts: Welcome, ${name}!\n`, stderr: "" });
      // What the warm pass is served from: the manifest and the compiled code the cold pass cached.
      expect(readdirSync(cache).length).toBeGreaterThan(0);
    }
  }, 180_000);
});
