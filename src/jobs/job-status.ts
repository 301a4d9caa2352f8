/**
 * A job as app code reads it back (`createJobs().get`, `.waitFor`): the store's row in the public
 * shape, with Dates, and waiting for one to finish.
 */
import type { JobStatus } from "../api/types.js";
import { WaitTimedOut } from "../errors.js";
import type { Job, JobStore } from "./store/store.js";

export function jobStatus(job: Job): JobStatus {
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  return {
    id: job.id,
    task: job.task,
    args: job.args,
    queue: job.queue,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    runAt: new Date(job.runAt),
    startedAt: date(job.startedAt),
    finishedAt: date(job.finishedAt),
    progress: job.progress && { ...job.progress, at: new Date(job.progress.at) },
    result: job.result,
    lastError: job.errors.at(-1)?.message ?? null,
  };
}

const FINISHED = new Set(["completed", "failed", "cancelled"]);

/**
 * The job once it has finished (completed, failed for good, or cancelled), read from the store
 * every so often: often at first (a short job's caller waits little), then up to once a second.
 */
export async function waitForJob(store: JobStore, id: number, timeoutMs: number): Promise<JobStatus> {
  const giveUpAt = Date.now() + timeoutMs;
  let delayMs = 25;
  for (;;) {
    const job = await store.get(id);
    if (!job) throw new Error(`jt: there is no job ${id} (it was never enqueued, or was discarded or pruned)`);
    if (FINISHED.has(job.state)) return jobStatus(job);
    const left = giveUpAt - Date.now();
    if (left <= 0) throw new WaitTimedOut(id, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, left)));
    delayMs = Math.min(delayMs * 2, 1000);
  }
}
