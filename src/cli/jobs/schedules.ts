/** Schedules: `jt jobs:cron` (each cron task's last and next run), `jobs:crontab`; and the schedules a worker runs. */
import type { Command } from "commander";
import { realpathSync } from "node:fs";
import { DefinitionError } from "../../errors.js";
import { crontabLines, nextRun, scheduleKey, shellQuote, validateSchedule, type Schedule } from "../../jobs/clock.js";
import { schedulesJson, schedulesTable } from "../../jobs/format.js";
import type { TaskCatalog } from "../../jobs/jobs.js";
import type { VerbContext } from "./context.js";

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

export async function cronVerb(context: VerbContext, program: Command): Promise<number> {
  const flags = program.opts<{ json?: true }>();
  return context.withStore(async ({ session, store }) => {
    const schedules = schedulesOf(await session.source.allDefinitions());
    const now = await store.now();
    const statuses = await Promise.all(
      schedules.map(async (schedule) => ({
        schedule,
        lastRun: await store.lastCronRun(scheduleKey(schedule)),
        nextRun: nextRun(schedule, now),
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
