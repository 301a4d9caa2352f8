/** Schedules: `jt jobs:cron` (each cron task's last and next run; `pause`/`resume` one) and `jobs:crontab`. */
import type { Command } from "commander";
import { realpathSync } from "node:fs";
import { crontabLines, nextRun, scheduleKey, shellQuote } from "../../jobs/clock.js";
import { schedulesJson, schedulesTable } from "../../jobs/format.js";
import { pausedNames } from "../../jobs/pauses.js";
import { schedulesOf } from "../../jobs/schedules.js";
import { cronPauseVerb } from "./pause.js";
import type { VerbContext } from "./context.js";

export async function cronVerb(context: VerbContext, program: Command): Promise<number> {
  const flags = program.opts<{ json?: true }>();
  const [action, task] = program.args;
  if (action !== undefined) return cronPauseVerb(context, action, task);
  return context.withStore(async ({ session, store }) => {
    const schedules = schedulesOf(await session.source.allDefinitions());
    const now = await store.now();
    const paused = pausedNames(await store.pauses(), "schedule");
    const statuses = await Promise.all(
      schedules.map(async (schedule) => ({
        schedule,
        lastRun: await store.lastCronRun(scheduleKey(schedule)),
        nextRun: nextRun(schedule, now),
        paused: paused.has(schedule.task),
      })),
    );
    context.output.out(flags.json ? schedulesJson(statuses) : schedulesTable(statuses, now));
    return 0;
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
