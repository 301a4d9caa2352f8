/**
 * The job store on PostgreSQL (the `pg` driver), for apps whose workers run on several machines.
 *
 * - jt owns a schema (`jt` by default; `?schema=name` in the URL picks another) and migrates it on
 *   start under a transaction-level advisory lock, so workers starting together migrate once and
 *   PgBouncer in transaction mode still works (no session advisory locks anywhere).
 * - Claiming is one statement: `FOR UPDATE SKIP LOCKED` picks runnable rows no one else is taking.
 * - Times come from the database clock (`now()`), so machines whose clocks drift agree.
 * - Workers wake on LISTEN/NOTIFY (a NOTIFY inside an enqueue's transaction is delivered when it
 *   commits) and poll as a backstop; the listening connection reconnects when it drops.
 * - `enqueue(jobs, client)` inserts with the app's own client, inside its open transaction: the job
 *   exists only if that transaction commits.
 */
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import type * as PG from "pg";
import { DefinitionError } from "../../errors.js";
import { loadDriver, POSTGRES_DRIVER } from "./driver.js";
import { pendingMigrations } from "./migrations.js";
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
  JobState,
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
  matchInserted,
  mergeBuckets,
  postgresParams,
  rowToJob,
  selection,
  type JobRow,
  type RowCodec,
} from "./vocabulary.js";

type Queryable = Pick<PG.PoolClient, "query">;

const CHANNEL = "jt_jobs";

type Row = JobRow<Date, unknown, string>;

const CODEC: RowCodec<Date, unknown, string> = { time: (at) => at.getTime(), json: <T>(value: unknown) => value as T, id: Number };
const toJob = (row: Row): Job => rowToJob(row, CODEC);

/** Ids as one bigint[] parameter. */
const idIn = () => "id = ANY($1::bigint[])";

/** Errors of a connection the server closed: nothing of the statement was done. */
function isDroppedConnection(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return (
    code === "57P01" ||
    code === "57P02" ||
    code === "57P03" ||
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    /Connection terminated|connection is closed|Client has encountered a connection error/i.test(message ?? "")
  );
}

/** A job's limits and metadata, in the order of the columns concurrency_key, concurrency_limit, rate_key, rate_max, rate_per_ms, meta. */
function limitValues(job: NewJob): (string | number | null)[] {
  return [
    job.concurrencyKey ?? null,
    job.concurrencyLimit ?? null,
    job.rateKey ?? null,
    job.rateMax ?? null,
    job.ratePerMs ?? null,
    metaJson(job),
  ];
}

/** The limits and metadata of many jobs as one array per column (for unnest). */
function limitsByColumn(jobs: readonly NewJob[]): (string | number | null)[][] {
  const rows = jobs.map(limitValues);
  return rows[0]!.map((_, column) => rows.map((row) => row[column] ?? null));
}

/** Epoch ms as a timestamptz parameter. */
const AT = (index: number) => `to_timestamp($${index}::double precision / 1000)`;

/** The URL without jt's own `schema` parameter, and that schema. */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? "jt";
  if (!/^[a-z_][a-z0-9_]*$/i.test(schema))
    throw new DefinitionError(`Invalid schema name '${schema}' in the jobs store URL: use letters, digits and '_'`);
  parsed.searchParams.delete("schema");
  return { connectionString: parsed.toString(), schema };
}

export interface PostgresStoreOptions {
  /** Connections in the pool. Default 5. */
  poolSize?: number;
}

export class PostgresStore implements JobStore {
  private readonly pool: PG.Pool;
  private readonly schema: string;
  private readonly jobs: string;
  private readonly cron: string;
  private readonly pausesTable: string;
  private readonly schedulesTable: string;
  private readonly workersTable: string;
  private readonly wake = new EventEmitter().setMaxListeners(0);
  private listener: PG.Client | undefined;
  private listening = false;
  private closed = false;
  private readonly driver: typeof PG;
  private readonly connectionString: string;
  private readonly poolSize: number;

  constructor(url: string, options: PostgresStoreOptions = {}) {
    this.driver = loadDriver<typeof PG>(POSTGRES_DRIVER);
    const { connectionString, schema } = parsePostgresUrl(url);
    this.connectionString = connectionString;
    this.schema = schema;
    this.jobs = `"${schema}".jobs`;
    this.cron = `"${schema}".cron`;
    this.pausesTable = `"${schema}".pauses`;
    this.schedulesTable = `"${schema}".schedules`;
    this.workersTable = `"${schema}".workers`;
    this.poolSize = options.poolSize ?? 5;
    // The claim's plan must not hang on the table's statistics. A fresh schema (never analyzed), or
    // a quiet queue that a burst fills faster than autovacuum notices, makes the planner believe few
    // jobs are queued: it then reads every queued job with a bitmap scan and sorts them all, on every
    // claim (40 ms at 100,000 jobs), where the runnable index gives them in claim order (0.3 ms).
    // jt's other statements read by id or by an index range with a LIMIT, which no bitmap scan helps.
    const planSettings = (client: PG.PoolClient) => client.query("SET enable_bitmapscan = off");
    // pg-pool 3.14+ awaits onConnect before it hands the connection out; older ones get the setting
    // from the connect event, queued before the first statement.
    const awaitsOnConnect = typeof (this.driver.Pool.prototype as { _afterConnect?: unknown })._afterConnect === "function";
    // allowExitOnIdle: a script whose only work is an enqueue() exits once its last query is done.
    this.pool = new this.driver.Pool({
      connectionString,
      max: this.poolSize,
      allowExitOnIdle: true,
      ...(awaitsOnConnect ? { onConnect: planSettings } : {}),
    } as PG.PoolConfig);
    // A connection that drops while idle must not crash the process: the pool replaces it.
    this.pool.on("error", () => {});
    if (!awaitsOnConnect) this.pool.on("connect", (client) => void planSettings(client).catch(() => {}));
  }

  private async query<R extends PG.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    client: Queryable = this.pool,
    /** A statement of the worker's hot path (claim, complete, fail, enqueue): prepared once per connection. */
    hot = false,
  ): Promise<R[]> {
    // A pooled connection the server dropped while it sat idle (a restart, a killed backend, a
    // proxy's timeout) fails the one statement sent on it: send it again, on the next connection.
    for (let attempt = 0; ; attempt++) {
      const name = hot && client === this.pool ? this.statementName(sql) : undefined;
      try {
        return (await (name ? client.query<R>({ name, text: sql, values: params }) : client.query<R>(sql, params))).rows;
      } catch (error) {
        if (name && attempt < 2 && this.preparedFailed(error)) continue;
        if (client !== this.pool || !isDroppedConnection(error) || attempt > this.poolSize) throw error;
      }
    }
  }

  /** Statements by text: their names while they are prepared, undefined once preparing is given up. */
  private statementNames: Map<string, string> | undefined = new Map();
  private statementGeneration = 0;

  /**
   * The name a hot statement is prepared under on each connection, so PostgreSQL parses and plans
   * it once per connection instead of at every call.
   */
  private statementName(sql: string): string | undefined {
    const names = this.statementNames;
    if (!names) return undefined;
    let name = names.get(sql);
    if (!name) {
      name = `jt_${this.statementGeneration}_${createHash("sha1").update(sql).digest("hex").slice(0, 16)}`;
      names.set(sql, name);
    }
    return name;
  }

  /**
   * Whether a prepared statement's failure is one to send it again for: after a migration changed
   * the jobs table under a running worker ("cached plan must not change result type"), under new
   * names; behind a pooler that does not keep prepared statements (PgBouncer in transaction mode
   * before 1.21), unprepared from then on.
   */
  private preparedFailed(error: unknown): boolean {
    const code = (error as { code?: string }).code;
    if (code === "0A000" && /cached plan must not change result type/.test((error as Error).message)) {
      this.statementGeneration += 1;
      this.statementNames = this.statementNames && new Map();
      return true;
    }
    if (code === "26000" || code === "42P05") {
      this.statementNames = undefined;
      return true;
    }
    return false;
  }

  /** Runs `body` in a transaction on one pooled connection (again on the next one if that one was dropped). */
  private async transaction<T>(body: (client: PG.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.transactionOnce(body);
      } catch (error) {
        if (!isDroppedConnection(error) || attempt > this.poolSize) throw error;
      }
    }
  }

  private async transactionOnce<T>(body: (client: PG.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // While checked out, the pool does not listen to the client: a dropped connection must not crash the process.
    let lost: Error | undefined;
    const onError = (error: Error) => (lost = error);
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const result = await body(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      lost ??= isDroppedConnection(error) ? (error as Error) : undefined;
      throw error;
    } finally {
      client.off("error", onError);
      client.release(lost);
    }
  }

  async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      // A transaction-level lock: released at COMMIT, so it works through PgBouncer's transaction mode.
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`jt-migrate:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${this.schema}".migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      const [row] = await this.query<{ version: number | null }>(
        `SELECT max(version) AS version FROM "${this.schema}".migrations`,
        [],
        client,
      );
      for (const migration of pendingMigrations(row?.version ?? 0)) {
        await client.query(migration.postgres(`"${this.schema}"`));
        await client.query(`INSERT INTO "${this.schema}".migrations (version) VALUES ($1)`, [migration.version]);
      }
    });
  }

  async now(): Promise<number> {
    const [row] = await this.query<{ now: Date }>("SELECT now() AS now");
    return row!.now.getTime();
  }

  onJobsAvailable(listener: () => void): () => void {
    this.wake.on("jobs", listener);
    if (!this.listening) {
      this.listening = true;
      void this.listen();
    }
    return () => this.wake.off("jobs", listener);
  }

  /** A connection of its own for LISTEN; reconnects (after a pause) whenever it drops. */
  private async listen(): Promise<void> {
    while (!this.closed && this.wake.listenerCount("jobs") > 0) {
      const client = new this.driver.Client({ connectionString: this.connectionString });
      const dropped = new Promise<void>((resolve) => {
        client.on("error", () => resolve());
        client.on("end", () => resolve());
      });
      try {
        await client.connect();
        client.on("notification", () => this.wake.emit("jobs"));
        await client.query(`LISTEN ${CHANNEL}`);
        this.listener = client;
        // Jobs may have been enqueued while we were not listening.
        this.wake.emit("jobs");
        await dropped;
      } catch {
        // Could not connect: polling carries on; try again shortly.
      } finally {
        this.listener = undefined;
        await client.end().catch(() => {});
      }
      if (!this.closed) await new Promise((resolve) => setTimeout(resolve, 500).unref());
    }
    this.listening = false;
  }

  async enqueue(jobs: readonly NewJob[], connection?: unknown): Promise<EnqueueResult[]> {
    if (connection !== undefined && typeof (connection as Queryable).query !== "function") {
      throw new TypeError("enqueue({ db }) takes a pg client (or pool) with a query() method");
    }
    const client = (connection as Queryable | undefined) ?? this.pool;
    if (jobs.length === 0) return [];
    if (jobs.some((job) => job.debounceKey)) {
      // Debounced jobs are upserted one by one beside the rest, in one transaction (the app's, or one of ours).
      return connection === undefined
        ? this.transaction((own) => this.enqueueWithDebounced(jobs, own))
        : this.enqueueWithDebounced(jobs, client);
    }
    const inserted = await this.insert(jobs, client);
    const { results, missingKeys } = matchInserted(jobs, inserted.map(toJob));
    if (missingKeys.length === 0) return results as EnqueueResult[];
    // The jobs that hold those keys: the newest with each (it may have finished since, outside a transaction).
    const existing = await this.query<Row>(
      `SELECT DISTINCT ON (unique_key) * FROM ${this.jobs} WHERE unique_key = ANY($1::text[]) ORDER BY unique_key, id DESC`,
      [missingKeys],
      client,
    );
    const holders = new Map(existing.map((row) => [row.unique_key!, toJob(row)]));
    return results.map((result, i) => result ?? { job: holders.get(jobs[i]!.uniqueKey!)!, inserted: false });
  }

  private async enqueueWithDebounced(jobs: readonly NewJob[], client: Queryable): Promise<EnqueueResult[]> {
    const results: EnqueueResult[] = new Array(jobs.length);
    const plain = jobs.flatMap((job, i) => (job.debounceKey ? [] : [i]));
    if (plain.length > 0) {
      const enqueued = await this.enqueue(
        plain.map((i) => jobs[i]!),
        client,
      );
      for (const [i, at] of plain.entries()) results[at] = enqueued[i]!;
    }
    for (const [i, job] of jobs.entries()) {
      if (!job.debounceKey) continue;
      const [row] = await this.query<Row & { inserted: boolean }>(
        `INSERT INTO ${this.jobs} (task, args, queue, priority, state, run_at, max_attempts, debounce_key, concurrency_key, concurrency_limit,
           rate_key, rate_max, rate_per_ms, meta, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'queued', coalesce(${AT(5)}, now()), $6, $7, $8, $9, $10, $11, $12, $13, now(), now())
         ON CONFLICT (debounce_key) WHERE state = 'queued' AND debounce_key IS NOT NULL
         DO UPDATE SET args = excluded.args, queue = excluded.queue, priority = excluded.priority, run_at = excluded.run_at,
           meta = excluded.meta, updated_at = now()
         RETURNING *, (xmax = 0) AS inserted`,
        [job.task, JSON.stringify(job.args), job.queue, job.priority, job.runAt, job.maxAttempts, job.debounceKey, ...limitValues(job)],
        client,
      );
      results[i] = { job: toJob(row!), inserted: row!.inserted };
    }
    return results;
  }

  /**
   * One statement, so one round trip and its own transaction (or the app's): every row at once,
   * and the NOTIFY, delivered when that transaction commits (never if it rolls back). One job (a
   * web request's) takes a plain VALUES row, which PostgreSQL plans in half the time of unnest.
   * Returns the rows inserted (not those a live job's unique key kept out), in no set order.
   */
  private insert(jobs: readonly NewJob[], client: Queryable): Promise<Row[]> {
    const insert = `INSERT INTO ${this.jobs} (task, args, queue, priority, state, run_at, max_attempts, unique_key, concurrency_key, concurrency_limit,
      rate_key, rate_max, rate_per_ms, meta, created_at, updated_at)`;
    const onConflict = `ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('queued', 'running') DO NOTHING RETURNING *`;
    const notify = `SELECT inserted.*, pg_notify('${CHANNEL}', '') IS NULL AS notified FROM inserted`;
    const [only] = jobs;
    return jobs.length === 1
      ? this.query<Row>(
          `WITH inserted AS (
               ${insert}
               VALUES ($1, $2, $3, $4, 'queued', coalesce(${AT(5)}, now()), $6, $7, $8, $9, $10, $11, $12, $13, now(), now())
               ${onConflict}
             )
             ${notify}`,
          [
            only!.task,
            JSON.stringify(only!.args),
            only!.queue,
            only!.priority,
            only!.runAt,
            only!.maxAttempts,
            only!.uniqueKey,
            ...limitValues(only!),
          ],
          client,
          true,
        )
      : this.query<Row>(
          `WITH incoming AS (
               SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[], $4::int[], $5::double precision[], $6::int[], $7::text[], $8::text[], $9::int[],
                 $10::text[], $11::int[], $12::bigint[], $13::jsonb[])
                 WITH ORDINALITY AS t(task, args, queue, priority, run_at, max_attempts, unique_key, concurrency_key, concurrency_limit,
                   rate_key, rate_max, rate_per_ms, meta, ord)
             ),
             inserted AS (
               ${insert}
               SELECT task, args, queue, priority, 'queued', coalesce(to_timestamp(run_at / 1000), now()), max_attempts, unique_key,
                 concurrency_key, concurrency_limit, rate_key, rate_max, rate_per_ms, meta, now(), now()
               FROM incoming ORDER BY ord
               ${onConflict}
             )
             ${notify}`,
          [
            jobs.map((j) => j.task),
            jobs.map((j) => JSON.stringify(j.args)),
            jobs.map((j) => j.queue),
            jobs.map((j) => j.priority),
            jobs.map((j) => j.runAt),
            jobs.map((j) => j.maxAttempts),
            jobs.map((j) => j.uniqueKey),
            // One array per limit column, in limitValues' order.
            ...limitsByColumn(jobs),
          ],
          client,
          true,
        );
  }

  async claim(request: ClaimRequest): Promise<Job[]> {
    const params: unknown[] = [request.workerId, request.leaseMs, request.limit];
    const queueFilter = request.queues === undefined ? "" : `AND queue = ANY($${params.push(request.queues)})`;
    const sql = this.claimSql(queueFilter);
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.query<Row>(sql, params, this.pool, true)).map(toJob).sort(byClaimOrder);
      } catch (error) {
        // Another worker took the same concurrency or rate slot at the same instant: this claim took
        // nothing; the next one sees that slot taken.
        const { code, constraint } = error as { code?: string; constraint?: string };
        if (code !== "23505" || (constraint !== "jobs_concurrency" && constraint !== "jobs_rate") || attempt >= 5) throw error;
      }
    }
  }

  /**
   * One statement: the runnable jobs in claim order (past paused queues and tasks, past jobs whose
   * concurrency key is full or whose rate key has used up its window), locked with SKIP LOCKED; of
   * those, per key, as many as have free slots: a concurrency slot (the lowest free of 1..limit
   * among the key's running jobs) and a rate slot (the next of 1..max among the key's starts in
   * this period). Slots are unique (jobs_concurrency, jobs_rate), so two claims that raced for the
   * same one cannot both commit.
   */
  private claimSql(queueFilter: string): string {
    const running = (alias: string, key: string) =>
      `${this.jobs} AS ${alias} WHERE ${alias}.state = 'running' AND ${alias}.concurrency_key = ${key}`;
    const windowOf = (per: string) => `floor(extract(epoch FROM now()) * 1000 / ${per})::bigint`;
    // Starts take a period's slots in turn (a start is never undone): the next is after the highest, an index lookup.
    const lastRateSlot = (key: string, window: string) =>
      `coalesce((SELECT max(s.rate_slot) FROM ${this.jobs} AS s WHERE s.rate_key = ${key} AND s.rate_window = ${window}), 0)`;
    // The full keys, once (a hashed set): the claim walks past their queued jobs at the cost of a lookup each.
    return `WITH full_keys AS (
         SELECT concurrency_key FROM ${this.jobs}
         WHERE state = 'running' AND concurrency_key IS NOT NULL
         GROUP BY concurrency_key HAVING count(*) >= min(concurrency_limit)
       ),
       next AS (
         SELECT id, priority, run_at, concurrency_key, concurrency_limit, rate_key, rate_max, rate_per_ms FROM ${this.jobs} AS q
         WHERE state = 'queued' AND run_at <= now() ${queueFilter}
           AND queue NOT IN (SELECT name FROM ${this.pausesTable} WHERE kind = 'queue')
           AND task NOT IN (SELECT name FROM ${this.pausesTable} WHERE kind = 'task')
           AND (concurrency_key IS NULL OR concurrency_key NOT IN (SELECT concurrency_key FROM full_keys))
           AND (rate_key IS NULL OR ${lastRateSlot("q.rate_key", windowOf("q.rate_per_ms"))} < rate_max)
         ORDER BY ${CLAIM_ORDER}
         LIMIT $3
         FOR UPDATE SKIP LOCKED
       ),
       keyed AS (
         SELECT id, concurrency_key, concurrency_limit, row_number() OVER (PARTITION BY concurrency_key ORDER BY ${CLAIM_ORDER}) AS nth
         FROM next WHERE concurrency_key IS NOT NULL
       ),
       concurrency_slots AS (
         SELECT keyed.id, free.slot FROM keyed
         JOIN LATERAL (
           SELECT slot FROM generate_series(1, keyed.concurrency_limit) AS slot
           WHERE slot NOT IN (SELECT u.concurrency_slot FROM ${running("u", "keyed.concurrency_key")} AND u.concurrency_slot IS NOT NULL)
           ORDER BY slot OFFSET keyed.nth - 1 LIMIT 1
         ) AS free ON true
       ),
       rated AS (
         SELECT id, rate_key, rate_max, ${windowOf("rate_per_ms")} AS win,
           row_number() OVER (PARTITION BY rate_key ORDER BY ${CLAIM_ORDER}) AS nth
         FROM next WHERE rate_key IS NOT NULL
       ),
       rate_slots AS (
         SELECT id, win, slot FROM (SELECT id, win, rate_max, ${lastRateSlot("rated.rate_key", "rated.win")} + nth AS slot FROM rated) AS next_slots
         WHERE slot <= rate_max
       ),
       granted AS (
         SELECT next.id, concurrency_slots.slot AS concurrency_slot, rate_slots.win AS rate_window, rate_slots.slot AS rate_slot
         FROM next
         LEFT JOIN concurrency_slots ON concurrency_slots.id = next.id
         LEFT JOIN rate_slots ON rate_slots.id = next.id
         WHERE (next.concurrency_key IS NULL OR concurrency_slots.slot IS NOT NULL) AND (next.rate_key IS NULL OR rate_slots.slot IS NOT NULL)
       )
       UPDATE ${this.jobs} AS j
       SET state = 'running', attempts = j.attempts + 1, locked_by = $1, worker = $1,
           locked_until = now() + $2::double precision * interval '1 millisecond', updated_at = now(), started_at = now(),
           progress = NULL, result = NULL, concurrency_slot = granted.concurrency_slot,
           rate_window = granted.rate_window, rate_slot = granted.rate_slot
       FROM granted WHERE j.id = granted.id
       RETURNING j.*`;
  }

  async renewLeases(workerId: string, jobIds: readonly number[], leaseMs: number): Promise<void> {
    if (jobIds.length === 0) return;
    await this.query(
      `UPDATE ${this.jobs} SET locked_until = now() + $3::double precision * interval '1 millisecond'
       WHERE state = 'running' AND locked_by = $1 AND id = ANY($2::bigint[])`,
      [workerId, jobIds, leaseMs],
    );
  }

  async complete(jobs: readonly Job[], workerId: string, results: readonly (string | null)[] = []): Promise<number[]> {
    if (jobs.length === 0) return [];
    const rows = await this.query<{ id: string }>(
      `UPDATE ${this.jobs} AS j
       SET state = 'completed', locked_by = NULL, locked_until = NULL, finished_at = now(), updated_at = now(), result = held.result
       FROM unnest($1::bigint[], $2::int[], $4::json[]) AS held(id, attempts, result)
       WHERE j.id = held.id AND j.attempts = held.attempts AND j.state = 'running' AND j.locked_by = $3
       RETURNING j.id`,
      [jobs.map((job) => job.id), jobs.map((job) => job.attempts), workerId, jobs.map((_, i) => results[i] ?? null)],
      this.pool,
      true,
    );
    return rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  }

  async reportProgress(job: Job, workerId: string, progress: Omit<JobProgress, "at">): Promise<boolean> {
    const rows = await this.query(
      `UPDATE ${this.jobs} SET progress = $4::jsonb || jsonb_build_object('at', floor(extract(epoch FROM now()) * 1000))
       WHERE ${heldBy("$1", "$2", "$3")}
       RETURNING id`,
      [job.id, workerId, job.attempts, JSON.stringify(progress)],
    );
    return rows.length === 1;
  }

  async fail(job: Job, workerId: string, error: JobError, retryAt: number | null): Promise<boolean> {
    const rows = await this.query(
      `UPDATE ${this.jobs} SET
         state = CASE WHEN $4::double precision IS NULL THEN 'failed' ELSE 'queued' END,
         run_at = coalesce(${AT(4)}, run_at),
         finished_at = CASE WHEN $4::double precision IS NULL THEN now() ELSE NULL END,
         locked_by = NULL, locked_until = NULL, updated_at = now(),
         errors = errors || jsonb_build_array($5::jsonb)
       WHERE ${heldBy("$1", "$2", "$3")}
       RETURNING id`,
      [job.id, workerId, job.attempts, retryAt, JSON.stringify(error)],
      this.pool,
      true,
    );
    if (rows.length === 1 && retryAt !== null) await this.notify();
    return rows.length === 1;
  }

  async release(job: Job, workerId: string, runAt: number | null = null): Promise<boolean> {
    const rows = await this.query(
      `UPDATE ${this.jobs} SET state = 'queued', attempts = attempts - 1, locked_by = NULL, locked_until = NULL, updated_at = now(),
         run_at = coalesce(${AT(4)}, run_at)
       WHERE ${heldBy("$1", "$2", "$3")}
       RETURNING id`,
      [job.id, workerId, job.attempts, runAt],
    );
    if (rows.length === 1) await this.notify();
    return rows.length === 1;
  }

  async requeueExpired(): Promise<number> {
    const rows = await this.query(
      `UPDATE ${this.jobs} SET
         state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
         finished_at = CASE WHEN attempts >= max_attempts THEN now() ELSE NULL END,
         locked_by = NULL, locked_until = NULL, updated_at = now(),
         errors = errors || jsonb_build_array(jsonb_build_object(
           'attempt', attempts, 'at', floor(extract(epoch FROM now()) * 1000), 'message', $1::text))
       WHERE state = 'running' AND locked_until < now()
       RETURNING id`,
      [LEASE_EXPIRED],
    );
    if (rows.length > 0) await this.notify();
    return rows.length;
  }

  private async notify(): Promise<void> {
    await this.query(`SELECT pg_notify('${CHANNEL}', '')`);
  }

  async enqueueCronSlot(schedule: string, slot: number, job: NewJob, name = job.task): Promise<boolean> {
    return this.transaction(async (client) => {
      // Only the transaction that moves the high-water mark forward enqueues the slot's job.
      const moved = await this.query<{ paused: boolean }>(
        `INSERT INTO ${this.cron} (schedule, last_slot) VALUES ($1, ${AT(2)})
         ON CONFLICT (schedule) DO UPDATE SET last_slot = excluded.last_slot
         WHERE ${this.cron}.last_slot < excluded.last_slot
         RETURNING EXISTS (SELECT 1 FROM ${this.pausesTable} WHERE kind = 'schedule' AND name = $3) AS paused`,
        [schedule, slot, name],
        client,
      );
      // A paused schedule's slot passes (the mark moved) without a job: resuming does not replay it.
      if (moved.length === 0 || moved[0]!.paused) return false;
      const [enqueued] = await this.enqueue([job], client);
      await this.query(
        `UPDATE ${this.cron} SET last_enqueued = ${AT(2)}, last_job = $3 WHERE schedule = $1`,
        [schedule, slot, enqueued!.job.id],
        client,
      );
      return true;
    });
  }

  async lastCronSlot(schedule: string): Promise<number | null> {
    const [row] = await this.query<{ last_slot: Date }>(`SELECT last_slot FROM ${this.cron} WHERE schedule = $1`, [schedule]);
    return row?.last_slot.getTime() ?? null;
  }

  async lastCronRun(schedule: string): Promise<number | null> {
    const [row] = await this.query<{ last_enqueued: Date | null }>(`SELECT last_enqueued FROM ${this.cron} WHERE schedule = $1`, [
      schedule,
    ]);
    return row?.last_enqueued?.getTime() ?? null;
  }

  async markCronSlot(schedule: string, slot: number): Promise<void> {
    await this.query(
      `INSERT INTO ${this.cron} (schedule, last_slot) VALUES ($1, ${AT(2)})
       ON CONFLICT (schedule) DO UPDATE SET last_slot = greatest(${this.cron}.last_slot, excluded.last_slot)`,
      [schedule, slot],
    );
  }

  async cronState(schedule: string): Promise<CronState | undefined> {
    const [row] = await this.query<{ last_slot: Date; last_enqueued: Date | null; last_job: string | null }>(
      `SELECT last_slot, last_enqueued, last_job FROM ${this.cron} WHERE schedule = $1`,
      [schedule],
    );
    return (
      row && {
        lastSlot: row.last_slot.getTime(),
        lastRun: row.last_enqueued?.getTime() ?? null,
        lastJob: row.last_job === null ? null : Number(row.last_job),
      }
    );
  }

  async pause(kind: PauseKind, name: string): Promise<boolean> {
    const rows = await this.query(
      `INSERT INTO ${this.pausesTable} (kind, name, paused_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING RETURNING name`,
      [kind, name],
    );
    return rows.length === 1;
  }

  async resume(kind: PauseKind, name: string): Promise<boolean> {
    const rows = await this.query(`DELETE FROM ${this.pausesTable} WHERE kind = $1 AND name = $2 RETURNING name`, [kind, name]);
    if (rows.length === 1 && kind !== "schedule") await this.notify();
    return rows.length === 1;
  }

  async pauses(): Promise<Pause[]> {
    const rows = await this.query<{ kind: PauseKind; name: string; paused_at: Date }>(
      `SELECT kind, name, paused_at FROM ${this.pausesTable} ORDER BY kind, name`,
    );
    return rows.map((row) => ({ kind: row.kind, name: row.name, at: row.paused_at.getTime() }));
  }

  async storedSchedules(): Promise<StoredSchedule[]> {
    const rows = await this.query<{
      name: string;
      task: string;
      args: string[];
      cron: string;
      tz: string | null;
      override: boolean;
      updated_at: Date;
    }>(`SELECT name, task, args, cron, tz, override, updated_at FROM ${this.schedulesTable} ORDER BY name`);
    return rows.map(({ updated_at, ...row }) => ({ ...row, updatedAt: updated_at.getTime() }));
  }

  async putSchedule(schedule: Omit<StoredSchedule, "updatedAt">, replace: boolean): Promise<boolean> {
    const rows = await this.query(
      `INSERT INTO ${this.schedulesTable} (name, task, args, cron, tz, override, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, now(), now())
       ON CONFLICT (name) DO ${replace ? "UPDATE SET task = excluded.task, args = excluded.args, cron = excluded.cron, tz = excluded.tz, override = excluded.override, updated_at = excluded.updated_at" : "NOTHING"}
       RETURNING name`,
      [schedule.name, schedule.task, JSON.stringify(schedule.args), schedule.cron, schedule.tz, schedule.override],
    );
    return rows.length === 1;
  }

  async removeSchedule(name: string): Promise<boolean> {
    return (await this.query(`DELETE FROM ${this.schedulesTable} WHERE name = $1 RETURNING name`, [name])).length === 1;
  }

  async beatWorker(beat: WorkerBeat, ttlMs: number): Promise<void> {
    await this.query(
      `INSERT INTO ${this.workersTable} (id, host, pid, queues, concurrency, running, started_at, heartbeat_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now(), now(), now() + $7::double precision * interval '1 millisecond')
       ON CONFLICT (id) DO UPDATE SET running = excluded.running, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
      [
        beat.id,
        beat.host,
        beat.pid,
        beat.queues === null ? null : JSON.stringify(beat.queues),
        beat.concurrency,
        JSON.stringify(beat.running),
        ttlMs,
      ],
    );
  }

  async stopWorker(id: string): Promise<void> {
    await this.query(`UPDATE ${this.workersTable} SET stopped_at = now(), expires_at = now(), running = '[]' WHERE id = $1`, [id]);
  }

  async workers(): Promise<WorkerRecord[]> {
    const rows = await this.query<{
      id: string;
      host: string;
      pid: number;
      queues: string[] | null;
      concurrency: number;
      running: number[];
      started_at: Date;
      heartbeat_at: Date;
      expires_at: Date;
      stopped_at: Date | null;
    }>(
      `SELECT * FROM ${this.workersTable} WHERE heartbeat_at > now() - $1::double precision * interval '1 millisecond'
       ORDER BY started_at DESC, id`,
      [DAY_MS],
    );
    return rows.map((row) => ({
      id: row.id,
      host: row.host,
      pid: row.pid,
      queues: row.queues,
      concurrency: row.concurrency,
      running: row.running,
      startedAt: row.started_at.getTime(),
      heartbeatAt: row.heartbeat_at.getTime(),
      expiresAt: row.expires_at.getTime(),
      stoppedAt: row.stopped_at?.getTime() ?? null,
    }));
  }

  async throughput(since: number, bucketMs: number): Promise<ThroughputBucket[]> {
    const count = (state: "completed" | "failed") =>
      this.query<{ bucket: string; n: string }>(
        `SELECT floor((extract(epoch FROM finished_at) * 1000 - $1::double precision) / $2::double precision) AS bucket, count(*) AS n FROM ${this.jobs}
         WHERE state = '${state}' AND finished_at >= ${AT(1)} GROUP BY bucket`,
        [since, bucketMs],
      );
    const [completed, failed] = await Promise.all([count("completed"), count("failed")]);
    return mergeBuckets(since, bucketMs, completed, failed);
  }

  async finishedSince(since: number): Promise<FinishedCount[]> {
    const rows = await this.query<{ queue: string; task: string; state: "completed" | "failed"; count: string }>(
      `SELECT queue, task, state, count(*) AS count FROM ${this.jobs}
       WHERE state IN ('completed', 'failed') AND finished_at >= ${AT(1)} GROUP BY queue, task, state ORDER BY state, queue, task`,
      [since],
    );
    return rows.map((row) => ({ queue: row.queue, task: row.task, state: row.state, count: Number(row.count) }));
  }

  async get(id: number): Promise<Job | undefined> {
    const [row] = await this.query<Row>(`SELECT * FROM ${this.jobs} WHERE id = $1`, [id]);
    return row && toJob(row);
  }

  async list(filter: JobFilter): Promise<Job[]> {
    const params = postgresParams();
    return (await this.query<Row>(listQuery(this.jobs, filter, params), params.values)).map(toJob);
  }

  async oldestRunnable(): Promise<{ queue: string; runAt: number }[]> {
    const rows = await this.query<{ queue: string; run_at: Date }>(
      `SELECT queue, min(run_at) AS run_at FROM ${this.jobs} WHERE state = 'queued' AND run_at <= now() GROUP BY queue ORDER BY queue`,
    );
    return rows.map((row) => ({ queue: row.queue, runAt: row.run_at.getTime() }));
  }

  async stats(): Promise<QueueStats[]> {
    const rows = await this.query<{ queue: string; state: JobState; count: string }>(
      `SELECT queue, state, count(*) AS count FROM ${this.jobs} GROUP BY queue, state ORDER BY queue, state`,
    );
    return rows.map((row) => ({ queue: row.queue, state: row.state, count: Number(row.count) }));
  }

  async retry(ids: readonly number[] | "all-failed"): Promise<number[]> {
    const which = selection("retry", ids, idIn);
    const rows = await this.query<{ id: string }>(
      `WITH ${retryEligible(this.jobs, which)}
       UPDATE ${this.jobs} SET state = 'queued', attempts = 0, run_at = now(), finished_at = NULL, updated_at = now()
       WHERE id IN (SELECT id FROM eligible) RETURNING id`,
      ids === "all-failed" ? [] : [ids],
    );
    if (rows.length > 0) await this.notify();
    return rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  }

  async cancel(ids: readonly number[]): Promise<number[]> {
    const rows = await this.query<{ id: string }>(
      `UPDATE ${this.jobs} SET state = 'cancelled', finished_at = now(), updated_at = now() WHERE ${selection("cancel", ids, idIn)} RETURNING id`,
      [ids],
    );
    return rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  }

  async discard(ids: readonly number[] | "all-failed"): Promise<number[]> {
    const which = selection("discard", ids, idIn);
    const rows = await this.query<{ id: string }>(
      `DELETE FROM ${this.jobs} WHERE ${which} RETURNING id`,
      ids === "all-failed" ? [] : [ids],
    );
    return rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  }

  async prune(olderThanMs: number): Promise<number> {
    await this.query(`DELETE FROM ${this.workersTable} WHERE heartbeat_at < now() - $1::double precision * interval '1 millisecond'`, [
      DAY_MS,
    ]);
    const rows = await this.query(
      `DELETE FROM ${this.jobs} WHERE state = 'completed' AND finished_at < now() - $1::double precision * interval '1 millisecond' RETURNING id`,
      [olderThanMs],
    );
    return rows.length;
  }

  async clear(): Promise<number> {
    return (await this.query(`DELETE FROM ${this.jobs} RETURNING id`)).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake.removeAllListeners();
    await this.listener?.end().catch(() => {});
    await this.pool.end();
  }
}
