/**
 * tsconfig `paths` / `baseUrl` on every run (issue 11 §1): the first run compiles through tsx, which
 * resolves aliases itself; later runs are served from jt's compiled cache without tsx, and must
 * resolve every alias to the very file a cold run would, in ES module and CommonJS projects alike.
 */
import { describe, test } from "vitest";
import { project, type TestProject } from "./helpers/project.js";
import { lines } from "./helpers/text.js";

const TSCONFIG = (paths: Record<string, string[]>, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ compilerOptions: { strict: true, paths, ...extra } }, null, 2)}\n`;

/** A task file and an environment whose models both import through `@/…`. */
function aliasedApp(type: "module" | "commonjs"): Record<string, string> {
  return {
    "package.json": `${JSON.stringify({ name: "aliased", private: true, type })}\n`,
    "tsconfig.json": TSCONFIG({ "@/*": ["./src/*"] }),
    "jt.config.json": `{ "environment": "./src/env.ts" }\n`,
    "src/db/client.ts": `export const db = { name: "main db" };\n`,
    "src/models/user.ts": `import { db } from "@/db/client";\nexport const users = () => [\`ann@\${db.name}\`, \`bob@\${db.name}\`];\n`,
    "src/env.ts": [
      `import { defineEnvironment } from "jt";`,
      `import { users } from "@/models/user";`,
      `export default defineEnvironment({ setup: () => ({ users }) });`,
      ``,
    ].join("\n"),
    "tasks/users.ts": [
      `import { task } from "jt";`,
      `import { db } from "@/db/client";`,
      `task("db", () => console.log(db.name));`,
      `task("users", ["environment"], ({ app }) => console.log(app.users().join(", ")));`,
      ``,
    ].join("\n"),
  };
}

async function expectRuns(
  p: TestProject,
  expect: (value: unknown) => { toEqual(expected: unknown): void },
  args: string[],
  stdout: string,
) {
  expect(await p.run(args)).toEqual({ stdout, stderr: "", code: 0, signal: null });
}

describe.concurrent("tsconfig path aliases", () => {
  for (const type of ["module", "commonjs"] as const) {
    test(`${type}: an @/* alias in a task file and in the environment's models, three runs in a row`, async ({
      expect,
      onTestFinished,
    }) => {
      const p = project(aliasedApp(type), { onTestFinished });
      for (let run = 1; run <= 3; run++) {
        await expectRuns(p, expect, ["db", "users"], lines("main db", "ann@main db, bob@main db"));
      }
      await expectRuns(p, expect, ["-T"], "");
    });
  }

  test("an edit of paths between runs: the warm run follows the new alias, not the old answer", async ({ expect, onTestFinished }) => {
    const p = project(aliasedApp("module"), { onTestFinished });
    p.file("other/db/client.ts", `export const db = { name: "other db" };\n`);
    await expectRuns(p, expect, ["db", "users"], lines("main db", "ann@main db, bob@main db"));
    await expectRuns(p, expect, ["db", "users"], lines("main db", "ann@main db, bob@main db"));
    p.file("tsconfig.json", TSCONFIG({ "@/db/*": ["./other/db/*"], "@/*": ["./src/*"] }));
    await expectRuns(p, expect, ["db", "users"], lines("other db", "ann@other db, bob@other db"));
    await expectRuns(p, expect, ["db", "users"], lines("other db", "ann@other db, bob@other db"));
  });

  test("a new file an alias's first substitution now finds, and a moved module", async ({ expect, onTestFinished }) => {
    const files = aliasedApp("commonjs");
    const p = project({ ...files, "tsconfig.json": TSCONFIG({ "@/*": ["./override/*", "./src/*"] }) }, { onTestFinished });
    await expectRuns(p, expect, ["db"], lines("main db"));
    await expectRuns(p, expect, ["db"], lines("main db"));
    p.file("override/db/client.ts", `export const db = { name: "override db" };\n`);
    await expectRuns(p, expect, ["db"], lines("override db"));
    // A relative import remembered by the cache: the module moves from a file into a directory.
    p.file("tasks/users.ts", `import { task } from "jt";\nimport { where } from "./lib";\ntask("db", () => console.log(where));\n`);
    p.file("tasks/lib.ts", `export const where = "lib.ts";\n`);
    await expectRuns(p, expect, ["db"], lines("lib.ts"));
    await expectRuns(p, expect, ["db"], lines("lib.ts"));
    const { rmSync } = await import("node:fs");
    rmSync(p.path("tasks/lib.ts"));
    p.file("tasks/lib/index.ts", `export const where = "lib/index.ts";\n`);
    await expectRuns(p, expect, ["db"], lines("lib/index.ts"));
  });

  test("baseUrl and an extends chain that brings the paths", async ({ expect, onTestFinished }) => {
    const files = aliasedApp("module");
    const p = project(
      {
        ...files,
        "config/tsconfig.base.json": `${JSON.stringify({ compilerOptions: { baseUrl: "..", paths: { "~/*": ["src/*"] } } })}\n`,
        "tsconfig.json": `{ "extends": "./config/tsconfig.base.json" }\n`,
        "tasks/users.ts": `import { task } from "jt";\nimport { db } from "~/db/client";\nimport { users } from "src/models/user2";\ntask("db", () => console.log(db.name, users()));\n`,
        "src/models/user2.ts": `export const users = () => "via baseUrl";\n`,
      },
      { onTestFinished },
    );
    for (let run = 1; run <= 2; run++) await expectRuns(p, expect, ["db"], lines("main db via baseUrl"));
  });
});
