/**
 * What a job does to the process it runs in, turned into that job's failure instead of the
 * worker's death: `process.exit()` called from a task, an uncaught exception, an unhandled
 * rejection. Each is traced to its job through the async context the job runs in (Node keeps it
 * for timers, promises and these events alike), so the jobs running beside it carry on.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { headline } from "../report/errors.js";

const currentJob = new AsyncLocalStorage<number>();

/** Runs `action` as job `jobId`'s: what it leaks is charged to that job. */
export function runAsJob<T>(jobId: number, action: () => T): T {
  return currentJob.run(jobId, action);
}

/** A job's fault, recorded as its attempt's error. */
export class JobFault extends Error {
  override readonly name = "JobFault";
  constructor(message: string, cause?: unknown) {
    super(message);
    // The stack of what went wrong, under this message: where the task leaked it.
    const frames = cause instanceof Error ? cause.stack?.split("\n").filter((line) => line.trimStart().startsWith("at ")) : undefined;
    if (frames && frames.length > 0) this.stack = [`${this.name}: ${message}`, ...frames].join("\n");
  }
}

class ExitInJob extends JobFault {
  constructor(readonly jobId: number, code: unknown) {
    super(`the task called process.exit(${code === undefined ? "" : String(code)}); a job cannot end the worker's process`);
    Error.captureStackTrace(this, process.exit);
  }
}

export interface FaultHandlers {
  /** The job's attempt ends now with `fault`; false when the job is not running here any more. */
  fail(jobId: number, fault: JobFault): boolean;
  log(line: string): void;
}

/**
 * Installs the guards for a worker's run; returns their removal. Outside any job, `process.exit`
 * is Node's own, and an uncaught exception is logged with its stack and the worker carries on.
 */
export function guardProcessAgainstJobs(handlers: FaultHandlers): () => void {
  const exit = process.exit;
  const guardedExit = ((code?: number | string | null) => {
    const jobId = currentJob.getStore();
    if (jobId === undefined) return exit.call(process, code);
    throw new ExitInJob(jobId, code);
  }) as typeof process.exit;
  const fault = (kind: string) => (error: unknown) => {
    const jobId = error instanceof ExitInJob ? error.jobId : currentJob.getStore();
    const described = error instanceof JobFault ? error : new JobFault(`${kind}: ${headline(error)}`, error);
    if (jobId !== undefined && handlers.fail(jobId, described)) return;
    const stack = error instanceof Error && error.stack ? error.stack : String(error);
    handlers.log(`jt: ${kind}${jobId === undefined ? "" : ` from job ${jobId} (no longer running)`}; the worker carries on:\n${indent(stack)}`);
  };
  const onRejection = fault("unhandled rejection");
  const onException = fault("uncaught exception");
  process.exit = guardedExit;
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  return () => {
    if (process.exit === guardedExit) process.exit = exit;
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onException);
  };
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
