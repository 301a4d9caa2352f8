/**
 * The project's cron schedules (from the task catalog, checked) and how each is doing: its last
 * slot and the job it enqueued, the next slot, and the SLA lag — how late the last run started and
 * finished against its slot, and whether a slot passed without a job.
 */
import { DefinitionError } from "../errors.js";
import { LATE_TICK_MS, nextRun, previousRun, scheduleKey, validateSchedule, type Schedule } from "./clock.js";
import type { TaskCatalog } from "./jobs.js";
import { pausedNames } from "./pauses.js";
import type { Job, JobStore, Pause, StoredSchedule } from "./store/store.js";

const DEFAULT_CATCH_UP_MS = 60_000;

/**
 * A schedule as workers run it: a task's own (`code`, named by the task), the same with the cron
 * an operator set at run time (`override`, the task's own in `code`), or one made at run time for
 * a task and its args (`runtime`, one per tenant, say).
 */
export interface ProjectSchedule extends Schedule {
  name: string;
  args: readonly string[];
  source: "code" | "override" | "runtime";
  /** An override's replaced schedule, as the task file has it. */
  code?: { cron: string; tz: string | undefined };
}

/** The cron schedules of the project's tasks, as their task files define them, checked. */
export function schedulesOf(catalog: TaskCatalog): ProjectSchedule[] {
  const schedules: ProjectSchedule[] = [];
  for (const name of catalog.names()) {
    const task = catalog.get(name)!;
    const { cron, tz, catchUpMs } = task.job;
    if (cron === undefined) continue;
    const problem = validateSchedule(cron, tz);
    if (problem) throw new DefinitionError(`Task '${name}' has an invalid cron schedule: ${problem}`);
    schedules.push({ name, task: name, args: [], cron, tz, catchUpMs: catchUpMs ?? DEFAULT_CATCH_UP_MS, source: "code" });
  }
  return byName(schedules);
}

function byName<T extends { name: string }>(list: T[]): T[] {
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The schedules workers run: the code's, with the overrides kept in the store applied, and those
 * made at run time. `stale` names stored ones that no longer apply: an override of a task that
 * lost its cron, a schedule of a task this deploy does not define (neither runs; removing them
 * is the operator's call).
 */
export function effectiveSchedules(
  catalog: TaskCatalog,
  stored: readonly StoredSchedule[],
): { schedules: ProjectSchedule[]; stale: StoredSchedule[] } {
  const code = new Map(schedulesOf(catalog).map((s) => [s.name, s]));
  const runtime: ProjectSchedule[] = [];
  const stale: StoredSchedule[] = [];
  for (const row of stored) {
    const tz = row.tz ?? undefined;
    if (row.override) {
      const own = code.get(row.name);
      if (own) code.set(row.name, { ...own, cron: row.cron, tz, source: "override", code: { cron: own.cron, tz: own.tz } });
      else stale.push(row);
    } else if (catalog.get(row.task) && !code.has(row.name)) {
      runtime.push({
        name: row.name,
        task: row.task,
        args: row.args,
        cron: row.cron,
        tz,
        catchUpMs: DEFAULT_CATCH_UP_MS,
        source: "runtime",
      });
    } else {
      stale.push(row);
    }
  }
  return { schedules: byName([...code.values(), ...runtime]), stale };
}

export interface ScheduleHealth {
  schedule: ProjectSchedule;
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
  schedules: readonly ProjectSchedule[],
  now: number,
  pauses?: readonly Pause[],
): Promise<ScheduleHealth[]> {
  const paused = pausedNames(pauses ?? (await store.pauses()), "schedule");
  return Promise.all(schedules.map((s) => scheduleHealth(store, s, now, paused.has(s.name))));
}

async function scheduleHealth(store: JobStore, schedule: ProjectSchedule, now: number, paused: boolean): Promise<ScheduleHealth> {
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
