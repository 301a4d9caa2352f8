/**
 * Where this copy of jt lives: its package root (the nearest directory above this code with a
 * package.json, however the build lays the code out), its compiled code and launcher (hidden from
 * users' stack traces), and the module task files reach when they import "jobs-and-tasks" (or "jt").
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

export const JT_PACKAGE_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));
export const JT_DIST = `${join(JT_PACKAGE_ROOT, "dist")}/`;
/**
 * Frames from these directories are jt's own and hidden from users' stack traces. src/ too: the
 * source maps in dist/ point there, and the published package does not even ship it.
 */
export const JT_OWN_DIRS: readonly string[] = [JT_DIST, `${join(JT_PACKAGE_ROOT, "bin")}/`, `${join(JT_PACKAGE_ROOT, "src")}/`];
/** The module task files reach when they import "jobs-and-tasks" (or "jt"). */
export const JT_ENTRY = join(JT_DIST, "index.js");
/**
 * The names that reach the running jt from task files and the modules jt loads: the npm package's
 * name, and "jt" (the command's name, what task files imported before the package had its own
 * name). Outside jt's process only the package name resolves: `jt` on npm is another package.
 * jt-resolve-hook.ts keeps its own copy of this list (it runs on the loader thread).
 */
export const JT_SPECIFIERS: ReadonlySet<string> = new Set(["jobs-and-tasks", "jt"]);

export function jtVersion(): string {
  const pkg = JSON.parse(readFileSync(join(JT_PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/** This build of jt: its version and build id. Caches made by another build are ignored. */
export function jtBuild(): string {
  try {
    const { id } = JSON.parse(readFileSync(join(JT_DIST, "build.json"), "utf8")) as { id: string };
    return `${jtVersion()}+${id}`;
  } catch {
    return jtVersion();
  }
}
