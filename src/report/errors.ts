/**
 * How failures are printed, in Rake's layout: `jt aborted!`, the message, the user's own stack
 * frames (or a blank line when there are none), `Caused by:`, the `Tasks: TOP => …` chain and
 * the `--trace` hint. Never a raw Node stack unless `--trace` asks for it. When several tasks
 * running concurrently failed, each gets that layout (message, frames, chain) in turn.
 */
import { existsSync } from "node:fs";
import { CommandFailed, ConcurrentFailures, JtError, LoadFailures, TaskFailure } from "../errors.js";
import { stackLocations } from "../registry/source-location.js";

export interface ErrorReportOptions {
  trace: boolean;
  /** Directories whose frames are jt's own, hidden from users. */
  ownDirs: readonly string[];
}

export function renderError(error: unknown, options: ErrorReportOptions): string[] {
  if (isPlain(error)) {
    // A mistake on the command line, or a question answered no: what happened and what to do, nothing more.
    return ["jt aborted!", error.message, ...error.details];
  }
  const lines = ["jt aborted!"];
  if (error instanceof ConcurrentFailures || error instanceof LoadFailures) {
    lines.push(error.message);
    for (const failure of error.failures) lines.push("", ...describeFailure(failure, options));
  } else {
    lines.push(...describeFailure(error, options));
  }
  if (!options.trace) lines.push("(See full trace by running task with --trace)");
  return lines;
}

function isPlain(error: unknown): error is JtError {
  return error instanceof JtError && error.plain && error.cause === undefined && error.chain === undefined;
}

/** One failure: its message, frames (or a blank line) and causes, then its `Tasks:` chain. */
function describeFailure(error: unknown, options: ErrorReportOptions): string[] {
  const lines: string[] = [];
  if (isPlain(error)) {
    lines.push(error.message, ...error.details);
  } else if (error instanceof TaskFailure) {
    lines.push(...describeThrown(error.cause, options));
  } else if (error instanceof JtError) {
    lines.push(error.message, ...error.details);
    lines.push(...(error.cause instanceof Error ? framesOf(error.cause, options) : [""]));
  } else {
    // Not a mistake jt knows about: show everything, as a bug report would need it.
    lines.push(...describeThrown(error, { ...options, trace: true }));
  }
  if (error instanceof JtError && error.chain) lines.push(`Tasks: TOP => ${error.chain.join(" => ")}`);
  return lines;
}

/** The message of something thrown, its frames (or a blank line), then its causes. */
function describeThrown(thrown: unknown, options: ErrorReportOptions): string[] {
  const lines = [headline(thrown)];
  if (!(thrown instanceof Error)) return [...lines, ""];
  lines.push(...framesOf(thrown, options));
  if (thrown.cause !== undefined) lines.push("", "Caused by:", ...describeThrown(thrown.cause, options));
  return lines;
}

/** With --trace every frame; otherwise the user's own frames, or one blank line when none is left (as Rake). */
function framesOf(error: Error, options: ErrorReportOptions): string[] {
  if (options.trace) return (error.stack ?? "").split("\n").filter((line) => line.trimStart().startsWith("at "));
  const frames = userFrames(error, options.ownDirs).map((loc) => `${loc.file}:${loc.line}:${loc.column}`);
  return frames.length > 0 ? frames : [""];
}

export function headline(thrown: unknown): string {
  if (thrown instanceof Error) {
    const message = thrown.message || "(no message)";
    // A failed command says what failed in its message; any other subclass that does not set
    // `name` is still worth naming (`class MyError extends Error {}`).
    if (thrown instanceof CommandFailed) return message;
    const name = thrown.name === "Error" && thrown.constructor.name !== "Error" ? thrown.constructor.name : thrown.name;
    return name && name !== "Error" ? `${name}: ${message}` : message;
  }
  if (typeof thrown === "string") return thrown;
  try {
    return `${JSON.stringify(thrown)} was thrown`;
  } catch {
    return `${String(thrown)} was thrown`;
  }
}

/**
 * Frames in the user's own files: not jt, not node_modules, not Node internals, and not a file
 * that does not exist — a library's source map that points outside its package (TypeORM's maps
 * name `src/decorator/columns/Column.ts`, which lands in the app's own `src/`) is not the app's code.
 */
export function userFrames(error: Error, ownDirs: readonly string[]) {
  return stackLocations(error.stack).filter(
    (loc) => !ownDirs.some((dir) => loc.file.startsWith(dir)) && !loc.file.includes("/node_modules/") && existsSync(loc.file),
  );
}
