/** `jt jobs:enqueue name[args]`. */
import type { Command } from "commander";
import { parseTarget } from "../../args/brackets.js";
import { UsageError } from "../../errors.js";
import { EnqueueError } from "../../jobs/jobs.js";
import { parseDuration } from "../../shared/duration.js";
import { integer, type VerbContext } from "./context.js";

export async function enqueueVerb(context: VerbContext, program: Command): Promise<number> {
  const [word] = program.args;
  const flags = program.opts<{ in?: string; at?: string; queue?: string; priority?: string; unique?: true; json?: true }>();
  const target = parseTarget(word!);
  if (!target) throw new UsageError(`Malformed task arguments in '${word}': expected name[arg1,arg2,...] with a closing ']'`);
  if (flags.in !== undefined && parseDuration(flags.in) === undefined)
    throw new UsageError(`--in takes a duration like 30s, 5m or 2h, not '${flags.in}'`);
  const at = flags.at === undefined ? undefined : new Date(flags.at);
  if (at && Number.isNaN(at.getTime())) throw new UsageError(`--at takes a time like 2026-12-01T03:00:00Z, not '${flags.at}'`);
  return context.withStore(async ({ jobs }) => {
    try {
      const job = await jobs.enqueue(target.name, {
        args: target.values,
        wait: flags.in,
        waitUntil: at,
        queue: flags.queue,
        priority: integer(flags.priority, "--priority", Number.MIN_SAFE_INTEGER),
        unique: flags.unique === true,
      });
      context.output.out(
        flags.json
          ? `${JSON.stringify(job)}\n`
          : `${job.duplicate ? (jobs.catalog.get(target.name)?.job.debounce ? "Replaced the waiting" : "Already enqueued") : "Enqueued"} job ${job.id}: ${word} on queue ${job.queue}, run at ${job.runAt.toISOString()}\n`,
      );
      return 0;
    } catch (error) {
      if (error instanceof EnqueueError) throw new UsageError(error.message);
      throw error;
    }
  });
}
