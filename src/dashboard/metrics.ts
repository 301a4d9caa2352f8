/**
 * The jobs' metrics in Prometheus's text format (prom-client): queue depth and latency, what
 * finished in the last five minutes (throughput and failures, per queue and task), each schedule's
 * lag, pauses and workers. Read from the store on each scrape, once for all the gauges.
 */
import { Gauge, Registry } from "prom-client";
import { pausedNames } from "../jobs/pauses.js";
import { type ProjectSchedule, type ScheduleHealth, schedulesHealth } from "../jobs/schedules.js";
import type { FinishedCount, JobStore, Pause, QueueStats, WorkerRecord } from "../jobs/store/store.js";

const WINDOW_MS = 5 * 60_000;

interface Snapshot {
  now: number;
  stats: QueueStats[];
  oldest: { queue: string; runAt: number }[];
  finished: FinishedCount[];
  schedules: ScheduleHealth[];
  pauses: Pause[];
  workers: WorkerRecord[];
}

export async function snapshot(store: JobStore, schedules: () => Promise<readonly ProjectSchedule[]>): Promise<Snapshot> {
  const now = await store.now();
  const [stats, oldest, finished, pauses, workers, scheduled] = await Promise.all([
    store.stats(),
    store.oldestRunnable(),
    store.finishedSince(now - WINDOW_MS),
    store.pauses(),
    store.workers(),
    schedules(),
  ]);
  return { now, stats, oldest, finished, schedules: await schedulesHealth(store, scheduled, now, pauses), pauses, workers };
}

export interface JobsMetrics {
  /** Its gauges, for `Registry.merge` into an app's own registry. */
  registry: Registry;
  /** A scrape: the text of every gauge, from one fresh snapshot. */
  scrape(): Promise<string>;
}

/** Gauges that read one snapshot of the store per scrape. */
export function jobsMetrics(store: JobStore, schedules: () => Promise<readonly ProjectSchedule[]>): JobsMetrics {
  const registry = new Registry();
  // prom-client collects the gauges one after another: they share the snapshot of this scrape
  // (a registry merged elsewhere, scraped without scrape(), reads at most one per 250 ms).
  let current: { taken: number | undefined; snapshot: Promise<Snapshot> } | undefined;
  const take = () => {
    const taking = { taken: undefined as number | undefined, snapshot: snapshot(store, schedules) };
    void taking.snapshot.then(
      () => (taking.taken = Date.now()),
      () => (taking.taken = 0),
    );
    current = taking;
    return taking.snapshot;
  };
  // One being taken is shared; one taken within 250 ms too.
  const read = () => (current && (current.taken === undefined || Date.now() - current.taken <= 250) ? current.snapshot : take());
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge, s: Snapshot) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        collect(this, await read());
      },
    });

  gauge("jt_jobs", "Jobs in the store, by queue and state", ["queue", "state"], (g, s) => {
    for (const row of s.stats) g.set({ queue: row.queue, state: row.state }, row.count);
  });
  gauge("jt_queue_latency_seconds", "Age of the oldest runnable job, per queue (0: none waiting)", ["queue"], (g, s) => {
    for (const queue of new Set(s.stats.map((row) => row.queue))) {
      const oldest = s.oldest.find((o) => o.queue === queue);
      g.set({ queue }, oldest ? Math.max(0, s.now - oldest.runAt) / 1000 : 0);
    }
  });
  gauge(
    "jt_jobs_finished_5m",
    "Jobs that ended in the last 5 minutes, by queue, task and state (completed, failed)",
    ["queue", "task", "state"],
    (g, s) => {
      for (const row of s.finished) g.set({ queue: row.queue, task: row.task, state: row.state }, row.count);
    },
  );
  gauge("jt_queue_paused", "1 while a queue is paused", ["queue"], (g, s) => {
    for (const queue of pausedNames(s.pauses, "queue")) g.set({ queue }, 1);
  });
  gauge("jt_schedule_start_lag_seconds", "How late the last run of a schedule started after its slot", ["schedule"], (g, s) => {
    for (const h of s.schedules) if (h.startLagMs !== null) g.set({ schedule: h.schedule.name }, h.startLagMs / 1000);
  });
  gauge("jt_schedule_finish_lag_seconds", "How long after its slot the last run of a schedule finished", ["schedule"], (g, s) => {
    for (const h of s.schedules) if (h.finishLagMs !== null) g.set({ schedule: h.schedule.name }, h.finishLagMs / 1000);
  });
  gauge("jt_schedule_missed", "1 when a schedule's latest due slot passed without a job", ["schedule"], (g, s) => {
    for (const h of s.schedules) g.set({ schedule: h.schedule.name }, h.missed === null ? 0 : 1);
  });
  gauge("jt_schedule_paused", "1 while a schedule is paused", ["schedule"], (g, s) => {
    for (const h of s.schedules) g.set({ schedule: h.schedule.name }, h.paused ? 1 : 0);
  });
  gauge("jt_workers", "Workers that beat in the last day, live or gone", ["state"], (g, s) => {
    const live = s.workers.filter((w) => w.stoppedAt === null && w.expiresAt > s.now).length;
    g.set({ state: "live" }, live);
    g.set({ state: "gone" }, s.workers.length - live);
  });
  return {
    registry,
    scrape: async () => {
      await take();
      return registry.metrics();
    },
  };
}
