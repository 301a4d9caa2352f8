/**
 * The job store on a SQLite file (better-sqlite3): no server, several processes on one machine.
 * WAL lets readers and one writer work at once; every write is a `BEGIN IMMEDIATE` transaction,
 * taking the write lock up front (a deferred one could fail to upgrade); a generous busy_timeout
 * makes a writer wait its turn instead of failing with SQLITE_BUSY.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { driverFailure, loadDriver, SQLITE_DRIVER } from "./driver.js";
import { pendingMigrations } from "./migrations.js";
import { onJobs, signalJobs } from "./sqlite-wake.js";
import { retryEligible } from "./sql.js";
import type {
  ClaimRequest,
  CronState,
  EnqueueResult,
  FinishedCount,
  Job,
  JobError,
  JobFilter,
  JobProgress,
  JobStore,
  NewJob,
  Pause,
  PauseKind,
  StoredSchedule,
  QueueStats,
  ThroughputBucket,
  WorkerBeat,
  WorkerRecord,
} from "./store.js";
import {
  byClaimOrder,
  CLAIM_ORDER,
  DAY_MS,
  heldBy,
  LEASE_EXPIRED,
  listQuery,
  metaJson,
  mergeBuckets,
  rowToJob,
  selection,
  sqliteParams,
  type JobRow,
  type RowCodec,
} from "./vocabulary.js";

type Database = BetterSqlite3.Database;

type Row = JobRow<number, string>;

const CODEC: RowCodec<number, string, number> = { time: (ms) => ms, json: (text) => JSON.parse(text), id: (id) => id };
const toJob = (row: Row): Job => rowToJob(row, CODEC);

/** A list of ids as one parameter (json_each), so that one prepared statement serves any number. */
const idIn = () => "id IN (SELECT value FROM json_each(?))";

/**
 * Switches a file to WAL. Switching needs an exclusive lock, and when several processes open a
 * fresh file at once SQLite can refuse without waiting on the busy timeout (to avoid a deadlock):
 * the pragma then throws SQLITE_BUSY (retried for up to the busy timeout) or answers with the old
 * mode (retried for a second: where WAL is not supported, on some network file systems, that is the
 * answer for good, and the store carries on in the old mode).
 */
/**
 * How long a statement waits for another connection's lock before it fails with SQLITE_BUSY:
 * JT_SQLITE_BUSY_TIMEOUT_MS, 15 s by default. Past it, a worker retries its outcome writes (worker.ts).
 */
function busyTimeoutMs(): number {
  const value = Number(process.env.JT_SQLITE_BUSY_TIMEOUT_MS);
  return process.env.JT_SQLITE_BUSY_TIMEOUT_MS !== undefined && Number.isFinite(value) && value >= 0 ? value : 15_000;
}

function useWal(db: Database, sql: (text: string) => BetterSqlite3.Statement): void {
  const started = Date.now();
  const walMode = sql("PRAGMA journal_mode = WAL").pluck();
  for (;;) {
    try {
      if (walMode.get() === "wal" || db.memory || Date.now() - started > 1_000) return;
    } catch (error) {
      if (!/^SQLITE_BUSY/.test((error as { code?: string }).code ?? "") || Date.now() - started > busyTimeoutMs()) throw error;
    }
    sleepSync(5 + Math.random() * 20);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Every connection and statement the stores open, kept until the process (or thread) exits and
 * never left to the garbage collector: on Node 24.19 and later, collecting a better-sqlite3 object
 * can abort the process (`Assertion failed: (env) != nullptr` in RemoveEnvironmentCleanupHook;
 * Node's ObjectWrap removes its exit hook from a GC callback, where there is no current
 * Environment). A store prepares each SQL text once, so this holds a few dozen objects per store.
 */
const keptAlive = new Set<object>();

export interface SqliteStoreOptions {
  /** The clock, for tests; Date.now by default. */
  clock?: () => number;
}

export class SqliteStore implements JobStore {
  private readonly db: Database;
  private readonly clock: () => number;
  /** Statements by SQL text, prepared on first use (the tables exist only once migrate() has run). */
  private readonly prepared = new Map<string, BetterSqlite3.Statement>();

  constructor(
    readonly file: string,
    options: SqliteStoreOptions = {},
  ) {
    const Driver = loadDriver<typeof BetterSqlite3>(SQLITE_DRIVER);
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    try {
      // better-sqlite3 loads its native addon here, on first use, not when required.
      this.db = new Driver(file, { timeout: busyTimeoutMs() });
    } catch (error) {
      throw driverFailure(SQLITE_DRIVER, error);
    }
    keptAlive.add(this.db);
    useWal(this.db, (text) => this.sql(text));
    this.db.exec("PRAGMA synchronous = NORMAL");
    this.clock = options.clock ?? Date.now;
  }

  /** The statement for `text`, prepared on first use and kept (see keptAlive). */
  private sql(text: string): BetterSqlite3.Statement {
    let statement = this.prepared.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.prepared.set(text, statement);
      keptAlive.add(statement);
    }
    return statement;
  }

  /** Runs `body` in a BEGIN IMMEDIATE transaction. */
  private write<T>(body: () => T): T {
    return this.db.transaction(body).immediate();
  }

  /** Jobs became runnable: wakes idle workers here and in every other process on this file. */
  private notify(): void {
    signalJobs(this.file);
  }

  async migrate(): Promise<void> {
    this.write(() => {
      this.db.exec("CREATE TABLE IF NOT EXISTS jt_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
      const applied = (this.sql("SELECT max(version) FROM jt_migrations").pluck().get() as number | null) ?? 0;
      for (const migration of pendingMigrations(applied)) {
        this.db.exec(migration.sqlite);
        this.sql("INSERT INTO jt_migrations (version, applied_at) VALUES (?, ?)").run(migration.version, this.clock());
      }
    });
  }

  async now(): Promise<number> {
    return this.clock();
  }

  onJobsAvailable(listener: () => void): () => void {
    return onJobs(this.file, listener);
  }

  /** Inserts a job unless a live job holds its unique key (then undefined). */
  private insert(job: NewJob, now: number): Row | undefined {
    return this.sql(
      `INSERT INTO jt_jobs (task, args, queue, priority, state, run_at, max_attempts, unique_key, debounce_key, concurrency_key,
         concurrency_limit, rate_key, rate_max, rate_per_ms, meta, created_at, updated_at)
       VALUES (@task, @args, @queue, @priority, 'queued', @runAt, @maxAttempts, @uniqueKey, @debounceKey, @concurrencyKey,
         @concurrencyLimit, @rateKey, @rateMax, @ratePerMs, @meta, @now, @now)
       ON CONFLICT DO NOTHING RETURNING *`,
    ).get({
      task: job.task,
      args: JSON.stringify(job.args),
      queue: job.queue,
      priority: job.priority,
      runAt: job.runAt ?? now,
      maxAttempts: job.maxAttempts,
      uniqueKey: job.uniqueKey,
      debounceKey: job.debounceKey ?? null,
      concurrencyKey: job.concurrencyKey ?? null,
      concurrencyLimit: job.concurrencyLimit ?? null,
      rateKey: job.rateKey ?? null,
      rateMax: job.rateMax ?? null,
      ratePerMs: job.ratePerMs ?? null,
      meta: metaJson(job),
      now,
    }) as Row | undefined;
  }

  /** A debounced job: the queued job with its key takes its args and due time, if there is one. */
  private replaceDebounced(job: NewJob, now: number): Row | undefined {
    return this.sql(
      `UPDATE jt_jobs SET args = @args, queue = @queue, priority = @priority, run_at = @runAt, meta = @meta, updated_at = @now
       WHERE debounce_key = @debounceKey AND state = 'queued' RETURNING *`,
    ).get({
      args: JSON.stringify(job.args),
      meta: metaJson(job),
      queue: job.queue,
      priority: job.priority,
      runAt: job.runAt ?? now,
      debounceKey: job.debounceKey,
      now,
    }) as Row | undefined;
  }

  async enqueue(jobs: readonly NewJob[], connection?: unknown): Promise<EnqueueResult[]> {
    if (connection !== undefined) {
      throw new TypeError(
        "enqueue({ db }) enqueues inside your own database transaction, which needs jobs on PostgreSQL; this project's jobs are on SQLite",
      );
    }
    const now = this.clock();
    const results = this.write(() =>
      jobs.map((job): EnqueueResult => {
        const replaced = job.debounceKey ? this.replaceDebounced(job, now) : undefined;
        if (replaced) return { job: toJob(replaced), inserted: false };
        const row = this.insert(job, now);
        if (row) return { job: toJob(row), inserted: true };
        const existing = this.sql(`SELECT * FROM jt_jobs WHERE unique_key = ? AND state IN ('queued', 'running')`).get(
          job.uniqueKey,
        ) as Row;
        return { job: toJob(existing), inserted: false };
      }),
    );
    if (results.some((r) => r.inserted)) this.notify();
    return results;
  }

  async claim(request: ClaimRequest): Promise<Job[]> {
    const now = this.clock();
    const queues = request.queues;
    const params = {
      workerId: request.workerId,
      lockedUntil: now + request.leaseMs,
      now,
      queues: queues === undefined ? null : JSON.stringify(queues),
      limit: request.limit,
    };
    const rows = this.write(() => {
      // The jobs the claim would take, looked at first: when none has a concurrency or rate key
      // (most jobs), they are taken by id, without the statement that counts keys' slots (a fifth
      // of a drain's time). In this write transaction nothing else claims meanwhile.
      const { workerId, lockedUntil, limit } = params;
      const candidates = this.candidatesStatement(queues !== undefined).all({ now, queues: params.queues, limit }) as {
        id: number;
        keyed: number;
      }[];
      if (candidates.length === 0) return [];
      if (candidates.some((candidate) => candidate.keyed === 1)) return this.claimStatement(queues !== undefined).all(params) as Row[];
      return this.claimByIdStatement().all({ workerId, lockedUntil, now, ids: JSON.stringify(candidates.map((c) => c.id)) }) as Row[];
    });
    return rows.map(toJob).sort(byClaimOrder);
  }

  /** The runnable jobs a claim would look at, in claim order, and whether any has a key to count. */
  private candidatesStatement(withQueues: boolean): BetterSqlite3.Statement {
    const queueFilter = withQueues ? "AND queue IN (SELECT value FROM json_each(@queues))" : "";
    return this.sql(
      `SELECT id, (concurrency_key IS NOT NULL OR rate_key IS NOT NULL) AS keyed
       FROM jt_jobs INDEXED BY jt_jobs_runnable
       WHERE state = 'queued' AND run_at <= @now ${queueFilter}
         AND queue NOT IN (SELECT name FROM jt_pauses WHERE kind = 'queue')
         AND task NOT IN (SELECT name FROM jt_pauses WHERE kind = 'task')
       ORDER BY ${CLAIM_ORDER} LIMIT @limit`,
    );
  }

  /** Takes these jobs (found by candidatesStatement, none with a key). */
  private claimByIdStatement(): BetterSqlite3.Statement {
    return this.sql(
      // NOT INDEXED: by rowid, one lookup per id; SQLite would otherwise read every queued job through the (state, queue) index.
      `UPDATE jt_jobs NOT INDEXED SET state = 'running', attempts = attempts + 1, locked_by = @workerId, worker = @workerId,
         locked_until = @lockedUntil, updated_at = @now, started_at = @now, progress = NULL, result = NULL,
         rate_window = NULL, rate_slot = NULL
       WHERE id IN (SELECT value FROM json_each(@ids)) AND state = 'queued'
       RETURNING *`,
    );
  }

  /**
   * The claim (one statement with a queue list, one without); it walks the runnable index, in
   * claim order, past paused queues and tasks and past jobs whose concurrency key is full or whose
   * rate key has used up its period; of the jobs it finds, it takes per key only as many as the
   * limit leaves room for, and gives each start its rate period and slot. (A write transaction is
   * SQLite's alone: no other claim runs meanwhile, so counting and the highest slot are exact.)
   */
  private claimStatement(withQueues: boolean): BetterSqlite3.Statement {
    const queueFilter = withQueues ? "AND queue IN (SELECT value FROM json_each(@queues))" : "";
    const running = (key: string) => `(SELECT count(*) FROM jt_jobs AS r WHERE r.state = 'running' AND r.concurrency_key = ${key})`;
    const window = (per: string) => `CAST(@now / ${per} AS INTEGER)`;
    // Starts take a period's slots in turn (a start is never undone): the next is after the highest, an index lookup.
    const lastRateSlot = (key: string, per: string) =>
      `coalesce((SELECT max(s.rate_slot) FROM jt_jobs AS s WHERE s.rate_key = ${key} AND s.rate_window = ${window(per)}), 0)`;
    return this.sql(
      `UPDATE jt_jobs SET state = 'running', attempts = attempts + 1, locked_by = @workerId, worker = @workerId,
         locked_until = @lockedUntil, updated_at = @now, started_at = @now, progress = NULL, result = NULL,
         rate_window = granted.win, rate_slot = granted.rslot
       FROM (
         SELECT id, CASE WHEN rkey IS NULL THEN NULL ELSE ${window("rper")} END AS win, CASE WHEN rkey IS NULL THEN NULL ELSE last + rnth END AS rslot
         FROM (
           SELECT id, concurrency_key AS ckey, concurrency_limit AS climit, rate_key AS rkey, rate_max AS rmax, rate_per_ms AS rper,
             CASE WHEN rate_key IS NULL THEN 0 ELSE ${lastRateSlot("rate_key", "rate_per_ms")} END AS last,
             row_number() OVER (PARTITION BY concurrency_key ORDER BY ${CLAIM_ORDER}) AS nth,
             row_number() OVER (PARTITION BY rate_key ORDER BY ${CLAIM_ORDER}) AS rnth
           FROM (SELECT id, priority, run_at, concurrency_key, concurrency_limit, rate_key, rate_max, rate_per_ms
                 FROM jt_jobs AS q INDEXED BY jt_jobs_runnable
                 WHERE state = 'queued' AND run_at <= @now ${queueFilter}
                   AND queue NOT IN (SELECT name FROM jt_pauses WHERE kind = 'queue')
                   AND task NOT IN (SELECT name FROM jt_pauses WHERE kind = 'task')
                   AND (concurrency_key IS NULL OR ${running("q.concurrency_key")} < concurrency_limit)
                   AND (rate_key IS NULL OR ${lastRateSlot("q.rate_key", "q.rate_per_ms")} < rate_max)
                 ORDER BY ${CLAIM_ORDER} LIMIT @limit))
         WHERE (ckey IS NULL OR nth + ${running("ckey")} <= climit) AND (rkey IS NULL OR last + rnth <= rmax)
       ) AS granted
       WHERE jt_jobs.id = granted.id
       RETURNING *`,
    );
  }

  async renewLeases(workerId: string, jobIds: readonly number[], leaseMs: number): Promise<void> {
    if (jobIds.length === 0) return;
    const now = this.clock();
    this.write(() =>
      this.sql(`UPDATE jt_jobs SET locked_until = ? WHERE state = 'running' AND locked_by = ? AND ${idIn()}`).run(
        now + leaseMs,
        workerId,
        JSON.stringify(jobIds),
      ),
    );
  }

  async complete(jobs: readonly Job[], workerId: string, results: readonly (string | null)[] = []): Promise<number[]> {
    const now = this.clock();
    const complete = this.sql(
      `UPDATE jt_jobs SET state = 'completed', locked_by = NULL, locked_until = NULL, finished_at = @now, updated_at = @now,
         result = @result
       WHERE ${heldBy("@id", "@workerId", "@attempts")}`,
    );
    return this.write(() =>
      jobs
        .filter((job, i) => complete.run({ id: job.id, workerId, attempts: job.attempts, now, result: results[i] ?? null }).changes === 1)
        .map((job) => job.id),
    );
  }

  async reportProgress(job: Job, workerId: string, progress: Omit<JobProgress, "at">): Promise<boolean> {
    const now = this.clock();
    const report = JSON.stringify({ ...progress, at: now });
    return this.write(
      () =>
        this.sql(`UPDATE jt_jobs SET progress = @report WHERE ${heldBy("@id", "@workerId", "@attempts")}`).run({
          id: job.id,
          workerId,
          attempts: job.attempts,
          report,
        }).changes === 1,
    );
  }

  async fail(job: Job, workerId: string, error: JobError, retryAt: number | null): Promise<boolean> {
    const now = this.clock();
    const changed = this.write(
      () =>
        this.sql(
          `UPDATE jt_jobs SET
             state = CASE WHEN @retryAt IS NULL THEN 'failed' ELSE 'queued' END,
             run_at = coalesce(@retryAt, run_at),
             finished_at = CASE WHEN @retryAt IS NULL THEN @now ELSE NULL END,
             locked_by = NULL, locked_until = NULL, updated_at = @now,
             errors = json_insert(errors, '$[#]', json(@error))
           WHERE ${heldBy("@id", "@workerId", "@attempts")}`,
        ).run({ id: job.id, workerId, attempts: job.attempts, retryAt, now, error: JSON.stringify(error) }).changes,
    );
    if (changed === 1 && retryAt !== null) this.notify();
    return changed === 1;
  }

  async release(job: Job, workerId: string, runAt: number | null = null): Promise<boolean> {
    const now = this.clock();
    const changed = this.write(
      () =>
        this.sql(
          `UPDATE jt_jobs SET state = 'queued', attempts = attempts - 1, locked_by = NULL, locked_until = NULL, updated_at = @now,
             run_at = coalesce(@runAt, run_at)
           WHERE ${heldBy("@id", "@workerId", "@attempts")}`,
        ).run({ id: job.id, workerId, attempts: job.attempts, now, runAt }).changes,
    );
    if (changed === 1) this.notify();
    return changed === 1;
  }

  async requeueExpired(): Promise<number> {
    const now = this.clock();

    const changed = this.write(
      () =>
        this.sql(
          `UPDATE jt_jobs SET
             state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
             finished_at = CASE WHEN attempts >= max_attempts THEN @now ELSE NULL END,
             locked_by = NULL, locked_until = NULL, updated_at = @now,
             errors = json_insert(errors, '$[#]', json_object('attempt', attempts, 'at', @now, 'message', @message))
           WHERE state = 'running' AND locked_until < @now`,
        ).run({ now, message: LEASE_EXPIRED }).changes,
    );
    if (changed > 0) this.notify();
    return changed;
  }

  async enqueueCronSlot(schedule: string, slot: number, job: NewJob, name = job.task): Promise<boolean> {
    const inserted = this.write(() => {
      const last = this.sql("SELECT last_slot FROM jt_cron WHERE schedule = ?").pluck().get(schedule) as number | undefined;
      if (last !== undefined && last >= slot) return false;
      const paused = this.sql("SELECT 1 FROM jt_pauses WHERE kind = 'schedule' AND name = ?").get(name) !== undefined;
      const jobId = paused ? null : (this.insert(job, this.clock())?.id ?? null);
      // A paused schedule's slot passes (the mark moves) without a job: resuming does not replay it.
      this.sql(
        `INSERT INTO jt_cron (schedule, last_slot, last_enqueued, last_job) VALUES (@schedule, @slot, @run, @jobId)
         ON CONFLICT (schedule) DO UPDATE SET last_slot = excluded.last_slot,
           last_enqueued = coalesce(excluded.last_enqueued, last_enqueued), last_job = coalesce(excluded.last_job, last_job)`,
      ).run({ schedule, slot, run: paused ? null : slot, jobId });
      return !paused;
    });
    if (inserted) this.notify();
    return inserted;
  }

  async lastCronSlot(schedule: string): Promise<number | null> {
    return (this.sql("SELECT last_slot FROM jt_cron WHERE schedule = ?").pluck().get(schedule) as number | undefined) ?? null;
  }

  async lastCronRun(schedule: string): Promise<number | null> {
    return (this.sql("SELECT last_enqueued FROM jt_cron WHERE schedule = ?").pluck().get(schedule) as number | null | undefined) ?? null;
  }

  async markCronSlot(schedule: string, slot: number): Promise<void> {
    this.write(() =>
      this.sql(
        "INSERT INTO jt_cron (schedule, last_slot) VALUES (?, ?) ON CONFLICT (schedule) DO UPDATE SET last_slot = max(last_slot, excluded.last_slot)",
      ).run(schedule, slot),
    );
  }

  async cronState(schedule: string): Promise<CronState | undefined> {
    const row = this.sql("SELECT last_slot, last_enqueued, last_job FROM jt_cron WHERE schedule = ?").get(schedule) as
      | { last_slot: number; last_enqueued: number | null; last_job: number | null }
      | undefined;
    return row && { lastSlot: row.last_slot, lastRun: row.last_enqueued, lastJob: row.last_job };
  }

  async pause(kind: PauseKind, name: string): Promise<boolean> {
    return this.write(
      () =>
        this.sql("INSERT INTO jt_pauses (kind, name, paused_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING").run(kind, name, this.clock())
          .changes === 1,
    );
  }

  async resume(kind: PauseKind, name: string): Promise<boolean> {
    const resumed = this.write(() => this.sql("DELETE FROM jt_pauses WHERE kind = ? AND name = ?").run(kind, name).changes === 1);
    if (resumed && kind !== "schedule") this.notify();
    return resumed;
  }

  async pauses(): Promise<Pause[]> {
    return this.sql("SELECT kind, name, paused_at AS at FROM jt_pauses ORDER BY kind, name").all() as Pause[];
  }

  async storedSchedules(): Promise<StoredSchedule[]> {
    const rows = this.sql("SELECT name, task, args, cron, tz, override, updated_at FROM jt_schedules ORDER BY name").all() as {
      name: string;
      task: string;
      args: string;
      cron: string;
      tz: string | null;
      override: number;
      updated_at: number;
    }[];
    return rows.map(({ updated_at, ...row }) => ({
      ...row,
      args: JSON.parse(row.args) as string[],
      override: row.override === 1,
      updatedAt: updated_at,
    }));
  }

  async putSchedule(schedule: Omit<StoredSchedule, "updatedAt">, replace: boolean): Promise<boolean> {
    const now = this.clock();
    return this.write(
      () =>
        this.sql(
          `INSERT INTO jt_schedules (name, task, args, cron, tz, override, created_at, updated_at)
           VALUES (@name, @task, @args, @cron, @tz, @override, @now, @now)
           ON CONFLICT (name) DO ${replace ? "UPDATE SET task = excluded.task, args = excluded.args, cron = excluded.cron, tz = excluded.tz, override = excluded.override, updated_at = excluded.updated_at" : "NOTHING"}`,
        ).run({ ...schedule, args: JSON.stringify(schedule.args), override: schedule.override ? 1 : 0, now }).changes === 1,
    );
  }

  async removeSchedule(name: string): Promise<boolean> {
    return this.write(() => this.sql("DELETE FROM jt_schedules WHERE name = ?").run(name).changes === 1);
  }

  async beatWorker(beat: WorkerBeat, ttlMs: number): Promise<void> {
    const now = this.clock();
    this.write(() =>
      this.sql(
        `INSERT INTO jt_workers (id, host, pid, queues, concurrency, running, started_at, heartbeat_at, expires_at)
         VALUES (@id, @host, @pid, @queues, @concurrency, @running, @now, @now, @expires)
         ON CONFLICT (id) DO UPDATE SET running = excluded.running, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
      ).run({
        id: beat.id,
        host: beat.host,
        pid: beat.pid,
        queues: beat.queues === null ? null : JSON.stringify(beat.queues),
        concurrency: beat.concurrency,
        running: JSON.stringify(beat.running),
        now,
        expires: now + ttlMs,
      }),
    );
  }

  async stopWorker(id: string): Promise<void> {
    const now = this.clock();
    this.write(() => this.sql("UPDATE jt_workers SET stopped_at = ?, expires_at = ?, running = '[]' WHERE id = ?").run(now, now, id));
  }

  async workers(): Promise<WorkerRecord[]> {
    const rows = this.sql("SELECT * FROM jt_workers WHERE heartbeat_at > ? ORDER BY started_at DESC, id").all(this.clock() - DAY_MS) as {
      id: string;
      host: string;
      pid: number;
      queues: string | null;
      concurrency: number;
      running: string;
      started_at: number;
      heartbeat_at: number;
      expires_at: number;
      stopped_at: number | null;
    }[];
    return rows.map((row) => ({
      id: row.id,
      host: row.host,
      pid: row.pid,
      queues: row.queues === null ? null : (JSON.parse(row.queues) as string[]),
      concurrency: row.concurrency,
      running: JSON.parse(row.running) as number[],
      startedAt: row.started_at,
      heartbeatAt: row.heartbeat_at,
      expiresAt: row.expires_at,
      stoppedAt: row.stopped_at,
    }));
  }

  async throughput(since: number, bucketMs: number): Promise<ThroughputBucket[]> {
    // One query per state, each walking its own partial index on finished_at.
    const count = (state: "completed" | "failed") =>
      this.sql(
        `SELECT (finished_at - ?) / ? AS bucket, count(*) AS n FROM jt_jobs INDEXED BY jt_jobs_${state}
         WHERE state = '${state}' AND finished_at >= ? GROUP BY bucket`,
      ).all(since, bucketMs, since) as { bucket: number; n: number }[];
    return mergeBuckets(since, bucketMs, count("completed"), count("failed"));
  }

  async finishedSince(since: number): Promise<FinishedCount[]> {
    return (["completed", "failed"] as const).flatMap((state) =>
      (
        this.sql(
          `SELECT queue, task, count(*) AS count FROM jt_jobs INDEXED BY jt_jobs_${state}
           WHERE state = '${state}' AND finished_at >= ? GROUP BY queue, task ORDER BY queue, task`,
        ).all(since) as Omit<FinishedCount, "state">[]
      ).map((row) => ({ ...row, state })),
    );
  }

  async get(id: number): Promise<Job | undefined> {
    const row = this.sql("SELECT * FROM jt_jobs WHERE id = ?").get(id) as Row | undefined;
    return row && toJob(row);
  }

  async list(filter: JobFilter): Promise<Job[]> {
    const params = sqliteParams();
    return (this.sql(listQuery("jt_jobs", filter, params)).all(...params.values) as Row[]).map(toJob);
  }

  async oldestRunnable(): Promise<{ queue: string; runAt: number }[]> {
    return this.sql(
      "SELECT queue, min(run_at) AS runAt FROM jt_jobs WHERE state = 'queued' AND run_at <= ? GROUP BY queue ORDER BY queue",
    ).all(this.clock()) as { queue: string; runAt: number }[];
  }

  async stats(): Promise<QueueStats[]> {
    return this.sql(
      "SELECT queue, state, count(*) AS count FROM jt_jobs GROUP BY queue, state ORDER BY queue, state",
    ).all() as QueueStats[];
  }

  async retry(ids: readonly number[] | "all-failed"): Promise<number[]> {
    const now = this.clock();
    const which = selection("retry", ids, idIn);
    const retried = this.write(
      () =>
        this.sql(
          `WITH ${retryEligible("jt_jobs", which)}
           UPDATE jt_jobs SET state = 'queued', attempts = 0, run_at = ?, finished_at = NULL, updated_at = ?
           WHERE id IN (SELECT id FROM eligible) RETURNING id`,
        )
          .pluck()
          .all(...(ids === "all-failed" ? [] : [JSON.stringify(ids)]), now, now) as number[],
    );
    if (retried.length > 0) this.notify();
    return retried.sort((a, b) => a - b);
  }

  async cancel(ids: readonly number[]): Promise<number[]> {
    const now = this.clock();
    return this.write(
      () =>
        this.sql(
          `UPDATE jt_jobs SET state = 'cancelled', finished_at = ?, updated_at = ?
           WHERE ${selection("cancel", ids, idIn)} RETURNING id`,
        )
          .pluck()
          .all(now, now, JSON.stringify(ids)) as number[],
    ).sort((a, b) => a - b);
  }

  async discard(ids: readonly number[] | "all-failed"): Promise<number[]> {
    const which = selection("discard", ids, idIn);
    return this.write(
      () =>
        this.sql(`DELETE FROM jt_jobs WHERE ${which} RETURNING id`)
          .pluck()
          .all(...(ids === "all-failed" ? [] : [JSON.stringify(ids)])) as number[],
    ).sort((a, b) => a - b);
  }

  async prune(olderThanMs: number): Promise<number> {
    const before = this.clock() - olderThanMs;
    return this.write(() => {
      this.sql("DELETE FROM jt_workers WHERE heartbeat_at < ?").run(this.clock() - DAY_MS);
      return this.sql("DELETE FROM jt_jobs WHERE state = 'completed' AND finished_at < ?").run(before).changes;
    });
  }

  async clear(): Promise<number> {
    return this.write(() => this.sql("DELETE FROM jt_jobs").run().changes);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
