import { findSourceMap } from "node:module";
import { fileURLToPath } from "node:url";

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /** A clearTask() of the task here: that file needs the task's earlier files loaded first. */
  clears?: true;
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

/**
 * The innermost frame of the current stack that is not inside one of `ownDirs`, in the user's
 * source (through its source map: task files run as tsx compiled them). Called for every task
 * defined, so it reads V8's call sites instead of formatting (and source-mapping) a whole stack.
 */
export function callerLocation(ownDirs: readonly string[]): SourceLocation | undefined {
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  let sites: NodeJS.CallSite[] = [];
  Error.stackTraceLimit = 8; // the caller is a few frames up
  Error.prepareStackTrace = (_error, callSites) => (sites = callSites);
  try {
    void new Error().stack;
  } finally {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = prepare;
  }
  for (const site of sites) {
    const name = site.getFileName() ?? "";
    if (name.startsWith("node:") || name === "") continue;
    const file = name.startsWith("file://") ? fileURLToPath(name) : name;
    if (ownDirs.some((dir) => file.startsWith(dir))) continue;
    return original(file, site.getLineNumber() ?? 0, site.getColumnNumber() ?? 0);
  }
  return undefined;
}

/** A generated position mapped back to the source, when Node holds a source map for the file. */
function original(file: string, line: number, column: number): SourceLocation {
  const entry = findSourceMap(file)?.findEntry(line - 1, column - 1);
  if (entry && "originalLine" in entry && entry.originalSource) {
    const source = entry.originalSource.startsWith("file://") ? fileURLToPath(entry.originalSource) : entry.originalSource;
    return { file: source.startsWith("/") ? source : file, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
  }
  return { file, line, column };
}

export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}`;
}
