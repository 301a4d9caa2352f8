/** Where this copy of jt lives: its compiled code (hidden from users' stack traces) and its package.json. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const JT_DIST = `${dirname(fileURLToPath(import.meta.url))}/`;
export const JT_PACKAGE_ROOT = dirname(JT_DIST.slice(0, -1));
/** Frames from these directories are jt's own and hidden from users' stack traces. */
export const JT_OWN_DIRS: readonly string[] = [JT_DIST, join(JT_PACKAGE_ROOT, "bin") + "/"];
/** The module task files reach when they import "jt". */
export const JT_ENTRY = join(JT_DIST, "index.js");

export function jtVersion(): string {
  const pkg = JSON.parse(readFileSync(join(JT_PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
  return pkg.version;
}
