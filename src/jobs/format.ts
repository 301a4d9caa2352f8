/** How jobs are shown to people (tables, details) and to scripts (--json). Pure. */
import { formatTarget } from "../args/brackets.js";
import type { Schedule } from "./clock.js";
import { formatDuration } from "./duration.js";
import type { Job, QueueStats } from "./store/store.js";

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].map((l) => `${l}\n`).join("");
}

function when(ms: number | null, now: number): string {
  if (ms === null) return "-";
  const delta = ms - now;
  if (Math.abs(delta) < 1000) return "now";
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

function lastError(job: Job): string {
  const error = job.errors[job.errors.length - 1];
  if (!error) return "";
  const text = error.message.split("\n")[0]!;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function jobsTable(jobs: readonly Job[], now: number): string {
  if (jobs.length === 0) return "No jobs.\n";
  return table(
    ["ID", "STATE", "TASK", "QUEUE", "PRI", "ATTEMPTS", "RUN AT", "LAST ERROR"],
    jobs.map((job) => [
      String(job.id),
      job.state,
      formatTarget(job.task, job.args),
      job.queue,
      String(job.priority),
      `${job.attempts}/${job.maxAttempts}`,
      job.state === "queued" ? when(job.runAt, now) : when(job.finishedAt ?? job.updatedAt, now),
      lastError(job),
    ]),
  );
}

export function jobDetails(job: Job, now: number): string {
  const lines = [
    `Job ${job.id}: ${formatTarget(job.task, job.args)}`,
    `  state:     ${job.state}`,
    `  queue:     ${job.queue} (priority ${job.priority})`,
    `  attempts:  ${job.attempts} of ${job.maxAttempts}`,
    `  run at:    ${new Date(job.runAt).toISOString()} (${when(job.runAt, now)})`,
    `  created:   ${new Date(job.createdAt).toISOString()}`,
  ];
  if (job.finishedAt !== null) lines.push(`  finished:  ${new Date(job.finishedAt).toISOString()}`);
  if (job.lockedBy !== null) lines.push(`  worker:    ${job.lockedBy} (lease until ${new Date(job.lockedUntil ?? 0).toISOString()})`);
  if (job.uniqueKey !== null) lines.push(`  unique:    ${job.uniqueKey}`);
  if (job.errors.length > 0) {
    lines.push("", "Errors:");
    for (const error of job.errors) {
      lines.push(`  attempt ${error.attempt} at ${new Date(error.at).toISOString()}: ${error.message}`);
      if (error.stack) lines.push(...error.stack.split("\n").slice(1).map((frame) => `    ${frame.trim()}`));
    }
  }
  return `${lines.join("\n")}\n`;
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

export interface ScheduleStatus {
  schedule: Schedule;
  lastRun: number | null;
  nextRun: number | null;
}

export function schedulesTable(statuses: readonly ScheduleStatus[], now: number): string {
  if (statuses.length === 0) return "No task has a cron schedule.\n";
  return table(
    ["TASK", "CRON", "TZ", "LAST RUN", "NEXT RUN"],
    statuses.map(({ schedule, lastRun, nextRun }) => [
      schedule.task,
      schedule.cron,
      schedule.tz ?? "UTC",
      lastRun === null ? "never" : `${new Date(lastRun).toISOString()} (${when(lastRun, now)})`,
      nextRun === null ? "-" : `${new Date(nextRun).toISOString()} (${when(nextRun, now)})`,
    ]),
  );
}
