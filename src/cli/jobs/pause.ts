/**
 * `jt jobs:pause` / `jobs:resume`: queues, or one task's jobs, that no worker claims until resumed
 * (and, with no names, the list of what is paused); `jt jobs:cron pause|resume <task>` for a
 * schedule. A pause is a row in the store: every worker on every machine honours it at its next
 * claim, and it survives restarts.
 */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { when } from "../../jobs/format.js";
import { togglePause } from "../../jobs/pauses.js";
import type { TaskCatalog } from "../../jobs/jobs.js";
import { schedulesOf } from "../../jobs/schedules.js";
import type { JobStore, PauseKind } from "../../jobs/store/store.js";
import { closeMatches } from "../../shared/suggest.js";
import type { VerbContext } from "./context.js";

export async function pauseVerb(context: VerbContext, program: Command, pause: boolean): Promise<number> {
  const flags = program.opts<{ task?: string }>();
  const queues = program.args;
  if (flags.task !== undefined && queues.length > 0) throw new UsageError("Give queue names or --task, not both");
  if (!pause && flags.task === undefined && queues.length === 0) throw new UsageError("jt jobs:resume needs queue names or --task <name>");
  return context.withStore(async ({ jobs, store }) => {
    if (flags.task === undefined && queues.length === 0) {
      context.output.out(await pausesText(store));
      return 0;
    }
    if (flags.task !== undefined) knownTask(jobs.catalog, flags.task, "task");
    const targets: [PauseKind, string][] = flags.task !== undefined ? [["task", flags.task]] : queues.map((queue) => ["queue", queue]);
    for (const [kind, name] of targets) context.output.out(`${await togglePause(store, kind, name, pause)}\n`);
    return 0;
  });
}

/** `jt jobs:cron pause <task>` / `jobs:cron resume <task>`. */
export async function cronPauseVerb(context: VerbContext, action: string, task: string | undefined): Promise<number> {
  if (action !== "pause" && action !== "resume") throw new UsageError(`jt jobs:cron takes pause or resume (and a task), not '${action}'`);
  if (task === undefined) throw new UsageError(`jt jobs:cron ${action} needs the scheduled task's name`);
  return context.withStore(async ({ jobs, store }) => {
    knownTask(jobs.catalog, task, "schedule");
    context.output.out(`${await togglePause(store, "schedule", task, action === "pause")}\n`);
    return 0;
  });
}

async function pausesText(store: JobStore): Promise<string> {
  const [pauses, now] = await Promise.all([store.pauses(), store.now()]);
  if (pauses.length === 0) return "Nothing is paused.\n";
  return pauses.map((p) => `${p.kind} ${p.name} (paused ${when(p.at, now)})\n`).join("");
}

function knownTask(catalog: TaskCatalog, name: string, as: "task" | "schedule"): void {
  const scheduled = as === "schedule" ? schedulesOf(catalog).map((s) => s.task) : [];
  if (as === "schedule" && !scheduled.includes(name)) {
    throw new UsageError(`No cron schedule on task '${name}'`, [
      scheduled.length > 0 ? `The scheduled tasks: ${scheduled.join(", ")}` : "No task has a cron schedule.",
    ]);
  }
  if (!catalog.get(name)) {
    const matches = closeMatches(name, [...catalog.names()]);
    throw new UsageError(`Don't know task '${name}'`, matches.length > 0 ? [`Did you mean?  ${matches.join("\n               ")}`] : []);
  }
}
