/**
 * Decorator metadata (issue 11 §2): a project whose tsconfig sets `emitDecoratorMetadata` gets its
 * TypeScript compiled by SWC with `design:type` / `design:paramtypes`, as tsc would emit them, on
 * cold runs and on warm runs served from the compiled cache (which must not need SWC at all).
 * The decorators here record through a tiny `Reflect.metadata` of the project's own, so the test
 * needs no library beyond @swc/core (linked from jt's own devDependencies).
 */
import { rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "vitest";
import { project, REPO_ROOT, type TestProject } from "./helpers/project.js";
import { lines } from "./helpers/text.js";

const TSCONFIG = (options: Record<string, unknown>) => `${JSON.stringify({ compilerOptions: { strict: true, ...options } }, null, 2)}\n`;
const METADATA = { experimentalDecorators: true, emitDecoratorMetadata: true, target: "ES2021" };

/** `Reflect.metadata` and `Reflect.getMetadata`, the part of reflect-metadata the emitted code and the decorators use. */
const REFLECT = `const store = new Map<unknown, Map<string, unknown>>();
const slot = (target: object, key?: string | symbol) => \`\${String(key ?? "")}\`;
const R = Reflect as unknown as Record<string, unknown>;
R.metadata = (name: string, value: unknown) => (target: object, key?: string | symbol) => {
  const at = (target as { constructor: unknown }).constructor === Function ? target : key === undefined ? target : (target as { constructor: object }).constructor;
  let map = store.get(at);
  if (!map) store.set(at, (map = new Map()));
  map.set(\`\${name}:\${slot(target, key)}\`, value);
};
export const getMetadata = (name: string, target: object, key?: string) => store.get(target)?.get(\`\${name}:\${key ?? ""}\`);
export const Column = (_type?: () => unknown) => (_target: object, _key: string) => {};
export const Injectable = () => (_target: object) => {};
`;

function app(extraTsconfig: Record<string, unknown> = METADATA): Record<string, string> {
  return {
    "package.json": `${JSON.stringify({ name: "decorated", private: true })}\n`,
    "tsconfig.json": TSCONFIG(extraTsconfig),
    "jt.config.json": `{ "environment": "./src/env.ts" }\n`,
    "src/reflect.ts": REFLECT,
    // TypeORM-style entities that import each other (User <-> Post).
    "src/user.ts": [
      `import { Column } from "./reflect";`,
      `import { Post } from "./post";`,
      `export class User {`,
      `  @Column() name!: string;`,
      `  @Column() age!: number;`,
      `  @Column(() => Post) posts!: Post[];`,
      `}`,
      ``,
    ].join("\n"),
    "src/post.ts": [
      `import { Column } from "./reflect";`,
      `import { User } from "./user";`,
      `export class Post {`,
      `  @Column() title!: string;`,
      `  @Column(() => User) author!: User;`,
      `}`,
      ``,
    ].join("\n"),
    // NestJS-style constructor injection: the container reads design:paramtypes.
    "src/services.ts": [
      `import { Injectable } from "./reflect";`,
      `import { User } from "./user";`,
      `export class Db { query() { return "rows"; } }`,
      `@Injectable()`,
      `export class UsersService {`,
      `  constructor(private readonly db: Db, readonly user: User) {}`,
      `  list() { return this.db.query(); }`,
      `}`,
      ``,
    ].join("\n"),
    "src/env.ts": [
      `import { defineEnvironment } from "jt";`,
      `import { getMetadata } from "./reflect";`,
      `import { UsersService } from "./services";`,
      `export default defineEnvironment({`,
      `  setup() {`,
      `    const types = (getMetadata("design:paramtypes", UsersService) as Function[] | undefined) ?? [];`,
      `    const instances = types.map((type) => new (type as new () => unknown)());`,
      `    return { users: new (UsersService as unknown as new (...args: unknown[]) => UsersService)(...instances), types };`,
      `  },`,
      `});`,
      ``,
    ].join("\n"),
    "tasks/models.ts": [
      `import { task } from "jt";`,
      `import { getMetadata } from "../src/reflect";`,
      `import { User } from "../src/user";`,
      `import { Post } from "../src/post";`,
      `const type = (target: object, key: string) => (getMetadata("design:type", target, key) as { name?: string } | undefined)?.name ?? "none";`,
      `task("columns", () => console.log(["name", "age", "posts"].map((k) => \`User.\${k}: \${type(User, k)}\`).join(", "), "|", \`Post.author: \${type(Post, "author")}\`));`,
      `task("inject", ["environment"], ({ app }) => console.log(app.types.map((t: { name: string }) => t.name).join(","), app.users.list()));`,
      ``,
    ].join("\n"),
  };
}

// user.ts loads post.ts before User exists, so Post.author's design:type cannot name User (tsc
// emits undefined there, SWC Object): the cycle loads, and the relation's thunk finds User later.
const COLUMNS = "User.name: String, User.age: Number, User.posts: Array | Post.author: Object";

function linkSwc(p: TestProject): void {
  p.dir("node_modules");
  symlinkSync(join(REPO_ROOT, "node_modules/@swc"), p.path("node_modules/@swc"), "dir");
}

describe.concurrent("decorator metadata (emitDecoratorMetadata)", () => {
  test("design:type and design:paramtypes in task files, the environment and their imports, cold then warm", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(app(), { onTestFinished });
    linkSwc(p);
    const expected = { stdout: lines(COLUMNS, "Db,User rows"), stderr: "", code: 0, signal: null };
    expect(await p.run(["columns", "inject"])).toEqual(expected);
    expect(await p.run(["columns", "inject"])).toEqual(expected);
    // A warm run is served from the compiled cache: it does not need SWC at all.
    rmSync(p.path("node_modules/@swc"));
    expect(await p.run(["columns", "inject"])).toEqual(expected);
  });

  test("without @swc/core installed: exit 3 and the package to install, never a run without metadata", async ({
    expect,
    onTestFinished,
  }) => {
    const p = project(app(), { onTestFinished });
    const result = await p.run(["columns"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("install @swc/core (npm install --save-dev @swc/core)");
    expect(result.stderr).toContain("emitDecoratorMetadata");
  });

  test("a project that does not ask for metadata keeps tsx; turning it on in tsconfig recompiles", async ({ expect, onTestFinished }) => {
    const p = project(app({ experimentalDecorators: true }), { onTestFinished });
    const none = "User.name: none, User.age: none, User.posts: none | Post.author: none";
    for (let run = 1; run <= 2; run++) expect((await p.run(["columns"])).stdout).toBe(lines(none));
    linkSwc(p);
    p.file("tsconfig.json", TSCONFIG(METADATA));
    expect(await p.run(["columns"])).toEqual({ stdout: lines(COLUMNS), stderr: "", code: 0, signal: null });
    p.file("tsconfig.json", TSCONFIG({ experimentalDecorators: true }));
    expect((await p.run(["columns"])).stdout).toBe(lines(none));
  });

  test("a syntax error in a file SWC compiles: jt's one line with the file, line and column", async ({ expect, onTestFinished }) => {
    const p = project(
      { ...app(), "tasks/models.ts": `import { task } from "jt";\nconst a = 1;\nlet b: number = (;\n` },
      { onTestFinished },
    );
    linkSwc(p);
    const result = await p.run(["-T"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      lines(
        "jt aborted!",
        "Failed to load tasks/models.ts: SyntaxError: Expression expected",
        `${p.path("tasks/models.ts")}:3:18`,
        "",
        "(See full trace by running task with --trace)",
      ),
    );
  });
});
