/**
 * The project's tsconfig `paths` / `baseUrl`, read the way tsx reads them (get-tsconfig, from the
 * working directory or TSX_TSCONFIG_PATH, `extends` followed), so that a run served from the
 * compiled cache, which never registers tsx, resolves an alias like `@/db/client` to the file a
 * cold run (tsx's resolver) would. Read once per process, only at the first bare import of a
 * project module: nothing is remembered between runs, so an edit of tsconfig counts at once.
 */
import { createRequire } from "node:module";
import { resolve } from "node:path";

const require = createRequire(import.meta.url);

type PathsMatcher = (request: string) => string[];
let matcher: PathsMatcher | null | undefined;

/** The files an aliased request may mean, in tsconfig's order; empty when no alias matches. */
export function pathAliasCandidates(request: string): string[] {
  if (matcher === undefined) matcher = loadMatcher();
  return matcher ? matcher(request) : [];
}

function loadMatcher(): PathsMatcher | null {
  try {
    const { createPathsMatcher, getTsconfig, parseTsconfig } = require("get-tsconfig") as typeof import("get-tsconfig");
    const explicit = process.env.TSX_TSCONFIG_PATH;
    const tsconfig = explicit ? { path: resolve(explicit), config: parseTsconfig(explicit) } : getTsconfig();
    return tsconfig ? createPathsMatcher(tsconfig) : null;
  } catch {
    // An unreadable tsconfig: tsx too runs without aliases. (get-tsconfig missing from an install
    // made before jt depended on it: a failing request still reaches tsx, which resolves aliases.)
    return null;
  }
}
