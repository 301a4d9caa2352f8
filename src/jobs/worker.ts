/**
 * A worker: claims jobs, runs each as a task run of its own (prerequisites once per job, the
 * environment booted once per process), and records the outcome. It renews its leases from a
 * heartbeat thread, puts back jobs whose worker died (their lease expired), retries failures with
 * backoff, runs the cron clock, and on SIGTERM stops claiming, waits for running jobs up to a
 * timeout, and releases the rest without using up an attempt.
 */
import { wellFormed } from "../shared/well-formed.js";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Interrupted, JobHookFailed } from "../errors.js";
import { JT_OWN_DIRS } from "../package-paths.js";
import { headline } from "../report/errors.js";
import type { TaskDefinition } from "../registry/task.js";
import { Discard, Snooze } from "../api/job-outcomes.js";
import { retryDelayMs } from "../shared/backoff.js";
import { formatTarget } from "../args/brackets.js";
import { dueSlots, scheduleKey } from "./clock.js";
import type { ProjectSchedule } from "./schedules.js";
import { formatDuration } from "../shared/duration.js";
import { Heartbeat } from "./heartbeat.js";
import { runAsJob } from "./job-context.js";
import { guardProcessAgainstJobs, JobFault } from "./job-faults.js";
import type { Jobs, TaskCatalog } from "./jobs.js";
import type { StoreLocation } from "./store/open.js";
import type { Job, JobStore } from "./store/store.js";
import { ProgressWriter, type ProgressUpdate } from "./progress-writer.js";
import { jobLabel, type LogAbout } from "./worker-log.js";

export interface WorkerOptions {
  store: JobStore;
  location: StoreLocation;
  jobs: Jobs;
  catalog: TaskCatalog;
  /**
   * A task's definition as its task file defined it, once loaded (the catalog may come from the
   * manifest, which cannot hold functions such as retry.on); undefined before.
   */
  loadedDefinition?: (name: string) => TaskDefinition | undefined;
  /**
   * Runs one job's task (its target and prerequisites) under `signal`, its `ctx.progress` reports
   * going to `progress`; resolves with what the target returned, rejects when it fails.
   */
  runTask: (job: Job, signal: AbortSignal, progress: (update: ProgressUpdate) => void) => Promise<unknown>;
  /** Queues to take jobs from; undefined for all. */
  queues: readonly string[] | undefined;
  concurrency: number;
  /** Jobs claimed ahead of free slots (jobs.prefetch). */
  prefetch: number;
  leaseMs: number;
  pollMs: number;
  shutdownTimeoutMs: number;
  pruneAfterMs: number;
  /** The cron schedules to run the clock for, read again at each tick (run-time ones change); undefined: no clock. */
  schedules: (() => Promise<readonly ProjectSchedule[]>) | undefined;
  /** Stop when nothing is left to run (jt jobs:workoff) instead of waiting for more. */
  untilEmpty: boolean;
  /** jt's lines, with what each is about (its event and job) for the JSON log. */
  log: (line: string, about?: LogAbout) => void;
  /** Told each time a job ends completed, failed for good or released. */
  onProgress?: (summary: WorkerSummary) => void;
}

export interface WorkerSummary {
  completed: number;
  failed: number;
  released: number;
}

/** The most JSON a job's result may be (characters); a bigger one is not stored. */
const MAX_RESULT_LENGTH = 1024 * 1024;

/** How long an action aborted by a shutdown has to stop before the worker abandons it. */
const ABANDON_AFTER_ABORT_MS = 500;

/** A job whose task no task file of this deploy defines: its attempt fails without running. */
class TaskNotDefined extends Error {
  override readonly name = "TaskNotDefined";
}

/** Why a job's signal was aborted: its task's timeout. */
class TimedOut extends Error {
  override readonly name = "TimedOut";
}

export class JobWorker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** Keyed by the claimed Job object: a job retried at once may run its next attempt before this one is cleaned up. */
  private readonly running = new Map<
    Job,
    { job: Job; controller: AbortController; done: Promise<void>; abandon: (reason: Error) => void }
  >();
  /** Outcomes being recorded. A job's slot frees when its action ends, so the next claim and this
   * write go to the store side by side instead of one after the other. */
  private readonly recording = new Set<Promise<void>>();
  /** Claimed, not started yet: at most `prefetch` beyond free slots. */
  private readonly waiting: Job[] = [];
  private readonly releasing = new Set<Job>();
  private stopping = false;
  /** Once stopping: when outcome writes stop waiting for a store outage to end. */
  private giveUpWritesAt = Infinity;
  /**
   * Ends the current sleep, or, while the loop is awake (claiming), the next one before it starts:
   * a job that ends during a claim that found its key full must not leave the loop asleep for a
   * whole poll interval.
   */
  private wake: () => void = () => {
    this.wokenEarly = true;
  };
  private wokenEarly = false;
  private readonly summary: WorkerSummary = { completed: 0, failed: 0, released: 0 };

  private readonly progress: ProgressWriter;

  constructor(private readonly options: WorkerOptions) {
    this.progress = new ProgressWriter(options.store, this.id, (job, error) =>
      options.log(`jt: ${jobLabel(job)}: could not record its progress: ${(error as Error).message}`, {
        event: "job.progress-unrecorded",
        level: "warn",
        job,
      }),
    );
  }

  private count(outcome: keyof WorkerSummary): void {
    this.summary[outcome] += 1;
    this.options.onProgress?.({ ...this.summary });
  }

  /** The jobs whose actions are running now. */
  runningJobs(): Job[] {
    return [...this.running.values()].map((r) => r.job);
  }

  /** Asks the worker to finish (SIGTERM): no new claims, running jobs get `shutdownTimeoutMs`. */
  stop(): void {
    if (!this.stopping) this.giveUpWritesAt = Date.now() + this.options.shutdownTimeoutMs + ABANDON_AFTER_ABORT_MS;
    this.stopping = true;
    this.wake();
  }

  async run(): Promise<WorkerSummary> {
    const { store, options } = { store: this.options.store, options: this.options };
    const worker = {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      queues: options.queues ?? null,
      concurrency: options.concurrency,
    };
    const heartbeat = new Heartbeat(options.location, worker, options.leaseMs, (message) =>
      options.log(`jt: heartbeat failed: ${message}`),
    );
    await heartbeat.ready;
    const unsubscribe = store.onJobsAvailable(() => this.wake());
    const background = this.startBackgroundWork();
    const unguard = guardProcessAgainstJobs({
      running: () => [...this.running.values()].map((r) => r.job.id),
      fail: (jobId, fault) => this.fault(jobId, fault),
      log: options.log,
    });
    try {
      const capacity = options.concurrency + options.prefetch;
      let remigrated = false;
      while (!this.stopping) {
        this.startWaiting(heartbeat);
        const room = capacity - this.running.size - this.waiting.length;
        let claimed: Job[] = [];
        try {
          if (room > 0) claimed = await store.claim({ workerId: this.id, queues: options.queues, limit: room, leaseMs: options.leaseMs });
          remigrated = false;
        } catch (error) {
          if (isMissingTable(error)) {
            // Dropped under a running worker (a db:reset, a restored dump): recreate them once, or stop.
            if (remigrated)
              throw new Error(
                `The job store's tables are gone and creating them again did not bring them back (${(error as Error).message}): run jt jobs:migrate, then start the worker again`,
                { cause: error },
              );
            options.log(`jt: the store's tables are gone (${(error as Error).message}): creating them again`);
            await store.migrate();
            remigrated = true;
            continue;
          }
          // The store is out of reach for a moment (a dropped connection, a locked file): keep the
          // running jobs going and try again after the poll interval.
          options.log(`jt: claiming jobs failed: ${(error as Error).message}; trying again`);
          await this.sleep();
          continue;
        }
        heartbeat.track(claimed.map((job) => job.id));
        this.waiting.push(...claimed);
        this.startWaiting(heartbeat);
        const idle = this.running.size === 0 && this.waiting.length === 0 && this.recording.size === 0;
        // (An outcome still being recorded may be a retry due at once: wait for it before calling the queue empty.)
        if (options.untilEmpty && claimed.length === 0 && idle) break;
        if (claimed.length === 0 || this.running.size + this.waiting.length >= capacity) await this.sleep();
        // Every pass ends with a turn of the event loop. A SQLite store never yields (better-sqlite3
        // is synchronous) and a short job ends within microtasks, so without this the loop would
        // claim and run the whole backlog as one chain of microtasks: no signal handled, no timer
        // (the reaper, the clock), no outcome written until the queue is empty.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await this.releaseWaiting(heartbeat);
      await this.finishRunning();
      if (options.untilEmpty && !this.stopping) await this.reportWhatIsLeft();
    } finally {
      unguard();
      background.stop();
      unsubscribe();
      await heartbeat.stop();
    }
    return this.summary;
  }

  /** Starts claimed jobs while there are free slots (none once stopping: they are released). */
  private startWaiting(heartbeat: Heartbeat): void {
    while (this.waiting.length > 0 && this.running.size < this.options.concurrency && !this.stopping) {
      this.start(this.waiting.shift()!, heartbeat);
    }
  }

  private async releaseWaiting(heartbeat: Heartbeat): Promise<void> {
    const jobs = this.waiting.splice(0);
    await Promise.all(
      jobs.map(async (job) => {
        await this.release(job, jobLabel(job)).catch((error: unknown) =>
          this.options.log(`jt: job ${job.id}: could not release it: ${(error as Error).message}`),
        );
        heartbeat.untrack(job.id);
      }),
    );
  }

  /** Waits until woken (an enqueue, a finished job, a stop) or the poll interval passes. */
  private sleep(): Promise<void> {
    if (this.wokenEarly) {
      this.wokenEarly = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = () => {
          this.wokenEarly = true;
        };
        resolve();
      };
      const timer = setTimeout(done, this.options.pollMs);
      this.wake = done;
    });
  }

  private start(job: Job, heartbeat: Heartbeat): void {
    const controller = new AbortController();
    const task = this.options.catalog.get(job.task);
    const timeoutMs = task?.job.timeoutMs;
    // An action that ignores its signal cannot be stopped from here, only abandoned: at its timeout,
    // or shortly after a shutdown aborted it, its attempt ends without it and whatever it does
    // later is never recorded for this job.
    let abandon: (reason: Error) => void = () => {};
    const abandoned = new Promise<never>((_, reject) => (abandon = reject));
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            const reason = new TimedOut(`timed out after ${formatDuration(timeoutMs)}`);
            controller.abort(reason);
            abandon(reason);
          }, timeoutMs);
    const label = jobLabel(job);
    this.options.log(`jt: ${label} started (attempt ${job.attempts} of ${job.maxAttempts})`, { event: "job.started", job });
    const startedAt = Date.now();
    const report = (update: ProgressUpdate) => {
      // An abandoned action that goes on reporting: its job's attempt has ended.
      if (this.running.has(job)) this.progress.report(job, update);
    };
    const run = task
      ? () => this.options.runTask(job, controller.signal, report)
      : () =>
          Promise.reject(
            new TaskNotDefined(
              `this deploy does not define the task '${job.task}' (no task file in it does); retried in case a worker of another deploy still does, as in a rolling deploy`,
            ),
          );
    const action = Promise.race([runAsJob(job, run), abandoned]).finally(() => {
      clearTimeout(timer);
      this.running.delete(job);
      this.wake();
    });
    const done: Promise<void> = action
      .then(
        (value: unknown) => this.succeeded(job, label, Date.now() - startedAt, value),
        (error: unknown) => this.failed(job, label, task, controller.signal, error),
      )
      .catch((error: unknown) =>
        this.options.log(`jt: ${label}: could not record its outcome: ${(error as Error).message}`, {
          event: "job.unrecorded",
          level: "error",
          job,
        }),
      )
      .finally(() => {
        heartbeat.untrack(job.id);
        this.recording.delete(done);
        this.wake();
      });
    this.recording.add(done);
    this.running.set(job, { job, controller, done, abandon });
  }

  /**
   * Fails the jobs a worker process that died still held, with its cause (out of memory, killed),
   * before this worker claims anything: they need not wait for their lease to expire. Jobs that
   * ran beside the one that caused it cannot be told apart from it, so each is charged an attempt.
   */
  async failJobsOfDeadWorker(workerId: string, cause: string): Promise<void> {
    const held = (await this.options.store.list({ states: ["running"], limit: 100_000 })).filter((job) => job.lockedBy === workerId);
    const beside = held.length > 1 ? `; ${held.length} jobs were running in it, and jt cannot tell which one caused it` : "";
    const message = `the worker process running it died: ${cause}${beside}`;
    for (const job of held) {
      const label = jobLabel(job);
      await this.recordFailure(job, label, this.options.catalog.get(job.task), workerId, message, undefined);
    }
  }

  /** A job's fault (process.exit, a leaked rejection or exception): its attempt fails now; its action is abandoned. */
  private fault(jobId: number, fault: JobFault): boolean {
    const running = [...this.running.values()].find((r) => r.job.id === jobId);
    if (!running) return false;
    running.controller.abort(fault);
    running.abandon(fault);
    return true;
  }

  /** Completions of one turn of the event loop, recorded in one transaction. */
  private completions: { job: Job; result: string | null; settle: (held: boolean) => void; fail: (error: unknown) => void }[] = [];

  private complete(job: Job, result: string | null): Promise<boolean> {
    return new Promise((settle, fail) => {
      this.completions.push({ job, result, settle, fail });
      if (this.completions.length > 1) return;
      setImmediate(() => {
        const batch = this.completions.splice(0);
        const { store } = this.options;
        const what = batch.length === 1 ? `job ${batch[0]!.job.id}` : `jobs ${batch.map((c) => c.job.id).join(", ")}`;
        this.persist(what, () =>
          store.complete(
            batch.map((c) => c.job),
            this.id,
            batch.map((c) => c.result),
          ),
        ).then(
          (ids) => {
            const held = new Set(ids);
            for (const c of batch) c.settle(held.has(c.job.id));
          },
          (error: unknown) => {
            // One failed write must not cost every job of the batch a second run: each on its own.
            if (batch.length === 1) return batch[0]!.fail(error);
            for (const c of batch) store.complete([c.job], this.id, [c.result]).then((ids) => c.settle(ids.length > 0), c.fail);
          },
        );
      });
    });
  }

  /** A finished action is recorded as completed, even when a shutdown had asked it to stop. */
  private async succeeded(job: Job, label: string, ms: number, value: unknown): Promise<void> {
    if (value instanceof Snooze || value instanceof Discard) {
      await this.progress.finish(job);
      return value instanceof Snooze ? this.snooze(job, label, value) : this.discard(job, label, value);
    }
    const result = this.resultOf(job, label, value);
    await this.progress.finish(job);
    if (!(await this.complete(job, result))) {
      this.options.log(`jt: ${label} finished, but its lease had expired and another worker owns it now`, {
        event: "job.lost",
        level: "warn",
        job,
      });
      return;
    }
    this.count("completed");
    this.options.log(`jt: ${label} completed in ${formatDuration(ms)}`, { event: "job.completed", job });
  }

  /**
   * What the task returned, as the JSON the store keeps; null for nothing, or (with a warning) for
   * what JSON cannot hold or what is too big to keep (an action that returns a query's rows by
   * accident must not fail its job's completion). Strings are made well-formed: PostgreSQL refuses
   * a lone surrogate.
   */
  private resultOf(job: Job, label: string, value: unknown): string | null {
    if (value === undefined) return null;
    const unstored = (why: string) => {
      this.options.log(`jt: ${label}: its result is not stored: ${why}`, { event: "job.result-unstored", level: "warn", job });
      return null;
    };
    let json: string | undefined;
    try {
      json = JSON.stringify(value, (_key, part: unknown) => (typeof part === "string" ? wellFormed(part) : part));
    } catch (error) {
      return unstored(`JSON cannot hold it (${(error as Error).message})`);
    }
    if (json !== undefined && json.length > MAX_RESULT_LENGTH)
      return unstored(`it is ${Math.round(json.length / 1024)} KB of JSON, more than the ${MAX_RESULT_LENGTH / 1024} KB a result may be`);
    return json ?? null;
  }

  private async failed(job: Job, label: string, task: TaskDefinition | undefined, signal: AbortSignal, error: unknown): Promise<void> {
    await this.progress.finish(job);
    if (this.releasing.has(job)) return this.release(job, label);
    const reason = signal.reason instanceof TimedOut ? signal.reason : error;
    const cause = error instanceof Interrupted || (signal.aborted && signal.reason instanceof TimedOut) ? reason : unwrap(error);
    if (cause instanceof Snooze) return this.snooze(job, label, cause);
    if (cause instanceof Discard) return this.discard(job, label, cause);
    const own = cause instanceof TimedOut || cause instanceof JobFault || cause instanceof TaskNotDefined;
    const message = own || cause instanceof JobHookFailed ? cause.message : headline(cause);
    const stack = cause instanceof Error && !(cause instanceof TaskNotDefined) ? userStack(cause) : undefined;
    // retry.on and retry.discardOn judge the task's own errors (not a timeout or a crash jt reports).
    const verdict = own ? undefined : this.retryVerdict(job, label, this.options.loadedDefinition?.(job.task) ?? task, cause);
    if (verdict === "discard")
      return this.recordFailure(job, label, task, this.id, `Discarded: ${message}`, stack, "retry.discardOn matches its error");
    await this.recordFailure(
      job,
      label,
      task,
      this.id,
      message,
      stack,
      verdict === "no-retry" ? "retry.on does not match its error" : undefined,
    );
  }

  /** What retry.discardOn and retry.on say of an error; a test that throws says nothing (and is logged). */
  private retryVerdict(job: Job, label: string, task: TaskDefinition | undefined, error: unknown): "discard" | "no-retry" | undefined {
    const judge = (name: string, test: ((error: unknown) => boolean) | undefined): boolean | undefined => {
      if (!test) return undefined;
      try {
        return test(error);
      } catch (thrown) {
        this.options.log(`jt: ${label}: its ${name} test threw (${headline(thrown)}); retrying as usual`, {
          event: "job.retry-test-failed",
          level: "warn",
          job,
        });
        return undefined;
      }
    };
    if (judge("retry.discardOn", task?.job.discardOn) === true) return "discard";
    if (judge("retry.on", task?.job.retryOn) === false) return "no-retry";
    return undefined;
  }

  /** A `Discard` thrown or returned: failed for good now, its reason the attempt's error. */
  private discard(job: Job, label: string, discard: Discard): Promise<void> {
    const stack = discard.stack === undefined ? undefined : userStack(discard);
    return this.recordFailure(
      job,
      label,
      this.options.catalog.get(job.task),
      this.id,
      `Discarded: ${discard.reason}`,
      stack,
      "discarded by its task",
    );
  }

  /** A `Snooze` thrown or returned: queued again for later, the attempt not counted. */
  private async snooze(job: Job, label: string, snooze: Snooze): Promise<void> {
    const runAt = await this.persist(`job ${job.id}`, async () => {
      const at = (await this.options.store.now()) + snooze.waitMs;
      return (await this.options.store.release(job, this.id, at)) ? at : null;
    });
    if (runAt === null) {
      this.options.log(`jt: ${label} snoozed, but its lease had expired and another worker owns it now`, {
        event: "job.lost",
        level: "warn",
        job,
      });
      return;
    }
    this.options.log(`jt: ${label} snoozed: runs again in ${formatDuration(snooze.waitMs)} (this run is not counted as an attempt)`, {
      event: "job.snoozed",
      job,
    });
  }

  private async recordFailure(
    job: Job,
    label: string,
    task: TaskDefinition | undefined,
    workerId: string,
    message: string,
    stack: string | undefined,
    /** Why it is not retried whatever its attempts (discarded, retry.on). */
    forGood?: string,
  ): Promise<void> {
    const canRetry = forGood === undefined && job.attempts < job.maxAttempts;
    const { now, retryAt, recorded } = await this.persist(`job ${job.id}`, async () => {
      const now = await this.options.store.now();
      const retryAt = canRetry ? now + retryDelayMs(task?.job.backoff, job.attempts) : null;
      return {
        now,
        retryAt,
        recorded: await this.options.store.fail(job, workerId, { attempt: job.attempts, at: now, message, stack }, retryAt),
      };
    });
    if (!recorded) {
      this.options.log(`jt: ${label} failed, but its lease had expired and another worker owns it now`, {
        event: "job.lost",
        level: "warn",
        job,
      });
      return;
    }
    if (retryAt === null) {
      this.count("failed");
      const why = forGood === undefined ? `after ${job.attempts} attempt${job.attempts === 1 ? "" : "s"}` : `(${forGood})`;
      this.options.log(`jt: ${label} failed for good ${why}: ${message}`, {
        event: "job.failed",
        level: "error",
        job,
        ...(stack ? { stack } : {}),
      });
    } else {
      this.options.log(`jt: ${label} failed (${message}); retrying in ${formatDuration(retryAt - now)}`, {
        event: "job.retrying",
        level: "warn",
        job,
        ...(stack ? { stack } : {}),
      });
    }
  }

  private async release(job: Job, label: string): Promise<void> {
    if (await this.persist(`job ${job.id}`, () => this.options.store.release(job, this.id))) {
      this.count("released");
      this.options.log(`jt: ${label} released for another worker (shutting down)`, { event: "job.released", job });
    }
  }

  /**
   * Writes a job's outcome, and keeps trying through a store outage (a PostgreSQL restart, a
   * dropped connection, a file locked past its busy timeout) for as long as the job's lease can
   * last (the heartbeat renews it once the store is back), but not past the shutdown's bound:
   * a write given up costs the job an attempt when its lease expires.
   */
  private async persist<T>(what: string, write: () => Promise<T>): Promise<T> {
    const { leaseMs, log } = this.options;
    let giveUpAt: number | undefined;
    let delayMs = 100;
    for (;;) {
      try {
        const result = await write();
        if (giveUpAt !== undefined) log(`jt: ${what}: outcome recorded, the store is back`);
        return result;
      } catch (error) {
        const now = Date.now();
        if (giveUpAt === undefined) {
          giveUpAt = now + leaseMs;
          log(
            `jt: ${what}: recording the outcome failed (${(error as Error).message}); trying again for up to ${formatDuration(leaseMs)}, the lease`,
          );
        }
        if (now + delayMs > Math.min(giveUpAt, this.giveUpWritesAt)) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs = Math.min(delayMs * 2, 2_000);
      }
    }
  }

  /** After a stop: let running jobs finish within the shutdown timeout, then release the rest. */
  private async finishRunning(): Promise<void> {
    await this.finishActions();
    await Promise.all(this.recording);
  }

  private async finishActions(): Promise<void> {
    if (this.running.size === 0) return;
    const all = () => Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all().then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.options.shutdownTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (!timedOut) return;
    const stillRunning = [...this.running.values()];
    for (const { job, controller } of stillRunning) {
      this.releasing.add(job);
      controller.abort(new Interrupted("SIGTERM"));
    }
    // Actions that honour their signal stop now; those that ignore it are abandoned, so that the
    // worker exits within shutdownTimeout plus about a second (Heroku's SIGKILL comes at 30 s).
    const abandonTimer = setTimeout(() => {
      for (const { abandon } of stillRunning) abandon(new Interrupted("SIGTERM"));
    }, ABANDON_AFTER_ABORT_MS);
    await all();
    clearTimeout(abandonTimer);
  }

  /**
   * After jobs:workoff drained what it could: the jobs it left behind and why. Jobs another worker
   * holds (alive, or dead and waiting for its lease to expire) and jobs due later are not "nothing
   * left to do", and a person or a script running workoff should hear when they become runnable.
   */
  private async reportWhatIsLeft(): Promise<void> {
    const { store, leaseMs, log, queues } = this.options;
    const now = await store.now();
    const ours = (job: Job) => queues === undefined || queues.includes(job.queue);
    const running = (await store.list({ states: ["running"], limit: 1000 })).filter((job) => job.lockedBy !== this.id && ours(job));
    const later = (await store.list({ states: ["queued"], limit: 10_000 })).filter((job) => job.runAt > now && ours(job));
    const shown = 5;
    for (const job of running.slice(0, shown)) {
      const until = job.lockedUntil ?? now;
      // A live worker renews its lease every third of it; one that has not for a whole third stopped.
      const silentMs = now - (until - leaseMs);
      const holder =
        silentMs > leaseMs / 3 + 1000
          ? `worker ${job.lockedBy}, which stopped renewing its lease ${formatDuration(silentMs)} ago`
          : `worker ${job.lockedBy}, which is running it`;
      const when = until > now ? `in ${formatDuration(until - now)} (${new Date(until).toISOString()})` : "now";
      log(
        `jt: ${jobLabel(job)} is held by ${holder}; if that worker does not finish it, it becomes runnable when its lease expires, ${when}`,
      );
    }
    if (running.length > shown) log(`jt: and ${running.length - shown} more jobs held by other workers (jt jobs:list --state running)`);
    if (later.length > 0) {
      const next = later.reduce((a, b) => (b.runAt < a.runAt ? b : a));
      log(
        `jt: ${later.length} job${later.length === 1 ? " is" : "s are"} due later, the next (${jobLabel(next)}) in ${formatDuration(next.runAt - now)} (${new Date(next.runAt).toISOString()}); jobs:workoff runs only what is due`,
      );
    }
  }

  /** The reaper, the cron clock and pruning, on timers while the worker runs. */
  private startBackgroundWork(): { stop(): void } {
    const { store, log, leaseMs, pruneAfterMs, schedules } = this.options;
    const guard = (what: string, work: () => Promise<unknown>) => () =>
      void work().catch((error: unknown) => log(`jt: ${what} failed: ${(error as Error).message}`));
    const reap = guard("putting back jobs of stopped workers", async () => {
      const requeued = await store.requeueExpired();
      if (requeued > 0) log(`jt: put back ${requeued} job${requeued === 1 ? "" : "s"} whose worker stopped`);
    });
    const tick = guard("the cron clock", () => this.clockTick());
    const prune = guard("pruning completed jobs", () => store.prune(pruneAfterMs));
    reap();
    prune();
    const timers = [setInterval(reap, Math.max(100, Math.min(5000, Math.floor(leaseMs / 2)))), setInterval(prune, 3_600_000)];
    if (schedules) {
      tick();
      timers.push(setInterval(tick, 1000));
    }
    return { stop: () => timers.forEach(clearInterval) };
  }

  /** Schedules whose slot could not be enqueued (logged once each, not every second). */
  private readonly brokenSchedules = new Set<string>();

  private async clockTick(): Promise<void> {
    const { store, jobs, log } = this.options;
    const schedules = (await this.options.schedules?.()) ?? [];
    const now = await store.now();
    for (const schedule of schedules) {
      const key = scheduleKey(schedule);
      try {
        await enqueueDueSlots(store, jobs, schedule, now, log);
        this.brokenSchedules.delete(key);
      } catch (error) {
        if (this.brokenSchedules.has(key)) continue;
        this.brokenSchedules.add(key);
        log(`jt: cron schedule ${schedule.name}: could not enqueue its slot: ${(error as Error).message}`, {
          event: "cron.failed",
          level: "error",
        });
      }
    }
  }
}

/**
 * Enqueues the schedule's slots due by `now` (each once, whoever else tries: the store's unique
 * slot), and moves its high-water mark; a schedule seen for the first time only marks `now`.
 */
export async function enqueueDueSlots(
  store: JobStore,
  jobs: Jobs,
  schedule: ProjectSchedule,
  now: number,
  log: (line: string) => void,
): Promise<void> {
  const key = scheduleKey(schedule);
  const { enqueue, mark } = dueSlots(schedule, await store.lastCronSlot(key), now);
  for (const slot of enqueue) {
    // Due at its slot: jobs:list shows which slot each cron job is for.
    const job = { ...jobs.newJob(schedule.task, { args: [...schedule.args] }, now), runAt: slot };
    if (await store.enqueueCronSlot(key, slot, job, schedule.name)) {
      const named = schedule.source === "runtime" ? ` (schedule ${schedule.name})` : "";
      log(
        `jt: cron ${schedule.cron}${schedule.tz ? ` (${schedule.tz})` : ""}${named}: enqueued ${formatTarget(schedule.task, schedule.args)} for ${new Date(slot).toISOString()}`,
      );
    }
  }
  if (mark !== null) await store.markCronSlot(key, mark);
}

/** The stack without jt's own frames and Node's internals: where it went wrong in the app. */
function userStack(error: Error): string | undefined {
  if (!error.stack) return undefined;
  const lines = error.stack.split("\n");
  const frames = lines.filter((line) => line.trimStart().startsWith("at "));
  const kept = frames.filter(
    (line) => !JT_OWN_DIRS.some((dir) => line.includes(dir)) && !line.includes("(node:") && !line.includes(" node:"),
  );
  return [lines.find((line) => !line.trimStart().startsWith("at ")) ?? String(error), ...(kept.length > 0 ? kept : frames)].join("\n");
}

/** SQLite's "no such table", PostgreSQL's undefined_table (42P01). */
function isMissingTable(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === "42P01" || (code === "SQLITE_ERROR" && typeof message === "string" && message.startsWith("no such table"));
}

/** The error a task threw, out of jt's wrapper around it. */
function unwrap(error: unknown): unknown {
  return error instanceof Error && error.name === "TaskFailure" && error.cause !== undefined ? error.cause : error;
}
