/**
 * Imports task files. The fast path is tsx's in-thread CommonJS hook and `require()`: .ts files
 * compile through tsx (cached on disk by tsx), .mjs/.js ES modules load through Node's
 * require(esm). tsx's ES module hooks cost ~150 ms more on Node 20 (they run on a loader thread),
 * so they are registered only when needed: a file that cannot be require()d (top-level await,
 * an import-only package), or loaded code that calls `import()` (which then needs to understand .ts).
 * Either way, `import … from "jt"` reaches the running jt.
 */
import Module, { createRequire } from "node:module";
import { relative } from "node:path";
import { pathToFileURL } from "node:url";
import * as jtApi from "../index.js";
import { DefinitionError } from "../errors.js";
import { JT_ENTRY } from "../package-paths.js";
import type { Registry } from "../registry/registry.js";
import { headline } from "../report/errors.js";

const require = createRequire(import.meta.url);

interface ModuleInternals {
  _resolveFilename(request: string, ...rest: unknown[]): string;
  _cache: Record<string, unknown>;
  prototype: { _compile(content: string, filename: string): unknown };
}
const CjsModule = Module as unknown as ModuleInternals & (new (id: string) => Record<string, unknown>);

let cjsReady = false;
let esmReady: Promise<void> | undefined;
let codeUsesDynamicImport = false;

function setUpCommonJs(): void {
  if (cjsReady) return;
  cjsReady = true;
  // The CommonJS build of tsx's API loads faster through require() than its ESM build through import().
  const { register } = require("tsx/cjs/api") as typeof import("tsx/cjs/api");
  register();
  // require("jt") → this very module instance, with no second copy.
  const entry = new CjsModule(JT_ENTRY);
  Object.assign(entry, { filename: JT_ENTRY, loaded: true, exports: jtApi, paths: [] });
  CjsModule._cache[JT_ENTRY] = entry;
  const resolveFilename = CjsModule._resolveFilename;
  CjsModule._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === "jt" ? JT_ENTRY : resolveFilename.call(this, request, ...rest);
  };
  const compile = CjsModule.prototype._compile;
  CjsModule.prototype._compile = function (this: unknown, content: string, filename: string) {
    if (!codeUsesDynamicImport && !filename.includes("/node_modules/") && /\bimport\s*\(/.test(content)) {
      codeUsesDynamicImport = true;
    }
    return compile.call(this, content, filename);
  };
}

function setUpEsm(): Promise<void> {
  esmReady ??= (async () => {
    const { register } = await import("tsx/esm/api");
    register();
    Module.register(new URL("./jt-resolve-hook.js", import.meta.url), { data: { jtUrl: pathToFileURL(JT_ENTRY).href } });
  })();
  return esmReady;
}

const NEEDS_ESM = new Set(["ERR_REQUIRE_ASYNC_MODULE", "ERR_REQUIRE_ESM", "ERR_PACKAGE_PATH_NOT_EXPORTED"]);

/** Loads one module (a task file, a .ts config) and returns its exports. */
export async function importModule(file: string): Promise<unknown> {
  setUpCommonJs();
  try {
    return require(file);
  } catch (error) {
    if (!NEEDS_ESM.has((error as { code?: string }).code ?? "")) throw error;
    await setUpEsm();
    return import(pathToFileURL(file).href);
  }
}

/** Loads every task file into the registry, in order; the first that fails stops the run. */
export async function loadTaskFiles(files: readonly string[], registry: Registry): Promise<void> {
  for (const file of files) {
    registry.startFile();
    try {
      await importModule(file);
    } catch (error) {
      throw loadFailure(file, error);
    }
  }
  registry.startFile();
  // Task actions may import() .ts modules later; only the ESM hooks can load those.
  if (codeUsesDynamicImport) await setUpEsm();
}

function loadFailure(file: string, error: unknown): DefinitionError {
  if (error instanceof DefinitionError) return error;
  const shown = relative(process.cwd(), file) || file;
  const syntax = compileErrorLocation(error);
  if (syntax) {
    return new DefinitionError(`Failed to load ${shown}: SyntaxError: ${syntax.message}`, [syntax.location], { cause: error });
  }
  return new DefinitionError(`Failed to load ${shown}: ${headline(error)}`, [], { cause: error });
}

/** esbuild reports "file:line:col: ERROR: message"; Node's own SyntaxError starts its stack with "file:line". */
function compileErrorLocation(error: unknown): { message: string; location: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const esbuild = /^(\/[^\n]*?:\d+:\d+): ERROR: (.*)$/m.exec(error.message);
  if (esbuild) return { location: esbuild[1]!, message: esbuild[2]! };
  if (error.name === "SyntaxError") {
    const node = /^(\/[^\n]*?:\d+)\n/.exec(error.stack ?? "");
    if (node) return { location: node[1]!, message: error.message };
  }
  return undefined;
}
