/**
 * jt's hooks in Node's CommonJS loader (src/load/module-hooks.ts), each on its own, in this test
 * file's process (vitest gives every file its own): the hooks are installed once per process, so
 * the tests run in order, those before tsx registers first. docs/loader.md has the state machine.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CompiledCache } from "../../src/load/compiled-cache.js";
import { moduleHooks, provideTaskFileApi } from "../../src/load/module-hooks.js";

const root = mkdtempSync(join(tmpdir(), "jt-hooks-"));
const path = (...parts: string[]) => join(root, ...parts);
const files: Record<string, string> = {
  "tsconfig.json": JSON.stringify({ compilerOptions: { baseUrl: ".", paths: { "@/*": ["src/*"] } } }),
  "api.cjs": `const a = require("jobs-and-tasks"); const b = require("jt"); module.exports = { same: a === b, marker: a.marker, esModule: a.__esModule };`,
  "src/helper.js": `module.exports = "helper";`,
  "alias.cjs": `module.exports = require("@/helper");`,
  "cached.ts": `export const from: string = "disk";`,
  "dep.js": `module.exports = "dep";`,
  "dep-moved.js": `module.exports = "moved";`,
  "dynamic.js": `module.exports = () => import("node:path");`,
  "node_modules/pkg/index.js": `module.exports = "package";`,
  "uses-pkg.js": `module.exports = require("pkg");`,
  "models.ts": `export const model: string = "model";`,
  "ts-style.ts": `import { model } from "./models.js";\nexport default model;`,
  "late.ts": `export const from: string = "disk";`,
  "typed.ts": `const n: number = 2;\nexport default n;`,
};
const WARM = ["api.cjs", "src/helper.js", "alias.cjs", "dep-moved.js", "dynamic.js", "uses-pkg.js"];
const cacheDir = path(".compiled");
const cache = new CompiledCache(cacheDir, () => "fingerprint");
const load = createRequire(path("index.js"));
const workingDirectory = process.cwd();
const tsxLoaded = () => Object.keys(require.cache).some((file) => file.includes("/node_modules/tsx/"));
const require = createRequire(import.meta.url);
let hooks: ReturnType<typeof moduleHooks>;

beforeAll(() => {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(path(file)), { recursive: true });
    writeFileSync(path(file), content);
  }
  // A warm run: every local module the first tests load has a compiled copy (any other local
  // module, even plain JavaScript, goes to tsx, which compiles ESM syntax in .js files)...
  for (const file of WARM) cache.put(path(file), files[file]!, {}, Date.now());
  cache.put(path("late.ts"), `exports.from = "cache"; exports.api = require("jobs-and-tasks").marker;`, {}, Date.now());
  cache.put(path("ts-style.ts"), `exports.model = require("./models.js").model;`, {}, Date.now());
  // ...and this one's differs from the file on disk, so a test can tell which one ran.
  cache.put(path("cached.ts"), `exports.from = "cache"; exports.dep = require("./dep");`, { "./dep": path("dep-moved.js") }, Date.now());
  // tsx and jt read the tsconfig from the working directory, as a run from the project root does.
  process.chdir(root);
  provideTaskFileApi({ marker: "the running jt" });
  hooks = moduleHooks(cache);
});

afterAll(() => {
  process.chdir(workingDirectory);
  rmSync(root, { recursive: true, force: true });
});

describe("before tsx is registered", () => {
  test("require('jobs-and-tasks') and require('jt') give the API the command line provided, as an ES module", () => {
    expect(load("./api.cjs")).toEqual({ same: true, marker: "the running jt", esModule: true });
  });

  test("a cached module runs its compiled copy, its relative imports resolving as remembered, and tsx stays unloaded", () => {
    expect({ ...load("./cached.ts") }).toEqual({ from: "cache", dep: "moved" });
    expect(tsxLoaded()).toBe(false);
  });

  test("a tsconfig `paths` alias resolves as tsx would resolve it, without tsx", () => {
    expect(load("./alias.cjs")).toBe("helper");
    expect(tsxLoaded()).toBe(false);
  });

  test("the project's own modules are noted, a package's are not; import() in one is noticed", () => {
    expect(load("./uses-pkg.js")).toBe("package");
    expect(hooks.usesDynamicImport).toBe(false);
    load("./dynamic.js");
    expect(hooks.usesDynamicImport).toBe(true);
    expect([...hooks.localModules].map((file) => file.slice(root.length + 1)).sort()).toEqual([
      "alias.cjs",
      "api.cjs",
      "cached.ts",
      "dep-moved.js",
      "dynamic.js",
      "src/helper.js",
      "uses-pkg.js",
    ]);
  });
});

describe("tsx registers at the first module that needs it", () => {
  test("a request only TypeScript's rules resolve (./models.js meaning models.ts) registers tsx, which resolves and compiles it", () => {
    expect(tsxLoaded()).toBe(false);
    expect(load("./ts-style.ts").model).toBe("model");
    expect(tsxLoaded()).toBe(true);
  });

  test("what tsx compiled is saved for the next run, and a fresh cache on the same directory serves it", () => {
    expect(load("./typed.ts").default).toBe(2);
    expect(new CompiledCache(cacheDir, () => "fingerprint").get(path("typed.ts"))).toBeUndefined();
    hooks.saveCompiled();
    const saved = new CompiledCache(cacheDir, () => "fingerprint").get(path("typed.ts"));
    expect(saved?.code).toContain("const n=2;");
    expect(saved?.code).not.toContain(": number");
    // Modules served from the cache are not saved again as if tsx had compiled them.
    expect(new CompiledCache(cacheDir, () => "fingerprint").get(path("cached.ts"))?.code).toContain(`exports.from = "cache"`);
  });

  test("jt's layer stays outermost: after tsx wrapped the loader, a cached module is still served from the cache, and jt still resolves", () => {
    expect(tsxLoaded()).toBe(true);
    expect({ ...load("./late.ts") }).toEqual({ from: "cache", api: "the running jt" });
  });

  test("a compiled copy made under another tsconfig is not used", () => {
    expect(new CompiledCache(cacheDir, () => "another tsconfig").get(path("typed.ts"))).toBeUndefined();
  });
});
