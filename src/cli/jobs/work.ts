/** `jt jobs:work` and `jt jobs:workoff`: a supervisor process, and the worker in its executor process. */
import type { Command } from "commander";
import { ExitCode, exitCodeOf, UsageError } from "../../errors.js";
import { exitNow } from "../../jobs/job-faults.js";
import { JobOutput } from "../../jobs/job-output.js";
import { describeLocation } from "../../jobs/store/open.js";
import type { Job } from "../../jobs/store/store.js";
import {
  DEAD_EXECUTOR_ENV,
  isExecutor,
  onStopRequests,
  progressReporter,
  reportFatalErrors,
  supervise,
  tellSupervisor,
  type DeadExecutor,
} from "../../jobs/supervisor.js";
import { jobLabel, jsonLine, LOG_FORMATS, textLine, WorkerLog, type LogAbout, type LogFormat } from "../../jobs/worker-log.js";
import { JobWorker, type WorkerSummary } from "../../jobs/worker.js";
import { killLeftoverCommands } from "../../run/sh.js";
import { millisecondsFromEnv } from "../../session/session.js";
import { runJob } from "../../session/job-run.js";
import { tearDown } from "../../session/teardown.js";
import { integer, type VerbContext } from "./context.js";
import { effectiveSchedules, schedulesOf } from "../../jobs/schedules.js";

/** `--log-format`, checked; undefined when not given. */
function logFormatFlag(program: Command): LogFormat | undefined {
  const { logFormat } = program.opts<{ logFormat?: string }>();
  if (logFormat === undefined) return undefined;
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat))
    throw new UsageError(`--log-format takes ${LOG_FORMATS.join(" or ")}, not '${logFormat}'`);
  return logFormat as LogFormat;
}

/** The events after which a job's code is done (for JobOutput's count of jobs that printed nothing). */
const JOB_ENDINGS = new Set(["job.completed", "job.failed", "job.retrying", "job.released", "job.lost"]);

export async function work(context: VerbContext, program: Command, untilEmpty: boolean): Promise<number> {
  if (!isExecutor() && !process.env.JT_HACK_NOSUP) {
    const flag = logFormatFlag(program);
    // The supervisor's few lines, in the executor's format (which may come from the config).
    return supervise((line, format) =>
      context.output.err(
        (format ?? flag) === "json"
          ? jsonLine(Date.now(), line, { event: "worker.died", level: "error" }, undefined)
          : textLine(Date.now(), line, { event: "worker.died" }),
      ),
    );
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
  const queues =
    flags.queues === "*"
      ? undefined
      : flags.queues
          .split(",")
          .map((q) => q.trim())
          .filter(Boolean);
  const opened = await jobs.get();
  const catalog = await session.source.allDefinitions();
  // Loaded before the first claim: a hooks module that does not load stops the worker, not its jobs.
  const projectHooks = await opened.hookSets();
  // The code's schedules, checked: an invalid cron stops the worker now, not at its first tick.
  if (!untilEmpty) schedulesOf(catalog);
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
      loadedDefinition: (name) => session.registry.get(name),
      runTask: (job, signal, reportProgress) =>
        runJob(session, job, signal, reportProgress, {
          jobs: opened,
          hookSets: projectHooks,
          trace: flags.trace === true,
          echo: flags.quiet !== true,
          interruptGraceMs,
          write: (job, stream, text) => jobOutput.write(job, stream, text),
        }),
      queues,
      concurrency,
      prefetch,
      leaseMs: config.leaseMs,
      pollMs: config.pollMs,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      pruneAfterMs: config.pruneAfterMs,
      // Read again at each tick: a schedule added, changed or removed at run time applies within a second.
      schedules: untilEmpty ? undefined : async () => effectiveSchedules(catalog, await opened.store.storedSchedules()).schedules,
      untilEmpty,
      log,
      onProgress: progress.report,
    });
    workerLog.workerId = worker.id;
    jobOutput.attach(workerLog, () => worker.runningJobs());
    log(
      `jt: worker ${worker.id} ${untilEmpty ? "working off" : "working"} ${queues ? `queues ${queues.join(", ")}` : "every queue"} in ${describeLocation(jobs.location)}, ${concurrency} at a time${prefetch > 0 ? `, ${prefetch} claimed ahead` : ""}`,
      { event: "worker.started" },
    );
    // A worker stopped by a signal exits 130 / 143 like any interrupted jt, after a clean drain too.
    let stoppedBy: NodeJS.Signals | undefined;
    const stopListening = onStopRequests(
      (signal) => {
        stoppedBy = signal;
        const again = signal === "SIGINT" ? "press Ctrl-C again" : `send ${signal} again`;
        log(`jt: ${signal}: ${finishingWhat(worker.runningJobs(), config.shutdownTimeoutMs)} (${again} to exit at once)`, {
          event: "worker.stopping",
        });
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
    let summary: WorkerSummary;
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
    const total = {
      completed: earlier.completed + summary.completed,
      failed: earlier.failed + summary.failed,
      released: earlier.released + summary.released,
    };
    const across = earlier.executors > 0 ? ` (in ${earlier.executors + 1} worker processes: ${earlier.executors} died)` : "";
    log(`jt: worker stopped: ${total.completed} completed, ${total.failed} failed for good, ${total.released} released${across}`, {
      event: "worker.stopped",
    });
    end();
    const code =
      stoppedBy !== undefined
        ? stoppedBy === "SIGTERM"
          ? ExitCode.sigterm
          : ExitCode.sigint
        : untilEmpty && total.failed > 0
          ? ExitCode.taskFailed
          : 0;
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

/** `finishing job 3 mail:welcome[42] (up to 10s), then stopping`, or `no job running, stopping`. */
function finishingWhat(running: readonly Job[], shutdownTimeoutMs: number): string {
  if (running.length === 0) return "no job running, stopping";
  const shown = running.slice(0, 3).map(jobLabel).join(", ");
  const more = running.length > 3 ? ` and ${running.length - 3} more` : "";
  const what = running.length === 1 ? shown : `${running.length} running jobs (${shown}${more})`;
  return `finishing ${what} (up to ${Math.round(shutdownTimeoutMs / 1000)}s), then stopping`;
}
