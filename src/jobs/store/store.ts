/**
 * The one small interface every job store implements (SQLite now, PostgreSQL next), and the one
 * conformance suite in test/jobs/ checks. Times are epoch milliseconds, read from the store's own
 * clock (`now()`): the database's, for a server shared by machines whose clocks may drift.
 *
 * A job is a task invocation (a task name and its args as strings) plus queue, priority, run_at,
 * attempts, a lease and an error history. Delivery is at least once: claiming a job leases it to a
 * worker; the worker renews the lease while it runs the job; a lease that expires puts the job
 * back. Completing, failing and releasing are fenced: they only take effect while the worker still
 * holds the lease on that attempt.
 */

import type { JobState } from "../../api/types.js";

export type { JobState };

/** Every state a job can be in, in the order a job goes through them. */
export const JOB_STATES: readonly JobState[] = ["queued", "running", "completed", "failed", "cancelled"];

export interface JobError {
  attempt: number;
  at: number;
  message: string;
  stack: string | undefined;
}

/** What a running job last reported with `ctx.progress` (`at`: the store's time of the report). */
export interface JobProgress {
  done: number;
  total: number | null;
  message: string | null;
  at: number;
}

export interface Job {
  id: number;
  task: string;
  args: string[];
  queue: string;
  priority: number;
  state: JobState;
  /** Not before this time. */
  runAt: number;
  /** Runs started so far (the first included). */
  attempts: number;
  maxAttempts: number;
  /** While a worker holds it: who, and until when. */
  lockedBy: string | null;
  lockedUntil: number | null;
  /** While queued or running, no other queued or running job has this key. */
  uniqueKey: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  errors: JobError[];
  /** When its latest attempt started, and the worker that took it (kept after it ends). */
  startedAt: number | null;
  worker: string | null;
  /** The latest attempt's last `ctx.progress` report. */
  progress: JobProgress | null;
  /** What its task returned (JSON), once completed; null when it returned nothing. */
  result: unknown;
  /** What enqueue hooks attached to it (a trace context, a tenant): string values by name. */
  meta: Record<string, string>;
}

export interface NewJob {
  task: string;
  args: string[];
  queue: string;
  priority: number;
  runAt: number | null;
  maxAttempts: number;
  uniqueKey: string | null;
  /** A queued job with this key is replaced (its args and due time) instead of a new one inserted. */
  debounceKey?: string | null;
  /** At most `concurrencyLimit` running jobs share this key (the store enforces it when claiming). */
  concurrencyKey?: string | null;
  concurrencyLimit?: number | null;
  /** At most `rateMax` jobs of this key start in each window of `ratePerMs` (enforced when claiming). */
  rateKey?: string | null;
  rateMax?: number | null;
  ratePerMs?: number | null;
  /** What enqueue hooks attached (stored as JSON; none when empty). */
  meta?: Readonly<Record<string, string>> | null;
}

export interface EnqueueResult {
  /** The job inserted, or the live job that already has its unique key. */
  job: Job;
  /** False when an existing job with the same unique key was returned instead (or, debounced, was replaced). */
  inserted: boolean;
}

export interface ClaimRequest {
  workerId: string;
  /** Queues to take from; undefined for every queue. */
  queues: readonly string[] | undefined;
  limit: number;
  leaseMs: number;
}

export interface JobFilter {
  states?: readonly JobState[] | undefined;
  task?: string | undefined;
  queue?: string | undefined;
  /** Text in the job's args or in one of its errors (case-insensitive for ASCII). */
  text?: string | undefined;
  /** Keyset pagination: only jobs with a lower id (the next page after a page ending at this id). */
  beforeId?: number | undefined;
  limit?: number | undefined;
}

export interface QueueStats {
  queue: string;
  state: JobState;
  count: number;
}

/**
 * What an operator can pause: a queue or a task (no worker claims its jobs; they keep queueing),
 * or a cron schedule (its slots pass without a job).
 */
export type PauseKind = "queue" | "task" | "schedule";

export interface Pause {
  kind: PauseKind;
  /** The queue's name, or the task's (paused as jobs, or as a schedule). */
  name: string;
  at: number;
}

/**
 * A schedule kept in the store: made at run time (`jt jobs:cron add`, `setSchedule`), or the
 * override of a code schedule's cron (`override`: its name is the task's).
 */
export interface StoredSchedule {
  name: string;
  task: string;
  args: string[];
  cron: string;
  tz: string | null;
  override: boolean;
  updatedAt: number;
}

/** What a running worker reports of itself on each heartbeat. */
export interface WorkerBeat {
  id: string;
  host: string;
  pid: number;
  /** null: every queue. */
  queues: readonly string[] | null;
  concurrency: number;
  /** The ids of the jobs it holds now. */
  running: readonly number[];
}

export interface WorkerRecord extends WorkerBeat {
  startedAt: number;
  heartbeatAt: number;
  /** Without a heartbeat by then, the worker is gone. */
  expiresAt: number;
  /** When it stopped cleanly (null: running, or died). */
  stoppedAt: number | null;
}

/** Jobs that ended in one span of time. */
export interface ThroughputBucket {
  /** The span's start. */
  at: number;
  completed: number;
  /** Failed for good (out of attempts). */
  failed: number;
}

export interface FinishedCount {
  queue: string;
  task: string;
  state: "completed" | "failed";
  count: number;
}

/** A schedule's row in the clock's table. */
export interface CronState {
  /** The newest slot enqueued or passed over. */
  lastSlot: number;
  /** The newest slot enqueued, and the job it enqueued. */
  lastRun: number | null;
  lastJob: number | null;
}

export interface JobStore {
  /** Creates or updates the schema; safe when several processes start at once. */
  migrate(): Promise<void>;
  /** The store's clock. */
  now(): Promise<number>;
  /**
   * Calls `listener` when jobs may have become runnable (enqueued, retried, released), as far as
   * the store can tell (in this process for SQLite; LISTEN/NOTIFY for PostgreSQL). Workers also poll.
   */
  onJobsAvailable(listener: () => void): () => void;
  /**
   * Inserts jobs (or finds the live job holding a unique key), in one transaction; `runAt` null
   * means now. `connection` is the app's own open transaction to insert in (PostgreSQL).
   */
  enqueue(jobs: readonly NewJob[], connection?: unknown): Promise<EnqueueResult[]>;
  /** Leases up to `limit` runnable jobs: queued, due, in the given queues, lowest priority number first, oldest first. */
  claim(request: ClaimRequest): Promise<Job[]>;
  /** Extends the leases this worker holds on these running jobs. */
  renewLeases(workerId: string, jobIds: readonly number[], leaseMs: number): Promise<void>;
  /**
   * Marks jobs completed, in one transaction, with what each returned (`results[i]`, JSON text, for
   * `jobs[i]`; null or missing: nothing); returns the ids the worker still held (the others are not touched).
   */
  complete(jobs: readonly Job[], workerId: string, results?: readonly (string | null)[]): Promise<number[]>;
  /** Records a running job's progress (stamped with the store's time); false when the worker no longer holds it. */
  reportProgress(job: Job, workerId: string, progress: Omit<JobProgress, "at">): Promise<boolean>;
  /**
   * Records a failed attempt: the job is queued again at `retryAt`, or failed for good when
   * `retryAt` is null. False when the worker no longer holds it.
   */
  fail(job: Job, workerId: string, error: JobError, retryAt: number | null): Promise<boolean>;
  /**
   * Puts a running job back without using up its attempt: due at once (a worker shutting down),
   * or at `runAt` (a task's `Snooze`).
   */
  release(job: Job, workerId: string, runAt?: number | null): Promise<boolean>;
  /** Puts jobs whose lease expired back in their queue (their attempt counts); returns how many. */
  requeueExpired(): Promise<number>;
  /** Enqueues the job of a cron slot unless one was enqueued for it already (by any worker). */
  enqueueCronSlot(schedule: string, slot: number, job: NewJob, name?: string): Promise<boolean>;
  /** A schedule's high-water mark: the newest slot enqueued or passed over, or null (never seen). */
  lastCronSlot(schedule: string): Promise<number | null>;
  /** The newest slot of a schedule that was actually enqueued, or null. */
  lastCronRun(schedule: string): Promise<number | null>;
  /** Records a schedule's high-water mark without enqueueing (a schedule seen for the first time). */
  markCronSlot(schedule: string, slot: number): Promise<void>;

  /** A schedule's state in the clock's table, or undefined (never seen by a worker). */
  cronState(schedule: string): Promise<CronState | undefined>;

  /** Pauses a queue or a schedule (kept in the store: every worker, across restarts); false if it was paused already. */
  pause(kind: PauseKind, name: string): Promise<boolean>;
  /** Resumes it; false if it was not paused. */
  resume(kind: PauseKind, name: string): Promise<boolean>;
  pauses(): Promise<Pause[]>;

  /** The schedules kept in the store, by name. */
  storedSchedules(): Promise<StoredSchedule[]>;
  /** Creates the schedule, or (with `replace`) replaces the one of its name; false when it exists and `replace` is false. */
  putSchedule(schedule: Omit<StoredSchedule, "updatedAt">, replace: boolean): Promise<boolean>;
  /** Deletes it; false when there was none. */
  removeSchedule(name: string): Promise<boolean>;

  /** Records a worker's heartbeat; without another within `ttlMs` it counts as gone. */
  beatWorker(beat: WorkerBeat, ttlMs: number): Promise<void>;
  /** Records that a worker stopped cleanly. */
  stopWorker(id: string): Promise<void>;
  /** Workers that beat within the last day (newest first). */
  workers(): Promise<WorkerRecord[]>;
  /** Jobs completed and failed for good since `since`, in spans of `bucketMs` (only spans with any). */
  throughput(since: number, bucketMs: number): Promise<ThroughputBucket[]>;
  /** Jobs completed and failed for good since `since`, by queue and task (for metrics). */
  finishedSince(since: number): Promise<FinishedCount[]>;

  get(id: number): Promise<Job | undefined>;
  list(filter: JobFilter): Promise<Job[]>;
  stats(): Promise<QueueStats[]>;
  /** Per queue with runnable jobs (queued and due), the due time of the one waiting longest: now minus it is the queue's latency. */
  oldestRunnable(): Promise<{ queue: string; runAt: number }[]>;
  /**
   * Failed or cancelled jobs back to queued, and queued ones (waiting for a retry, or not yet due)
   * due now — all with a fresh set of attempts; returns the ids retried. A job whose unique key a
   * live job holds is skipped (of several sharing a key, one is retried).
   */
  retry(ids: readonly number[] | "all-failed"): Promise<number[]>;
  /** Queued jobs to cancelled; returns the ids cancelled. */
  cancel(ids: readonly number[]): Promise<number[]>;
  /** Deletes failed (or cancelled) jobs; returns the ids deleted. */
  discard(ids: readonly number[] | "all-failed"): Promise<number[]>;
  /** Deletes completed jobs that finished more than `olderThanMs` ago; returns how many. */
  prune(olderThanMs: number): Promise<number>;
  /** Deletes every job; returns how many. */
  clear(): Promise<number>;
  close(): Promise<void>;
}
