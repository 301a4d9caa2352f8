/** Small helpers for exact assertions on jt's output. */
import { readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./project.js";

/** Lines as a process prints them: each one ends with "\n". */
export function lines(...text: string[]): string {
  return text.map((line) => `${line}\n`).join("");
}

/** The directory as jt sees it (process.cwd() is a real path). */
export function real(path: string): string {
  return realpathSync(path);
}

/** The version in jt's package.json. */
export function jtPackageVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * `line:column` (1-based) of the `nth` occurrence of `needle` in `source`: where V8 reports a
 * frame for `new Error(...)` (the `new`) or for a call (the callee's name).
 */
export function position(source: string, needle: string, nth = 0): string {
  let index = -1;
  for (let i = 0; i <= nth; i++) {
    index = source.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`position(): ${JSON.stringify(needle)} occurs fewer than ${nth + 1} times`);
  }
  const before = source.slice(0, index).split("\n");
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

/** Lines of a raw Node stack trace ("    at fn (file:1:2)"). */
export function stackLines(text: string): string[] {
  return text.split("\n").filter((line) => line.startsWith("    at "));
}

/** Matches a raw Node stack trace line. */
export const STACK_FRAME = /^\s+at /m;
