/** Seeing jobs: `jt jobs:list`, `jobs:show id`, `jobs:stats`. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { jobDetails, jobJson, jobsTable, statsTable } from "../../jobs/format.js";
import type { JobState } from "../../jobs/store/store.js";
import { ids, integer, STATES, type VerbContext } from "./context.js";

export async function listVerb(context: VerbContext, program: Command): Promise<number> {
  const flags = program.opts<{ state?: string; task?: string; queue?: string; limit: string; json?: true }>();
  const states = flags.state?.split(",").map((s) => s.trim());
  const unknown = states?.find((s) => !STATES.includes(s as JobState));
  if (unknown !== undefined) throw new UsageError(`Unknown state '${unknown}': use ${STATES.join(", ")}`);
  const limit = integer(flags.limit, "--limit", 1);
  return context.withStore(async ({ store }) => {
    const list = await store.list({ states: states as JobState[] | undefined, task: flags.task, queue: flags.queue, limit });
    context.output.out(
      flags.json ? `${JSON.stringify(list.map(jobJson), null, 2)}\n` : jobsTable(list, await store.now(), context.output.columns),
    );
    return 0;
  });
}

export async function showVerb(context: VerbContext, program: Command): Promise<number> {
  const [id] = ids(program.args);
  const flags = program.opts<{ json?: true }>();
  return context.withStore(async ({ store }) => {
    const job = await store.get(id!);
    if (!job) throw new UsageError(`There is no job ${id}`, ["See the jobs with `jt jobs:list`"]);
    context.output.out(flags.json ? `${JSON.stringify(jobJson(job), null, 2)}\n` : jobDetails(job, await store.now()));
    return 0;
  });
}

export async function statsVerb(context: VerbContext, program: Command): Promise<number> {
  const flags = program.opts<{ json?: true }>();
  return context.withStore(async ({ store }) => {
    const stats = await store.stats();
    context.output.out(flags.json ? `${JSON.stringify(stats, null, 2)}\n` : statsTable(stats));
    return 0;
  });
}
