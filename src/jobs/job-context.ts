/**
 * Which job the code running now belongs to, by async context: for a fault a job leaks
 * (job-faults.ts) and for a line of output it writes (worker-log.ts). Node keeps the context for
 * timers, promises and events alike, but keeping it costs every promise a little (about 8 % of a
 * drain of no-op jobs on Node 20), so it is kept only while someone needs it: after a first fault
 * jt could not trace (for good), and for output while several jobs run at once and they print.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Job } from "./store/store.js";

const currentJob = new AsyncLocalStorage<Job>();
const keptFor = { faults: false, output: false };
/**
 * Jobs started while the context was kept, with the span of keeping it they started in: code of
 * theirs knows its job until the context is let go (what their code does afterwards has none).
 */
const traced = new WeakMap<Job, number>();
let span = 0;

/** Runs `action` as `job`'s: what it leaks or prints is charged to that job. */
export function runAsJob<T>(job: Job, action: () => T): T {
  if (!keptFor.faults && !keptFor.output) return action();
  traced.set(job, span);
  return currentJob.run(job, action);
}

/** The job of the code running now, when the context is kept and that code belongs to one. */
export function contextJob(): Job | undefined {
  return keptFor.faults || keptFor.output ? currentJob.getStore() : undefined;
}

/** Whether `job` was started with its context kept (its code's output can be told from other jobs'). */
export function isTraced(job: Job): boolean {
  return traced.get(job) === span && (keptFor.faults || keptFor.output);
}

export function keepingContextFor(reason: keyof typeof keptFor): boolean {
  return keptFor[reason];
}

/** Keeps the context from now on for `reason`, or stops (it stays kept while the other reason holds). */
export function keepContextFor(reason: keyof typeof keptFor, keep: boolean): void {
  const kept = keptFor.faults || keptFor.output;
  keptFor[reason] = keep;
  if (kept && !keptFor.faults && !keptFor.output) {
    // Without this, Node would go on paying for it on every promise.
    currentJob.disable();
    span += 1;
  }
}
