/**
 * The job store's schema history, one numbered version at a time, each written in both dialects
 * side by side (as graphile-worker keeps `sql/000NN.sql`). A store records the versions it has
 * applied (`jt_migrations` on SQLite, `<schema>.migrations` on PostgreSQL) and applies the rest in
 * order, so an existing database moves forward. Append a version; never edit one that shipped.
 */

export interface Migration {
  readonly version: number;
  /** Why this version exists. */
  readonly why: string;
  readonly sqlite: string;
  /** For the schema jt owns (quoted). */
  readonly postgres: (schema: string) => string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    why: "the jobs table, its claim, lease and unique-key indexes, and the cron high-water marks",
    sqlite: `CREATE TABLE jt_jobs (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       task TEXT NOT NULL,
       args TEXT NOT NULL,
       queue TEXT NOT NULL,
       priority INTEGER NOT NULL,
       state TEXT NOT NULL,
       run_at INTEGER NOT NULL,
       attempts INTEGER NOT NULL DEFAULT 0,
       max_attempts INTEGER NOT NULL,
       locked_by TEXT,
       locked_until INTEGER,
       unique_key TEXT,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL,
       finished_at INTEGER,
       errors TEXT NOT NULL DEFAULT '[]'
     );
     CREATE INDEX jt_jobs_runnable ON jt_jobs (priority, run_at, id) WHERE state = 'queued';
     CREATE INDEX jt_jobs_leased ON jt_jobs (locked_until) WHERE state = 'running';
     CREATE UNIQUE INDEX jt_jobs_unique ON jt_jobs (unique_key) WHERE unique_key IS NOT NULL AND state IN ('queued', 'running');
     CREATE INDEX jt_jobs_finished ON jt_jobs (state, finished_at);
     CREATE TABLE jt_cron (schedule TEXT PRIMARY KEY, last_slot INTEGER NOT NULL);`,
    postgres: (s) => `CREATE TABLE ${s}.jobs (
       id BIGSERIAL PRIMARY KEY,
       task TEXT NOT NULL,
       args JSONB NOT NULL,
       queue TEXT NOT NULL,
       priority INTEGER NOT NULL,
       state TEXT NOT NULL,
       run_at TIMESTAMPTZ NOT NULL,
       attempts INTEGER NOT NULL DEFAULT 0,
       max_attempts INTEGER NOT NULL,
       locked_by TEXT,
       locked_until TIMESTAMPTZ,
       unique_key TEXT,
       created_at TIMESTAMPTZ NOT NULL,
       updated_at TIMESTAMPTZ NOT NULL,
       finished_at TIMESTAMPTZ,
       errors JSONB NOT NULL DEFAULT '[]'
     );
     CREATE INDEX jobs_runnable ON ${s}.jobs (priority, run_at, id) WHERE state = 'queued';
     CREATE INDEX jobs_leased ON ${s}.jobs (locked_until) WHERE state = 'running';
     CREATE UNIQUE INDEX jobs_unique ON ${s}.jobs (unique_key) WHERE unique_key IS NOT NULL AND state IN ('queued', 'running');
     CREATE INDEX jobs_finished ON ${s}.jobs (state, finished_at);
     CREATE TABLE ${s}.cron (schedule TEXT PRIMARY KEY, last_slot TIMESTAMPTZ NOT NULL);`,
  },
  {
    version: 2,
    why: "when each schedule last enqueued a job (jt jobs:cron shows it)",
    sqlite: `ALTER TABLE jt_cron ADD COLUMN last_enqueued INTEGER;`,
    postgres: (s) => `ALTER TABLE ${s}.cron ADD COLUMN last_enqueued TIMESTAMPTZ;`,
  },
  {
    version: 3,
    why: "only pruning needs finished_at, and only of completed jobs; an index over every state tempted the planner to scan it for claims",
    sqlite: `DROP INDEX jt_jobs_finished;
     CREATE INDEX jt_jobs_completed ON jt_jobs (finished_at) WHERE state = 'completed';`,
    postgres: (s) => `DROP INDEX ${s}.jobs_finished;
     CREATE INDEX jobs_completed ON ${s}.jobs (finished_at) WHERE state = 'completed';`,
  },
  {
    version: 4,
    why: "what a job reports while it runs (ctx.progress) and returns (its result: json, not jsonb, which would reorder its keys), when its latest attempt started and which worker took it",
    sqlite: `ALTER TABLE jt_jobs ADD COLUMN progress TEXT;
     ALTER TABLE jt_jobs ADD COLUMN result TEXT;
     ALTER TABLE jt_jobs ADD COLUMN started_at INTEGER;
     ALTER TABLE jt_jobs ADD COLUMN worker TEXT;`,
    postgres: (s) =>
      `ALTER TABLE ${s}.jobs ADD COLUMN progress JSONB, ADD COLUMN result JSON, ADD COLUMN started_at TIMESTAMPTZ, ADD COLUMN worker TEXT;`,
  },
  {
    version: 5,
    why: "the dashboard's controls and views: paused queues and schedules (the claim and the clock skip them), the live workers and their heartbeats, the job each cron slot enqueued, and failures by time; on SQLite, counts by state and queue from an index (a million rows scan in 70 ms instead of 470; PostgreSQL's parallel scan needs none)",
    sqlite: `CREATE TABLE jt_pauses (kind TEXT NOT NULL, name TEXT NOT NULL, paused_at INTEGER NOT NULL, PRIMARY KEY (kind, name));
     CREATE TABLE jt_workers (
       id TEXT PRIMARY KEY,
       host TEXT NOT NULL,
       pid INTEGER NOT NULL,
       queues TEXT,
       concurrency INTEGER NOT NULL,
       running TEXT NOT NULL DEFAULT '[]',
       started_at INTEGER NOT NULL,
       heartbeat_at INTEGER NOT NULL,
       expires_at INTEGER NOT NULL,
       stopped_at INTEGER
     );
     ALTER TABLE jt_cron ADD COLUMN last_job INTEGER;
     CREATE INDEX jt_jobs_failed ON jt_jobs (finished_at) WHERE state = 'failed';
     CREATE INDEX jt_jobs_state_queue ON jt_jobs (state, queue);`,
    postgres: (
      s,
    ) => `CREATE TABLE ${s}.pauses (kind TEXT NOT NULL, name TEXT NOT NULL, paused_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (kind, name));
     CREATE TABLE ${s}.workers (
       id TEXT PRIMARY KEY,
       host TEXT NOT NULL,
       pid INTEGER NOT NULL,
       queues JSONB,
       concurrency INTEGER NOT NULL,
       running JSONB NOT NULL DEFAULT '[]',
       started_at TIMESTAMPTZ NOT NULL,
       heartbeat_at TIMESTAMPTZ NOT NULL,
       expires_at TIMESTAMPTZ NOT NULL,
       stopped_at TIMESTAMPTZ
     );
     ALTER TABLE ${s}.cron ADD COLUMN last_job BIGINT;
     CREATE INDEX jobs_failed ON ${s}.jobs (finished_at) WHERE state = 'failed';`,
  },
  {
    version: 6,
    why: "debounced jobs: at most one queued job per debounce key, which a new enqueue replaces",
    sqlite: `ALTER TABLE jt_jobs ADD COLUMN debounce_key TEXT;
     CREATE UNIQUE INDEX jt_jobs_debounce ON jt_jobs (debounce_key) WHERE state = 'queued' AND debounce_key IS NOT NULL;`,
    postgres: (s) => `ALTER TABLE ${s}.jobs ADD COLUMN debounce_key TEXT;
     CREATE UNIQUE INDEX jobs_debounce ON ${s}.jobs (debounce_key) WHERE state = 'queued' AND debounce_key IS NOT NULL;`,
  },
  {
    version: 7,
    why: "concurrency limits: a job's key and limit, and the slot (1..limit) it holds while it runs, unique per key among running jobs, so two workers racing for the last slot cannot both take it",
    sqlite: `ALTER TABLE jt_jobs ADD COLUMN concurrency_key TEXT;
     ALTER TABLE jt_jobs ADD COLUMN concurrency_limit INTEGER;
     ALTER TABLE jt_jobs ADD COLUMN concurrency_slot INTEGER;
     CREATE UNIQUE INDEX jt_jobs_concurrency ON jt_jobs (concurrency_key, concurrency_slot) WHERE state = 'running' AND concurrency_key IS NOT NULL;`,
    postgres: (
      s,
    ) => `ALTER TABLE ${s}.jobs ADD COLUMN concurrency_key TEXT, ADD COLUMN concurrency_limit INTEGER, ADD COLUMN concurrency_slot INTEGER;
     CREATE UNIQUE INDEX jobs_concurrency ON ${s}.jobs (concurrency_key, concurrency_slot) WHERE state = 'running' AND concurrency_key IS NOT NULL;`,
  },
  {
    version: 8,
    why: "rate limits: a job's key, its limit per window, and the window (start time ÷ period) and slot (1..max) of its last start, unique per key and window, so racing workers cannot start more than the limit in a window",
    sqlite: `ALTER TABLE jt_jobs ADD COLUMN rate_key TEXT;
     ALTER TABLE jt_jobs ADD COLUMN rate_max INTEGER;
     ALTER TABLE jt_jobs ADD COLUMN rate_per_ms INTEGER;
     ALTER TABLE jt_jobs ADD COLUMN rate_window INTEGER;
     ALTER TABLE jt_jobs ADD COLUMN rate_slot INTEGER;
     CREATE UNIQUE INDEX jt_jobs_rate ON jt_jobs (rate_key, rate_window, rate_slot) WHERE rate_key IS NOT NULL;`,
    postgres: (s) => `ALTER TABLE ${s}.jobs ADD COLUMN rate_key TEXT, ADD COLUMN rate_max INTEGER, ADD COLUMN rate_per_ms BIGINT,
       ADD COLUMN rate_window BIGINT, ADD COLUMN rate_slot INTEGER;
     CREATE UNIQUE INDEX jobs_rate ON ${s}.jobs (rate_key, rate_window, rate_slot) WHERE rate_key IS NOT NULL;`,
  },
  {
    version: 9,
    why: "job metadata: what enqueue hooks attach to a job (a trace context, a tenant), read back by perform hooks",
    sqlite: "ALTER TABLE jt_jobs ADD COLUMN meta TEXT;",
    postgres: (s) => `ALTER TABLE ${s}.jobs ADD COLUMN meta JSONB;`,
  },
  {
    version: 10,
    why: "schedules made at run time, and overrides of the cron of a task's schedule, kept until removed",
    sqlite: `CREATE TABLE jt_schedules (
       name TEXT PRIMARY KEY,
       task TEXT NOT NULL,
       args TEXT NOT NULL DEFAULT '[]',
       cron TEXT NOT NULL,
       tz TEXT,
       override INTEGER NOT NULL DEFAULT 0,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL
     );`,
    postgres: (s) => `CREATE TABLE ${s}.schedules (
       name TEXT PRIMARY KEY,
       task TEXT NOT NULL,
       args JSONB NOT NULL DEFAULT '[]',
       cron TEXT NOT NULL,
       tz TEXT,
       override BOOLEAN NOT NULL DEFAULT false,
       created_at TIMESTAMPTZ NOT NULL,
       updated_at TIMESTAMPTZ NOT NULL
     );`,
  },
];

/** The versions after `applied`, in order. */
export function pendingMigrations(applied: number): readonly Migration[] {
  return MIGRATIONS.filter((migration) => migration.version > applied);
}
