/**
 * Every failure jt reports is one of these classes; `exitCodeOf` is the one place that maps
 * them to the exit codes documented in the README.
 */

export const ExitCode = {
  ok: 0,
  taskFailed: 1,
  usage: 2,
  definition: 3,
  sigint: 130,
  sigterm: 143,
} as const;

export interface JtErrorOptions extends ErrorOptions {
  /** The invocation chain (`TOP => a => b`) the error happened in, printed as Rake's `Tasks:` line. */
  chain?: readonly string[] | undefined;
}

export abstract class JtError extends Error {
  abstract readonly exitCode: number;
  /** Printed as its message and details only: no frames, no chain, no --trace hint. */
  readonly plain: boolean = false;
  /** Extra lines printed after the message (hints, close matches). */
  readonly details: readonly string[];
  readonly chain: readonly string[] | undefined;

  constructor(message: string, details: readonly string[] = [], options: JtErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = details;
    this.chain = options.chain;
  }
}

/** Bad command line: unknown option, unknown task, malformed arguments. */
export class UsageError extends JtError {
  readonly exitCode = ExitCode.usage;
  override readonly plain: boolean = true;
}

/** A name on the command line that resolves to no task: reported in Rake's full layout (a blank line, the --trace hint). */
export class UnknownTaskError extends UsageError {
  override readonly plain = false;
}

/** A question asked before a production run was answered no: nothing ran. */
export class NotConfirmed extends JtError {
  readonly exitCode = ExitCode.taskFailed;
  override readonly plain = true;
}

/** Bad definitions: config, a task file that fails to load, a cycle, an unknown prerequisite. */
export class DefinitionError extends JtError {
  readonly exitCode = ExitCode.definition;
}

/** A task's action threw (or a command it ran failed). `cause` holds what was thrown. */
export class TaskFailure extends JtError {
  readonly exitCode = ExitCode.taskFailed;

  constructor(thrown: unknown, chain: readonly string[]) {
    super(messageOf(thrown), [], { cause: thrown, chain });
  }
}

/**
 * Several tasks running concurrently (the prerequisites of a multitask) failed. Each is reported
 * in full, in the order they failed; the exit code is theirs when they agree, else 1.
 */
export class ConcurrentFailures extends JtError {
  readonly exitCode: number;
  readonly failures: readonly unknown[];

  constructor(failures: readonly unknown[]) {
    super(`${failures.length} concurrent tasks failed`);
    this.failures = failures;
    const codes = new Set(failures.map(exitCodeOf));
    this.exitCode = codes.size === 1 ? [...codes][0]! : ExitCode.taskFailed;
  }
}

/** More than one task file failed to load: each is reported in turn, in file order. */
export class LoadFailures extends DefinitionError {
  readonly failures: readonly DefinitionError[];

  constructor(failures: readonly DefinitionError[], of: number) {
    super(`${failures.length} of ${of} task files failed to load`);
    this.failures = failures;
  }
}

/** The run was stopped by a signal; teardown has run. */
export class Interrupted extends JtError {
  readonly exitCode: number;
  readonly signal: NodeJS.Signals;

  constructor(signal: NodeJS.Signals, chain?: readonly string[]) {
    super(`Interrupted by ${signal}`, [], { chain });
    this.signal = signal;
    this.exitCode = signal === "SIGTERM" ? ExitCode.sigterm : ExitCode.sigint;
  }
}

/** `waitFor(id, { timeout })` gave up: the job had not finished by then (it goes on). */
export class WaitTimedOut extends JtError {
  readonly exitCode = ExitCode.taskFailed;
  constructor(
    readonly jobId: number,
    readonly timeoutMs: number,
  ) {
    super(`job ${jobId} had not finished after ${timeoutMs} ms`);
  }
}

/**
 * What `sh` throws for a command that failed (a non-zero exit, not found, timed out, killed), with
 * what it printed. A command stopped because the task was aborted is one too, named "AbortError"
 * and caused by the abort's reason, as `fetch` rejects.
 */
export class CommandFailed extends Error {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;

  constructor(
    message: string,
    result: { command: string; exitCode: number | undefined; stdout: string; stderr: string },
    abortReason?: unknown,
  ) {
    super(message, abortReason === undefined ? undefined : { cause: abortReason });
    if (abortReason !== undefined) this.name = "AbortError";
    this.command = result.command;
    this.exitCode = result.exitCode;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
  }
}

export function exitCodeOf(error: unknown): number {
  return error instanceof JtError ? error.exitCode : ExitCode.taskFailed;
}

export function messageOf(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message || thrown.name;
  if (typeof thrown === "string") return thrown;
  try {
    return JSON.stringify(thrown) ?? String(thrown);
  } catch {
    return String(thrown);
  }
}

/**
 * A job hook threw (or broke its contract, as an `aroundEnqueue` that never calls `enqueue()`):
 * the enqueue or the job's run fails with this. Its message names the hook and where it is
 * defined; `cause` is what the hook threw.
 */
export class JobHookFailed extends JtError {
  readonly exitCode = ExitCode.taskFailed;
  constructor(
    /** `beforeEnqueue`, `aroundPerform`, … */
    readonly hook: string,
    message: string,
    cause: unknown,
  ) {
    super(message, [], { cause });
    // Where the hook threw, not where jt caught it.
    if (cause instanceof Error && cause.stack) this.stack = `${this.name}: ${message}${cause.stack.slice(cause.stack.indexOf("\n"))}`;
  }
}
