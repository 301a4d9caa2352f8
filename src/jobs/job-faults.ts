/**
 * What a job does to the process it runs in, turned into that job's failure instead of the
 * worker's death: `process.exit()` called from a task, an uncaught exception, an unhandled
 * rejection. A fault is the job's when it is the only one running, or when the call came from the
 * job's own code (process.exit() throws there, and the throw fails the job). Otherwise the async
 * context tells (job-context.ts), which a worker starts keeping for faults only after its first
 * fault it could not trace.
 */
import { headline } from "../report/errors.js";
import type { LogAbout } from "./worker-log.js";
import { contextJob, keepContextFor, keepingContextFor } from "./job-context.js";

const nodeExit = process.exit;

/** Ends the process whatever a job does to process.exit (jt's own "exit now"). */
export function exitNow(code: number): never {
  return nodeExit.call(process, code);
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
  constructor(
    readonly jobId: number | undefined,
    code: unknown,
  ) {
    super(`the task called process.exit(${code === undefined ? "" : String(code)}); a job cannot end the worker's process`);
    Error.captureStackTrace(this, process.exit);
  }
}

export interface FaultHandlers {
  /** The jobs running now. */
  running(): readonly number[];
  /** The job's attempt ends now with `fault`; false when the job is not running here any more. */
  fail(jobId: number, fault: JobFault): boolean;
  log(line: string, about?: LogAbout): void;
}

/**
 * Installs the guards for a worker's run; returns their removal. With no job running,
 * `process.exit` is Node's own; a fault no job can be charged with is logged with its stack, and
 * the worker carries on.
 */
export function guardProcessAgainstJobs(handlers: FaultHandlers): () => void {
  const jobOfFault = (): number | undefined => {
    const running = handlers.running();
    return running.length === 1 ? running[0] : contextJob()?.id;
  };
  const guardedExit = ((code?: number | string | null) => {
    if (handlers.running().length === 0) return nodeExit.call(process, code);
    throw new ExitInJob(jobOfFault(), code);
  }) as typeof process.exit;
  const fault = (kind: string) => (error: unknown) => {
    const jobId = (error instanceof ExitInJob ? error.jobId : undefined) ?? jobOfFault();
    const described = error instanceof JobFault ? error : new JobFault(`${kind}: ${headline(error)}`, error);
    if (jobId !== undefined && handlers.fail(jobId, described)) return;
    const stack = error instanceof Error && error.stack ? error.stack : String(error);
    const running = handlers.running();
    const from =
      jobId !== undefined
        ? ` from job ${jobId} (no longer running)`
        : running.length > 1
          ? ` from one of the running jobs (${running.join(", ")})`
          : "";
    const next = !keepingContextFor("faults") && running.length > 1 ? "; from now on it traces faults to their jobs" : "";
    keepContextFor("faults", true);
    handlers.log(`jt: ${described.message}${from}; the worker carries on${next}:\n${indent(stack)}`, {
      event: "worker.fault",
      level: "error",
    });
  };
  const onRejection = fault("unhandled rejection");
  const onException = fault("uncaught exception");
  process.exit = guardedExit;
  // Until a fault says otherwise (tests run several workers in one process).
  keepContextFor("faults", false);
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  return () => {
    if (process.exit === guardedExit) process.exit = nodeExit;
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
