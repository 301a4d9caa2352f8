/**
 * What the two job stores say alike: a job row and how it becomes a `Job`, the claim order, the
 * fence every outcome write is conditioned on, the job selections of retry, cancel and discard,
 * the `list` filter and the lease-expired error. Each store supplies only its dialect: how it
 * writes a parameter and a list of them, how its driver returns times, JSON and ids.
 */
import type { EnqueueResult, Job, JobError, JobFilter, JobProgress, JobState, NewJob, ThroughputBucket } from "./store.js";

/** Workers that last beat longer ago than this are forgotten (and pruned). */
export const DAY_MS = 86_400_000;

/** The two states' counts per bucket (bucket = span index from `since`) as one series, oldest first. */
export function mergeBuckets(
  since: number,
  bucketMs: number,
  completed: readonly { bucket: number | string; n: number | string }[],
  failed: readonly { bucket: number | string; n: number | string }[],
): ThroughputBucket[] {
  const buckets = new Map<number, ThroughputBucket>();
  const add = (rows: typeof completed, field: "completed" | "failed") => {
    for (const row of rows) {
      const index = Math.floor(Number(row.bucket));
      const bucket = buckets.get(index) ?? { at: since + index * bucketMs, completed: 0, failed: 0 };
      bucket[field] += Number(row.n);
      buckets.set(index, bucket);
    }
  };
  add(completed, "completed");
  add(failed, "failed");
  return [...buckets.values()].sort((a, b) => a.at - b.at);
}

/** A jobs row as a driver returns it: SQLite gives epoch ms and JSON text, pg gives Dates, parsed JSON and bigint ids as strings. */
export interface JobRow<Time, Json, Id = number> {
  id: Id;
  task: string;
  args: Json;
  queue: string;
  priority: number;
  state: JobState;
  run_at: Time;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: Time | null;
  unique_key: string | null;
  created_at: Time;
  updated_at: Time;
  finished_at: Time | null;
  errors: Json;
  started_at: Time | null;
  worker: string | null;
  progress: Json | null;
  result: Json | null;
  meta: Json | null;
}

export interface RowCodec<Time, Json, Id> {
  time(value: Time): number;
  json<T>(value: Json): T;
  id(value: Id): number;
}

export function rowToJob<Time, Json, Id>(row: JobRow<Time, Json, Id>, codec: RowCodec<Time, Json, Id>): Job {
  const time = (value: Time | null) => (value === null ? null : codec.time(value));
  return {
    id: codec.id(row.id),
    task: row.task,
    args: codec.json<string[]>(row.args),
    queue: row.queue,
    priority: row.priority,
    state: row.state,
    runAt: codec.time(row.run_at),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lockedBy: row.locked_by,
    lockedUntil: time(row.locked_until),
    uniqueKey: row.unique_key,
    createdAt: codec.time(row.created_at),
    updatedAt: codec.time(row.updated_at),
    finishedAt: time(row.finished_at),
    errors: codec.json<JobError[]>(row.errors),
    startedAt: time(row.started_at),
    worker: row.worker,
    progress: row.progress === null ? null : codec.json<JobProgress>(row.progress),
    result: row.result === null ? null : codec.json<unknown>(row.result),
    meta: row.meta === null || row.meta === undefined ? {} : codec.json<Record<string, string>>(row.meta),
  };
}

/** A new job's metadata as its column holds it: JSON, or null when there is none. */
export function metaJson(job: NewJob): string | null {
  return job.meta && Object.keys(job.meta).length > 0 ? JSON.stringify(job.meta) : null;
}

/** The order workers take jobs in (the claims' ORDER BY, and how claimed rows are returned). */
export const CLAIM_ORDER = "priority, run_at, id";

export function byClaimOrder(a: Job, b: Job): number {
  return a.priority - b.priority || a.runAt - b.runAt || a.id - b.id;
}

/** What a job whose worker stopped renewing its lease records as the error of that attempt. */
export const LEASE_EXPIRED = "The worker running it stopped (its lease expired)";

/** How a dialect writes parameters: each `add` returns its placeholder; `values` in order. */
export interface Params {
  add(value: unknown): string;
  /** `column` matching any of `values` (`IN (?, ?)`, `= ANY($1)`). */
  anyOf(column: string, values: readonly unknown[]): string;
  /** Any of these JSON columns containing `text`, ignoring ASCII case. */
  contains(columns: readonly string[], text: string): string;
  readonly values: unknown[];
}

export function sqliteParams(): Params {
  const values: unknown[] = [];
  return {
    values,
    add(value) {
      values.push(value);
      return "?";
    },
    anyOf(column, list) {
      values.push(...list);
      return `${column} IN (${list.map(() => "?").join(", ")})`;
    },
    contains(columns, text) {
      const pattern = likePattern(text);
      return `(${columns.map((column) => `${column} LIKE ${this.add(pattern)} ESCAPE '\\'`).join(" OR ")})`;
    },
  };
}

export function postgresParams(): Params {
  const values: unknown[] = [];
  return {
    values,
    add(value) {
      return `$${values.push(value)}`;
    },
    anyOf(column, list) {
      return `${column} = ANY($${values.push(list)})`;
    },
    contains(columns, text) {
      const pattern = this.add(likePattern(text));
      return `(${columns.map((column) => `${column}::text ILIKE ${pattern} ESCAPE '\\'`).join(" OR ")})`;
    },
  };
}

/**
 * The fence of every outcome write (complete, fail, release): it takes effect only while this
 * worker still holds this attempt's lease, so a worker whose lease expired (and whose job another
 * worker took) changes nothing.
 */
export function heldBy(id: string, workerId: string, attempts: string): string {
  return `id = ${id} AND state = 'running' AND locked_by = ${workerId} AND attempts = ${attempts}`;
}

/** The jobs `jt jobs:retry` / `jobs:discard` may touch: these ids in the states each allows, or every failed job. */
const SELECTABLE = {
  retry: "state IN ('failed', 'cancelled', 'queued')",
  discard: "state IN ('failed', 'cancelled')",
  cancel: "state = 'queued'",
} as const;

export function selection(
  action: keyof typeof SELECTABLE,
  ids: readonly number[] | "all-failed",
  idIn: (ids: readonly number[]) => string,
): string {
  return ids === "all-failed" ? "state = 'failed'" : `${SELECTABLE[action]} AND ${idIn(ids)}`;
}

/**
 * `%text%` for LIKE, with LIKE's own characters escaped. The columns hold JSON, so the text is
 * looked for as JSON writes it (a quote as \", a backslash as \\).
 */
function likePattern(text: string): string {
  const asJson = JSON.stringify(text).slice(1, -1);
  return `%${asJson.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `jt jobs:list` and the dashboard: the newest first, filtered by state, task, queue and text, a page before an id. */
export function listQuery(table: string, filter: JobFilter, params: Params): string {
  const where: string[] = [];
  if (filter.states?.length) where.push(params.anyOf("state", filter.states));
  if (filter.task !== undefined) where.push(`task = ${params.add(filter.task)}`);
  if (filter.queue !== undefined) where.push(`queue = ${params.add(filter.queue)}`);
  if (filter.text !== undefined && filter.text !== "") where.push(params.contains(["args", "errors"], filter.text));
  if (filter.beforeId !== undefined) where.push(`id < ${params.add(filter.beforeId)}`);
  const limit = params.add(filter.limit ?? 100);
  return `SELECT * FROM ${table} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ${limit}`;
}

/**
 * One INSERT … ON CONFLICT DO NOTHING RETURNING of many jobs gives back the rows it inserted, in no
 * set order and without the ones a live job's unique key kept out. This matches them back to the
 * requests, in order: by unique key (the first request with a key gets the row; a later one in
 * the same batch is a duplicate) or, for jobs without one, by id order. Requests left `undefined`
 * are those whose key an existing job holds: `missingKeys` lists them for the store to look up.
 */
export function matchInserted(
  requests: readonly { uniqueKey: string | null }[],
  inserted: readonly Job[],
): { results: (EnqueueResult | undefined)[]; missingKeys: string[] } {
  const byKey = new Map(inserted.filter((job) => job.uniqueKey !== null).map((job) => [job.uniqueKey!, job]));
  const plain = inserted.filter((job) => job.uniqueKey === null).sort((a, b) => a.id - b.id);
  const results: (EnqueueResult | undefined)[] = [];
  const missingKeys: string[] = [];
  const taken = new Set<string>();
  for (const request of requests) {
    const key = request.uniqueKey;
    if (key === null) {
      const job = plain.shift();
      if (!job) throw new Error("jt: the store returned fewer jobs than it inserted");
      results.push({ job, inserted: true });
    } else if (byKey.has(key) && !taken.has(key)) {
      taken.add(key);
      results.push({ job: byKey.get(key)!, inserted: true });
    } else {
      results.push(undefined);
      missingKeys.push(key);
    }
  }
  return { results, missingKeys: [...new Set(missingKeys)] };
}
