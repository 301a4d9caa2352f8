/**
 * The store-conformance suite: the JobStore contract (src/jobs/store/store.ts) as tests, run
 * against every store with a real database — the SQLite store now (sqlite-store.test.ts), the
 * PostgreSQL store next, unchanged.
 *
 * A store under test is given by `open()`, called before every test: a fresh, empty, not yet
 * migrated database (a new SQLite file in a temp dir; a new PostgreSQL schema) and a first
 * connection to it. Besides `store` and `cleanup`, it gives:
 * - `connect()`: another connection to the same database (another better-sqlite3 handle, another
 *   pg client), for what only several connections can show: concurrent migrations, claims and
 *   cron slots. `cleanup()` closes those too.
 * - `advance(ms)`, optional: moves the store's clock forward, for stores whose clock a test can
 *   set (SqliteStore's `clock` option). A store that reads the database's clock leaves it out,
 *   and the suite then waits on the store's own `now()` until that much time has passed; every
 *   such wait is short (at most about a second), so the suite stays fast either way.
 *
 * Nothing here sleeps for a fixed time to let something happen: due times are relative to the
 * store's `now()`, and time passes only through `elapse`.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { Job, JobError, JobState, JobStore, NewJob } from "../../src/jobs/store/store.js";

export interface StoreUnderTest {
  /** The first connection to a fresh, empty, unmigrated database. */
  store: JobStore;
  /** Closes every connection opened for the test and removes its database. */
  cleanup(): Promise<void>;
  /** Another connection to the same database (not migrated). */
  connect(): Promise<JobStore>;
  /** Moves the clock of every connection forward, for stores whose clock the test controls. */
  advance?(ms: number): void;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** A lease no test outlives. */
const LONG_LEASE = HOUR;
/** A lease a test lets expire (by `elapse`-ing past it). */
const SHORT_LEASE = 50;

export function storeConformance(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name}: the JobStore contract`, () => {
    let under: StoreUnderTest;
    let store: JobStore;

    beforeEach(async () => {
      under = await open();
      store = under.store;
      await store.migrate();
    });

    afterEach(async () => {
      await under.cleanup();
    });

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /** Lets `ms` of the store's time pass: the test clock moves, or we wait on the store's clock. */
    async function elapse(ms: number): Promise<void> {
      if (under.advance) {
        under.advance(ms);
        return;
      }
      const target = (await store.now()) + ms;
      while ((await store.now()) < target) await new Promise((resolve) => setTimeout(resolve, Math.min(5, ms)));
    }

    /** Another connection to this test's database, migrated (as every worker process does). */
    async function connection(): Promise<JobStore> {
      const other = await under.connect();
      await other.migrate();
      return other;
    }

    function newJob(overrides: Partial<NewJob> = {}): NewJob {
      return { task: "mail:welcome", args: [], queue: "default", priority: 0, runAt: null, maxAttempts: 3, uniqueKey: null, ...overrides };
    }

    async function enqueueOne(overrides: Partial<NewJob> = {}, on: JobStore = store): Promise<Job> {
      const [result] = await on.enqueue([newJob(overrides)]);
      expect(result!.inserted).toBe(true);
      return result!.job;
    }

    async function enqueueMany(count: number, overrides: (i: number) => Partial<NewJob> = () => ({})): Promise<Job[]> {
      const results = await store.enqueue(Array.from({ length: count }, (_, i) => newJob(overrides(i))));
      return results.map((r) => r.job);
    }

    async function claim(
      workerId = "worker-a",
      options: { queues?: readonly string[]; limit?: number; leaseMs?: number; on?: JobStore } = {},
    ): Promise<Job[]> {
      return (options.on ?? store).claim({
        workerId,
        queues: options.queues,
        limit: options.limit ?? 100,
        leaseMs: options.leaseMs ?? LONG_LEASE,
      });
    }

    async function claimOne(workerId = "worker-a", leaseMs = LONG_LEASE, on: JobStore = store): Promise<Job> {
      const jobs = await claim(workerId, { limit: 1, leaseMs, on });
      expect(jobs).toHaveLength(1);
      return jobs[0]!;
    }

    async function current(id: number): Promise<Job> {
      const job = await store.get(id);
      expect(job, `job ${id} exists`).toBeDefined();
      return job!;
    }

    function jobError(attempt: number, message: string, at: number, stack: string | undefined = undefined): JobError {
      return { attempt, at, message, stack };
    }

    /**
     * Helper jobs below go to a queue of their own (unless the test names one), so that claiming
     * them takes exactly them and leaves the test's other jobs alone.
     */
    let ownQueues = 0;
    const ownQueue = (overrides: Partial<NewJob>): Partial<NewJob> => ({ queue: `own-${++ownQueues}`, ...overrides });

    /** Claims `job` itself: the next due job of its queue. */
    async function claimExactly(job: Job, workerId = "worker-a", leaseMs = LONG_LEASE): Promise<Job> {
      const [claimed] = await store.claim({ workerId, queues: [job.queue], limit: 1, leaseMs });
      expect(claimed?.id, `claimed job ${job.id}`).toBe(job.id);
      return claimed!;
    }

    /** A job that has used up its attempts: claimed and failed for good. */
    async function failedJob(overrides: Partial<NewJob> = {}): Promise<Job> {
      const job = await enqueueOne(ownQueue({ maxAttempts: 1, ...overrides }));
      const claimed = await claimExactly(job);
      expect(await store.fail(claimed, "worker-a", jobError(1, "boom", await store.now()), null)).toBe(true);
      return current(job.id);
    }

    async function completedJob(overrides: Partial<NewJob> = {}): Promise<Job> {
      const job = await enqueueOne(ownQueue(overrides));
      const claimed = await claimExactly(job);
      expect(await store.complete([claimed], "worker-a")).toEqual([job.id]);
      return current(job.id);
    }

    async function cancelledJob(overrides: Partial<NewJob> = {}): Promise<Job> {
      const job = await enqueueOne(overrides);
      expect(await store.cancel([job.id])).toEqual([job.id]);
      return current(job.id);
    }

    /**
     * A job leased to `worker-a` (attempt 1) with a short lease that expired, put back by the reaper
     * (or failed by it, on its last attempt). Returns the stale lease: the job as worker-a got it.
     */
    async function expiredAndRequeued(overrides: Partial<NewJob> = {}): Promise<Job> {
      const job = await enqueueOne(ownQueue(overrides));
      const stale = await claimExactly(job, "worker-a", SHORT_LEASE);
      await elapse(SHORT_LEASE + 10);
      expect(await store.requeueExpired()).toBe(1);
      return stale;
    }

    /** Resolves on the next call of an onJobsAvailable listener (a PostgreSQL NOTIFY arrives later). */
    function nextWakeUp(on: JobStore = store, timeoutMs = 5000): { fired: Promise<void>; count: () => number; stop: () => void } {
      let calls = 0;
      let resolveFired!: () => void;
      const fired = new Promise<void>((resolve) => (resolveFired = resolve));
      const stop = on.onJobsAvailable(() => {
        calls += 1;
        resolveFired();
      });
      const timer = setTimeout(() => resolveFired(), timeoutMs);
      return {
        fired: fired.then(() => {
          clearTimeout(timer);
          expect(calls, "onJobsAvailable was called").toBeGreaterThan(0);
        }),
        count: () => calls,
        stop: () => {
          clearTimeout(timer);
          stop();
        },
      };
    }

    const sorted = (ids: readonly number[]) => [...ids].sort((a, b) => a - b);
    const idsOf = (jobs: readonly Job[]) => jobs.map((j) => j.id);

    // ---------------------------------------------------------------------------------------------

    describe("migrate", () => {
      test("is idempotent: migrating again, on this connection and another, keeps the schema and the jobs", async () => {
        const job = await enqueueOne({ task: "a" });
        await store.migrate();
        await store.migrate();
        const other = await connection();
        await other.migrate();
        expect(await store.get(job.id)).toEqual(job);
        expect(await other.get(job.id)).toEqual(job);
        const second = await enqueueOne({ task: "b" }, other);
        expect(second.id).toBeGreaterThan(job.id);
        expect(sorted(idsOf(await store.list({})))).toEqual([job.id, second.id]);
      });

      test("several connections migrating a fresh database at once all succeed, once", async () => {
        const fresh = await open();
        try {
          const connections = [fresh.store, ...(await Promise.all(Array.from({ length: 5 }, () => fresh.connect())))];
          await Promise.all(connections.map((c) => c.migrate()));
          await Promise.all(connections.map((c) => c.migrate()));
          // The schema works from every connection, and there is one table of jobs, not several.
          const enqueued = await Promise.all(connections.map((c, i) => c.enqueue([newJob({ task: `t${i}` })])));
          expect(enqueued.map(([r]) => r!.inserted)).toEqual(connections.map(() => true));
          for (const c of connections) expect(await c.list({})).toHaveLength(connections.length);
        } finally {
          await fresh.cleanup();
        }
      });
    });

    describe("enqueue", () => {
      test("returns the inserted job with every field, defaults included; get() reads the same job", async () => {
        const before = await store.now();
        const [result] = await store.enqueue([
          newJob({
            task: "mail:welcome",
            args: ["42", "fr"],
            queue: "mail",
            priority: 3,
            runAt: null,
            maxAttempts: 5,
            uniqueKey: "welcome-42",
          }),
        ]);
        const after = await store.now();
        expect(result!.inserted).toBe(true);
        const job = result!.job;
        expect(job).toEqual({
          id: expect.any(Number),
          task: "mail:welcome",
          args: ["42", "fr"],
          queue: "mail",
          priority: 3,
          state: "queued",
          runAt: expect.any(Number),
          attempts: 0,
          maxAttempts: 5,
          lockedBy: null,
          lockedUntil: null,
          uniqueKey: "welcome-42",
          createdAt: expect.any(Number),
          updatedAt: expect.any(Number),
          finishedAt: null,
          errors: [],
          startedAt: null,
          worker: null,
          progress: null,
          result: null,
          meta: {},
        });
        // runAt null means "now", on the store's clock.
        expect(job.runAt).toBeGreaterThanOrEqual(before);
        expect(job.runAt).toBeLessThanOrEqual(after);
        expect(job.createdAt).toBeGreaterThanOrEqual(before);
        expect(job.createdAt).toBeLessThanOrEqual(after);
        expect(job.updatedAt).toBe(job.createdAt);
        expect(await store.get(job.id)).toEqual(job);
      });

      test("keeps a given runAt, in the past or the future", async () => {
        const now = await store.now();
        const [past, future] = await store.enqueue([newJob({ runAt: now - HOUR }), newJob({ runAt: now + HOUR })]);
        expect(past!.job.runAt).toBe(now - HOUR);
        expect(future!.job.runAt).toBe(now + HOUR);
        expect((await current(future!.job.id)).runAt).toBe(now + HOUR);
      });

      test("args are strings kept exactly: empty, quotes, JSON-looking, unicode, many", async () => {
        const samples = [
          [],
          [""],
          ['a "quoted", [bracketed] \\ value'],
          ["[1,2]", "{}", "null"],
          ["élève", "日本", "🙂"],
          Array.from({ length: 50 }, (_, i) => `${i}`),
        ];
        const results = await store.enqueue(samples.map((args) => newJob({ args })));
        for (const [i, args] of samples.entries()) {
          expect(results[i]!.job.args).toEqual(args);
          expect((await current(results[i]!.job.id)).args).toEqual(args);
        }
      });

      test("a batch gives one result per job, in order, with distinct increasing ids", async () => {
        const results = await store.enqueue(Array.from({ length: 20 }, (_, i) => newJob({ task: `task:${i}` })));
        expect(results.map((r) => r.job.task)).toEqual(Array.from({ length: 20 }, (_, i) => `task:${i}`));
        expect(results.every((r) => r.inserted)).toBe(true);
        const ids = results.map((r) => r.job.id);
        expect(sorted(ids)).toEqual(ids);
        expect(new Set(ids).size).toBe(20);
        expect(await store.list({ limit: 1000 })).toHaveLength(20);
      });

      test("an empty batch inserts nothing", async () => {
        expect(await store.enqueue([])).toEqual([]);
        expect(await store.list({})).toEqual([]);
      });
    });

    describe("claim", () => {
      test("takes only due jobs; a job due later is taken once it is due", async () => {
        const now = await store.now();
        const [past, present, soon, later] = await enqueueMany(4, (i) => ({
          task: ["past", "present", "soon", "later"][i]!,
          runAt: [now - MINUTE, null, now + 200, now + HOUR][i]!,
        }));
        const first = await claim();
        const claimedAt = await store.now();
        expect(idsOf(first)).toContain(past!.id);
        expect(idsOf(first)).toContain(present!.id);
        expect(idsOf(first)).not.toContain(later!.id);
        // "soon" is not due yet unless this machine took 200 ms between enqueue and claim.
        if (claimedAt < soon!.runAt) expect(idsOf(first)).not.toContain(soon!.id);
        for (const job of first) expect(job.runAt).toBeLessThanOrEqual(claimedAt);

        await elapse(200);
        const second = await claim();
        expect(sorted([...idsOf(first), ...idsOf(second)])).toEqual(sorted([past!.id, present!.id, soon!.id]));
        expect((await current(later!.id)).state).toBe("queued");
      });

      test("lowest priority number first, then the oldest runAt, then the lowest id", async () => {
        const now = await store.now();
        // Enqueued in an order unlike the claim order.
        const spec: { name: string; priority: number; runAt: number }[] = [
          { name: "p5-old", priority: 5, runAt: now - 3 * MINUTE },
          { name: "p0-new-1", priority: 0, runAt: now - MINUTE },
          { name: "p0-old", priority: 0, runAt: now - 2 * MINUTE },
          { name: "p0-new-2", priority: 0, runAt: now - MINUTE },
          { name: "p-10", priority: -10, runAt: now },
          { name: "p1", priority: 1, runAt: now - 10 * MINUTE },
        ];
        await store.enqueue(spec.map((s) => newJob({ task: s.name, priority: s.priority, runAt: s.runAt })));
        const expected = ["p-10", "p0-old", "p0-new-1", "p0-new-2", "p1", "p5-old"];

        // One at a time...
        const oneByOne: string[] = [];
        for (;;) {
          const [job] = await claim("worker-a", { limit: 1 });
          if (!job) break;
          oneByOne.push(job.task);
        }
        expect(oneByOne).toEqual(expected);

        // ...and several at once: the first `limit` in that order, returned in that order.
        await store.clear();
        await store.enqueue(spec.map((s) => newJob({ task: s.name, priority: s.priority, runAt: s.runAt })));
        expect((await claim("worker-a", { limit: 3 })).map((j) => j.task)).toEqual(expected.slice(0, 3));
        expect((await claim("worker-a", { limit: 10 })).map((j) => j.task)).toEqual(expected.slice(3));
      });

      test("takes only from the given queues; undefined means every queue", async () => {
        const jobs = await enqueueMany(6, (i) => ({ queue: ["mail", "reports", "default"][i % 3]! }));
        const mail = await claim("worker-a", { queues: ["mail"] });
        expect(mail.map((j) => j.queue)).toEqual(["mail", "mail"]);
        const several = await claim("worker-a", { queues: ["reports", "nowhere"] });
        expect(several.map((j) => j.queue)).toEqual(["reports", "reports"]);
        expect(await claim("worker-a", { queues: ["mail", "reports"] })).toEqual([]);
        const rest = await claim("worker-a", { queues: undefined });
        expect(rest.map((j) => j.queue)).toEqual(["default", "default"]);
        expect(sorted([...idsOf(mail), ...idsOf(several), ...idsOf(rest)])).toEqual(idsOf(jobs));
      });

      test("takes at most `limit` jobs; the rest stay queued", async () => {
        const jobs = await enqueueMany(5);
        const claimed = await claim("worker-a", { limit: 2 });
        expect(idsOf(claimed)).toEqual(idsOf(jobs).slice(0, 2));
        const queued = await store.list({ states: ["queued"] });
        expect(sorted(idsOf(queued))).toEqual(idsOf(jobs).slice(2));
        expect(await claim("worker-a", { limit: 10 })).toHaveLength(3);
      });

      test("leases each job: running, attempts + 1, lockedBy the worker, lockedUntil now + leaseMs", async () => {
        const job = await enqueueOne();
        const before = await store.now();
        const [claimed] = await claim("worker-a", { leaseMs: 30 * SECOND });
        const after = await store.now();
        expect(claimed).toMatchObject({
          id: job.id,
          state: "running",
          attempts: 1,
          lockedBy: "worker-a",
          task: job.task,
          args: job.args,
          queue: job.queue,
          errors: [],
        });
        expect(claimed!.lockedUntil).toBeGreaterThanOrEqual(before + 30 * SECOND);
        expect(claimed!.lockedUntil).toBeLessThanOrEqual(after + 30 * SECOND);
        expect(claimed!.updatedAt).toBeGreaterThanOrEqual(before);
        expect(claimed!.finishedAt).toBeNull();
        expect(await store.get(job.id)).toEqual(claimed);
      });

      test("a leased job is not taken again, by the same worker or another", async () => {
        await enqueueOne();
        expect(await claim("worker-a")).toHaveLength(1);
        expect(await claim("worker-a")).toEqual([]);
        expect(await claim("worker-b")).toEqual([]);
      });

      test("two connections claiming at once never take the same job", async () => {
        const jobs = await enqueueMany(300);
        const other = await connection();
        const taken = new Map<number, string[]>();
        for (;;) {
          const [a, b] = await Promise.all([claim("worker-a", { limit: 7 }), claim("worker-b", { limit: 7, on: other })]);
          for (const [worker, batch] of [
            ["worker-a", a],
            ["worker-b", b],
          ] as const) {
            for (const job of batch) {
              expect(job.lockedBy).toBe(worker);
              taken.set(job.id, [...(taken.get(job.id) ?? []), worker]);
            }
          }
          if (a.length === 0 && b.length === 0) break;
        }
        expect(sorted([...taken.keys()])).toEqual(idsOf(jobs));
        expect([...taken.values()].filter((workers) => workers.length > 1)).toEqual([]);
        const running = await store.list({ states: ["running"], limit: 1000 });
        expect(running).toHaveLength(300);
        for (const job of running) {
          expect(job.attempts).toBe(1);
          expect(job.lockedBy).toBe(taken.get(job.id)![0]);
        }
      });
    });

    describe("unique keys", () => {
      test("a second live job with the same key gets the existing one, in the same batch and in later calls", async () => {
        const results = await store.enqueue([
          newJob({ task: "first", uniqueKey: "k" }),
          newJob({ task: "second", uniqueKey: "k" }),
          newJob({ task: "other", uniqueKey: "other-key" }),
          newJob({ task: "no-key-1", uniqueKey: null }),
          newJob({ task: "no-key-2", uniqueKey: null }),
        ]);
        expect(results.map((r) => r.inserted)).toEqual([true, false, true, true, true]);
        const first = results[0]!.job;
        expect(results[1]!.job).toEqual(first);
        expect(results[3]!.job.id).not.toBe(results[4]!.job.id);

        const [again] = await store.enqueue([newJob({ task: "third", uniqueKey: "k" })]);
        expect(again).toEqual({ job: first, inserted: false });
        const [fromOther] = await (await connection()).enqueue([newJob({ task: "fourth", uniqueKey: "k" })]);
        expect(fromOther!.inserted).toBe(false);
        expect(fromOther!.job.id).toBe(first.id);
        expect((await store.list({})).map((j) => j.task).sort()).toEqual(["first", "no-key-1", "no-key-2", "other"]);
      });

      test("the key stays taken while the job runs, and while it waits for a retry", async () => {
        const job = await enqueueOne({ uniqueKey: "k" });
        const claimed = await claimOne();
        const [whileRunning] = await store.enqueue([newJob({ uniqueKey: "k" })]);
        expect(whileRunning).toMatchObject({ inserted: false, job: { id: job.id, state: "running" } });

        const now = await store.now();
        expect(await store.fail(claimed, "worker-a", jobError(1, "boom", now), now + HOUR)).toBe(true);
        const [whileRetrying] = await store.enqueue([newJob({ uniqueKey: "k" })]);
        expect(whileRetrying).toMatchObject({ inserted: false, job: { id: job.id, state: "queued", attempts: 1 } });
      });

      test("the key is free again once its job completed, failed for good, or was cancelled", async () => {
        const completed = await completedJob({ uniqueKey: "completed" });
        const failed = await failedJob({ uniqueKey: "failed" });
        const cancelled = await cancelledJob({ uniqueKey: "cancelled" });
        const expired = await expiredAndRequeued({ uniqueKey: "expired", maxAttempts: 1 }); // failed by the reaper
        expect((await current(expired.id)).state).toBe("failed");
        for (const old of [completed, failed, cancelled, expired]) {
          const [result] = await store.enqueue([newJob({ uniqueKey: old.uniqueKey })]);
          expect(result!.inserted, `key ${old.uniqueKey}`).toBe(true);
          expect(result!.job.id).not.toBe(old.id);
          expect(result!.job.state).toBe("queued");
          // ...and taken again by the new job.
          const [again] = await store.enqueue([newJob({ uniqueKey: old.uniqueKey })]);
          expect(again).toMatchObject({ inserted: false, job: { id: result!.job.id } });
        }
      });
    });

    describe("fencing: complete, fail and release take effect only for the worker holding that attempt", () => {
      test("another worker cannot complete, fail, release or renew the job", async () => {
        await enqueueOne();
        const claimed = await claimOne("worker-a", 30 * SECOND);
        const now = await store.now();
        expect(await store.complete([claimed], "worker-b")).toEqual([]);
        expect(await store.fail(claimed, "worker-b", jobError(1, "not mine", now), null)).toBe(false);
        expect(await store.fail(claimed, "worker-b", jobError(1, "not mine", now), now)).toBe(false);
        expect(await store.release(claimed, "worker-b")).toBe(false);
        await store.renewLeases("worker-b", [claimed.id], LONG_LEASE);
        expect(await current(claimed.id)).toEqual(claimed);
        // The holder still can.
        expect(await store.complete([claimed], "worker-a")).toEqual([claimed.id]);
      });

      test("a stale attempt (its lease expired, the job was put back and claimed again) cannot complete, fail or release it", async () => {
        const stale = await expiredAndRequeued();
        const fresh = await claimOne("worker-b");
        expect(fresh).toMatchObject({ id: stale.id, attempts: 2, lockedBy: "worker-b" });
        const now = await store.now();
        expect(await store.complete([stale], "worker-a")).toEqual([]);
        expect(await store.fail(stale, "worker-a", jobError(1, "late", now), null)).toBe(false);
        expect(await store.fail(stale, "worker-a", jobError(1, "late", now), now)).toBe(false);
        expect(await store.release(stale, "worker-a")).toBe(false);
        const untouched = await current(stale.id);
        expect(untouched).toEqual(fresh);
        expect(untouched.errors).toHaveLength(1); // the expiry, not "late"
      });

      test("a stale attempt of the same worker (it claimed the job again) is fenced by the attempt", async () => {
        const stale = await expiredAndRequeued();
        const fresh = await claimOne("worker-a");
        expect(fresh).toMatchObject({ id: stale.id, attempts: 2, lockedBy: "worker-a" });
        const now = await store.now();
        expect(await store.complete([stale], "worker-a")).toEqual([]);
        expect(await store.fail(stale, "worker-a", jobError(1, "late", now), null)).toBe(false);
        expect(await store.release(stale, "worker-a")).toBe(false);
        expect(await current(stale.id)).toEqual(fresh);
        expect(await store.complete([fresh], "worker-a")).toEqual([fresh.id]);
      });

      test("a job no longer running (put back, completed, failed) cannot be completed, failed or released", async () => {
        const putBack = await expiredAndRequeued();
        const now = await store.now();
        expect(await store.complete([putBack], "worker-a")).toEqual([]);
        expect(await store.fail(putBack, "worker-a", jobError(1, "late", now), null)).toBe(false);
        expect(await store.release(putBack, "worker-a")).toBe(false);
        expect((await current(putBack.id)).state).toBe("queued");

        await store.clear();
        await enqueueOne();
        const claimed = await claimOne();
        expect(await store.complete([claimed], "worker-a")).toEqual([claimed.id]);
        const done = await current(claimed.id);
        expect(await store.complete([claimed], "worker-a")).toEqual([]);
        expect(await store.fail(claimed, "worker-a", jobError(1, "twice", now), now)).toBe(false);
        expect(await store.release(claimed, "worker-a")).toBe(false);
        expect(await current(claimed.id)).toEqual(done);
      });

      test("complete takes a batch and returns only the ids still held; the others are untouched", async () => {
        await enqueueMany(2);
        const [held1, held2] = await claim("worker-a", { limit: 2 });
        const lost = await expiredAndRequeued({ task: "lost" });
        const lostNow = await claimOne("worker-b");
        expect(lostNow.id).toBe(lost.id);
        await enqueueOne({ task: "done" });
        const alreadyDone = await claimOne("worker-a");
        expect(await store.complete([alreadyDone], "worker-a")).toEqual([alreadyDone.id]);

        const before = await store.now();
        const completed = await store.complete([held1!, lost, alreadyDone, held2!], "worker-a");
        const after = await store.now();
        expect(sorted(completed)).toEqual(sorted([held1!.id, held2!.id]));
        for (const id of [held1!.id, held2!.id]) {
          const job = await current(id);
          expect(job).toMatchObject({ state: "completed", lockedBy: null, lockedUntil: null, attempts: 1 });
          expect(job.finishedAt).toBeGreaterThanOrEqual(before);
          expect(job.finishedAt).toBeLessThanOrEqual(after);
        }
        expect(await current(lost.id)).toEqual(lostNow);
        expect(await store.complete([], "worker-a")).toEqual([]);
      });
    });

    describe("progress, results, and who ran an attempt when", () => {
      test("a claim stamps the attempt's start and its worker; both stay once it ends", async () => {
        const job = await enqueueOne();
        expect(job).toMatchObject({ startedAt: null, worker: null, progress: null, result: null });
        const before = await store.now();
        const claimed = await claimOne();
        expect(claimed.worker).toBe("worker-a");
        expect(claimed.startedAt).toBeGreaterThanOrEqual(before - SECOND);
        expect(claimed.startedAt).toBeLessThanOrEqual((await store.now()) + SECOND);
        await store.complete([claimed], "worker-a");
        expect(await current(job.id)).toMatchObject({ worker: "worker-a", startedAt: claimed.startedAt, lockedBy: null });
      });

      test("reportProgress stores the last report, stamped with the store's time; only the worker holding the attempt can", async () => {
        const job = await enqueueOne();
        const claimed = await claimOne();
        expect(await store.reportProgress(claimed, "worker-a", { done: 3, total: 10, message: "rows" })).toBe(true);
        expect(await store.reportProgress(claimed, "worker-a", { done: 4, total: null, message: null })).toBe(true);
        expect(await store.reportProgress(claimed, "worker-b", { done: 9, total: 10, message: "not mine" })).toBe(false);
        const { progress } = await current(job.id);
        expect(progress).toMatchObject({ done: 4, total: null, message: null });
        expect(Math.abs(progress!.at - (await store.now()))).toBeLessThan(5 * SECOND);
        await store.complete([claimed], "worker-a");
        expect(await store.reportProgress(claimed, "worker-a", { done: 10, total: 10, message: null })).toBe(false);
        expect((await current(job.id)).progress).toMatchObject({ done: 4 });
      });

      test("complete stores each job's result (JSON); a job without one has null; a new attempt starts without the last one's progress", async () => {
        const [a, b, c] = await store.enqueue([newJob({ task: "a" }), newJob({ task: "b" }), newJob({ task: "c", maxAttempts: 2 })]);
        const claimed = await claim("worker-a", { limit: 3 });
        const byTask = (task: string) => claimed.find((job) => job.task === task)!;
        const result = { rows: 3, names: ["x", 'quote " and \\ backslash'], nested: { ok: true } };
        await store.reportProgress(byTask("c"), "worker-a", { done: 1, total: 2, message: null });
        expect(await store.complete([byTask("a"), byTask("b")], "worker-a", [JSON.stringify(result), null])).toHaveLength(2);
        expect((await current(a!.job.id)).result).toEqual(result);
        expect((await current(b!.job.id)).result).toBeNull();
        await store.fail(byTask("c"), "worker-a", jobError(1, "boom", await store.now()), await store.now());
        const retried = await claimOne("worker-b");
        expect(retried).toMatchObject({ id: c!.job.id, attempts: 2, worker: "worker-b", progress: null });
      });
    });

    describe("fail", () => {
      test("with a retry time: queued again at that time, its error appended, lease cleared, the attempt counted", async () => {
        const job = await enqueueOne({ maxAttempts: 3 });
        const claimed = await claimOne();
        const now = await store.now();
        const error = jobError(1, "SMTP timeout", now, "Error: SMTP timeout\n    at send (mail.ts:3:9)");
        expect(await store.fail(claimed, "worker-a", error, now + 300)).toBe(true);
        const failed = await current(job.id);
        expect(failed).toMatchObject({
          state: "queued",
          runAt: now + 300,
          attempts: 1,
          lockedBy: null,
          lockedUntil: null,
          finishedAt: null,
        });
        expect(failed.errors).toEqual([error]);

        // Not before the retry time (if it has not come yet); then claimed for attempt 2.
        const early = await claim("worker-b");
        if ((await store.now()) < now + 300) expect(early).toEqual([]);
        if (early.length === 0) await elapse(300);
        const again = early[0] ?? (await claimOne("worker-b"));
        expect(again).toMatchObject({ id: job.id, attempts: 2, lockedBy: "worker-b" });
        expect(again.errors).toEqual([error]);
      });

      test("with null: failed for good, finishedAt set, every attempt's error kept in order", async () => {
        const job = await enqueueOne({ maxAttempts: 3 });
        const errors: JobError[] = [];
        for (let attempt = 1; attempt <= 3; attempt++) {
          const claimed = await claimOne();
          expect(claimed.attempts).toBe(attempt);
          const now = await store.now();
          const error = jobError(
            attempt,
            `failure #${attempt}: "quoted" ünïcode`,
            now,
            attempt === 2 ? undefined : `Error: failure #${attempt}\n    at task (t.ts:${attempt}:1)`,
          );
          errors.push(error);
          const last = attempt === 3;
          const before = await store.now();
          expect(await store.fail(claimed, "worker-a", error, last ? null : now)).toBe(true);
          if (last) {
            const after = await store.now();
            const failed = await current(job.id);
            expect(failed).toMatchObject({ state: "failed", attempts: 3, lockedBy: null, lockedUntil: null });
            expect(failed.finishedAt).toBeGreaterThanOrEqual(before);
            expect(failed.finishedAt).toBeLessThanOrEqual(after);
            expect(failed.errors).toEqual(errors);
          }
        }
        expect(await claim("worker-a")).toEqual([]);
      });
    });

    describe("release", () => {
      test("puts a running job back, queued and due, without using up its attempt", async () => {
        const job = await enqueueOne({ maxAttempts: 1 });
        const claimed = await claimOne("worker-a");
        expect(claimed.attempts).toBe(1);
        expect(await store.release(claimed, "worker-a")).toBe(true);
        const released = await current(job.id);
        expect(released).toMatchObject({ state: "queued", attempts: 0, lockedBy: null, lockedUntil: null, finishedAt: null, errors: [] });
        expect(released.runAt).toBeLessThanOrEqual(await store.now());
        const again = await claimOne("worker-b");
        expect(again).toMatchObject({ id: job.id, attempts: 1, maxAttempts: 1 });
      });
    });

    describe("requeueExpired and renewLeases", () => {
      test("puts back only running jobs whose lease expired, their attempt counted and the expiry recorded", async () => {
        const expiring = await enqueueOne({ task: "expiring", queue: "q1" });
        const leased = await enqueueOne({ task: "leased", queue: "q2" });
        const completed = await completedJob({ task: "completed" });
        const queued = await enqueueOne({ task: "queued", queue: "q3" });
        const leasedClaim = await claimExactly(leased, "worker-b", LONG_LEASE);
        expect(await store.requeueExpired()).toBe(0); // nothing expired yet
        await claimExactly(expiring, "worker-a", SHORT_LEASE);
        await elapse(SHORT_LEASE + 10);
        const before = await store.now();
        expect(await store.requeueExpired()).toBe(1);
        const after = await store.now();
        const requeued = await current(expiring.id);
        expect(requeued).toMatchObject({ state: "queued", attempts: 1, lockedBy: null, lockedUntil: null, finishedAt: null });
        expect(requeued.runAt).toBeLessThanOrEqual(after);
        expect(requeued.errors).toHaveLength(1);
        expect(requeued.errors[0]).toMatchObject({ attempt: 1, message: expect.stringMatching(/\S/) });
        expect(requeued.errors[0]!.at).toBeGreaterThanOrEqual(before);
        expect(requeued.errors[0]!.at).toBeLessThanOrEqual(after);

        expect(await current(leased.id)).toEqual(leasedClaim);
        expect(await current(completed.id)).toEqual(completed);
        expect(await current(queued.id)).toEqual(queued);
        expect(await store.requeueExpired()).toBe(0);

        // The next claim is its second attempt.
        const [next] = await claim("worker-c", { queues: ["q1"] });
        expect(next).toMatchObject({ id: expiring.id, attempts: 2, lockedBy: "worker-c" });
      });

      test("a job whose lease expired on its last attempt is failed for good", async () => {
        const stale = await expiredAndRequeued({ maxAttempts: 1 });
        const failed = await current(stale.id);
        expect(failed).toMatchObject({ state: "failed", attempts: 1, lockedBy: null, lockedUntil: null });
        expect(failed.finishedAt).toEqual(expect.any(Number));
        expect(failed.errors).toHaveLength(1);
        expect(failed.errors[0]!.attempt).toBe(1);
        expect(await claim("worker-b")).toEqual([]);
      });

      test("the expiry's error entry is a JobError: stack is a string or undefined", async () => {
        const stale = await expiredAndRequeued();
        const [entry] = (await current(stale.id)).errors;
        expect(Object.keys(entry!).sort()).toEqual(expect.arrayContaining(["at", "attempt", "message"]));
        expect(typeof entry!.at).toBe("number");
        expect(typeof entry!.message).toBe("string");
        expect(entry!.stack === undefined || typeof entry!.stack === "string", `stack is ${JSON.stringify(entry!.stack)}`).toBe(true);
      });

      test("renewLeases keeps a lease alive; an unrenewed one expires", async () => {
        const [renewed, forgotten] = await enqueueMany(2);
        const claimed = await claim("worker-a", { limit: 2, leaseMs: SHORT_LEASE });
        expect(idsOf(claimed)).toEqual([renewed!.id, forgotten!.id]);
        const before = await store.now();
        await store.renewLeases("worker-a", [renewed!.id], LONG_LEASE);
        const renewedJob = await current(renewed!.id);
        expect(renewedJob.lockedUntil).toBeGreaterThanOrEqual(before + LONG_LEASE);
        expect(renewedJob).toMatchObject({ state: "running", lockedBy: "worker-a", attempts: 1 });

        await elapse(SHORT_LEASE + 10);
        expect(await store.requeueExpired()).toBe(1);
        expect((await current(renewed!.id)).state).toBe("running");
        expect((await current(forgotten!.id)).state).toBe("queued");
        // The renewed job can still be completed by its worker.
        expect(await store.complete([claimed[0]!], "worker-a")).toEqual([renewed!.id]);
        // Renewing nothing, or a job not running, is harmless.
        await store.renewLeases("worker-a", [], LONG_LEASE);
        await store.renewLeases("worker-a", [forgotten!.id, renewed!.id], LONG_LEASE);
        expect(await current(forgotten!.id)).toMatchObject({ state: "queued", lockedBy: null, lockedUntil: null });
        expect(await current(renewed!.id)).toMatchObject({ state: "completed", lockedUntil: null });
      });
    });

    describe("cron slots", () => {
      const schedule = JSON.stringify(["reports:daily", "0 3 * * *", "Europe/Paris"]);

      test("enqueueCronSlot enqueues the slot's job once; lastCronSlot is its high-water mark", async () => {
        expect(await store.lastCronSlot(schedule)).toBeNull();
        const slot = Date.UTC(2026, 0, 1, 2);
        const job = newJob({ task: "reports:daily", queue: "reports", priority: 2, maxAttempts: 4 });
        const before = await store.now();
        expect(await store.enqueueCronSlot(schedule, slot, job)).toBe(true);
        const after = await store.now();
        expect(await store.enqueueCronSlot(schedule, slot, job)).toBe(false);
        expect(await store.lastCronSlot(schedule)).toBe(slot);
        const jobs = await store.list({});
        expect(jobs).toHaveLength(1);
        expect(jobs[0]).toMatchObject({
          task: "reports:daily",
          args: [],
          queue: "reports",
          priority: 2,
          maxAttempts: 4,
          state: "queued",
          attempts: 0,
        });
        expect(jobs[0]!.runAt).toBeGreaterThanOrEqual(before);
        expect(jobs[0]!.runAt).toBeLessThanOrEqual(after);
        expect(await claim()).toHaveLength(1);
      });

      test("many callers on separate connections at once: exactly one job per (schedule, slot)", async () => {
        const connections = [store, ...(await Promise.all(Array.from({ length: 7 }, () => connection())))];
        const slots = [1, 2, 3, 4, 5].map((i) => Date.UTC(2026, 0, i, 2));
        const schedules = [schedule, JSON.stringify(["reports:hourly", "0 * * * *", null])];
        // Each caller walks the slots in order, as a worker's clock does.
        const outcomes = await Promise.all(
          connections.flatMap((c, n) =>
            schedules.map(async (s) => {
              const won: number[] = [];
              for (const slot of slots) if (await c.enqueueCronSlot(s, slot, newJob({ task: s, args: [String(n)] }))) won.push(slot);
              return { schedule: s, won };
            }),
          ),
        );
        for (const s of schedules) {
          const wins = outcomes.filter((o) => o.schedule === s).flatMap((o) => o.won);
          expect(sorted(wins), s).toEqual(slots);
          expect(await store.lastCronSlot(s)).toBe(slots.at(-1));
          expect(await store.list({ task: s, limit: 1000 })).toHaveLength(slots.length);
        }
      });

      test("a slot older than the high-water mark is refused; schedules are independent", async () => {
        const other = "other schedule";
        expect(await store.enqueueCronSlot(schedule, 2000 * SECOND, newJob())).toBe(true);
        expect(await store.enqueueCronSlot(schedule, 1000 * SECOND, newJob())).toBe(false);
        expect(await store.lastCronSlot(schedule)).toBe(2000 * SECOND);
        expect(await store.enqueueCronSlot(other, 1000 * SECOND, newJob())).toBe(true);
        expect(await store.lastCronSlot(other)).toBe(1000 * SECOND);
        expect(await store.enqueueCronSlot(schedule, 3000 * SECOND, newJob())).toBe(true);
        expect(await store.list({})).toHaveLength(3);
      });

      test("markCronSlot records a high-water mark without enqueueing, and only moves it forward", async () => {
        await store.markCronSlot(schedule, 5000 * SECOND);
        expect(await store.lastCronSlot(schedule)).toBe(5000 * SECOND);
        expect(await store.list({})).toEqual([]);
        await store.markCronSlot(schedule, 3000 * SECOND);
        expect(await store.lastCronSlot(schedule)).toBe(5000 * SECOND);
        expect(await store.enqueueCronSlot(schedule, 4000 * SECOND, newJob())).toBe(false);
        expect(await store.enqueueCronSlot(schedule, 5000 * SECOND, newJob())).toBe(false);
        expect(await store.list({})).toEqual([]);
        expect(await store.enqueueCronSlot(schedule, 6000 * SECOND, newJob())).toBe(true);
        await store.markCronSlot(schedule, 6000 * SECOND);
        expect(await store.lastCronSlot(schedule)).toBe(6000 * SECOND);
        await store.markCronSlot(schedule, 9000 * SECOND);
        expect(await store.lastCronSlot(schedule)).toBe(9000 * SECOND);
        expect(await store.list({})).toHaveLength(1);
        expect(await store.lastCronSlot("never seen")).toBeNull();
      });
    });

    describe("list, get and stats", () => {
      test("get of an unknown id is undefined", async () => {
        expect(await store.get(123456)).toBeUndefined();
      });

      test("list: newest first, filtered by states, task and queue, up to limit", async () => {
        const failed = await failedJob({ task: "a", queue: "q1" });
        const a = await enqueueOne({ task: "a", queue: "q1" });
        const b = await enqueueOne({ task: "b", queue: "q2" });
        const c = await enqueueOne({ task: "a", queue: "q2" });
        const d = await enqueueOne({ task: "b", queue: "q1" });
        const running = await claimExactly(a);
        const cancelled = await cancelledJob({ task: "c", queue: "q3" });

        const ids = async (filter: Parameters<JobStore["list"]>[0]) => idsOf(await store.list(filter));
        expect(await ids({})).toEqual([cancelled.id, d.id, c.id, b.id, a.id, failed.id]);
        expect(await ids({ states: ["queued"] })).toEqual([d.id, c.id, b.id]);
        expect(await ids({ states: ["running", "failed"] })).toEqual([a.id, failed.id]);
        expect(await ids({ states: [] })).toEqual(await ids({}));
        expect(await ids({ task: "a" })).toEqual([c.id, a.id, failed.id]);
        expect(await ids({ queue: "q2" })).toEqual([c.id, b.id]);
        expect(await ids({ task: "b", queue: "q1" })).toEqual([d.id]);
        expect(await ids({ states: ["queued"], task: "a", queue: "q2" })).toEqual([c.id]);
        expect(await ids({ states: ["completed"] })).toEqual([]);
        expect(await ids({ task: "nope" })).toEqual([]);
        expect(await ids({ limit: 2 })).toEqual([cancelled.id, d.id]);
        expect(await ids({ task: "a", limit: 1 })).toEqual([c.id]);
        // Full rows.
        expect(await store.list({ states: ["running"] })).toEqual([running]);
      });

      test("list: a page before an id (keyset), and text in args or errors, LIKE's characters taken literally", async () => {
        const jobs = await enqueueMany(5, (i) => ({ task: "mail", args: [i === 3 ? 'say "100%_off" \\ now' : `user-${i}`] }));
        const failed = await failedJob({ task: "boom", maxAttempts: 1 });
        const ids = async (filter: Parameters<JobStore["list"]>[0]) => idsOf(await store.list(filter));
        const [j0, j1, j2, j3, j4] = jobs.map((job) => job.id);
        expect(await ids({ limit: 2 })).toEqual([failed.id, j4]);
        expect(await ids({ limit: 2, beforeId: j4 })).toEqual([j3, j2]);
        expect(await ids({ limit: 2, beforeId: j2 })).toEqual([j1, j0]);
        expect(await ids({ limit: 2, beforeId: j0 })).toEqual([]);
        expect(await ids({ text: "USER-" })).toEqual([j4, j2, j1, j0]);
        expect(await ids({ text: "user-1" })).toEqual([j1]);
        expect(await ids({ text: '"100%_off"' })).toEqual([j3]);
        expect(await ids({ text: "100%" })).toEqual([j3]);
        expect(await ids({ text: "%" })).toEqual([j3]);
        expect(await ids({ text: "_" })).toEqual([j3]);
        expect(await ids({ text: "\\ now" })).toEqual([j3]);
        expect(await ids({ text: "boom" })).toEqual([failed.id]);
        expect(await ids({ text: "user-", beforeId: j2, states: ["queued"] })).toEqual([j1, j0]);
        expect(await ids({ text: "" })).toEqual(await ids({}));
      });

      test("oldestRunnable: per queue with due queued jobs, the due time of the one waiting longest", async () => {
        expect(await store.oldestRunnable()).toEqual([]);
        const now = await store.now();
        await enqueueOne({ queue: "mail", runAt: now - 5 * SECOND });
        await enqueueOne({ queue: "mail", runAt: now - 2 * SECOND });
        await enqueueOne({ queue: "default", runAt: now - SECOND });
        await enqueueOne({ queue: "later", runAt: now + HOUR });
        const running = await enqueueOne({ queue: "busy", runAt: now - 9 * SECOND });
        await claimExactly(running);
        expect(await store.oldestRunnable()).toEqual([
          { queue: "default", runAt: now - SECOND },
          { queue: "mail", runAt: now - 5 * SECOND },
        ]);
      });

      test("stats counts jobs per queue and state", async () => {
        expect(await store.stats()).toEqual([]);
        await enqueueMany(3, () => ({ queue: "mail" }));
        await enqueueMany(2, () => ({ queue: "default" }));
        await claim("worker-a", { queues: ["mail"], limit: 1 });
        await completedJob({ queue: "reports" });
        await failedJob({ queue: "reports" });
        await cancelledJob({ queue: "mail" });
        const stats = await store.stats();
        for (const row of stats) expect(typeof row.count).toBe("number");
        const key = (r: { queue: string; state: JobState }) => `${r.queue}/${r.state}`;
        expect([...stats].sort((x, y) => key(x).localeCompare(key(y)))).toEqual([
          { queue: "default", state: "queued", count: 2 },
          { queue: "mail", state: "cancelled", count: 1 },
          { queue: "mail", state: "queued", count: 2 },
          { queue: "mail", state: "running", count: 1 },
          { queue: "reports", state: "completed", count: 1 },
          { queue: "reports", state: "failed", count: 1 },
        ]);
      });
    });

    describe("retry, cancel, discard, prune, clear", () => {
      test("retry by ids: failed, cancelled and waiting (queued) jobs due now, with a fresh set of attempts; others untouched", async () => {
        const now = await store.now();
        const failed = await failedJob({ task: "failed", maxAttempts: 1 });
        const cancelled = await cancelledJob({ task: "cancelled", runAt: now + HOUR });
        const completed = await completedJob({ task: "completed" });
        const queued = await enqueueOne({ task: "queued", runAt: now + HOUR });
        await enqueueOne({ task: "running" });
        const running = await claimOne();
        const before = await store.now();
        const retried = await store.retry([failed.id, cancelled.id, completed.id, queued.id, running.id, 999_999]);
        const after = await store.now();
        expect(sorted(retried)).toEqual(sorted([failed.id, cancelled.id, queued.id]));
        for (const id of retried) {
          const job = await current(id);
          expect(job).toMatchObject({ state: "queued", attempts: 0, lockedBy: null, lockedUntil: null, finishedAt: null });
          expect(job.runAt).toBeGreaterThanOrEqual(before);
          expect(job.runAt).toBeLessThanOrEqual(after);
        }
        expect(await current(completed.id)).toEqual(completed);
        expect(await current(running.id)).toEqual(running);
        // Due now, with every attempt available again (maxAttempts 1: one more run).
        const claimed = await claim("worker-b");
        expect(sorted(idsOf(claimed))).toEqual(sorted([failed.id, cancelled.id, queued.id]));
        expect(claimed.map((j) => j.attempts)).toEqual([1, 1, 1]);
        expect(await store.retry([])).toEqual([]);
      });

      test("retry all-failed: every failed job, not the cancelled ones", async () => {
        const f1 = await failedJob();
        const f2 = await failedJob({ queue: "other" });
        const cancelled = await cancelledJob();
        const completed = await completedJob();
        expect(sorted(await store.retry("all-failed"))).toEqual(sorted([f1.id, f2.id]));
        expect((await current(f1.id)).state).toBe("queued");
        expect((await current(f2.id)).state).toBe("queued");
        expect(await current(cancelled.id)).toEqual(cancelled);
        expect(await current(completed.id)).toEqual(completed);
        expect(await store.retry("all-failed")).toEqual([]);
      });

      test("retry skips a job whose unique key another live job holds now, and retries the rest", async () => {
        const failed = await failedJob({ task: "keyed", uniqueKey: "k" });
        const holder = await enqueueOne({ task: "holder", uniqueKey: "k" });
        const other = await failedJob({ task: "unkeyed" });
        expect(sorted(await store.retry([failed.id, other.id]))).toEqual([other.id]);
        expect((await current(failed.id)).state).toBe("failed");
        expect((await current(holder.id)).state).toBe("queued");
        await store.cancel([other.id]);
        const third = await failedJob({ task: "unkeyed-2" });
        expect(await store.retry("all-failed")).toEqual([third.id]);
        expect((await current(failed.id)).state).toBe("failed");

        // Two failed jobs with one key (the second enqueued after the first failed): one comes back.
        await store.clear();
        const twin1 = await failedJob({ uniqueKey: "twin" });
        const twin2 = await failedJob({ uniqueKey: "twin" });
        const retried = await store.retry("all-failed");
        expect(retried).toHaveLength(1);
        expect([twin1.id, twin2.id]).toContain(retried[0]);
        expect((await store.list({ states: ["queued"] })).map((j) => j.uniqueKey)).toEqual(["twin"]);
      });

      test("cancel: queued jobs only (due or not); returns the ids cancelled", async () => {
        const now = await store.now();
        const running = await claimExactly(await enqueueOne({ task: "running", queue: "r" }));
        const queued = await enqueueOne({ task: "queued" });
        const later = await enqueueOne({ task: "later", runAt: now + HOUR });
        const completed = await completedJob({ task: "completed" });
        const failed = await failedJob({ task: "failed" });

        const cancelled = await store.cancel([queued.id, later.id, running.id, completed.id, failed.id, 999_999]);
        expect(sorted(cancelled)).toEqual(sorted([queued.id, later.id]));
        for (const id of cancelled) expect(await current(id)).toMatchObject({ state: "cancelled", lockedBy: null, lockedUntil: null });
        expect(await current(running.id)).toEqual(running);
        expect(await current(completed.id)).toEqual(completed);
        expect(await current(failed.id)).toEqual(failed);
        expect(await claim("worker-b")).toEqual([]);
        expect(await store.cancel([queued.id])).toEqual([]);
        expect(await store.cancel([])).toEqual([]);
      });

      test("discard: deletes failed and cancelled jobs by id, or every failed job; nothing else", async () => {
        const f1 = await failedJob();
        const f2 = await failedJob();
        const f3 = await failedJob();
        const cancelled = await cancelledJob();
        const cancelled2 = await cancelledJob();
        const completed = await completedJob();
        const queued = await enqueueOne({ task: "queued" });
        expect(sorted(await store.discard([f1.id, cancelled.id, completed.id, queued.id, 999_999]))).toEqual(sorted([f1.id, cancelled.id]));
        expect(await store.get(f1.id)).toBeUndefined();
        expect(await store.get(cancelled.id)).toBeUndefined();
        expect(await current(completed.id)).toEqual(completed);
        expect(await current(queued.id)).toEqual(queued);
        expect(sorted(await store.discard("all-failed"))).toEqual(sorted([f2.id, f3.id]));
        expect(await current(cancelled2.id)).toEqual(cancelled2);
        expect(await store.discard("all-failed")).toEqual([]);
        expect(await store.discard([])).toEqual([]);
        expect(sorted(idsOf(await store.list({})))).toEqual(sorted([cancelled2.id, completed.id, queued.id]));
      });

      test("prune: deletes completed jobs that finished more than olderThanMs ago", async () => {
        const old = await completedJob({ task: "old" });
        const oldFailed = await failedJob({ task: "old-failed" });
        const oldCancelled = await cancelledJob({ task: "old-cancelled" });
        const queued = await enqueueOne({ task: "queued" });
        await elapse(1000);
        const recent = await completedJob({ task: "recent" });
        expect(await store.prune(500)).toBe(1);
        expect(await store.get(old.id)).toBeUndefined();
        expect(sorted(idsOf(await store.list({})))).toEqual(sorted([oldFailed.id, oldCancelled.id, queued.id, recent.id]));
        expect(await store.prune(HOUR)).toBe(0);
      });

      test("clear deletes every job, whatever its state, and returns how many", async () => {
        await enqueueMany(3);
        await claim("worker-a", { limit: 1 });
        await completedJob();
        await failedJob();
        expect(await store.clear()).toBe(5);
        expect(await store.list({})).toEqual([]);
        expect(await store.stats()).toEqual([]);
        expect(await store.clear()).toBe(0);
        await enqueueOne();
        expect(await claim()).toHaveLength(1);
      });
    });

    describe("onJobsAvailable", () => {
      test("fires after an enqueue", async () => {
        const wake = nextWakeUp();
        await enqueueOne();
        await wake.fired;
        wake.stop();
      });

      test("fires after an enqueue on another connection of the same process", async () => {
        const other = await connection();
        const wake = nextWakeUp(other);
        await enqueueOne();
        await wake.fired;
        wake.stop();
      });

      test("fires after a retry", async () => {
        const failed = await failedJob();
        const wake = nextWakeUp();
        expect(await store.retry([failed.id])).toEqual([failed.id]);
        await wake.fired;
        wake.stop();
      });

      test("fires after a release", async () => {
        await enqueueOne();
        const claimed = await claimOne();
        const wake = nextWakeUp();
        expect(await store.release(claimed, "worker-a")).toBe(true);
        await wake.fired;
        wake.stop();
      });

      test("the function it returns unsubscribes the listener", async () => {
        let removedCalls = 0;
        const remove = store.onJobsAvailable(() => (removedCalls += 1));
        remove();
        const wake = nextWakeUp();
        await enqueueOne();
        await wake.fired;
        wake.stop();
        expect(removedCalls).toBe(0);
      });
    });

    describe("pauses, workers, throughput and a schedule's last job (the dashboard's)", () => {
      test("a paused queue is not claimed from, by any connection, until resumed; its jobs keep queueing; resuming wakes workers", async () => {
        const other = await connection();
        await enqueueOne({ queue: "mail" });
        expect(await store.pause("queue", "mail")).toBe(true);
        expect(await other.pause("queue", "mail")).toBe(false);
        expect(await store.pauses()).toEqual([{ kind: "queue", name: "mail", at: expect.any(Number) }]);
        await enqueueOne({ queue: "mail" });
        await enqueueOne({ queue: "default" });
        const claimed = await other.claim({ workerId: "worker-b", queues: undefined, limit: 10, leaseMs: LONG_LEASE });
        expect(claimed.map((job) => job.queue)).toEqual(["default"]);
        expect(await store.claim({ workerId: "worker-a", queues: ["mail"], limit: 10, leaseMs: LONG_LEASE })).toEqual([]);
        const wake = nextWakeUp(other);
        expect(await store.resume("queue", "mail")).toBe(true);
        await wake.fired;
        wake.stop();
        expect(await store.resume("queue", "mail")).toBe(false);
        expect(await other.claim({ workerId: "worker-b", queues: ["mail"], limit: 10, leaseMs: LONG_LEASE })).toHaveLength(2);
      });

      test("meta: kept with a job (one and many at once), read back by get and claim; empty is {}", async () => {
        const [one] = await store.enqueue([newJob({ meta: { traceparent: "00-abc-def-01", tenant: "acme" } })]);
        const many = await store.enqueue([newJob({ meta: { n: "1" } }), newJob({ meta: { n: "2" } }), newJob()]);
        expect(one!.job.meta).toEqual({ traceparent: "00-abc-def-01", tenant: "acme" });
        expect(many.map((r) => r.job.meta)).toEqual([{ n: "1" }, { n: "2" }, {}]);
        expect((await store.get(one!.job.id))!.meta).toEqual({ traceparent: "00-abc-def-01", tenant: "acme" });
        const claimed = await store.claim({ workerId: "worker-a", queues: undefined, limit: 10, leaseMs: LONG_LEASE });
        expect(claimed.map((job) => job.meta)).toEqual([{ traceparent: "00-abc-def-01", tenant: "acme" }, { n: "1" }, { n: "2" }, {}]);
      });

      test("stored schedules: created once per name unless replaced, listed by name, removed; another connection sees them", async () => {
        const other = await connection();
        const nightly = {
          name: "export:acme",
          task: "reports:export",
          args: ["csv", "acme"],
          cron: "0 2 * * *",
          tz: "Europe/Paris",
          override: false,
        };
        expect(await store.putSchedule(nightly, false)).toBe(true);
        expect(await other.putSchedule({ ...nightly, cron: "0 3 * * *" }, false)).toBe(false);
        expect(
          await store.putSchedule(
            { name: "reports:daily", task: "reports:daily", args: [], cron: "30 4 * * *", tz: null, override: true },
            true,
          ),
        ).toBe(true);
        expect(await other.putSchedule({ ...nightly, cron: "0 5 * * *", tz: null }, true)).toBe(true);
        expect(await other.storedSchedules()).toEqual([
          { ...nightly, cron: "0 5 * * *", tz: null, updatedAt: expect.any(Number) },
          {
            name: "reports:daily",
            task: "reports:daily",
            args: [],
            cron: "30 4 * * *",
            tz: null,
            override: true,
            updatedAt: expect.any(Number),
          },
        ]);
        expect(await store.removeSchedule("export:acme")).toBe(true);
        expect(await other.removeSchedule("export:acme")).toBe(false);
        expect((await store.storedSchedules()).map((s) => s.name)).toEqual(["reports:daily"]);
      });

      test("a cron slot of a named schedule passes without a job while that name is paused", async () => {
        const key = JSON.stringify(["runtime", "export:acme", "reports:export", [], "* * * * *", null]);
        const now = await store.now();
        expect(await store.pause("schedule", "export:acme")).toBe(true);
        expect(await store.enqueueCronSlot(key, now, newJob({ task: "reports:export" }), "export:acme")).toBe(false);
        expect(await store.resume("schedule", "export:acme")).toBe(true);
        expect(await store.enqueueCronSlot(key, now + 60_000, newJob({ task: "reports:export" }), "export:acme")).toBe(true);
        expect((await store.list({})).map((job) => job.task)).toEqual(["reports:export"]);
      });

      test("debounce: an enqueue with the key of a queued job replaces its args and due time; one no longer queued is left alone", async () => {
        const key = JSON.stringify(["search:reindex", "a"]);
        const [first] = await store.enqueue([newJob({ task: "search:reindex", args: ["a", "1"], debounceKey: key })]);
        expect(first!.inserted).toBe(true);
        const later = (await store.now()) + HOUR;
        const [second] = await store.enqueue([newJob({ task: "search:reindex", args: ["a", "2"], debounceKey: key, runAt: later })]);
        expect(second).toMatchObject({ inserted: false, job: { id: first!.job.id, args: ["a", "2"], runAt: later } });
        const [other] = await store.enqueue([
          newJob({ task: "search:reindex", args: ["b", "1"], debounceKey: JSON.stringify(["search:reindex", "b"]) }),
        ]);
        expect(other!.inserted).toBe(true);
        expect(await store.list({ task: "search:reindex" })).toHaveLength(2);
        await store.enqueue([newJob({ task: "search:reindex", args: ["a", "3"], debounceKey: key })]);
        expect((await claim()).map((job) => job.args.join(" ")).sort()).toEqual(["a 3", "b 1"]);
        const [fresh] = await store.enqueue([newJob({ task: "search:reindex", args: ["a", "4"], debounceKey: key })]);
        expect(fresh!.inserted).toBe(true);
        expect(fresh!.job.id).not.toBe(first!.job.id);
      });

      test("concurrency: no more running jobs of a key than its limit, claim by claim; over the limit they wait, unclaimed", async () => {
        const one = { task: "accounts:sync", concurrencyKey: JSON.stringify(["accounts:sync", "a"]), concurrencyLimit: 1 };
        const two = { task: "accounts:sync", concurrencyKey: JSON.stringify(["accounts:sync", "b"]), concurrencyLimit: 2 };
        await store.enqueue([newJob(one), newJob(one), newJob(two), newJob(two), newJob(two), newJob({ task: "plain" })]);
        // Jobs 1 and 2 have key a (limit 1), 3 to 5 key b (limit 2), 6 none: one of a, two of b, the plain one.
        const first = await claim();
        expect(first.map((job) => job.id).sort()).toEqual([1, 3, 4, 6]);
        expect(await claim()).toEqual([]);
        const a = first.find((job) => job.id === 1)!;
        expect(await store.complete([a], "worker-a")).toEqual([a.id]);
        expect((await claim()).map((job) => job.id)).toEqual([2]);
        expect(await claim()).toEqual([]);
        const b = first.filter((job) => job.id === 3 || job.id === 4);
        expect(b).toHaveLength(2);
        expect(await store.fail(b[0]!, "worker-a", jobError(1, "boom", await store.now()), null)).toBe(true);
        expect((await claim()).map((job) => job.id)).toEqual([5]);
      });

      test("concurrency: eight connections claiming at once take one job of a limit-1 key between them", async () => {
        const connections = [store, ...(await Promise.all(Array.from({ length: 7 }, () => connection())))];
        const key = { task: "accounts:sync", concurrencyKey: JSON.stringify(["accounts:sync", "a"]), concurrencyLimit: 1 };
        await store.enqueue(Array.from({ length: 20 }, () => newJob(key)));
        const claimed = await Promise.all(connections.map((on, i) => claim(`worker-${i}`, { limit: 5, on })));
        expect(claimed.flat()).toHaveLength(1);
      });

      test("rate limits: at most max starts of a key per window, claim by claim; the rest wait for the next window", async () => {
        // A ten-year window: no test runs across its edge.
        const rated = { task: "mail:send", rateKey: JSON.stringify(["mail:send"]), rateMax: 2, ratePerMs: 10 * 365 * 24 * HOUR };
        await store.enqueue([newJob(rated), newJob(rated), newJob(rated), newJob({ task: "plain" })]);
        const first = await claim();
        expect(first.map((job) => job.id).sort()).toEqual([1, 2, 4]);
        expect(await store.complete(first, "worker-a")).toHaveLength(3);
        // Finished, they still count: the window has had its two starts.
        expect(await claim()).toEqual([]);
      });

      test("rate limits: eight connections claiming at once start no more than max between them", async () => {
        const connections = [store, ...(await Promise.all(Array.from({ length: 7 }, () => connection())))];
        const rated = { task: "mail:send", rateKey: JSON.stringify(["mail:send"]), rateMax: 3, ratePerMs: 10 * 365 * 24 * HOUR };
        await store.enqueue(Array.from({ length: 20 }, () => newJob(rated)));
        const claimed = await Promise.all(connections.map((on, i) => claim(`worker-${i}`, { limit: 5, on })));
        expect(claimed.flat()).toHaveLength(3);
      });

      test("a paused task's jobs are not claimed, whatever their queue, until resumed", async () => {
        await enqueueOne({ task: "reports:export", queue: "a" });
        await enqueueOne({ task: "reports:export", queue: "b" });
        await enqueueOne({ task: "mail:welcome", queue: "a" });
        expect(await store.pause("task", "reports:export")).toBe(true);
        expect((await claim()).map((job) => job.task)).toEqual(["mail:welcome"]);
        expect(await store.resume("task", "reports:export")).toBe(true);
        expect((await claim()).map((job) => job.task)).toEqual(["reports:export", "reports:export"]);
      });

      test("a paused schedule's slot passes without a job and moves the mark (no replay on resume); cronState names the last slot's job", async () => {
        const schedule = JSON.stringify(["reports:daily", "0 3 * * *", null]);
        const job = newJob({ task: "reports:daily" });
        expect(await store.cronState(schedule)).toBeUndefined();
        expect(await store.enqueueCronSlot(schedule, 1_000_000, job)).toBe(true);
        const [first] = await store.list({});
        expect(await store.cronState(schedule)).toEqual({ lastSlot: 1_000_000, lastRun: 1_000_000, lastJob: first!.id });
        await store.pause("schedule", "reports:daily");
        expect(await store.enqueueCronSlot(schedule, 2_000_000, job)).toBe(false);
        expect(await store.list({})).toHaveLength(1);
        expect(await store.cronState(schedule)).toEqual({ lastSlot: 2_000_000, lastRun: 1_000_000, lastJob: first!.id });
        await store.resume("schedule", "reports:daily");
        expect(await store.enqueueCronSlot(schedule, 2_000_000, job)).toBe(false);
        expect(await store.enqueueCronSlot(schedule, 3_000_000, job)).toBe(true);
        expect((await store.cronState(schedule))!.lastRun).toBe(3_000_000);
      });

      test("workers: a heartbeat records one (upserted), it expires without another, a clean stop is recorded", async () => {
        const beat = { id: "host:1:a", host: "host", pid: 1, queues: ["mail"], concurrency: 4, running: [7, 8] };
        await store.beatWorker(beat, 50);
        await store.beatWorker({ ...beat, running: [8] }, 50);
        await store.beatWorker({ id: "host:2:b", host: "host", pid: 2, queues: null, concurrency: 1, running: [] }, LONG_LEASE);
        const workers = await store.workers();
        expect(workers.map((w) => w.id).sort()).toEqual(["host:1:a", "host:2:b"]);
        const a = workers.find((w) => w.id === "host:1:a")!;
        expect(a).toMatchObject({ host: "host", pid: 1, queues: ["mail"], concurrency: 4, running: [8], stoppedAt: null });
        expect(a.expiresAt - a.heartbeatAt).toBe(50);
        await elapse(60);
        const now = await store.now();
        expect((await store.workers()).find((w) => w.id === "host:1:a")!.expiresAt).toBeLessThan(now);
        await store.stopWorker("host:2:b");
        const b = (await store.workers()).find((w) => w.id === "host:2:b")!;
        expect(b.stoppedAt).not.toBeNull();
        expect(b.queues).toBeNull();
      });

      test("throughput and finishedSince count the jobs that ended (completed, failed for good) by time, queue and task", async () => {
        const start = await store.now();
        await completedJob({ task: "a", queue: "q1" });
        await completedJob({ task: "a", queue: "q1" });
        await failedJob({ task: "b", queue: "q2" });
        const since = start - 1000;
        const buckets = await store.throughput(since, 3_600_000);
        expect(buckets).toEqual([{ at: since, completed: 2, failed: 1 }]);
        expect(await store.throughput((await store.now()) + 1000, 60_000)).toEqual([]);
        expect(await store.finishedSince(since)).toEqual([
          { queue: "q1", task: "a", state: "completed", count: 2 },
          { queue: "q2", task: "b", state: "failed", count: 1 },
        ]);
      });
    });

    describe("now", () => {
      test("is epoch milliseconds close to this machine's clock, and does not go back", async () => {
        const a = await store.now();
        const b = await store.now();
        expect(Number.isFinite(a)).toBe(true);
        expect(Number.isInteger(a)).toBe(true);
        expect(Math.abs(a - Date.now())).toBeLessThan(5 * SECOND);
        expect(b).toBeGreaterThanOrEqual(a);
      });
    });
  });
}
