/**
 * A running job's `ctx.progress` reports, written to the store at most once per interval per job:
 * a task that reports every row of a million costs a handful of writes a second, not a million.
 * The latest report wins; the last one is written before the job's outcome, so a finished job
 * shows where it got to. A write that fails is reported and not retried: the next report, or the
 * outcome, says more.
 */
import type { ProgressUpdate } from "../report/progress.js";
import type { Job, JobStore } from "./store/store.js";

export type { ProgressUpdate };

interface Pending {
  latest: ProgressUpdate | undefined;
  lastWriteAt: number;
  timer: NodeJS.Timeout | undefined;
  writing: Promise<void>;
}

export class ProgressWriter {
  private readonly jobs = new Map<Job, Pending>();

  constructor(
    private readonly store: JobStore,
    private readonly workerId: string,
    private readonly onError: (job: Job, error: unknown) => void,
    private readonly intervalMs = 500,
  ) {}

  /** Notes a report of a running job; it is written now, or at the end of the interval. */
  report(job: Job, update: ProgressUpdate): void {
    let pending = this.jobs.get(job);
    if (!pending) {
      pending = { latest: undefined, lastWriteAt: 0, timer: undefined, writing: Promise.resolve() };
      this.jobs.set(job, pending);
    }
    pending.latest = update;
    if (pending.timer) return;
    const entry = pending;
    entry.timer = setTimeout(() => void this.write(job, entry), Math.max(0, entry.lastWriteAt + this.intervalMs - Date.now()));
    entry.timer.unref();
  }

  /** Writes the job's last report now, if one is waiting, and forgets the job (before its outcome is recorded). */
  async finish(job: Job): Promise<void> {
    const pending = this.jobs.get(job);
    if (!pending) return;
    this.jobs.delete(job);
    clearTimeout(pending.timer);
    await this.write(job, pending);
  }

  private write(job: Job, pending: Pending): Promise<void> {
    pending.timer = undefined;
    const update = pending.latest;
    pending.latest = undefined;
    if (update === undefined) return pending.writing;
    pending.lastWriteAt = Date.now();
    pending.writing = pending.writing
      .then(() => this.store.reportProgress(job, this.workerId, update))
      .then(
        () => {},
        (error: unknown) => this.onError(job, error),
      );
    return pending.writing;
  }
}
