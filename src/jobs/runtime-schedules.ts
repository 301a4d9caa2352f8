/**
 * Schedules changed at run time, kept in the store until removed: a code schedule's cron
 * overridden (`jt jobs:cron set reports:daily "0 4 * * *"`), and schedules made for a task and
 * its args (`jt jobs:cron add nightly-export 'reports:export[csv]' "0 2 * * *"`, one per tenant).
 * Used by `jt jobs:cron` and `createJobs().setSchedule` alike; the workers read them at each tick.
 */
import { formatTarget } from "../args/brackets.js";
import { validateSchedule } from "./clock.js";
import { EnqueueError, type Jobs } from "./jobs.js";
import { effectiveSchedules, type ProjectSchedule, schedulesOf } from "./schedules.js";
import type { StoredSchedule } from "./store/store.js";

/** Why a schedule cannot be made, changed or removed; raised before anything is written. */
export class ScheduleError extends Error {
  override readonly name = "ScheduleError";
}

export interface ScheduleRequest {
  /** The task it enqueues, with `args`: for a new schedule, or to change what one runs. */
  task?: string;
  args?: readonly (string | number | boolean)[];
  cron: string;
  /** Its time zone ("Europe/Paris"); default UTC. */
  tz?: string;
}

/** The project's schedules as workers run them, and stored ones that no longer apply. */
export async function projectSchedules(jobs: Jobs): Promise<{ schedules: ProjectSchedule[]; stale: StoredSchedule[] }> {
  return effectiveSchedules(jobs.catalog, await jobs.store.storedSchedules());
}

/**
 * `add`: a new schedule of this name (refused when one exists, or when the name is a code
 * schedule's). `set`: overrides a code schedule's cron, or changes a run-time schedule (its cron,
 * and its task and args when given), or makes it when `task` is given.
 */
export async function putSchedule(jobs: Jobs, name: string, request: ScheduleRequest, mode: "add" | "set"): Promise<ProjectSchedule> {
  if (typeof name !== "string" || !/^[\w.:-]+$/.test(name))
    throw new ScheduleError(`A schedule's name is letters, digits, '_', '-', '.' and ':', not ${JSON.stringify(name)}`);
  const code = schedulesOf(jobs.catalog).find((s) => s.name === name);
  const stored = (await jobs.store.storedSchedules()).find((s) => s.name === name);
  // Without a zone, a change keeps the one it had (an override: the task file's); a new schedule is in UTC.
  const tz = request.tz ?? (code ? (stored?.tz ?? code.tz ?? null) : mode === "set" ? (stored?.tz ?? null) : null);
  const problem = validateSchedule(request.cron, tz ?? undefined);
  if (problem) throw new ScheduleError(`Schedule '${name}': ${problem}`);
  let row: Omit<StoredSchedule, "updatedAt">;
  if (code) {
    if (mode === "add")
      throw new ScheduleError(
        `'${name}' is the schedule of task ${name}, defined in its task file: \`jt jobs:cron set ${name} "<cron>"\` overrides its cron`,
      );
    if ((request.task !== undefined && request.task !== name) || (request.args !== undefined && request.args.length > 0))
      throw new ScheduleError(`'${name}' is the schedule of task ${name}: an override changes its cron and time zone, not what it runs`);
    row = { name, task: name, args: [], cron: request.cron, tz, override: true };
  } else {
    const task = request.task ?? stored?.task;
    if (task === undefined) {
      const names = (await projectSchedules(jobs)).schedules.map((s) => s.name);
      throw new ScheduleError(
        `No schedule named '${name}'${names.length > 0 ? ` (the schedules: ${names.join(", ")})` : ""}; \`jt jobs:cron add ${name} 'task[args]' "<cron>"\` makes one`,
      );
    }
    if (mode === "add" && stored)
      throw new ScheduleError(`A schedule named '${name}' exists already: \`jt jobs:cron set ${name} "<cron>"\` changes it`);
    // The task and its args, checked as an enqueue checks them (EnqueueError: no such task, too many args).
    let args = stored?.args ?? [];
    if (request.task !== undefined) {
      try {
        args = jobs.newJob(task, { args: request.args ?? [] }, 0).args;
      } catch (error) {
        if (error instanceof EnqueueError) throw new ScheduleError(`Schedule '${name}': ${error.message}`);
        throw error;
      }
    }
    row = { name, task, args, cron: request.cron, tz, override: false };
  }
  if (!(await jobs.store.putSchedule(row, mode === "set")))
    throw new ScheduleError(`A schedule named '${name}' exists already: \`jt jobs:cron set ${name} "<cron>"\` changes it`);
  return (await projectSchedules(jobs)).schedules.find((s) => s.name === name)!;
}

/** Removes a run-time schedule, or a code schedule's override (its cron is the code's again). */
export async function removeSchedule(jobs: Jobs, name: string): Promise<"removed" | "override removed"> {
  const stored = (await jobs.store.storedSchedules()).find((s) => s.name === name);
  if (stored && (await jobs.store.removeSchedule(name))) return stored.override ? "override removed" : "removed";
  if (schedulesOf(jobs.catalog).some((s) => s.name === name))
    throw new ScheduleError(
      `'${name}' is defined in its task file (its cron option), not at run time: remove it there; \`jt jobs:cron pause ${name}\` stops its slots meanwhile`,
    );
  throw new ScheduleError(`No schedule named '${name}'`);
}

/** A schedule's one-line description: what it runs, when, and where it comes from. */
export function describeSchedule(s: ProjectSchedule): string {
  const when = `"${s.cron}"${s.tz ? ` (${s.tz})` : ""}`;
  const from =
    s.source === "runtime"
      ? "made at run time"
      : s.source === "override"
        ? `overriding its task file's "${s.code!.cron}"${s.code!.tz ? ` (${s.code!.tz})` : ""}`
        : "from its task file";
  return `${s.name}: ${formatTarget(s.task, s.args)} on ${when}, ${from}`;
}
