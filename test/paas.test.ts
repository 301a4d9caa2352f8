/**
 * A production install, as a PaaS builds it: jt packed with `npm pack`, installed with
 * `--omit=dev` into an app with TypeScript tasks, then `jt db:migrate` with no TTY.
 * tsx must come with jt (a runtime dependency), since devDependencies are pruned.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { REPO_ROOT, runJt, sharedProject } from "./helpers/project.js";

const app = sharedProject({
  "package.json": JSON.stringify({ name: "paas-app", private: true, type: "module" }, null, 2),
  "jt.config.json": JSON.stringify({ environment: "./app/environment.ts" }),
  "app/environment.ts": `import { defineEnvironment } from "jobs-and-tasks";
import { readFileSync, writeFileSync } from "node:fs";
interface Schema { version: number }
declare module "jobs-and-tasks" { interface App { schema: Schema; save(): void } }
export default defineEnvironment({
  setup() {
    let schema: Schema = { version: 0 };
    try { schema = JSON.parse(readFileSync("schema.json", "utf8")) as Schema; } catch {}
    return { schema, save: () => writeFileSync("schema.json", JSON.stringify(schema)) };
  },
});
`,
  "tasks/db.ts": `import { desc, namespace, task } from "jobs-and-tasks";
namespace("db", () => {
  desc("Run pending migrations");
  task("migrate", ["environment"], ({ app }) => {
    const target: number = 2;
    while (app.schema.version < target) app.schema.version += 1;
    app.save();
    console.log(\`migrated to version \${app.schema.version}\`);
  });
  task("fail", () => { throw new Error("migration 3 failed"); });
});
`,
});

let installedBin: string;

beforeAll(() => {
  const tarball = execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", app.root], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  }).trim();
  execFileSync(
    "npm",
    ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", join(app.root, tarball.split("\n").pop()!)],
    {
      cwd: app.root,
      stdio: "pipe",
    },
  );
  installedBin = join(app.root, "node_modules/jobs-and-tasks/bin/jt.js");
}, 180_000);

describe("a production install (npm pack, npm install --omit=dev)", () => {
  test("has tsx and no devDependencies", () => {
    const installed = readdirSync(join(app.root, "node_modules"));
    expect(installed).toContain("tsx");
    expect(installed).not.toContain("typescript");
    expect(installed).not.toContain("vitest");
    expect(existsSync(join(app.root, "node_modules/jobs-and-tasks/dist/index.js"))).toBe(true);
    expect(existsSync(join(app.root, "node_modules/jobs-and-tasks/src"))).toBe(false);
    // npm 11 warns about every lifecycle script of an installed package that is not approved.
    const manifest = JSON.parse(readFileSync(join(app.root, "node_modules/jobs-and-tasks/package.json"), "utf8")) as {
      scripts?: Record<string, string>;
    };
    for (const hook of ["preinstall", "install", "postinstall", "prepare"]) expect(manifest.scripts?.[hook]).toBeUndefined();
    expect(existsSync(join(app.root, "node_modules/.bin/jt"))).toBe(true);
  });

  test("runs jt db:migrate from .ts task files, with no TTY and no colour codes", async () => {
    const result = await runJt(["db:migrate"], { cwd: app.root, bin: installedBin });
    expect(result).toMatchObject({ code: 0, stdout: "migrated to version 2\n", stderr: "" });
    expect(JSON.parse(readFileSync(join(app.root, "schema.json"), "utf8"))).toEqual({ version: 2 });
  });

  test("a failing task exits 1, plain text", async () => {
    const result = await runJt(["db:fail"], { cwd: app.root, bin: installedBin });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("jt aborted!\nmigration 3 failed\n");
    expect(result.stderr).not.toMatch(/\u001b\[/);
  });
});
