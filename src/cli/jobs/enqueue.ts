/** `jt jobs:enqueue name[args]`, and with `--dry-run` what it would enqueue. */
import type { Command } from "commander";
import { formatTarget, targetOrFail, type Target } from "../../args/brackets.js";
import { UsageError } from "../../errors.js";
import { EnqueueError, newJobRow, type TaskCatalog } from "../../jobs/jobs.js";
import type { NewJob } from "../../jobs/store/store.js";
import { argumentsFromValues } from "../../args/task-arguments.js";
import { plan } from "../../plan/plan.js";
import type { Registry } from "../../registry/registry.js";
import { parseDuration } from "../../shared/duration.js";
import { integer, type VerbContext } from "./context.js";

export async function enqueueVerb(context: VerbContext, program: Command): Promise<number> {
  const [word] = program.args;
  const flags = program.opts<{ in?: string; at?: string; queue?: string; priority?: string; unique?: true; json?: true; dryRun?: true }>();
  const target = targetOrFail(word!);
  if (flags.in !== undefined && parseDuration(flags.in) === undefined)
    throw new UsageError(`--in takes a duration like 30s, 5m or 2h, not '${flags.in}'`);
  const at = flags.at === undefined ? undefined : new Date(flags.at);
  if (at && Number.isNaN(at.getTime())) throw new UsageError(`--at takes a time like 2026-12-01T03:00:00Z, not '${flags.at}'`);
  const options = {
    args: target.values,
    wait: flags.in,
    waitUntil: at,
    queue: flags.queue,
    priority: integer(flags.priority, "--priority", Number.MIN_SAFE_INTEGER),
    unique: flags.unique === true,
  };
  try {
    if (flags.dryRun) {
      // Without the store: a dry run writes nothing, migrations included, and works with the store down.
      const { session } = await context.open();
      const catalog = await session.source.allDefinitions();
      const row = newJobRow(catalog, target.name, options, Date.now());
      const wouldRun = prerequisitesOf(target, catalog);
      context.output.out(flags.json ? `${JSON.stringify(dryRunJson(row, catalog, wouldRun))}\n` : dryRunText(row, catalog, wouldRun));
      return 0;
    }
    return await context.withStore(async ({ jobs }) => {
      const job = await jobs.enqueue(target.name, options);
      context.output.out(
        flags.json
          ? `${JSON.stringify(job)}\n`
          : `${job.duplicate ? (jobs.catalog.get(target.name)?.job.debounce ? "Replaced the waiting" : "Already enqueued") : "Enqueued"} job ${job.id}: ${word} on queue ${job.queue}, run at ${job.runAt.toISOString()}\n`,
      );
      return 0;
    });
  } catch (error) {
    if (error instanceof EnqueueError) throw new UsageError(error.message);
    throw error;
  }
}

/** What a worker would run for the job, in order: its prerequisites (run once each), then the task. */
function prerequisitesOf(target: Target, tasks: Registry): string[] {
  return plan([target], tasks).steps.flatMap((step) => (step.kind === "execute" ? [step.planned.task.name] : []));
}

/** The args as the task's actions will see them: by name, defaults applied. */
function namedArgs(row: NewJob, catalog: TaskCatalog): Record<string, string | readonly string[] | undefined> {
  const task = catalog.get(row.task);
  return task ? argumentsFromValues(task.args, row.args).toObject() : {};
}

function dryRunJson(row: NewJob, catalog: TaskCatalog, wouldRun: readonly string[]) {
  return {
    task: row.task,
    values: row.args,
    args: namedArgs(row, catalog),
    queue: row.queue,
    priority: row.priority,
    runAt: row.runAt === null ? null : new Date(row.runAt).toISOString(),
    maxAttempts: row.maxAttempts,
    uniqueKey: row.uniqueKey,
    debounceKey: row.debounceKey ?? null,
    concurrencyKey: row.concurrencyKey ?? null,
    runs: wouldRun,
  };
}

function dryRunText(row: NewJob, catalog: TaskCatalog, wouldRun: readonly string[]): string {
  const args = Object.entries(namedArgs(row, catalog)).map(
    ([name, value]) => `${name}=${Array.isArray(value) ? value.join(",") : String(value ?? "")}`,
  );
  const lines: [string, string][] = [
    ["args", args.length > 0 ? args.join(" ") : row.args.length > 0 ? `(extras) ${row.args.join(",")}` : "(none)"],
    ["queue", row.queue],
    ["priority", String(row.priority)],
    ["run at", row.runAt === null ? "now" : new Date(row.runAt).toISOString()],
    ["attempts", `up to ${row.maxAttempts}`],
    ["unique", row.uniqueKey ?? "no"],
  ];
  if (row.debounceKey) lines.push(["debounce", row.debounceKey]);
  if (row.concurrencyKey) lines.push(["concurrency", `${row.concurrencyKey} (at most ${row.concurrencyLimit} at once)`]);
  lines.push(["runs", wouldRun.join(" → ")]);
  return `Would enqueue ${formatTarget(row.task, row.args)} (dry run: nothing written, enqueue hooks not run)\n${lines.map(([label, value]) => `  ${label.padEnd(12)}${value}\n`).join("")}`;
}
