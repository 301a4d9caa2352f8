import { fileURLToPath } from "node:url";

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

const FRAME = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/;

/** The frames of a stack trace that point into files, innermost first. */
export function stackLocations(stack: string | undefined): SourceLocation[] {
  if (!stack) return [];
  const locations: SourceLocation[] = [];
  for (const line of stack.split("\n")) {
    if (!line.trimStart().startsWith("at ")) continue;
    const match = FRAME.exec(line.trim());
    if (!match) continue;
    const [, where = "", row = "0", column = "0"] = match;
    if (where.startsWith("node:")) continue;
    const file = where.startsWith("file://") ? fileURLToPath(where) : where;
    if (!file.startsWith("/") && !/^[A-Za-z]:\\/.test(file)) continue;
    locations.push({ file, line: Number(row), column: Number(column) });
  }
  return locations;
}

/** The innermost frame of the current stack that is not inside one of `ownDirs`. */
export function callerLocation(ownDirs: readonly string[]): SourceLocation | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 8; // the caller is a few frames up; formatting fewer frames is cheaper
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  return stackLocations(stack).find((loc) => !ownDirs.some((dir) => loc.file.startsWith(dir)));
}

export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}`;
}
