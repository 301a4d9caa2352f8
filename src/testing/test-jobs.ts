/**
 * `testJobs()`: a job store of the test's own (a temporary SQLite file, removed by `close`) on a
 * clock the test moves, with the project's tasks; jobs enqueued by the test, by app code handed
 * its `enqueue`, or by tasks (`runTask(…, { jobs })`), then run in the test's process by `drain`
 * and `advance`, through the same worker as `jt jobs:work`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EnqueuedJob, EnqueueOptions, JobState, JobStatus, TaskArgValues, TaskName, UncheckedTaskName } from "../api/types.js";
import { nextRun } from "../jobs/clock.js";
import { projectHookSets } from "../jobs/hooks-module.js";
import { jobStatus } from "../jobs/job-status.js";
import { Jobs } from "../jobs/jobs.js";
import { effectiveSchedules, type ProjectSchedule } from "../jobs/schedules.js";
import type { Job } from "../jobs/store/store.js";
import { SqliteStore } from "../jobs/store/sqlite.js";
import { enqueueDueSlots, JobWorker } from "../jobs/worker.js";
import type { LogAbout } from "../jobs/worker-log.js";
import { importModule } from "../load/loader.js";
import { runJob } from "../session/job-run.js";
import type { Session } from "../session/session.js";
import { parseDuration } from "../shared/duration.js";
import { captureOutput } from "./capture.js";
import { endOfRun, exclusively, inRoot, projectSession } from "./project.js";
import { registerJobs } from "./test-jobs-internals.js";

export interface TestJobsOptions {
  /** The project (a directory with tasks/ or a jt config, or one below it); default: the working directory. */
  root?: string;
  /** Where the clock starts; default: now. It moves only with `advance`. */
  now?: Date | number;
}

/** A job as a test sees it: what `get` gives app code, and what it was enqueued with. */
export interface TestJob extends JobStatus {
  readonly priority: number;
  readonly enqueuedAt: Date;
  /** How long after its enqueue it was due (`wait`, `waitUntil`, a retry's backoff). */
  readonly delayMs: number;
  readonly uniqueKey: string | null;
  readonly meta: Readonly<Record<string, string>>;
}

/** What a `drain` or an `advance` ran. */
export interface Drained {
  /** Jobs that completed, failed for good, and failed with a retry to come (`advance` runs it when due). */
  readonly completed: number;
  readonly failed: number;
  readonly retrying: number;
  /** The worker's log, as `jt jobs:work` prints it, without the times. */
  readonly log: readonly string[];
  /** What the jobs printed. */
  readonly stdout: string;
  readonly stderr: string;
}

export interface TestJobs {
  /** Enqueues as app code does (checked against the task, through the project's enqueue hooks). */
  enqueue<N extends string>(task: UncheckedTaskName<N>, options?: EnqueueOptions): Promise<EnqueuedJob>;
  enqueue<N extends TaskName>(task: N, options?: EnqueueOptions<TaskArgValues<N>>): Promise<EnqueuedJob>;
  /** The jobs in the store, oldest first; `{ task, queue, state }` narrow them. */
  enqueued(filter?: { task?: string; queue?: string; state?: JobState }): Promise<TestJob[]>;
  /** One job, or undefined. */
  get(id: number): Promise<TestJob | undefined>;
  /** Runs every job due now, one at a time, the jobs they enqueue included, until none is due. */
  drain(): Promise<Drained>;
  /**
   * Moves the clock forward ("1h", "90s", milliseconds), stopping at each moment something is due
   * on the way — a cron slot (enqueued then), a delayed job, a retry — and draining there.
   */
  advance(duration: string | number): Promise<Drained>;
  /** The clock's time. */
  now(): Date;
  /** Closes the store and deletes its file. */
  close(): Promise<void>;
}

/** A year: no lease runs out while a test holds the clock still, or moves it by hours. */
const LEASE_MS = 365 * 24 * 3_600_000;

export function testJobs(options: TestJobsOptions = {}): TestJobs {
  let clock = options.now === undefined ? Date.now() : new Date(options.now).getTime();
  if (!Number.isFinite(clock)) throw new TypeError(`testJobs: now must be a Date or epoch milliseconds, not ${String(options.now)}`);
  const dir = mkdtempSync(join(tmpdir(), "jt-test-jobs-"));
  const file = join(dir, "jobs.sqlite3");
  const sessionReady = projectSession(options.root);
  const opened = (async () => {
    const session = await sessionReady;
    const store = new SqliteStore(file, { clock: () => clock });
    await store.migrate();
    const { root, config } = session.project;
    return new Jobs(store, await session.source.allDefinitions(), () => projectHookSets({ root, config: config.jobs, importModule }));
  })();
  opened.catch(() => {});
  const view = async (job: Job | undefined) => job && testJob(job);

  const schedules = async (): Promise<readonly ProjectSchedule[]> => {
    const jobs = await opened;
    const catalog = await (await sessionReady).source.allDefinitions();
    return effectiveSchedules(catalog, await jobs.store.storedSchedules()).schedules;
  };

  const drainNow = async () => {
    const session = await sessionReady;
    const jobs = await opened;
    return inRoot(session.project.root, () => drainJobs(session, jobs, file));
  };

  const client: TestJobs = {
    enqueue: async (task: string, enqueueOptions?: EnqueueOptions) => (await opened).enqueue(task, enqueueOptions),
    enqueued: async (filter = {}) => {
      const list = await (await opened).store.list({
        states: filter.state ? [filter.state] : undefined,
        task: filter.task,
        queue: filter.queue,
        limit: 100_000,
      });
      return list.reverse().map(testJob);
    },
    get: async (id) => view(await (await opened).store.get(id)),
    drain: () => exclusively("drain()", drainNow),
    advance: async (duration) => {
      const ms = typeof duration === "number" ? duration : parseDuration(duration);
      if (ms === undefined || !Number.isFinite(ms) || ms < 0)
        throw new TypeError(`advance takes a duration like "1h", "90s" or milliseconds, not ${JSON.stringify(duration)}`);
      return exclusively(`advance(${JSON.stringify(duration)})`, async () => {
        const jobs = await opened;
        const until = clock + ms;
        const lines: string[] = [];
        const runs: Drained[] = [];
        const enqueueDue = async () => {
          for (const schedule of await schedules()) await enqueueDueSlots(jobs.store, jobs, schedule, clock, (line) => lines.push(line));
        };
        // At each stop: the cron slots due (a schedule first seen at the first stop starts there, as
        // on a worker: it fires for slots after it), then what is due; the last stop is `until`.
        for (;;) {
          await enqueueDue();
          runs.push(await drainNow());
          if (clock >= until) return combine(lines, runs);
          const next = await nextDue(jobs, await schedules(), clock);
          clock = next !== undefined && next < until ? next : until;
        }
      });
    },
    now: () => new Date(clock),
    close: async () => {
      try {
        await (await opened).store.close();
      } catch {
        // It did not open: nothing to close.
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  registerJobs(client, opened);
  return client;
}

/** The next moment after `now` something is due: a queued job, or a schedule's slot. */
async function nextDue(jobs: Jobs, schedules: readonly ProjectSchedule[], now: number): Promise<number | undefined> {
  const queued = await jobs.store.list({ states: ["queued"], limit: 100_000 });
  const times = [
    ...queued.map((job) => job.runAt).filter((at) => at > now),
    ...schedules.map((schedule) => nextRun(schedule, now)).filter((at): at is number => at !== null),
  ];
  return times.length === 0 ? undefined : Math.min(...times);
}

function combine(cronLog: readonly string[], runs: readonly Drained[]): Drained {
  return {
    completed: runs.reduce((sum, run) => sum + run.completed, 0),
    failed: runs.reduce((sum, run) => sum + run.failed, 0),
    retrying: runs.reduce((sum, run) => sum + run.retrying, 0),
    log: [...cronLog, ...runs.flatMap((run) => run.log)],
    stdout: runs.map((run) => run.stdout).join(""),
    stderr: runs.map((run) => run.stderr).join(""),
  };
}

/** Runs what is due now through jt's worker (one at a time, in this process), then tears the app down. */
async function drainJobs(session: Session, jobs: Jobs, file: string): Promise<Drained> {
  const log: string[] = [];
  let retrying = 0;
  const hookSets = await jobs.hookSets();
  const captured = await captureOutput(async (write) => {
    const worker = new JobWorker({
      store: jobs.store,
      location: { kind: "sqlite", file },
      jobs,
      catalog: jobs.catalog,
      loadedDefinition: (name) => session.registry.get(name),
      runTask: (job, signal, progress) =>
        runJob(session, job, signal, progress, {
          jobs,
          hookSets,
          trace: false,
          echo: true,
          interruptGraceMs: 1_000,
          write: (_job, stream, text) => write(stream, text),
        }),
      queues: undefined,
      concurrency: 1,
      prefetch: 0,
      leaseMs: LEASE_MS,
      pollMs: 10,
      shutdownTimeoutMs: 10_000,
      pruneAfterMs: LEASE_MS,
      schedules: undefined,
      untilEmpty: true,
      log: (line: string, about?: LogAbout) => {
        if (about?.event === "job.retrying") retrying += 1;
        log.push(line);
      },
    });
    try {
      return await worker.run();
    } finally {
      const failure = await endOfRun(session, (line) => log.push(line), false);
      if (failure) log.push(`jt: the environment's teardown failed: ${failure.message}`);
      session.environment?.reset();
    }
  });
  const summary = captured.value;
  return { completed: summary.completed, failed: summary.failed, retrying, log, stdout: captured.stdout, stderr: captured.stderr };
}

function testJob(job: Job): TestJob {
  return {
    ...jobStatus(job),
    priority: job.priority,
    enqueuedAt: new Date(job.createdAt),
    delayMs: job.runAt - job.createdAt,
    uniqueKey: job.uniqueKey,
    meta: { ...job.meta },
  };
}
