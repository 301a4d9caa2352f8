/**
 * jt's hooks in Node's CommonJS loader, which task files load through (require() is in-thread and
 * cheap; the ES module hooks run on a separate thread and cost ~150 ms on Node 20):
 *
 * - `require("jobs-and-tasks")` (and `require("jt")`) resolves to the running jt, even where no node_modules/jobs-and-tasks exists;
 * - the project's own modules are served from the compiled cache when unchanged, so a warm run
 *   never loads tsx; tsx's CommonJS hook registers only at the first module that needs compiling;
 * - a project that asks for decorator metadata (tsconfig `emitDecoratorMetadata`) has its own
 *   TypeScript modules compiled by SWC instead (metadata-compiler.ts); tsx still resolves;
 * - what tsx compiles, and how relative imports resolve, is recorded for the cache; the local
 *   modules loaded, and whether any calls `import()`, are noted for the loader and the manifest.
 */
import { existsSync, readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { JT_ENTRY, JT_OWN_DIRS, JT_SPECIFIERS } from "../package-paths.js";
import type { CompiledCache } from "./compiled-cache.js";
import { compileWithMetadata } from "./metadata-compiler.js";
import { needsDecoratorMetadata, pathAliasCandidates } from "./tsconfig-paths.js";

const require = createRequire(import.meta.url);

type Handler = (module: CjsModuleInstance, filename: string) => void;
type Resolve = (this: unknown, request: string, parent: CjsModuleInstance | undefined, ...rest: unknown[]) => string;
interface CjsModuleInstance {
  filename: string;
  _compile(content: string, filename: string): unknown;
}
interface ModuleInternals {
  _resolveFilename: Resolve;
  _cache: Record<string, unknown>;
  _extensions: Record<string, Handler>;
  prototype: { _compile(this: CjsModuleInstance, content: string, filename: string): unknown };
}
const CjsModule = Module as unknown as ModuleInternals & (new (id: string) => Record<string, unknown>);

/** Extensions of the project's modules that tsx compiles, and so the cache can serve. */
const SERVED_EXTENSIONS = [".ts", ".mts", ".cts", ".mjs", ".js"];
const TYPESCRIPT_EXTENSIONS = new Set([".ts", ".mts", ".cts"]);

export function isLocalModule(filename: string): boolean {
  return !filename.includes("/node_modules/") && !JT_OWN_DIRS.some((dir) => filename.startsWith(dir));
}

function isRelative(request: string): boolean {
  return request.startsWith("./") || request.startsWith("../") || request.startsWith("/");
}

class ModuleHooks {
  /** The project's own modules loaded so far: what the task files depend on. */
  readonly localModules = new Set<string>();
  usesDynamicImport = false;
  private tsxRegistered = false;
  private generation = 0;
  private readonly startedAt = Date.now();
  private readonly servedFromCache = new Set<string>();
  private readonly compiled = new Map<string, string>();
  private readonly resolutions = new Map<string, Record<string, string>>();

  constructor(private readonly cache: CompiledCache | undefined) {
    this.seedJtModule();
    this.observeCompiles();
    this.layer();
    if (cache)
      process.setSourceMapsEnabled(true); // cached code carries tsx's inline source maps
    else this.registerTsx();
  }

  /** tsx's CommonJS hook, for code the cache cannot serve (registered at most once). */
  registerTsx(): void {
    if (this.tsxRegistered) return;
    this.tsxRegistered = true;
    // esbuild compiles on a worker thread that takes ~70 ms to start; for the few files an edit
    // leaves uncompiled, a process per file is quicker. Read once, when esbuild loads.
    const threads = process.env.ESBUILD_WORKER_THREADS;
    if (threads === undefined && this.fewToCompile) process.env.ESBUILD_WORKER_THREADS = "0";
    try {
      // The CommonJS build of tsx's API loads faster through require() than its ESM build through import().
      (require("tsx/cjs/api") as typeof import("tsx/cjs/api")).register();
    } finally {
      if (threads === undefined) delete process.env.ESBUILD_WORKER_THREADS;
    }
    // tsx wrapped the loader's functions; wrap them again so that jt's layer stays outermost.
    this.layer();
  }

  /** True when the files about to load have a compiled copy, but for one or two. */
  private fewToCompile = false;

  /** Notes how many of the files about to load the cache cannot serve. */
  expectCompiles(files: readonly string[]): void {
    if (!this.cache || this.tsxRegistered) return;
    const missing = files.filter((file) => this.cache!.get(file) === undefined).length;
    this.fewToCompile = missing <= 2;
  }

  /** Stores what tsx compiled in this process, for the next run. */
  saveCompiled(): void {
    if (!this.cache) return;
    for (const [file, code] of this.compiled) this.cache.put(file, code, this.resolutions.get(file) ?? {}, this.startedAt);
    this.compiled.clear();
  }

  /** require("jobs-and-tasks") gives the running jt's public API (see `provideTaskFileApi`), with `__esModule` and live getters so esbuild's interop sees an ES module. */
  private seedJtModule(): void {
    const exports = Object.defineProperty({}, "__esModule", { value: true });
    if (!taskFileApi) throw new Error("jt: the public API must be provided (provideTaskFileApi) before any module loads");
    for (const [key, value] of Object.entries(taskFileApi)) Object.defineProperty(exports, key, { enumerable: true, get: () => value });
    const entry = new CjsModule(JT_ENTRY);
    Object.assign(entry, { filename: JT_ENTRY, loaded: true, exports, paths: [] });
    CjsModule._cache[JT_ENTRY] = entry;
  }

  private observeCompiles(): void {
    const compile = CjsModule.prototype._compile;
    const hooks = this;
    CjsModule.prototype._compile = function (content, filename) {
      if (isLocalModule(filename)) {
        hooks.localModules.add(filename);
        if (!hooks.usesDynamicImport && /\bimport\s*\(/.test(content)) hooks.usesDynamicImport = true;
        if (hooks.tsxRegistered && !hooks.servedFromCache.has(filename) && !hooks.compiled.has(filename))
          hooks.compiled.set(filename, content);
      }
      return compile.call(this, content, filename);
    };
  }

  /** Puts jt's resolver and extension handlers around whatever is there now (Node's, or tsx's). */
  private layer(): void {
    const generation = ++this.generation;
    const hooks = this;
    const next = CjsModule._resolveFilename;
    CjsModule._resolveFilename = function (request, parent, ...rest) {
      if (JT_SPECIFIERS.has(request)) return JT_ENTRY;
      if (generation !== hooks.generation) return next.call(this, request, parent, ...rest);
      const from = parent?.filename;
      const known = from === undefined ? undefined : hooks.cache?.get(from)?.resolved[request];
      // (A remembered answer only while that file is still there: a moved module resolves anew.)
      if (known !== undefined && hooks.servedFromCache.has(from!) && existsSync(known)) return known;
      const local = from !== undefined && isLocalModule(from);
      if (local && !hooks.tsxRegistered && !isRelative(request) && !Module.isBuiltin(request)) {
        // tsx (once registered) resolves tsconfig `paths` itself; until then, jt tries them as tsx does: aliases first.
        for (const candidate of pathAliasCandidates(request)) {
          try {
            return next.call(this, candidate, parent, ...rest);
          } catch {
            // the next candidate, then the request as it is
          }
        }
      }
      let resolved: string;
      try {
        resolved = next.call(this, request, parent, ...rest);
      } catch (error) {
        // `./models.js` meaning models.ts, an alias to `@/db/client.js`, and other TypeScript-style imports: tsx knows them.
        if (hooks.tsxRegistered || !local) throw error;
        hooks.registerTsx();
        return CjsModule._resolveFilename.call(this, request, parent, ...rest);
      }
      if (local && isRelative(request)) {
        let map = hooks.resolutions.get(from);
        if (!map) {
          map = {};
          hooks.resolutions.set(from, map);
        }
        map[request] = resolved;
      }
      return resolved;
    };
    for (const extension of SERVED_EXTENSIONS) {
      const fallback = CjsModule._extensions[extension];
      CjsModule._extensions[extension] = (module, filename) => {
        const cached = hooks.cache && isLocalModule(filename) ? hooks.cache.get(filename) : undefined;
        if (cached) {
          hooks.servedFromCache.add(filename);
          module._compile(cached.code, filename);
          return;
        }
        if (TYPESCRIPT_EXTENSIONS.has(extension) && isLocalModule(filename) && needsDecoratorMetadata()) {
          const code = compileWithMetadata(readFileSync(filename, "utf8"), filename);
          hooks.compiled.set(filename, code);
          module._compile(code, filename);
          return;
        }
        if (!hooks.tsxRegistered && (isLocalModule(filename) || TYPESCRIPT_EXTENSIONS.has(extension))) {
          hooks.registerTsx();
          CjsModule._extensions[extension]!(module, filename);
          return;
        }
        if (fallback) fallback(module, filename);
        else CjsModule._extensions[".js"]!(module, filename);
      };
    }
  }
}

let hooks: ModuleHooks | undefined;
let taskFileApi: object | undefined;

/**
 * What `import "jobs-and-tasks"` gives task files: the command line passes jt's public module in,
 * so that the loader (below it) does not import the API and everything the API reaches.
 */
export function provideTaskFileApi(api: object): void {
  taskFileApi = api;
}

/** Installs the hooks once per process; `cache` serves unchanged modules without tsx. */
export function moduleHooks(cache?: CompiledCache): ModuleHooks {
  hooks ??= new ModuleHooks(cache);
  return hooks;
}
