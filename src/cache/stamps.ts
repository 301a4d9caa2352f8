/**
 * Whether a file is unchanged since a cache entry was made. Size, mtime and ctime decide when
 * they can (ctime cannot be set back by tools that restore mtimes); a file whose mtime is close
 * to or after the time the entry was made — an edit in the same clock tick, or a clock that went
 * backwards — is compared by content hash instead, as git does for "racily clean" files.
 */
import { readFileSync, statSync, type Stats } from "node:fs";
import { createRequire } from "node:module";

export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** sha1 of the content, hex. */
  hash: string;
}

/** How close to the cache's creation time an mtime must be to need a content check. */
const RACY_WINDOW_MS = 2000;

export function stampFile(file: string, content?: string | Buffer): FileStamp | undefined {
  try {
    const stat = statSync(file);
    return { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, hash: hashOf(content ?? readFileSync(file)) };
  } catch {
    return undefined;
  }
}

export function hashOf(content: string | Buffer): string {
  // Loaded on first use: a warm listing compares no content and need not pay for node:crypto.
  const { createHash } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return createHash("sha1").update(content).digest("hex");
}

/** Whether `file` still matches `stamp`, recorded in a cache made at `madeAt` (epoch ms). */
export function isUnchanged(file: string, stamp: FileStamp, madeAt: number): boolean {
  return compareStamp(file, stamp, madeAt) !== "changed";
}

/** "same" by its stamp; "same content" when only its content could tell (a racy or touched file). */
export function compareStamp(file: string, stamp: FileStamp, madeAt: number): "same" | "same content" | "changed" {
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch {
    return "changed";
  }
  if (stat.size !== stamp.size) return "changed";
  const racy = stat.mtimeMs >= madeAt - RACY_WINDOW_MS || stat.mtimeMs > Date.now();
  if (!racy && stat.mtimeMs === stamp.mtimeMs && stat.ctimeMs === stamp.ctimeMs) return "same";
  try {
    return hashOf(readFileSync(file)) === stamp.hash ? "same content" : "changed";
  } catch {
    return "changed";
  }
}
