/**
 * Schedules: `jt jobs:cron` (each schedule's last and next run, and where it comes from; `add`,
 * `set`, `remove`, `test`, `pause` and `resume` one) and `jobs:crontab`.
 */
import { spawn } from "node:child_process";
import type { Command } from "commander";
import { realpathSync } from "node:fs";
import { formatTarget, targetOrFail } from "../../args/brackets.js";
import { UsageError } from "../../errors.js";
import type { Jobs } from "../../jobs/jobs.js";
import { describeSchedule, projectSchedules, putSchedule, removeSchedule, ScheduleError } from "../../jobs/runtime-schedules.js";
import { crontabLines, nextRun, scheduleKey, shellQuote } from "../../jobs/clock.js";
import { schedulesJson, schedulesTable } from "../../jobs/format.js";
import { pausedNames } from "../../jobs/pauses.js";
import { schedulesOf } from "../../jobs/schedules.js";
import { cronPauseVerb } from "./pause.js";
import type { VerbContext } from "./context.js";

export async function cronVerb(context: VerbContext, program: Command): Promise<number> {
  const flags = program.opts<{ json?: true; tz?: string }>();
  const [action, name, ...rest] = program.args;
  if (action === undefined) return listSchedules(context, flags.json === true);
  if (action === "pause" || action === "resume") return cronPauseVerb(context, action, name);
  const needs = (count: number, usage: string) => {
    if (name === undefined || rest.length !== count) throw new UsageError(`Usage: jt jobs:cron ${usage}`);
  };
  switch (action) {
    case "add": {
      needs(2, `add <name> 'task[args]' "<cron>" [--tz zone]`);
      const [word, cron] = rest as [string, string];
      const target = targetOrFail(word);
      return changeSchedule(context, async (jobs) => {
        const made = await putSchedule(jobs, name!, { task: target.name, args: target.values, cron, tz: flags.tz }, "add");
        return `Added schedule ${describeSchedule(made)}`;
      });
    }
    case "set": {
      needs(1, `set <name> "<cron>" [--tz zone]`);
      return changeSchedule(context, async (jobs) => {
        const changed = await putSchedule(jobs, name!, { cron: rest[0]!, tz: flags.tz }, "set");
        return `Changed schedule ${describeSchedule(changed)}`;
      });
    }
    case "remove": {
      needs(0, "remove <name>");
      return changeSchedule(context, async (jobs) => {
        const removed = await removeSchedule(jobs, name!);
        return removed === "removed"
          ? `Removed schedule ${name}`
          : `Removed the override of ${name}: it runs on its task file's cron again`;
      });
    }
    case "test": {
      needs(0, "test <name>");
      return testSchedule(context, name!);
    }
    default:
      throw new UsageError(`jt jobs:cron takes add, set, remove, test, pause or resume, not '${action}'`, [
        "(Without one, it lists the schedules.)",
      ]);
  }
}

/** Runs a change; a refused one (a bad name, cron or task) is a usage error, nothing written. */
function changeSchedule(context: VerbContext, change: (jobs: Jobs) => Promise<string>): Promise<number> {
  return context.withStore(async ({ jobs }) => {
    try {
      context.output.out(`${await change(jobs)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof ScheduleError) throw new UsageError(error.message);
      throw error;
    }
  });
}

async function listSchedules(context: VerbContext, json: boolean): Promise<number> {
  return context.withStore(async ({ jobs, store }) => {
    const { schedules, stale } = await projectSchedules(jobs);
    const now = await store.now();
    const paused = pausedNames(await store.pauses(), "schedule");
    const statuses = await Promise.all(
      schedules.map(async (schedule) => ({
        schedule,
        lastRun: await store.lastCronRun(scheduleKey(schedule)),
        nextRun: nextRun(schedule, now),
        paused: paused.has(schedule.name),
      })),
    );
    context.output.out(json ? schedulesJson(statuses) : schedulesTable(statuses, now));
    for (const row of stale) {
      context.output.err(
        `jt: schedule ${row.name} (${row.override ? "an override" : formatTarget(row.task, row.args)}) does not run: ${row.override ? `task ${row.name} has no cron schedule in its task file any more` : `this deploy does not define the task '${row.task}'`} (jt jobs:cron remove ${row.name})\n`,
      );
    }
    return 0;
  });
}

/**
 * `jt jobs:cron test <name>`: runs the schedule's task now, in this terminal, as its next slot
 * would (Laravel's schedule:test): a task run of its own, whose exit status is the command's.
 */
async function testSchedule(context: VerbContext, name: string): Promise<number> {
  const schedule = await context.withStore(async ({ jobs }) => {
    const { schedules } = await projectSchedules(jobs);
    const found = schedules.find((s) => s.name === name);
    if (!found) {
      const names = schedules.map((s) => s.name);
      throw new UsageError(`No schedule named '${name}'`, [
        names.length > 0 ? `The schedules: ${names.join(", ")}` : "There are no schedules.",
      ]);
    }
    return found;
  });
  const target = formatTarget(schedule.task, schedule.args);
  context.output.err(`jt: schedule ${schedule.name}: running ${target} now, as a slot of "${schedule.cron}" would\n`);
  const { session } = await context.open();
  const child = spawn(process.execPath, [realpathSync(process.argv[1]!), "-C", session.project.root, target], { stdio: "inherit" });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal === "SIGTERM" ? 143 : 130)));
  });
}

export async function crontabVerb(context: VerbContext): Promise<number> {
  const { session } = await context.open();
  const schedules = schedulesOf(await session.source.allDefinitions());
  if (schedules.length === 0) {
    context.output.out("# No task has a cron schedule.\n");
    return 0;
  }
  const command = [process.execPath, realpathSync(process.argv[1]!)].map(shellQuote).join(" ");
  const lines = schedules.flatMap((s) => crontabLines(s, session.project.root, command));
  context.output.out(`# jt's schedules as crontab lines (instead of running \`jt jobs:work\`)\n${lines.join("\n")}\n`);
  return 0;
}
