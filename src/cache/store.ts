/**
 * Where jt keeps its caches: node_modules/.cache/jt in the project when it has node_modules,
 * else the user's cache directory ($XDG_CACHE_HOME or ~/.cache), one folder per project.
 * JT_CACHE_DIR overrides both. Reading and writing never fail a run: a missing, corrupt or
 * read-only cache only means loading the task files.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export function cacheDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const projectKey = fnv1a(root);
  if (env.JT_CACHE_DIR) return join(env.JT_CACHE_DIR, projectKey);
  const nodeModules = join(root, "node_modules");
  if (existsSync(nodeModules)) return join(nodeModules, ".cache", "jt");
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "jt", projectKey);
}

export function readCacheFile(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export function writeCacheFile(file: string, content: string): boolean {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, content);
    renameSync(temporary, file);
    return true;
  } catch {
    return false;
  }
}

/** A 64-bit FNV-1a hash in hex: a short, stable file name for a path (no need to load node:crypto). */
export function fnv1a(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}
