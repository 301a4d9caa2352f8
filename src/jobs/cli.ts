/**
 * The built-in `jt jobs:*` verbs: work and workoff (workers), enqueue, and seeing and fixing jobs
 * (list, show, retry, cancel, discard, stats, prune, clear), schedules (cron, crontab) and the
 * store's schema (migrate). Tables for people, --json for scripts.
 */
import type { Command } from "commander";
import { createInterface } from "node:readline/promises";
import { parseTarget } from "../args/brackets.js";
import { DefinitionError, ExitCode, exitCodeOf, UsageError } from "../errors.js";
import { closeMatches } from "../plan/suggest.js";
import type { Output } from "../report/output.js";
import { Runner } from "../run/runner.js";
import { createSh, killLeftoverCommands } from "../run/sh.js";
import { labelLine } from "../run/task-labels.js";
import { millisecondsFromEnv, openSession, runnerEnvironment, tearDown, type Session } from "../cli/session.js";
import { realpathSync } from "node:fs";
import { crontabLines, nextRun, scheduleKey, shellQuote, validateSchedule, type Schedule } from "./clock.js";
import { parseDuration } from "./duration.js";
import { jobDetails, jobJson, jobsTable, schedulesJson, schedulesTable, statsTable } from "./format.js";
import { EnqueueError, type Jobs, type TaskCatalog } from "./jobs.js";
import { ProjectJobs } from "./project-jobs.js";
import { describeLocation, type StoreLocation } from "./store/open.js";
import type { Job, JobState, JobStore } from "./store/store.js";
import { DEAD_EXECUTOR_ENV, isExecutor, onStopRequests, reportFatalErrors, progressReporter, supervise, tellSupervisor, type DeadExecutor } from "./supervisor.js";
import { exitNow } from "./job-faults.js";
import { JOBS_VERBS, jobsVerb, jobsVerbLines, type JobsVerb } from "./verbs.js";
import { JobOutput } from "./job-output.js";
import { jobLabel, jsonLine, LOG_FORMATS, textLine, WorkerLog, type LogAbout, type LogFormat } from "./worker-log.js";
import { JobWorker } from "./worker.js";

const DEFAULT_CATCH_UP_MS = 60_000;

type Verb = (context: VerbContext, program: Command) => Promise<number>;

interface VerbContext {
  output: Output;
  /** Opens the project and its job store (after the verb's options are parsed). */
  open(): Promise<{ session: Session; jobs: ProjectJobs }>;
  /** Opens the project and its store, runs `use`, and closes the store whatever happens. */
  withStore<T>(use: (opened: { session: Session; jobs: Jobs; store: JobStore; location: StoreLocation }) => Promise<T>): Promise<T>;
}

/** What each verb does; what it accepts is in verbs.ts. */
const RUNS: Record<string, Verb> = {
  "jobs:work": (context, program) => work(context, program, false),
  "jobs:workoff": (context, program) => work(context, program, true),
  "jobs:enqueue": enqueueVerb,
  "jobs:list": listVerb,
  "jobs:show": showVerb,
  "jobs:retry": (context, program) => fixVerb(context, program, "retry"),
  "jobs:cancel": (context, program) => fixVerb(context, program, "cancel"),
  "jobs:discard": (context, program) => fixVerb(context, program, "discard"),
  "jobs:stats": statsVerb,
  "jobs:prune": pruneVerb,
  "jobs:clear": clearVerb,
  "jobs:cron": cronVerb,
  "jobs:crontab": crontabVerb,
  "jobs:migrate": migrateVerb,
};

const STATES: readonly JobState[] = ["queued", "running", "completed", "failed", "cancelled"];

/** The verb's commander parser, built from its metadata. */
function parserOf(verb: JobsVerb, Command: typeof import("commander").Command, output: Output): Command {
  const program = new Command(`jt ${verb.name}`).description(verb.description);
  for (const argument of verb.arguments) {
    const name = `${argument.name}${argument.variadic ? "..." : ""}`;
    program.argument(argument.required ? `<${name}>` : `[${name}]`, argument.description);
  }
  for (const option of verb.options) program.option(option.flags, option.description, option.defaultValue);
  return program
    .helpOption("-h, --help", "print this help")
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err, outputError: () => {} });
}

const ENV_ASSIGNMENT = /^(\w+)=(.*)$/s;

/**
 * Runs `verb` with `words`, the rest of the command line (options may have come before the verb:
 * main.ts moved it out). `NAME=value` words set environment variables, as for tasks.
 */
export async function runJobsCommand(verb: string, words: readonly string[], output: Output): Promise<number> {
  if (verb === "jobs") return jobsOverview(words, output);
  const definition = jobsVerb(verb);
  if (!definition) {
    const names = JOBS_VERBS.map((known) => known.name);
    const matches = closeMatches(verb, names);
    throw new UsageError(`Unknown jobs command '${verb}'`, [
      ...(matches.length > 0 ? [`Did you mean?  ${matches.join("\n               ")}`] : []),
      `The jobs commands: ${names.join(", ")} (see them with \`jt jobs\`)`,
    ]);
  }
  const end = words.indexOf("--");
  const isAssignment = (word: string, at: number) => (end === -1 || at < end) && ENV_ASSIGNMENT.test(word);
  const env = words.filter(isAssignment).map((word): [string, string] => {
    const [, name, value] = ENV_ASSIGNMENT.exec(word)!;
    return [name!, value!];
  });
  const { Command, CommanderError } = await import("commander");
  const program = parserOf(definition, Command, output);
  try {
    program.parse(words.filter((word, at) => !isAssignment(word, at)), { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.help") return 0;
      throw new UsageError(usageMessage(verb, error), [`(See \`jt ${verb} --help\`)`]);
    }
    throw error;
  }
  const options = program.opts<{ directory?: string }>();
  const context: VerbContext = {
    output,
    async open() {
      const session = await openSession({ env, directory: options.directory, silent: false }, output);
      return { session, jobs: new ProjectJobs(session) };
    },
    async withStore(use) {
      const { session, jobs } = await this.open();
      try {
        const opened = await jobs.get();
        return await use({ session, jobs: opened, store: opened.store, location: jobs.location });
      } finally {
        await jobs.close();
      }
    },
  };
  return RUNS[definition.name]!(context, program);
}

/** commander's message, with the verb named: an option it does not take is not an unknown task. */
function usageMessage(verb: string, error: import("commander").CommanderError): string {
  const unknown = /^error: unknown option '([^']+)'/.exec(error.message);
  if (unknown) return `jt ${verb} does not take the option '${unknown[1]}'`;
  return `jt ${verb}: ${error.message.replace(/^error: /, "")}`;
}

/** `jt jobs` and `jt jobs --help`: the verbs, one line each. */
async function jobsOverview(words: readonly string[], output: Output): Promise<number> {
  const { Command, CommanderError } = await import("commander");
  // -C and --trace are accepted (and mean nothing here), so `jt -C api jobs` works as every verb does.
  const program = new Command("jt jobs")
    .option("-C, --directory <dir>")
    .option("-t, --trace")
    .option("-h, --help")
    .helpOption(false)
    .allowExcessArguments()
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err, outputError: () => {} });
  try {
    program.parse([...words], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) throw new UsageError(usageMessage("jobs", error), ["(See `jt jobs`)"]);
    throw error;
  }
  if (program.args.length > 0) {
    throw new UsageError(`\`jt jobs\` lists the jobs commands and takes nothing else, not '${program.args.join(" ")}'`, [
      "Run a jobs command by its full name: jt jobs:work, jt jobs:list, …",
    ]);
  }
  output.out(
    [
      "Usage: jt jobs:<command> [options]",
      "",
      "Background jobs: any task runs as a job, enqueued from app code or the shell, run by workers.",
      "",
      "Commands:",
      ...jobsVerbLines(),
      "",
      "Each command's options: jt jobs:<command> --help (jt jobs:work --help)",
      "",
    ].join("\n"),
  );
  return 0;
}

function integer(value: string | undefined, what: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${what} must be a whole number of at least ${min}, not '${value}'`);
  return n;
}

function ids(values: readonly string[]): number[] {
  return values.map((value) => integer(value, "A job id", 1)!);
}

/** The cron schedules of the project's tasks, checked. */
function schedulesOf(catalog: TaskCatalog): Schedule[] {
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

/** `--log-format`, checked; undefined when not given. */
function logFormatFlag(program: Command): LogFormat | undefined {
  const { logFormat } = program.opts<{ logFormat?: string }>();
  if (logFormat === undefined) return undefined;
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) throw new UsageError(`--log-format takes ${LOG_FORMATS.join(" or ")}, not '${logFormat}'`);
  return logFormat as LogFormat;
}

/** The events after which a job's code is done (for JobOutput's count of jobs that printed nothing). */
const JOB_ENDINGS = new Set(["job.completed", "job.failed", "job.retrying", "job.released", "job.lost"]);

async function work(context: VerbContext, program: Command, untilEmpty: boolean): Promise<number> {
  if (!isExecutor() && !process.env.JT_HACK_NOSUP) {
    const flag = logFormatFlag(program);
    // The supervisor's few lines, in the executor's format (which may come from the config).
    return supervise((line, format) => context.output.err((format ?? flag) === "json" ? jsonLine(Date.now(), line, { event: "worker.died", level: "error" }, undefined) : textLine(Date.now(), line, { event: "worker.died" })));
  }
  reportFatalErrors();
  try {
    return await execute(context, program, untilEmpty);
  } catch (error) {
    // A failure jt reports (a bad flag, a store it cannot use) ends the worker: nothing to restart.
    await tellSupervisor({ type: "finished", code: exitCodeOf(error) });
    throw error;
  }
}

/** The worker itself, in the executor process. */
async function execute(context: VerbContext, program: Command, untilEmpty: boolean): Promise<number> {
  const flags = program.opts<{ queues: string; concurrency?: string; prefetch?: string; trace?: true; quiet?: true }>();
  const flagFormat = logFormatFlag(program);
  const { session, jobs } = await context.open();
  const config = session.project.config.jobs;
  const concurrency = integer(flags.concurrency, "--concurrency", 1) ?? config.concurrency;
  const prefetch = integer(flags.prefetch, "--prefetch", 0) ?? config.prefetch;
  const queues = flags.queues === "*" ? undefined : flags.queues.split(",").map((q) => q.trim()).filter(Boolean);
  const opened = await jobs.get();
  const catalog = await session.source.allDefinitions();
  const logFormat = flagFormat ?? config.logFormat;
  // From here on, what the process writes is the jobs' output, in the worker's log.
  const jobOutput = new JobOutput(concurrency);
  const workerLog = new WorkerLog(logFormat, jobOutput.capture());
  const log = (line: string, about?: LogAbout) => {
    if (about?.job && JOB_ENDINGS.has(about.event)) jobOutput.jobEnded();
    workerLog.line(line, about);
  };
  const flush = () => workerLog.flush();
  // Also on the way out of a crash or a task's process.exit(): the last lines say which job it was.
  const end = () => workerLog.end();
  process.once("exit", end);
  try {
    return await runWorker();
  } finally {
    end();
    jobOutput.release();
    process.off("exit", end);
  }

  async function runWorker(): Promise<number> {
    const progress = progressReporter();
    const interruptGraceMs = millisecondsFromEnv("JT_INTERRUPT_GRACE_MS", 10_000);
    const worker = new JobWorker({
      store: opened.store,
      location: jobs.location,
      jobs: opened,
      catalog,
      runTask: (job, signal) =>
        new Runner({
          tasks: session.registry,
          trace: flags.trace === true,
          dryRun: false,
          signal,
          traceLine: (line) => jobOutput.write(job, "stderr", `${line}\n`),
          // Line by line, and straight to the job's log: the output of jobs side by side never mixes.
          sh: (scope) =>
            createSh({
              cwd: session.project.root,
              echo: flags.quiet !== true,
              ...scope,
              lines: true,
              output: { stdout: (line) => jobOutput.write(job, "stdout", labelLine(line)), stderr: (line) => jobOutput.write(job, "stderr", labelLine(line)) },
            }),
          environment: runnerEnvironment(session),
          interruptGraceMs,
          finishedRunSucceeds: true,
          confirm: async () => {},
          load: (wanted) => session.source.loadFor(wanted),
          defines: (name) => session.source.defines(name),
          enqueue: (task, options) => opened.enqueue(task, options),
        }).run([{ name: job.task, values: job.args }]),
      queues,
      concurrency,
      prefetch,
      leaseMs: config.leaseMs,
      pollMs: config.pollMs,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      pruneAfterMs: config.pruneAfterMs,
      schedules: untilEmpty ? [] : schedulesOf(catalog),
      untilEmpty,
      log,
      onProgress: progress.report,
    });
    workerLog.workerId = worker.id;
    jobOutput.attach(workerLog, () => worker.runningJobs());
    log(`jt: worker ${worker.id} ${untilEmpty ? "working off" : "working"} ${queues ? `queues ${queues.join(", ")}` : "every queue"} in ${describeLocation(jobs.location)}, ${concurrency} at a time${prefetch > 0 ? `, ${prefetch} claimed ahead` : ""}`, { event: "worker.started" });
    // A worker stopped by a signal exits 130 / 143 like any interrupted jt, after a clean drain too.
    let stoppedBy: NodeJS.Signals | undefined;
    const stopListening = onStopRequests(
      (signal) => {
        stoppedBy = signal;
        const again = signal === "SIGINT" ? "press Ctrl-C again" : `send ${signal} again`;
        log(`jt: ${signal}: ${finishingWhat(worker.runningJobs(), config.shutdownTimeoutMs)} (${again} to exit at once)`, { event: "worker.stopping" });
        worker.stop();
      },
      (signal) => {
        log(`jt: ${signal} again, exiting now`, { event: "worker.exiting", level: "warn" });
        end();
        killLeftoverCommands();
        exitNow(signal === "SIGTERM" ? ExitCode.sigterm : ExitCode.sigint);
      },
    );
    await tellSupervisor({ type: "ready", workerId: worker.id, logFormat });
    let summary;
    try {
      const dead = deadExecutor();
      if (dead) await worker.failJobsOfDeadWorker(dead.workerId, dead.cause);
      summary = await worker.run();
    } finally {
      stopListening();
      if (session.environment?.booted) {
        const failure = await tearDown(session.environment, log, flags.trace === true);
        if (failure) log(`jt: the environment's teardown failed: ${failure.message}`);
      }
      killLeftoverCommands();
      await jobs.close();
      flush();
    }
    const { earlier } = progress;
    const total = { completed: earlier.completed + summary.completed, failed: earlier.failed + summary.failed, released: earlier.released + summary.released };
    const across = earlier.executors > 0 ? ` (in ${earlier.executors + 1} worker processes: ${earlier.executors} died)` : "";
    log(`jt: worker stopped: ${total.completed} completed, ${total.failed} failed for good, ${total.released} released${across}`, { event: "worker.stopped" });
    end();
    const code = stoppedBy !== undefined ? (stoppedBy === "SIGTERM" ? ExitCode.sigterm : ExitCode.sigint) : untilEmpty && total.failed > 0 ? ExitCode.taskFailed : 0;
    await tellSupervisor({ type: "finished", code });
    return code;
  }
}

/** In an executor started after another died: which one, and why. */
function deadExecutor(): DeadExecutor | undefined {
  const text = process.env[DEAD_EXECUTOR_ENV];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as DeadExecutor;
  } catch {
    return undefined;
  }
}

async function enqueueVerb(context: VerbContext, program: Command): Promise<number> {
  const [word] = program.args;
  const flags = program.opts<{ in?: string; at?: string; queue?: string; priority?: string; unique?: true; json?: true }>();
  const target = parseTarget(word!);
  if (!target) throw new UsageError(`Malformed task arguments in '${word}': expected name[arg1,arg2,...] with a closing ']'`);
  if (flags.in !== undefined && parseDuration(flags.in) === undefined) throw new UsageError(`--in takes a duration like 30s, 5m or 2h, not '${flags.in}'`);
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
          : `${job.duplicate ? "Already enqueued" : "Enqueued"} job ${job.id}: ${word} on queue ${job.queue}, run at ${job.runAt.toISOString()}\n`,
      );
      return 0;
    } catch (error) {
      if (error instanceof EnqueueError) throw new UsageError(error.message);
      throw error;
    }
  });
}

async function listVerb(context: VerbContext, program: Command): Promise<number> {
  const flags = program.opts<{ state?: string; task?: string; queue?: string; limit: string; json?: true }>();
  const states = flags.state?.split(",").map((s) => s.trim());
  const unknown = states?.find((s) => !STATES.includes(s as JobState));
  if (unknown !== undefined) throw new UsageError(`Unknown state '${unknown}': use ${STATES.join(", ")}`);
  const limit = integer(flags.limit, "--limit", 1);
  return context.withStore(async ({ store }) => {
    const list = await store.list({ states: states as JobState[] | undefined, task: flags.task, queue: flags.queue, limit });
    context.output.out(flags.json ? `${JSON.stringify(list.map(jobJson), null, 2)}\n` : jobsTable(list, await store.now(), context.output.columns));
    return 0;
  });
}

async function showVerb(context: VerbContext, program: Command): Promise<number> {
  const [id] = ids(program.args);
  const flags = program.opts<{ json?: true }>();
  return context.withStore(async ({ store }) => {
    const job = await store.get(id!);
    if (!job) throw new UsageError(`There is no job ${id}`, ["See the jobs with `jt jobs:list`"]);
    context.output.out(flags.json ? `${JSON.stringify(jobJson(job), null, 2)}\n` : jobDetails(job, await store.now()));
    return 0;
  });
}

async function fixVerb(context: VerbContext, program: Command, action: "retry" | "cancel" | "discard"): Promise<number> {
  const flags = program.opts<{ allFailed?: true }>();
  const wanted = ids(program.args);
  if (flags.allFailed && wanted.length > 0) throw new UsageError(`Give job ids or --all-failed, not both`);
  if (!flags.allFailed && wanted.length === 0) throw new UsageError(`jt jobs:${action} needs job ids${action === "cancel" ? "" : " or --all-failed"}`);
  return context.withStore(async ({ store }) => {
    const which = flags.allFailed ? "all-failed" : wanted;
    const done = action === "retry" ? await store.retry(which) : action === "discard" ? await store.discard(which) : await store.cancel(wanted);
    const verbed = { retry: "Retried", cancel: "Cancelled", discard: "Discarded" }[action];
    context.output.out(`${verbed} ${done.length} job${done.length === 1 ? "" : "s"}${done.length > 0 ? `: ${done.join(", ")}` : ""}\n`);
    const missed = wanted.filter((id) => !done.includes(id));
    if (missed.length > 0) {
      const allowed = { retry: "failed, cancelled or queued", cancel: "queued", discard: "failed or cancelled" }[action];
      throw new UsageError(`Not ${action === "retry" ? "retried" : verbed.toLowerCase()}: ${missed.join(", ")} (no such job, or not ${allowed})`);
    }
    return 0;
  });
}

async function statsVerb(context: VerbContext, program: Command): Promise<number> {
  const flags = program.opts<{ json?: true }>();
  return context.withStore(async ({ store }) => {
    const stats = await store.stats();
    context.output.out(flags.json ? `${JSON.stringify(stats, null, 2)}\n` : statsTable(stats));
    return 0;
  });
}

async function pruneVerb(context: VerbContext, program: Command): Promise<number> {
  const flags = program.opts<{ olderThan?: string }>();
  const olderThan = flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan);
  if (flags.olderThan !== undefined && olderThan === undefined) throw new UsageError(`--older-than takes a duration like 7d or 12h, not '${flags.olderThan}'`);
  return context.withStore(async ({ session, store }) => {
    const pruned = await store.prune(olderThan ?? session.project.config.jobs.pruneAfterMs);
    context.output.out(`Pruned ${pruned} completed job${pruned === 1 ? "" : "s"}\n`);
    return 0;
  });
}

async function clearVerb(context: VerbContext, program: Command): Promise<number> {
  const flags = program.opts<{ yes?: true }>();
  if (!flags.yes) {
    if (!process.stdin.isTTY) throw new UsageError("jt jobs:clear deletes every job; pass --yes to confirm (there is no terminal to ask on)");
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await prompt.question("Delete every job, whatever its state? [y/N] ").catch(() => "");
    prompt.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
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

async function cronVerb(context: VerbContext, program: Command): Promise<number> {
  const flags = program.opts<{ json?: true }>();
  return context.withStore(async ({ session, store }) => {
    const schedules = schedulesOf(await session.source.allDefinitions());
    const now = await store.now();
    const statuses = await Promise.all(
      schedules.map(async (schedule) => ({ schedule, lastRun: await store.lastCronRun(scheduleKey(schedule)), nextRun: nextRun(schedule, now) })),
    );
    context.output.out(
      flags.json
        ? schedulesJson(statuses)
        : schedulesTable(statuses, now),
    );
    return 0;
  });
}

async function crontabVerb(context: VerbContext): Promise<number> {
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

async function migrateVerb(context: VerbContext): Promise<number> {
  return context.withStore(async ({ location }) => {
    context.output.out(`The job store is up to date: ${describeLocation(location)}\n`);
    return 0;
  });
}

/** `finishing job 3 mail:welcome[42] (up to 10s), then stopping`, or `no job running, stopping`. */
function finishingWhat(running: readonly Job[], shutdownTimeoutMs: number): string {
  if (running.length === 0) return "no job running, stopping";
  const shown = running.slice(0, 3).map(jobLabel).join(", ");
  const more = running.length > 3 ? ` and ${running.length - 3} more` : "";
  const what = running.length === 1 ? shown : `${running.length} running jobs (${shown}${more})`;
  return `finishing ${what} (up to ${Math.round(shutdownTimeoutMs / 1000)}s), then stopping`;
}
