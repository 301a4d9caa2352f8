/**
 * The project's tsconfig, read the way tsx reads it (get-tsconfig, from the working directory —
 * the project root — or TSX_TSCONFIG_PATH, `extends` followed), for what jt must do as tsx would
 * on runs that never register tsx: resolve `paths` / `baseUrl` aliases like `@/db/client` to the
 * file a cold run would, and know whether the project asks for decorator metadata. Read once per
 * process, and only when needed: nothing is remembered between runs, so an edit counts at once.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { stampFile } from "../cache/stamps.js";

const require = createRequire(import.meta.url);

type PathsMatcher = (request: string) => string[];
interface Tsconfig {
  matcher: PathsMatcher | null;
  compilerOptions: Record<string, unknown>;
}
let tsconfig: Tsconfig | undefined;
let fingerprint: string | undefined;

/** The files an aliased request may mean, in tsconfig's order; empty when no alias matches. */
export function pathAliasCandidates(request: string): string[] {
  const { matcher } = projectTsconfig();
  return matcher ? matcher(request) : [];
}

/** `experimentalDecorators` + `emitDecoratorMetadata`: what NestJS, TypeORM, class-validator need. */
export function needsDecoratorMetadata(): boolean {
  const options = projectTsconfig().compilerOptions;
  return options.emitDecoratorMetadata === true && options.experimentalDecorators === true;
}

export function tsconfigCompilerOptions(): Record<string, unknown> {
  return projectTsconfig().compilerOptions;
}

/**
 * What compiled code depends on in the tsconfig, cheaply: the content hash of the project's own
 * tsconfig file (a stat and a read, no parsing), so that a warm run can tell a cached compile is
 * still right without loading get-tsconfig.
 */
export function tsconfigFingerprint(): string {
  fingerprint ??= stampFile(tsconfigPath())?.hash ?? "none";
  return fingerprint;
}

/** The file get-tsconfig finds: TSX_TSCONFIG_PATH, or the nearest tsconfig.json up from the working directory. */
function tsconfigPath(): string {
  const explicit = process.env.TSX_TSCONFIG_PATH;
  if (explicit) return resolve(explicit);
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const file = join(dir, "tsconfig.json");
    if (existsSync(file) || dirname(dir) === dir) return file;
  }
}

function projectTsconfig(): Tsconfig {
  tsconfig ??= readTsconfig();
  return tsconfig;
}

function readTsconfig(): Tsconfig {
  try {
    const { createPathsMatcher, getTsconfig, parseTsconfig } = require("get-tsconfig") as typeof import("get-tsconfig");
    const explicit = process.env.TSX_TSCONFIG_PATH;
    const found = explicit ? { path: resolve(explicit), config: parseTsconfig(explicit) } : getTsconfig();
    if (!found) return { matcher: null, compilerOptions: {} };
    return { matcher: createPathsMatcher(found), compilerOptions: (found.config.compilerOptions ?? {}) as Record<string, unknown> };
  } catch {
    // An unreadable tsconfig: tsx too runs without it. (get-tsconfig missing from an install made
    // before jt depended on it: a failing request still reaches tsx, which resolves aliases.)
    return { matcher: null, compilerOptions: {} };
  }
}
