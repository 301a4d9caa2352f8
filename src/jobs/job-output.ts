/**
 * In a worker process: what the jobs' tasks write (process.stdout / process.stderr writes,
 * console.*) goes to the worker's log, attributed to the job that wrote it. With one job running
 * that is the running job. With several, it is the job of the async context (job-context.ts),
 * which costs every promise a little: a worker with concurrency above 1 keeps it from the start,
 * stops after SILENT_JOBS jobs in a row wrote nothing (a drain of no-op jobs pays nothing for it),
 * and keeps it again at the next output. A line written while the context was not kept and several
 * jobs ran names them all: jt cannot tell which of them wrote it.
 */
import { hookWrites, type StreamName, type WriteHook } from "../report/write-hook.js";
import { contextJob, isTraced, keepContextFor, keepingContextFor } from "./job-context.js";
import type { Job } from "./store/store.js";
import type { WorkerLog, Writer } from "./worker-log.js";

const SILENT_JOBS = 200;

export class JobOutput {
  private silentJobs = 0;
  private hook: WriteHook | undefined;
  private log: WorkerLog | undefined;
  private running: () => readonly Job[] = () => [];

  constructor(private readonly concurrency: number) {}

  /** From now on, process.stdout and process.stderr writes are the jobs' output; returns the streams themselves. */
  capture(): WriteHook["raw"] {
    keepContextFor("output", this.concurrency > 1);
    this.hook = hookWrites((stream, text) => this.write(this.writer(), stream, text));
    return this.hook.raw;
  }

  /** Where the output goes, and which jobs are running now. */
  attach(log: WorkerLog, running: () => readonly Job[]): void {
    this.log = log;
    this.running = running;
  }

  /** Output of `writer` (also what jt writes for a job: its commands' output, its trace lines). */
  write(writer: Writer, stream: StreamName, text: string): void {
    if (writer !== undefined) this.printed();
    if (this.log) this.log.output(writer, stream, text);
    else this.hook?.raw[stream](text);
  }

  /** A job ended: a long enough run of jobs that printed nothing stops keeping the context. */
  jobEnded(): void {
    this.silentJobs += 1;
    if (this.silentJobs >= SILENT_JOBS && keepingContextFor("output")) keepContextFor("output", false);
  }

  release(): void {
    this.hook?.remove();
    this.hook = undefined;
    keepContextFor("output", false);
  }

  private printed(): void {
    this.silentJobs = 0;
    if (this.concurrency > 1 && !keepingContextFor("output")) keepContextFor("output", true);
  }

  /** The job whose code is writing: its context's, else the one running job not started with a context. */
  private writer(): Writer {
    const job = contextJob();
    if (job) return job;
    const untraced = this.running().filter((one) => !isTraced(one));
    return untraced.length <= 1 ? untraced[0] : untraced;
  }
}
