/** How jobs are shown to people (tables, details) and to scripts (--json). Pure. */
import { formatTarget } from "../args/brackets.js";
import { formatDuration } from "../shared/duration.js";
import { progressText } from "../report/progress.js";
import type { ProjectSchedule } from "./schedules.js";
import type { Job, JobError, JobProgress, QueueStats } from "./store/store.js";

/** Free text (a task's args, an error) is cut to this on every output: one huge argument must not pad every row. */
export const CELL_LIMIT = 60;
/** A column cut to fit a terminal keeps at least this many characters (or its header's length). */
const NARROWEST = 8;

export interface TableOptions {
  /** The terminal's width, when writing to one: the `cuttable` columns shrink to fit it. */
  columns?: number | undefined;
  /** Indexes of the free-text columns that may be cut (never ids, states, counts). */
  cuttable?: readonly number[];
}

export function cut(text: string, width: number): string {
  if (text.length <= width) return text;
  return `${text.slice(0, Math.max(0, width - 3))}...`;
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const cuttable = options.cuttable ?? [];
  const cells = rows.map((row) => row.map((cell, i) => (cuttable.includes(i) ? cut(cell, CELL_LIMIT) : cell)));
  const natural = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => (row[i] ?? "").length)));
  let widths = [...natural];
  let shown = headers.length;
  if (options.columns !== undefined) {
    // A terminal too narrow for the last free-text column even when cut loses that column (jobs:show has it whole).
    while (!shrinkToFit(widths, headers, cuttable, options.columns) && shown > 1 && cuttable.includes(shown - 1)) {
      shown -= 1;
      widths = natural.slice(0, shown);
    }
  }
  const line = (row: readonly string[]) =>
    row
      .slice(0, shown)
      .map((cell, i) => {
        const fitted = cuttable.includes(i) ? cut(cell, widths[i]!) : cell;
        return i === shown - 1 ? fitted : fitted.padEnd(widths[i]!);
      })
      .join("  ")
      .trimEnd();
  return [line(headers), ...cells.map(line)].map((l) => `${l}\n`).join("");
}

/** Narrows the widest cuttable columns, never under their floor, until a row fits `columns`; false when it cannot. */
function shrinkToFit(widths: number[], headers: readonly string[], cuttable: readonly number[], columns: number): boolean {
  const total = () => widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1);
  const floor = (i: number) => Math.max(NARROWEST, headers[i]!.length);
  while (total() > columns) {
    const [widest, next] = cuttable.filter((i) => i < widths.length && widths[i]! > floor(i)).sort((a, b) => widths[b]! - widths[a]!);
    if (widest === undefined) return false;
    const width = widths[widest]!;
    const target = Math.max(floor(widest), width - (total() - columns), next === undefined ? 0 : widths[next]!);
    widths[widest] = target < width ? target : width - 1;
  }
  return true;
}

/** "in 5m", "3s ago", "now", or "-" for no time. */
export function when(ms: number | null, now: number): string {
  if (ms === null) return "-";
  const delta = ms - now;
  if (Math.abs(delta) < 1000) return "now";
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/**
 * A job's errors in rounds: `jobs:retry` starts the attempts again from 1, so a new round begins
 * where an error's attempt is not above the one before it. `current` is the round the job's
 * `attempts` count (empty when it was retried after its last error).
 */
export function attemptRounds(job: Job): { earlier: JobError[][]; current: JobError[] } {
  const rounds: JobError[][] = [];
  for (const error of job.errors) {
    const round = rounds[rounds.length - 1];
    const previous = round?.[round.length - 1];
    if (round && previous && error.attempt > previous.attempt) round.push(error);
    else rounds.push([error]);
  }
  const last = job.errors[job.errors.length - 1];
  // The attempt that is running, or that completed, is `attempts` itself and failed with no error.
  const ranSince = job.state === "completed" || job.state === "running" ? 1 : 0;
  const retriedSinceLast = last !== undefined && last.attempt > job.attempts - ranSince;
  if (retriedSinceLast) return { earlier: rounds, current: [] };
  return { earlier: rounds.slice(0, -1), current: rounds[rounds.length - 1] ?? [] };
}

/** The last error of the attempts that count now: none for a completed job, or one retried since. */
function lastError(job: Job): string {
  if (job.state === "completed") return "";
  const { current } = attemptRounds(job);
  const error = current[current.length - 1];
  return error ? error.message.split("\n")[0]! : "";
}

/** `jt jobs:list`; a PROGRESS column appears when a listed job has reported progress. */
export function jobsTable(jobs: readonly Job[], now: number, columns?: number): string {
  if (jobs.length === 0) return "No jobs.\n";
  const withProgress = jobs.some((job) => job.progress !== null);
  return table(
    ["ID", "STATE", "TASK", "QUEUE", "PRI", "ATTEMPTS", ...(withProgress ? ["PROGRESS"] : []), "RUN AT", "LAST ERROR"],
    jobs.map((job) => [
      String(job.id),
      job.state,
      formatTarget(job.task, job.args),
      job.queue,
      String(job.priority),
      `${job.attempts}/${job.maxAttempts}`,
      ...(withProgress ? [job.progress ? progressText(job.progress) : ""] : []),
      job.state === "queued" ? when(job.runAt, now) : when(job.finishedAt ?? job.updatedAt, now),
      lastError(job),
    ]),
    { columns, cuttable: withProgress ? [2, 6, 8] : [2, 7] },
  );
}

export function jobDetails(job: Job, now: number): string {
  const lines = [
    `Job ${job.id}: ${formatTarget(job.task, job.args)}`,
    `  state:     ${job.state}`,
    `  queue:     ${job.queue} (priority ${job.priority})`,
    `  attempts:  ${job.attempts} of ${job.maxAttempts}${retries(job)}`,
    `  run at:    ${new Date(job.runAt).toISOString()} (${when(job.runAt, now)})`,
    `  created:   ${new Date(job.createdAt).toISOString()}`,
  ];
  if (job.startedAt !== null) lines.push(`  started:   ${new Date(job.startedAt).toISOString()} (attempt ${job.attempts})`);
  if (job.finishedAt !== null) lines.push(`  finished:  ${new Date(job.finishedAt).toISOString()}${took(job)}`);
  if (job.lockedBy !== null) lines.push(`  worker:    ${job.lockedBy} (lease until ${new Date(job.lockedUntil ?? 0).toISOString()})`);
  else if (job.worker !== null) lines.push(`  worker:    ${job.worker} (ran attempt ${job.attempts})`);
  if (job.progress !== null) lines.push(`  progress:  ${progressText(job.progress)} (reported ${when(job.progress.at, now)})`);
  if (job.uniqueKey !== null) lines.push(`  unique:    ${job.uniqueKey}`);
  if (job.result !== null)
    lines.push(
      "",
      "Result:",
      ...JSON.stringify(job.result, null, 2)
        .split("\n")
        .map((line) => `  ${line}`),
    );
  if (job.errors.length > 0) lines.push("", "History:", ...history(job));
  return `${lines.join("\n")}\n`;
}

/** " (took 1.2s)" for a completed job whose start is known, else "". */
export function took(job: Job): string {
  return job.startedAt === null || job.finishedAt === null || job.state !== "completed"
    ? ""
    : ` (took ${formatDuration(Math.max(0, job.finishedAt - job.startedAt))})`;
}

function retries(job: Job): string {
  const { earlier } = attemptRounds(job);
  if (earlier.length === 0) return "";
  return ` (counted again since jobs:retry${earlier.length > 1 ? `, retried ${earlier.length} times` : ""})`;
}

/** A stack's frames (its first line, the message, left out), indented as jobs:show and the worker log show them. */
export function stackFrameLines(stack: string): string[] {
  return stack
    .split("\n")
    .slice(1)
    .map((frame) => `    ${frame.trim()}`);
}

/** Every failed attempt with its stack, each retry, and the attempt that completed. */
function history(job: Job): string[] {
  const lines: string[] = [];
  const attempt = (error: JobError) => {
    lines.push(`  attempt ${error.attempt} at ${new Date(error.at).toISOString()}: ${error.message}`);
    if (error.stack) lines.push(...stackFrameLines(error.stack));
  };
  const { earlier, current } = attemptRounds(job);
  for (const round of earlier) {
    round.forEach(attempt);
    lines.push("  retried (jobs:retry): attempts counted again from 1");
  }
  current.forEach(attempt);
  if (job.state === "completed")
    lines.push(`  attempt ${job.attempts} at ${new Date(job.finishedAt ?? job.updatedAt).toISOString()}: completed`);
  return lines;
}

export function statsTable(stats: readonly QueueStats[]): string {
  if (stats.length === 0) return "No jobs.\n";
  const states = ["queued", "running", "completed", "failed", "cancelled"] as const;
  const queues = [...new Set(stats.map((s) => s.queue))].sort();
  const count = (queue: string, state: string) => stats.find((s) => s.queue === queue && s.state === state)?.count ?? 0;
  return table(
    ["QUEUE", ...states.map((s) => s.toUpperCase())],
    queues.map((queue) => [queue, ...states.map((state) => String(count(queue, state)))]),
  );
}

/** A job as `--json` prints it: the store's fields, with every time an ISO 8601 string in UTC (or null). */
export type JobJson = Omit<
  Job,
  "runAt" | "lockedUntil" | "createdAt" | "updatedAt" | "finishedAt" | "startedAt" | "progress" | "errors"
> & {
  runAt: string;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  startedAt: string | null;
  progress: (Omit<JobProgress, "at"> & { at: string }) | null;
  errors: (Omit<JobError, "at" | "stack"> & { at: string; stack: string | null })[];
};

function iso(ms: number): string;
function iso(ms: number | null): string | null;
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function jobJson(job: Job): JobJson {
  return {
    ...job,
    runAt: iso(job.runAt),
    lockedUntil: iso(job.lockedUntil),
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    finishedAt: iso(job.finishedAt),
    startedAt: iso(job.startedAt),
    progress: job.progress && { ...job.progress, at: iso(job.progress.at) },
    errors: job.errors.map((error) => ({ attempt: error.attempt, at: iso(error.at), message: error.message, stack: error.stack ?? null })),
  };
}

interface WallClock {
  date: string;
  time: string;
  seconds: string;
  millis: string;
  /** "+01:00", "-05:00", "+00:00". */
  offset: string;
}

/** The wall clock of a zone (UTC when none) at an instant, and the zone's offset from UTC then. */
function wallClock(ms: number, tz: string | undefined): WallClock {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz ?? "UTC",
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  const [year, month, day, hour, minute, second] = (["year", "month", "day", "hour", "minute", "second"] as const).map(part);
  const wholeSecond = Math.floor(ms / 1000) * 1000;
  const minutes = Math.round(
    (Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)) - wholeSecond) / 60_000,
  );
  const sign = minutes < 0 ? "-" : "+";
  const pad = (n: number) => String(n).padStart(2, "0");
  return {
    date: `${year}-${month}-${day}`,
    time: `${hour}:${minute}`,
    seconds: second!,
    millis: String(ms - wholeSecond).padStart(3, "0"),
    offset: `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`,
  };
}

function zoneOtherThanUtc(tz: string | undefined): string | undefined {
  return tz === undefined || /^(Etc\/)?(UTC|UCT|Zulu|Universal)$/i.test(tz) ? undefined : tz;
}

/** For people: "2026-12-04 03:00 +01:00" in the schedule's zone, "2026-12-04 02:00 UTC" without one (seconds only when not :00). */
export function scheduleTime(ms: number, zone: string | undefined): string {
  const tz = zoneOtherThanUtc(zone);
  const clock = wallClock(ms, tz);
  const time = clock.seconds === "00" ? clock.time : `${clock.time}:${clock.seconds}`;
  return `${clock.date} ${time} ${tz === undefined ? "UTC" : clock.offset}`;
}

/** For scripts: ISO 8601 with the schedule's offset ("2026-12-04T03:00:00.000+01:00"), or in UTC with "Z" without a zone. */
export function scheduleTimeJson(ms: number, zone: string | undefined): string {
  const tz = zoneOtherThanUtc(zone);
  if (tz === undefined) return new Date(ms).toISOString();
  const clock = wallClock(ms, tz);
  return `${clock.date}T${clock.time}:${clock.seconds}.${clock.millis}${clock.offset}`;
}

export interface ScheduleStatus {
  schedule: ProjectSchedule;
  lastRun: number | null;
  nextRun: number | null;
  /** Paused (jobs:cron pause): its slots pass without a job. */
  paused: boolean;
}

export function schedulesTable(statuses: readonly ScheduleStatus[], now: number): string {
  if (statuses.length === 0) return "No task has a cron schedule, and none was added (jt jobs:cron add).\n";
  return table(
    ["SCHEDULE", "RUNS", "CRON", "TZ", "FROM", "LAST RUN", "NEXT RUN"],
    statuses.map(({ schedule, lastRun, nextRun, paused }) => [
      schedule.name,
      formatTarget(schedule.task, schedule.args),
      schedule.cron,
      schedule.tz ?? "UTC",
      schedule.source === "code"
        ? "task file"
        : schedule.source === "runtime"
          ? "run time"
          : `override of ${schedule.code!.cron}${schedule.code!.tz ? ` (${schedule.code!.tz})` : ""}`,
      lastRun === null ? "never" : `${scheduleTime(lastRun, schedule.tz)} (${when(lastRun, now)})`,
      nextRun === null
        ? "-"
        : `${paused ? "paused: " : ""}${scheduleTime(nextRun, schedule.tz)} (${when(nextRun, now)})${paused ? " passes" : ""}`,
    ]),
  );
}

/** `jobs:cron --json`: each schedule, its zone (null: UTC) and its runs in ISO 8601 with the zone's offset. */
export function schedulesJson(statuses: readonly ScheduleStatus[]): string {
  return `${JSON.stringify(
    statuses.map(({ schedule, lastRun, nextRun, paused }) => ({
      name: schedule.name,
      task: schedule.task,
      args: schedule.args,
      cron: schedule.cron,
      tz: schedule.tz ?? null,
      /** "code" (its task file), "override" (its cron set at run time; `code` is the task file's), "runtime". */
      source: schedule.source,
      code: schedule.code ? { cron: schedule.code.cron, tz: schedule.code.tz ?? null } : null,
      catchUpMs: schedule.catchUpMs,
      lastRun: lastRun === null ? null : scheduleTimeJson(lastRun, schedule.tz),
      nextRun: nextRun === null ? null : scheduleTimeJson(nextRun, schedule.tz),
      paused,
    })),
    null,
    2,
  )}\n`;
}
