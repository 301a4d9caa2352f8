/**
 * `jt jobs:work` and `jt jobs:workoff` supervise their worker: it runs in a child process (the
 * executor), started again when it dies, so a job that crashes the process (out of memory, a
 * native abort, a kill -9 of the executor) cannot take the worker down. The jobs the dead executor
 * held fail at once with its cause, recorded by the next executor before it claims anything, as
 * Solid Queue's supervisor does. Faults a process survives (process.exit, a leaked rejection) are
 * handled inside the executor (job-faults.ts).
 *
 * Stopping: SIGTERM / SIGINT to the supervisor reaches the executor as a message, counted as one
 * stop with the same signal sent to the executor by the OS (a terminal's Ctrl-C or Heroku's
 * SIGTERM reach every process), so a second Ctrl-C still means "exit now".
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExitCode } from "../errors.js";
import type { LogFormat } from "./worker-log.js";
import type { WorkerSummary } from "./worker.js";

/** Set in the executor's environment: the directory for its fatal-error report. */
export const EXECUTOR_ENV = "JT_WORKER_EXECUTOR";
/** Set in a restarted executor's environment: the executor that died and why (JSON). */
export const DEAD_EXECUTOR_ENV = "JT_WORKER_DEAD_EXECUTOR";
/** Set in a restarted executor's environment: what the executors before it did (JSON EarlierExecutors). */
export const EARLIER_EXECUTORS_ENV = "JT_WORKER_EARLIER_EXECUTORS";

export type ExecutorMessage = { type: "ready"; workerId: string; logFormat: LogFormat } | { type: "finished"; code: number };
export type SupervisorMessage = { type: "stop"; signal: NodeJS.Signals };

export interface DeadExecutor {
  workerId: string;
  cause: string;
}

/** The executors that died before this one, and the jobs they ended. */
export interface EarlierExecutors extends WorkerSummary {
  executors: number;
}

/** Restart delays after executors that died young (within MIN_HEALTHY_MS): a crash loop slows down. */
const RESTART_DELAYS_MS = [0, 1_000, 2_000, 5_000, 10_000, 30_000];
const MIN_HEALTHY_MS = 10_000;

export function isExecutor(): boolean {
  return process.env[EXECUTOR_ENV] !== undefined && typeof process.send === "function";
}

/**
 * Runs executors of this same command line until one ends normally; resolves to its exit code.
 * `log` writes a line in the worker log's format, once an executor has said which it is.
 */
export async function supervise(log: (line: string, format: LogFormat | undefined) => void): Promise<number> {
  let child: ChildProcess | undefined;
  let stoppingBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppingBy ??= signal;
    if (child?.connected) child.send({ type: "stop", signal } satisfies SupervisorMessage, () => {});
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  let dead: DeadExecutor | undefined;
  const earlier: EarlierExecutors = { executors: 0, completed: 0, failed: 0, released: 0 };
  let format: LogFormat | undefined;
  let youngDeaths = 0;
  try {
    for (;;) {
      const reports = mkdtempSync(join(tmpdir(), "jt-executor-"));
      const startedAt = Date.now();
      try {
        const env: NodeJS.ProcessEnv = { ...process.env, [EXECUTOR_ENV]: reports };
        if (dead) env[DEAD_EXECUTOR_ENV] = JSON.stringify(dead);
        else delete env[DEAD_EXECUTOR_ENV];
        if (earlier.executors > 0) env[EARLIER_EXECUTORS_ENV] = JSON.stringify(earlier);
        else delete env[EARLIER_EXECUTORS_ENV];
        child = fork(process.argv[1]!, process.argv.slice(2), { env, execArgv: process.execArgv, stdio: "inherit" });
        const ended = await executorEnd(child);
        const cause = ended.finished ? undefined : deathCause(ended, reports);
        // Stopped: an executor still starting may die of the signal before it handles it (no code).
        if (stoppingBy !== undefined) return ended.finished && ended.code !== null ? ended.code : stoppedExitCode(stoppingBy);
        // Ended normally, or failed before it was working (a bad flag or config, which it reported): its exit code is ours.
        if (cause === undefined) return ended.code ?? ExitCode.taskFailed;
        format = ended.logFormat ?? format;
        const progress = ended.workerId === undefined ? undefined : progressOf(reports);
        earlier.executors += ended.workerId === undefined ? 0 : 1;
        if (progress) {
          earlier.completed += progress.completed;
          earlier.failed += progress.failed;
          earlier.released += progress.released;
        }
        if (ended.workerId === undefined) {
          // Killed while starting: it held no jobs (those of an executor that died before it are still to fail).
          log(`jt: the worker process ${child.pid} died while starting (${cause}); starting another`, format);
        } else {
          log(`jt: the worker process ${child.pid} died (${cause}); its running jobs fail with that cause; starting another`, format);
          dead = { workerId: ended.workerId, cause };
        }
        youngDeaths = Date.now() - startedAt < MIN_HEALTHY_MS ? youngDeaths + 1 : 0;
        const delay = RESTART_DELAYS_MS[Math.min(youngDeaths, RESTART_DELAYS_MS.length) - 1] ?? 0;
        if (delay > 0) {
          log(`jt: worker processes keep dying; the next one starts in ${delay / 1000}s`, format);
          await new Promise((resolve) => setTimeout(resolve, delay));
          if (stoppingBy !== undefined) return stoppedExitCode(stoppingBy);
        }
      } finally {
        rmSync(reports, { recursive: true, force: true });
      }
    }
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}

function stoppedExitCode(signal: NodeJS.Signals): number {
  return signal === "SIGTERM" ? ExitCode.sigterm : ExitCode.sigint;
}

interface ExecutorEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  workerId: string | undefined;
  logFormat: LogFormat | undefined;
  finished: boolean;
}

function executorEnd(child: ChildProcess): Promise<ExecutorEnd> {
  return new Promise((resolve) => {
    let workerId: string | undefined;
    let logFormat: LogFormat | undefined;
    let finished = false;
    child.on("message", (message: ExecutorMessage) => {
      if (message.type === "ready") ({ workerId, logFormat } = message);
      if (message.type === "finished") finished = true;
    });
    child.on("exit", (code, signal) => resolve({ code, signal, workerId, logFormat, finished }));
  });
}

/** Why an executor ended without saying it finished; undefined when it was stopped (130 / 143). */
function deathCause(ended: ExecutorEnd, reports: string): string | undefined {
  if (ended.code === ExitCode.sigterm || ended.code === ExitCode.sigint) return undefined;
  const fatal = fatalErrorReport(reports);
  if (fatal) return fatal;
  if (ended.signal) return `killed by ${ended.signal}${ended.signal === "SIGKILL" ? ", perhaps by the kernel's out-of-memory killer" : ""}`;
  return `exited with code ${ended.code}`;
}

/** The event of the report Node wrote on a fatal error: "out of memory (Allocation failed - JavaScript heap out of memory)". */
function fatalErrorReport(reports: string): string | undefined {
  try {
    const report = JSON.parse(readFileSync(join(reports, "fatal.json"), "utf8")) as { header?: { event?: string; trigger?: string } };
    const event = report.header?.event;
    if (!event) return undefined;
    return report.header?.trigger === "OOMError" ? `out of memory (${event})` : `a fatal error: ${event}`;
  } catch {
    return undefined;
  }
}

/**
 * In the executor: stop requests from the OS and from the supervisor, counted so that one Ctrl-C
 * (which reaches both processes) is one request. `first` runs once; `again` on a second request.
 */
export function onStopRequests(first: (signal: NodeJS.Signals) => void, again: (signal: NodeJS.Signals) => void): () => void {
  const counts = { os: 0, supervisor: 0 };
  let handled = 0;
  const request = (via: "os" | "supervisor", signal: NodeJS.Signals) => {
    counts[via] += 1;
    const requests = Math.max(counts.os, counts.supervisor);
    if (requests <= handled) return;
    handled = requests;
    if (requests === 1) first(signal);
    else again(signal);
  };
  const onTerm = () => request("os", "SIGTERM");
  const onInt = () => request("os", "SIGINT");
  const onMessage = (message: SupervisorMessage) => {
    if (message?.type === "stop") request("supervisor", message.signal);
  };
  // The supervisor gone (kill -9): stop as on SIGTERM, and let nothing else keep this process alive.
  const onDisconnect = () => request("supervisor", "SIGTERM");
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);
  process.on("message", onMessage);
  process.on("disconnect", onDisconnect);
  return () => {
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
    process.off("message", onMessage);
    process.off("disconnect", onDisconnect);
  };
}

/** In the executor: tells the supervisor (no-op when unsupervised). */
export function tellSupervisor(message: ExecutorMessage): Promise<void> {
  if (!isExecutor() || !process.connected) return Promise.resolve();
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

/** In the executor's report directory: its summary so far, "completed failed released", padded to PROGRESS_BYTES. */
const PROGRESS_FILE = "progress";
const PROGRESS_BYTES = 64;

/**
 * In the executor: `report(summary)` records what it has done where the supervisor finds it if the
 * executor dies (a no-op when unsupervised); `earlier` is what the executors before this one did.
 * Reports made in one run of the microtask queue (a batch of completions) are one write in place
 * (about a microsecond), made before any other callback runs, so a job that crashes the process
 * later (out of memory, kill -9) cannot lose them: the summary and jobs:workoff's exit code count
 * every job the dead executor ended.
 */
export function progressReporter(): { earlier: EarlierExecutors; report: (summary: WorkerSummary) => void } {
  const earlier = earlierExecutors();
  const directory = process.env[EXECUTOR_ENV];
  if (!isExecutor() || !directory) return { earlier, report: () => {} };
  const fd = openSync(join(directory, PROGRESS_FILE), "w");
  const buffer = Buffer.alloc(PROGRESS_BYTES);
  let latest: WorkerSummary | undefined;
  const write = () => {
    const { completed, failed, released } = latest!;
    latest = undefined;
    buffer.fill(0x20).write(`${completed} ${failed} ${released}`);
    writeSync(fd, buffer, 0, PROGRESS_BYTES, 0);
  };
  return {
    earlier,
    report: (summary) => {
      if (latest === undefined) process.nextTick(write);
      latest = summary;
    },
  };
}

function progressOf(reports: string): WorkerSummary | undefined {
  try {
    const [completed, failed, released] = readFileSync(join(reports, PROGRESS_FILE), "utf8").trim().split(" ").map(Number);
    return [completed, failed, released].every((n) => Number.isInteger(n))
      ? { completed: completed!, failed: failed!, released: released! }
      : undefined;
  } catch {
    return undefined;
  }
}

function earlierExecutors(): EarlierExecutors {
  const none = { executors: 0, completed: 0, failed: 0, released: 0 };
  try {
    return { ...none, ...(JSON.parse(process.env[EARLIER_EXECUTORS_ENV] ?? "{}") as Partial<EarlierExecutors>) };
  } catch {
    return none;
  }
}

/** In the executor: Node writes a report when it dies of a fatal error (out of memory), which the supervisor reads. */
export function reportFatalErrors(): void {
  const directory = process.env[EXECUTOR_ENV];
  if (!directory || !process.report) return;
  process.report.reportOnFatalError = true;
  process.report.directory = directory;
  process.report.filename = "fatal.json";
}
