/**
 * Imports task files and other project modules (a .ts config, the environment module). They load
 * through Node's in-thread CommonJS loader with jt's hooks (module-hooks.ts): unchanged modules from
 * the compiled cache, others compiled by tsx. tsx's ES module hooks cost ~150 ms more on Node 20
 * (they run on a loader thread), so they are registered only when needed: a file that cannot be
 * require()d (top-level await, an import-only package), or loaded code that calls `import()` (which
 * then needs to understand .ts). Either way, `import … from "jobs-and-tasks"` reaches the running jt.
 */
import Module, { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { DefinitionError, LoadFailures } from "../errors.js";
import { JT_DIST, JT_ENTRY, JT_OWN_DIRS } from "../package-paths.js";
import type { Registry } from "../registry/registry.js";
import { headline, userFrames } from "../report/errors.js";
import type { CompiledCache } from "./compiled-cache.js";
import { recordingEnvReads } from "./env-reads.js";
import { moduleHooks } from "./module-hooks.js";
export { provideTaskFileApi } from "./module-hooks.js";
import { needsDecoratorMetadata } from "./tsconfig-paths.js";

const require = createRequire(import.meta.url);

let esmReady: Promise<void> | undefined;
/**
 * Whether modules load through the host's own `import()` and nothing else: in a test runner that
 * sandboxes modules (Jest), whose loader compiles what it loads (its transforms) and refuses
 * loader hooks.
 */
let hostImport = false;

/** Loads every module through the host's `import()` from now on (see `hostImport`). */
export function loadThroughHostImport(): void {
  hostImport = true;
}
/** Whether a module loaded through import(), whose imports this process cannot see. */
let loadedThroughEsm = false;

/** The CommonJS hooks, with the compiled cache of this project when there is one. */
export function useCompiledCache(cache: CompiledCache | undefined): void {
  moduleHooks(cache);
}

function setUpEsm(): Promise<void> {
  esmReady ??= (async () => {
    moduleHooks().registerTsx();
    const { register } = await import("tsx/esm/api");
    register();
    const hook = pathToFileURL(join(JT_DIST, "load", "jt-resolve-hook.js"));
    Module.register(hook, { data: { jtUrl: pathToFileURL(JT_ENTRY).href } });
  })();
  return esmReady;
}

/** Loading task files as ES modules (tsx's ESM hooks, esbuild) would drop decorator metadata: never silently. */
function refuseEsmWithoutMetadata(file: string, why: string): void {
  if (!needsDecoratorMetadata()) return;
  const shown = relative(process.cwd(), file) || file;
  throw new DefinitionError(
    `${shown} would load as an ES module (${why}), where jt cannot emit the decorator metadata tsconfig asks for: load it through require() (no top-level await, set JT_LOADER=cjs), or point jt at compiled output`,
  );
}

const NEEDS_ESM = new Set(["ERR_REQUIRE_ASYNC_MODULE", "ERR_REQUIRE_ESM", "ERR_PACKAGE_PATH_NOT_EXPORTED"]);

/** Errors of require() that import() does not have: top-level await (also as esbuild reports it in a .ts file), import-only packages. */
function needsEsm(error: unknown): boolean {
  if (NEEDS_ESM.has((error as { code?: string } | undefined)?.code ?? "")) return true;
  return error instanceof Error && error.message.includes('Top-level await is currently not supported with the "cjs" output format');
}

/** Loads one module (a task file, a .ts config) and returns its exports. */
export async function importModule(file: string): Promise<unknown> {
  if (hostImport) return import(pathToFileURL(file).href);
  const hooks = moduleHooks();
  try {
    const loaded: unknown = require(file);
    // The environment module and what it imports: cached like the task files, for the next run.
    hooks.saveCompiled();
    return loaded;
  } catch (error) {
    if (!needsEsm(error)) throw error;
    refuseEsmWithoutMetadata(file, headline(error));
    await setUpEsm();
    loadedThroughEsm = true;
    return import(pathToFileURL(file).href);
  }
}

/**
 * Loads every task file into the registry, in order. One that fails does not stop the others:
 * a user who just broke one file hears of it even when another was already broken.
 * In a "type": "module" project, a module loaded by require() and again by import() would exist
 * twice, so when a task file there calls import(), everything loads through ES modules.
 * JT_LOADER=esm forces that path (strict ESM semantics, slower start-up).
 */
export async function loadTaskFiles(
  files: readonly string[],
  registry: Registry,
  projectRoot: string,
  /** How many task files the project has, for "2 of 5 task files failed to load" (these files, by default). */
  of = files.length,
): Promise<LoadResult> {
  const mode = process.env.JT_LOADER;
  const allEsm = !hostImport && (mode === "esm" || (mode !== "cjs" && isModuleScope(projectRoot) && files.some(usesDynamicImport)));
  const throughImport = allEsm || hostImport;
  const hooks = moduleHooks();
  hooks.expectCompiles(files);
  if (allEsm) {
    refuseEsmWithoutMetadata(
      files[0] ?? projectRoot,
      mode === "esm" ? "JT_LOADER=esm" : 'a task file calls import() in a "type": "module" project',
    );
    await setUpEsm();
  }
  const failures: DefinitionError[] = [];
  const { env } = await recordingEnvReads(async () => {
    for (const file of files) {
      registry.startFile();
      try {
        if (throughImport) await import(pathToFileURL(file).href);
        else await importModule(file);
      } catch (error) {
        failures.push(describeLoadFailure(file, error));
      }
    }
  });
  registry.startFile();
  hooks.saveCompiled();
  // Task actions may import() .ts modules later; only the ESM hooks can load those (the host's loader, there).
  if (hooks.usesDynamicImport && !hostImport) await setUpEsm();
  return {
    modules: [...files, ...hooks.localModules],
    env,
    complete: !throughImport && !loadedThroughEsm,
    failure: oneFailure(failures, of),
  };
}

function oneFailure(failures: readonly DefinitionError[], of: number): DefinitionError | undefined {
  if (failures.length <= 1) return failures[0];
  return new LoadFailures(failures, of);
}

export interface LoadResult {
  /** The task files and every local module they loaded. */
  modules: string[];
  /** Environment variables read while loading, with their values. */
  env: Record<string, string | null>;
  /** False when some module loaded through import(), so `modules` may miss some of its imports. */
  complete: boolean;
  /** The task files that failed to load (the others are in the registry), as one error. */
  failure: DefinitionError | undefined;
}

function actualFile(reported: string, loading: string): string {
  if (existsSync(reported)) return reported;
  const stem = (path: string) => path.replace(/\.[cm]?[jt]s$/, "");
  return stem(reported) === stem(loading) ? loading : reported;
}

/** The error jt reports for a module (task file, environment) that fails to load: its path, the reason, the line. */
export function describeLoadFailure(file: string, error: unknown): DefinitionError {
  if (error instanceof DefinitionError) {
    // A bad definition (a redefinition with other args, an invalid name): say where it was made.
    const where = userFrames(error, JT_OWN_DIRS)
      .slice(0, 1)
      .map((loc) => `${loc.file}:${loc.line}:${loc.column}`);
    return where.length === 0 || error.cause !== undefined ? error : new DefinitionError(error.message, [...error.details, ...where]);
  }
  const shown = relative(process.cwd(), file) || file;
  const syntax = compileErrorLocation(error, file);
  if (syntax) {
    const hint = syntax.message.startsWith("Top-level await")
      ? ['Top-level await needs an ES module: rename the file to .mts, or set "type": "module" in package.json']
      : [];
    return new DefinitionError(`Failed to load ${shown}: SyntaxError: ${syntax.message}`, [syntax.location, ...hint], { cause: error });
  }
  return new DefinitionError(`Failed to load ${shown}: ${headline(error)}`, [], { cause: error });
}

function usesDynamicImport(file: string): boolean {
  try {
    return /\bimport\s*\(/.test(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}

/** Whether .js/.ts files in `dir` are ES modules: the nearest package.json says "type": "module". */
function isModuleScope(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    try {
      return (JSON.parse(readFileSync(join(at, "package.json"), "utf8")) as { type?: unknown }).type === "module";
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") return false;
    }
    if (dirname(at) === at) return false;
  }
}

/** esbuild reports "file:line:col: ERROR: message"; Node's own SyntaxError starts its stack with "file:line". */
function compileErrorLocation(error: unknown, loading: string): { message: string; location: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const esbuild = /^(\/[^\n]*?):(\d+):(\d+): ERROR: (.*)$/m.exec(error.message);
  if (esbuild) {
    // esbuild's columns count from 0; tsx names a .mjs/.mts file ".js"/".ts" when it compiles it.
    return { location: `${actualFile(esbuild[1]!, loading)}:${esbuild[2]}:${Number(esbuild[3]) + 1}`, message: esbuild[4]! };
  }
  if (error.name === "SyntaxError") {
    const node = /^(\/[^\n]*?:\d+)\n/.exec(error.stack ?? "");
    if (node) return { location: node[1]!, message: error.message };
  }
  return undefined;
}
