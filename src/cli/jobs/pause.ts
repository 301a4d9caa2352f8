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
import { projectSchedules } from "../../jobs/runtime-schedules.js";
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
    if (flags.task !== undefined) knownTask(jobs.catalog, flags.task);
    const targets: [PauseKind, string][] = flags.task !== undefined ? [["task", flags.task]] : queues.map((queue) => ["queue", queue]);
    for (const [kind, name] of targets) context.output.out(`${await togglePause(store, kind, name, pause)}\n`);
    return 0;
  });
}

/** `jt jobs:cron pause <name>` / `jobs:cron resume <name>`: a schedule of a task file's, or one made at run time. */
export async function cronPauseVerb(context: VerbContext, action: "pause" | "resume", name: string | undefined): Promise<number> {
  if (name === undefined) throw new UsageError(`jt jobs:cron ${action} needs the schedule's name (a scheduled task's)`);
  return context.withStore(async ({ jobs, store }) => {
    const names = (await projectSchedules(jobs)).schedules.map((s) => s.name);
    if (!names.includes(name)) {
      if (!jobs.catalog.get(name)) knownTask(jobs.catalog, name);
      throw new UsageError(`No cron schedule named '${name}'`, [
        names.length > 0 ? `The schedules: ${names.join(", ")}` : "There are no schedules.",
      ]);
    }
    context.output.out(`${await togglePause(store, "schedule", name, action === "pause")}\n`);
    return 0;
  });
}

async function pausesText(store: JobStore): Promise<string> {
  const [pauses, now] = await Promise.all([store.pauses(), store.now()]);
  if (pauses.length === 0) return "Nothing is paused.\n";
  return pauses.map((p) => `${p.kind} ${p.name} (paused ${when(p.at, now)})\n`).join("");
}

function knownTask(catalog: TaskCatalog, name: string): void {
  if (!catalog.get(name)) {
    const matches = closeMatches(name, [...catalog.names()]);
    throw new UsageError(`Don't know task '${name}'`, matches.length > 0 ? [`Did you mean?  ${matches.join("\n               ")}`] : []);
  }
}
