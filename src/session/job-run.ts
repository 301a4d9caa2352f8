/**
 * One attempt of a job: its task run as a target, through the project's perform hooks and the
 * task's own, in a Runner of its own (jt jobs:work, and the testing helpers' drain).
 */
import type { PerformingJob } from "../api/types.js";
import { performThroughHooks, type HookSet } from "../jobs/hooks.js";
import type { Jobs } from "../jobs/jobs.js";
import type { Job } from "../jobs/store/store.js";
import type { ProgressUpdate } from "../report/progress.js";
import { labelLine } from "../run/task-labels.js";
import type { Session } from "./session.js";
import { createTaskRunner } from "./task-runner.js";

export interface JobRunOptions {
  jobs: Jobs;
  /** The project's hook sets, outermost first. */
  hookSets: readonly HookSet[];
  trace: boolean;
  /** Echo `sh` commands. */
  echo: boolean;
  interruptGraceMs: number;
  /** Where the job's output goes, line by line. */
  write: (job: Job, stream: "stdout" | "stderr", text: string) => void;
}

/** Runs one attempt of `job`; resolves with what its task returned. */
export async function runJob(
  session: Session,
  job: Job,
  signal: AbortSignal,
  progress: (update: ProgressUpdate) => void,
  options: JobRunOptions,
): Promise<unknown> {
  const { jobs, hookSets, write } = options;
  const [result] = await createTaskRunner(session, {
    trace: options.trace,
    dryRun: false,
    signal,
    traceLine: (line) => write(job, "stderr", `${line}\n`),
    // Line by line, and straight to the job's log: the output of jobs side by side never mixes.
    sh: {
      echo: options.echo,
      lines: true,
      output: {
        stdout: (line) => write(job, "stdout", labelLine(line)),
        stderr: (line) => write(job, "stderr", labelLine(line)),
      },
    },
    interruptGraceMs: options.interruptGraceMs,
    finishedRunSucceeds: true,
    enqueue: (task, enqueueOptions) => jobs.enqueue(task, enqueueOptions),
    progress: (_task, update) => progress(update),
    aroundTarget: (task, ctx, perform) => {
      const sets = task.job.hooks ? [...hookSets, { hooks: task.job.hooks, source: `task ${task.name}` }] : hookSets;
      return sets.length === 0 ? perform() : performThroughHooks(sets, performingJob(job), ctx, perform);
    },
  }).run([{ name: job.task, values: job.args }]);
  return result;
}

/** A job as its perform hooks see it. */
function performingJob(job: Job): PerformingJob {
  return {
    id: job.id,
    task: job.task,
    args: [...job.args],
    queue: job.queue,
    attempt: job.attempts,
    maxAttempts: job.maxAttempts,
    meta: Object.freeze({ ...job.meta }),
  };
}
