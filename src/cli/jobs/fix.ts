/** Fixing jobs: `jt jobs:retry`, `jobs:cancel`, `jobs:discard` (ids or --all-failed), `jobs:prune`, `jobs:clear`. */
import type { Command } from "commander";
import { ExitCode, UsageError } from "../../errors.js";
import { askYesNo } from "../../run/confirm.js";
import { parseDuration } from "../../shared/duration.js";
import { ids, type VerbContext } from "./context.js";

export async function fixVerb(context: VerbContext, program: Command, action: "retry" | "cancel" | "discard"): Promise<number> {
  const flags = program.opts<{ allFailed?: true }>();
  const wanted = ids(program.args);
  if (flags.allFailed && wanted.length > 0) throw new UsageError(`Give job ids or --all-failed, not both`);
  if (!flags.allFailed && wanted.length === 0)
    throw new UsageError(`jt jobs:${action} needs job ids${action === "cancel" ? "" : " or --all-failed"}`);
  return context.withStore(async ({ store }) => {
    const which = flags.allFailed ? "all-failed" : wanted;
    const done =
      action === "retry" ? await store.retry(which) : action === "discard" ? await store.discard(which) : await store.cancel(wanted);
    const verbed = { retry: "Retried", cancel: "Cancelled", discard: "Discarded" }[action];
    context.output.out(`${verbed} ${done.length} job${done.length === 1 ? "" : "s"}${done.length > 0 ? `: ${done.join(", ")}` : ""}\n`);
    const missed = wanted.filter((id) => !done.includes(id));
    if (missed.length > 0) {
      const allowed = { retry: "failed, cancelled or queued", cancel: "queued", discard: "failed or cancelled" }[action];
      throw new UsageError(
        `Not ${action === "retry" ? "retried" : verbed.toLowerCase()}: ${missed.join(", ")} (no such job, or not ${allowed})`,
      );
    }
    return 0;
  });
}

export async function pruneVerb(context: VerbContext, program: Command): Promise<number> {
  const flags = program.opts<{ olderThan?: string }>();
  const olderThan = flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan);
  if (flags.olderThan !== undefined && olderThan === undefined)
    throw new UsageError(`--older-than takes a duration like 7d or 12h, not '${flags.olderThan}'`);
  return context.withStore(async ({ session, store }) => {
    const pruned = await store.prune(olderThan ?? session.project.config.jobs.pruneAfterMs);
    context.output.out(`Pruned ${pruned} completed job${pruned === 1 ? "" : "s"}\n`);
    return 0;
  });
}

export async function clearVerb(context: VerbContext, program: Command): Promise<number> {
  const flags = program.opts<{ yes?: true }>();
  if (!flags.yes) {
    if (!process.stdin.isTTY)
      throw new UsageError("jt jobs:clear deletes every job; pass --yes to confirm (there is no terminal to ask on)");
    if (!(await askYesNo("Delete every job, whatever its state? [y/N] ", process.stdin, process.stderr))) {
      context.output.out("Nothing deleted.\n");
      return ExitCode.taskFailed;
    }
  }
  return context.withStore(async ({ store }) => {
    const cleared = await store.clear();
    context.output.out(`Deleted ${cleared} job${cleared === 1 ? "" : "s"}\n`);
    return 0;
  });
}
