/**
 * One cache directory for every jt the tests run, removed afterwards: the tests' temporary projects
 * have no node_modules, and their manifests must not pile up in the user's ~/.cache.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "jt-test-cache-"));
  process.env.JT_CACHE_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
