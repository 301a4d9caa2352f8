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
import { EventEmitter } from "node:events";
import type * as PG from "pg";
import { DefinitionError } from "../../errors.js";
import { loadDriver, POSTGRES_DRIVER } from "./driver.js";
import { pendingMigrations } from "./migrations.js";
import { retryEligible } from "./sql.js";
import type {
  ClaimRequest,
  EnqueueResult,
  Job,
  JobError,
  JobFilter,
  JobProgress,
  JobState,
  JobStore,
  NewJob,
  QueueStats,
} from "./store.js";
import {
  byClaimOrder,
  CLAIM_ORDER,
  heldBy,
  LEASE_EXPIRED,
  listQuery,
  matchInserted,
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
    this.poolSize = options.poolSize ?? 5;
    // allowExitOnIdle: a script whose only work is an enqueue() exits once its last query is done.
    this.pool = new this.driver.Pool({ connectionString, max: this.poolSize, allowExitOnIdle: true });
    // A connection that drops while idle must not crash the process: the pool replaces it.
    this.pool.on("error", () => {});
  }

  private async query<R extends PG.QueryResultRow>(sql: string, params: unknown[] = [], client: Queryable = this.pool): Promise<R[]> {
    // A pooled connection the server dropped while it sat idle (a restart, a killed backend, a
    // proxy's timeout) fails the one statement sent on it: send it again, on the next connection.
    for (let attempt = 0; ; attempt++) {
      try {
        return (await client.query<R>(sql, params)).rows;
      } catch (error) {
        if (client !== this.pool || !isDroppedConnection(error) || attempt > this.poolSize) throw error;
      }
    }
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

  /**
   * One statement, so one round trip and its own transaction (or the app's): every row at once,
   * and the NOTIFY, delivered when that transaction commits (never if it rolls back). One job (a
   * web request's) takes a plain VALUES row, which PostgreSQL plans in half the time of unnest.
   * Returns the rows inserted (not those a live job's unique key kept out), in no set order.
   */
  private insert(jobs: readonly NewJob[], client: Queryable): Promise<Row[]> {
    const insert = `INSERT INTO ${this.jobs} (task, args, queue, priority, state, run_at, max_attempts, unique_key, created_at, updated_at)`;
    const onConflict = `ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('queued', 'running') DO NOTHING RETURNING *`;
    const notify = `SELECT inserted.*, pg_notify('${CHANNEL}', '') IS NULL AS notified FROM inserted`;
    const [only] = jobs;
    return jobs.length === 1
      ? this.query<Row>(
          `WITH inserted AS (
               ${insert}
               VALUES ($1, $2, $3, $4, 'queued', coalesce(${AT(5)}, now()), $6, $7, now(), now())
               ${onConflict}
             )
             ${notify}`,
          [only!.task, JSON.stringify(only!.args), only!.queue, only!.priority, only!.runAt, only!.maxAttempts, only!.uniqueKey],
          client,
        )
      : this.query<Row>(
          `WITH incoming AS (
               SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[], $4::int[], $5::double precision[], $6::int[], $7::text[])
                 WITH ORDINALITY AS t(task, args, queue, priority, run_at, max_attempts, unique_key, ord)
             ),
             inserted AS (
               ${insert}
               SELECT task, args, queue, priority, 'queued', coalesce(to_timestamp(run_at / 1000), now()), max_attempts, unique_key, now(), now()
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
          ],
          client,
        );
  }

  async claim(request: ClaimRequest): Promise<Job[]> {
    const params: unknown[] = [request.workerId, request.leaseMs, request.limit];
    const queueFilter = request.queues === undefined ? "" : `AND queue = ANY($${params.push(request.queues)})`;
    const rows = await this.query<Row>(
      `WITH next AS (
         SELECT id FROM ${this.jobs}
         WHERE state = 'queued' AND run_at <= now() ${queueFilter}
         ORDER BY ${CLAIM_ORDER}
         LIMIT $3
         FOR UPDATE SKIP LOCKED
       )
       UPDATE ${this.jobs} AS j
       SET state = 'running', attempts = j.attempts + 1, locked_by = $1, worker = $1,
           locked_until = now() + $2::double precision * interval '1 millisecond', updated_at = now(), started_at = now(),
           progress = NULL, result = NULL
       FROM next WHERE j.id = next.id
       RETURNING j.*`,
      params,
    );
    return rows.map(toJob).sort(byClaimOrder);
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
    );
    if (rows.length === 1 && retryAt !== null) await this.notify();
    return rows.length === 1;
  }

  async release(job: Job, workerId: string): Promise<boolean> {
    const rows = await this.query(
      `UPDATE ${this.jobs} SET state = 'queued', attempts = attempts - 1, locked_by = NULL, locked_until = NULL, updated_at = now()
       WHERE ${heldBy("$1", "$2", "$3")}
       RETURNING id`,
      [job.id, workerId, job.attempts],
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

  async enqueueCronSlot(schedule: string, slot: number, job: NewJob): Promise<boolean> {
    const inserted = await this.transaction(async (client) => {
      // Only the transaction that moves the high-water mark forward enqueues the slot's job.
      const moved = await this.query(
        `INSERT INTO ${this.cron} (schedule, last_slot, last_enqueued) VALUES ($1, ${AT(2)}, ${AT(2)})
         ON CONFLICT (schedule) DO UPDATE SET last_slot = excluded.last_slot, last_enqueued = excluded.last_enqueued
         WHERE ${this.cron}.last_slot < excluded.last_slot
         RETURNING schedule`,
        [schedule, slot],
        client,
      );
      if (moved.length === 0) return false;
      await this.enqueue([job], client);
      return true;
    });
    return inserted;
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
