/**
 * The project's cron schedules (from the task catalog, checked) and how each is doing: its last
 * slot and the job it enqueued, the next slot, and the SLA lag — how late the last run started and
 * finished against its slot, and whether a slot passed without a job.
 */
import { DefinitionError } from "../errors.js";
import { LATE_TICK_MS, nextRun, previousRun, scheduleKey, validateSchedule, type Schedule } from "./clock.js";
import type { TaskCatalog } from "./jobs.js";
import { pausedNames } from "./pauses.js";
import type { Job, JobStore, Pause } from "./store/store.js";

const DEFAULT_CATCH_UP_MS = 60_000;

/** The cron schedules of the project's tasks, checked. */
export function schedulesOf(catalog: TaskCatalog): Schedule[] {
  const schedules: Schedule[] = [];
  for (const name of catalog.names()) {
    const task = catalog.get(name)!;
    const { cron, tz, catchUpMs } = task.job;
    if (cron === undefined) continue;
    const problem = validateSchedule(cron, tz);
    if (problem) throw new DefinitionError(`Task '${name}' has an invalid cron schedule: ${problem}`);
    schedules.push({ task: name, cron, tz, catchUpMs: catchUpMs ?? DEFAULT_CATCH_UP_MS });
  }
  return schedules.sort((a, b) => (a.task < b.task ? -1 : 1));
}

export interface ScheduleHealth {
  schedule: Schedule;
  paused: boolean;
  /** False until a worker's clock has seen the schedule (no worker runs it). */
  seen: boolean;
  /** The newest slot that was enqueued, and its job (undefined once pruned or discarded). */
  lastRun: number | null;
  lastJob: Job | undefined;
  nextRun: number | null;
  /** The last run's start and finish, after its slot (null: not started or not finished). */
  startLagMs: number | null;
  finishLagMs: number | null;
  /** A slot newer than the last run is due and passed without a job (no worker, catch-up exceeded). */
  missed: number | null;
}

/** How each schedule is doing at `now`; `pauses` when the caller has read them already. */
export async function schedulesHealth(
  store: JobStore,
  schedules: readonly Schedule[],
  now: number,
  pauses?: readonly Pause[],
): Promise<ScheduleHealth[]> {
  const paused = pausedNames(pauses ?? (await store.pauses()), "schedule");
  return Promise.all(schedules.map((s) => scheduleHealth(store, s, now, paused.has(s.task))));
}

async function scheduleHealth(store: JobStore, schedule: Schedule, now: number, paused: boolean): Promise<ScheduleHealth> {
  const state = await store.cronState(scheduleKey(schedule));
  const lastRun = state?.lastRun ?? null;
  const lastJob = state?.lastJob == null ? undefined : await store.get(state.lastJob);
  // The newest slot a ticking worker would have enqueued by now.
  const due = previousRun(schedule, now - LATE_TICK_MS);
  const missed = !paused && state !== undefined && lastRun !== null && due !== null && due > lastRun ? due : null;
  const lag = (at: number | null | undefined) => (lastRun === null || at == null ? null : Math.max(0, at - lastRun));
  return {
    schedule,
    paused,
    seen: state !== undefined,
    lastRun,
    lastJob,
    nextRun: nextRun(schedule, now),
    startLagMs: lag(lastJob?.startedAt),
    finishLagMs: lastJob?.state === "completed" || lastJob?.state === "failed" ? lag(lastJob.finishedAt) : null,
    missed,
  };
}
