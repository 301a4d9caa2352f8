/**
 * `enqueue` and `createJobs` for app code (a web request handler): jt's CLI is not running there,
 * so the project's tasks come from the manifest jt keeps, never by loading task files into the
 * app's process. When the manifest is missing or stale, a `jt --complete-tasks` child rebuilds it.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { EnqueuedJob, EnqueueOptions, JobStatus, TaskArgValues, TaskName, UncheckedTaskName } from "../api/types.js";
import { parseDuration } from "../shared/duration.js";
import { readManifest, registryFromManifest, type Manifest } from "../cache/manifest.js";
import { findProjectRoot } from "../config/root.js";
import { freshManifest } from "../load/fresh-manifest.js";
import { JT_PACKAGE_ROOT, jtBuild } from "../package-paths.js";
import { projectHookSets } from "./hooks-module.js";
import { jobStatus, waitForJob } from "./job-status.js";
import { projectSchedules, putSchedule, removeSchedule } from "./runtime-schedules.js";
import type { ProjectSchedule } from "./schedules.js";
import { Jobs } from "./jobs.js";
import { openStore, storeLocation, type StoreLocation } from "./store/open.js";
import type { PauseKind } from "./store/store.js";

export interface JobsClient {
  /** Enqueues a task as a background job (see `enqueue`). */
  enqueue<N extends string>(task: UncheckedTaskName<N>, options?: EnqueueOptions): Promise<EnqueuedJob>;
  enqueue<N extends TaskName>(task: N, options?: EnqueueOptions<TaskArgValues<N>>): Promise<EnqueuedJob>;
  /** Several jobs in one transaction: the fast way to enqueue many. */
  enqueueMany(jobs: readonly { task: string; options?: EnqueueOptions }[]): Promise<EnqueuedJob[]>;
  /** The job with this id as it is now (its state, progress and result), or undefined when there is none. */
  get(id: number): Promise<JobStatus | undefined>;
  /**
   * The job once it has finished: completed (read its `result`), failed for good, or cancelled.
   * Rejects with `WaitTimedOut` when it has not by `timeout` ("30s", "5m" or milliseconds; default
   * 30 s), which leaves the job as it is.
   */
  waitFor(id: number, options?: { timeout?: string | number }): Promise<JobStatus>;
  /**
   * Pauses a queue, one task's jobs, or a task's cron schedule: `pause({ queue: "mail" })`. The
   * pause is kept in the store: every worker honours it at its next claim (a schedule: its next
   * slot passes without a job), on every machine and across restarts; jobs keep queueing. False
   * when it was paused already.
   */
  pause(target: PauseTarget): Promise<boolean>;
  /** Resumes it (idle workers wake); false when it was not paused. */
  resume(target: PauseTarget): Promise<boolean>;
  /** The schedules workers run: the task files' (with any override), and those made at run time. */
  schedules(): Promise<ScheduleInfo[]>;
  /**
   * Makes or changes a schedule, kept in the store until removed (deploys do not touch it):
   * `setSchedule("export:acme", { task: "reports:export", args: ["acme"], cron: "0 2 * * *" })`,
   * one per tenant; or, named by a scheduled task, overrides that task's cron (`{ cron }` only).
   * Every worker runs it from its next tick, each slot exactly once across them. The task and
   * args are checked as `enqueue` checks them; a bad cron or time zone throws.
   */
  setSchedule(
    name: string,
    schedule: { task?: string; args?: readonly (string | number | boolean)[]; cron: string; tz?: string },
  ): Promise<ScheduleInfo>;
  /** Removes a schedule made at run time, or a task's override (its own cron applies again); throws when there is none. */
  removeSchedule(name: string): Promise<void>;
  close(): Promise<void>;
}

/** A schedule as workers run it. */
export interface ScheduleInfo {
  readonly name: string;
  readonly task: string;
  readonly args: readonly string[];
  readonly cron: string;
  /** Undefined: UTC. */
  readonly tz: string | undefined;
  /** `code`: its task file's; `override`: that, its cron set at run time (`code` holds the task file's); `runtime`: made at run time. */
  readonly source: "code" | "override" | "runtime";
  readonly code?: { readonly cron: string; readonly tz: string | undefined };
}

function scheduleInfo(s: ProjectSchedule): ScheduleInfo {
  return {
    name: s.name,
    task: s.task,
    args: [...s.args],
    cron: s.cron,
    tz: s.tz,
    source: s.source,
    ...(s.code ? { code: { ...s.code } } : {}),
  };
}

/** What `pause` and `resume` act on. */
export type PauseTarget = { queue: string } | { task: string } | { schedule: string };

function pauseOf(target: PauseTarget): [PauseKind, string] {
  const entries = Object.entries(target ?? {}) as [string, unknown][];
  const [kind, name] = entries[0] ?? [];
  if (entries.length !== 1 || !["queue", "task", "schedule"].includes(kind!) || typeof name !== "string" || name === "") {
    throw new TypeError(`jt: pause and resume take { queue }, { task } or { schedule } with a name, not ${JSON.stringify(target)}`);
  }
  return [kind as PauseKind, name];
}

export interface CreateJobsOptions {
  /** The jt project (the directory with tasks/ or a jt config); default: found from the working directory. */
  root?: string;
  /** The store, instead of the project's jobs.store / JT_JOBS_URL: a SQLite file path or a postgres:// URL. */
  store?: string;
}

export function createJobs(options: CreateJobsOptions = {}): JobsClient {
  let opened: Promise<Jobs> | undefined;
  const jobs = () => (opened ??= openProjectJobs(options).then((project) => project.jobs));
  return {
    enqueue: async (task: string, enqueueOptions?: EnqueueOptions) => (await jobs()).enqueue(task, enqueueOptions),
    enqueueMany: async (list) => (await jobs()).enqueueMany(list),
    get: async (id) => {
      const job = await (await jobs()).store.get(id);
      return job && jobStatus(job);
    },
    waitFor: async (id, waitOptions = {}) => {
      const timeoutMs = parseDuration(waitOptions.timeout ?? "30s");
      if (timeoutMs === undefined)
        throw new TypeError(
          `jt: waitFor's timeout must be a duration like "30s", "5m" or milliseconds, not ${JSON.stringify(waitOptions.timeout)}`,
        );
      return waitForJob((await jobs()).store, id, timeoutMs);
    },
    pause: async (target) => {
      const [kind, name] = pauseOf(target);
      return (await jobs()).store.pause(kind, name);
    },
    resume: async (target) => {
      const [kind, name] = pauseOf(target);
      return (await jobs()).store.resume(kind, name);
    },
    schedules: async () => (await projectSchedules(await jobs())).schedules.map(scheduleInfo),
    setSchedule: async (name, schedule) => scheduleInfo(await putSchedule(await jobs(), name, schedule, "set")),
    removeSchedule: async (name) => {
      await removeSchedule(await jobs(), name);
    },
    close: async () => {
      if (opened) await (await opened).store.close();
    },
  };
}

/** The jobs of a project (found from the working directory, or `root`), its tasks from the manifest, and where its store is. */
export async function openProjectJobs(options: CreateJobsOptions): Promise<{ jobs: Jobs; location: StoreLocation }> {
  const root = options.root ?? findProjectRoot(process.cwd())?.root;
  if (root === undefined) {
    throw new Error(`jt: no jt project found from ${process.cwd()} (no tasks/ directory or jt config); pass createJobs({ root })`);
  }
  const manifest = currentManifest(root);
  const location = storeLocation(options.store ?? manifest.config.jobs.store, root);
  const hooks = () => projectHookSets({ root, config: manifest.config.jobs, importModule: importAppModule });
  return { jobs: new Jobs(await openStore(location), registryFromManifest(manifest), hooks), location };
}

/**
 * The hooks module, in app code: TypeScript through tsx's scoped `tsImport` (the app's own
 * loaders stay as they are), JavaScript as it is.
 */
async function importAppModule(file: string): Promise<unknown> {
  if (!/\.[cm]?tsx?$/.test(file)) return import(pathToFileURL(file).href);
  const { tsImport } = await import("tsx/esm/api");
  return tsImport(pathToFileURL(file).href, import.meta.url);
}

function currentManifest(root: string): Manifest {
  const fresh = freshManifest(root, findProjectRoot(root)?.configFile);
  if (fresh) return fresh;
  try {
    execFileSync(process.execPath, [join(JT_PACKAGE_ROOT, "bin", "jt.js"), "--complete-tasks"], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    throw new Error(`jt: could not read the tasks of ${root}:\n${stderr || (error as Error).message}`);
  }
  const rebuilt = readManifest(root, jtBuild());
  if (!rebuilt) throw new Error(`jt: could not read the tasks of ${root} (jt's cache is not writable?)`);
  return rebuilt;
}

let shared: JobsClient | undefined;

/**
 * Enqueues a task as a background job, from anywhere in your app:
 * `await enqueue("mail:welcome", { args: [user.id], wait: "5m" })`. The task and its args are
 * checked now (an unknown task or too many args throws), not when a worker picks the job up.
 */
export function enqueue<N extends string>(task: UncheckedTaskName<N>, options?: EnqueueOptions): Promise<EnqueuedJob>;
export function enqueue<N extends TaskName>(task: N, options?: EnqueueOptions<TaskArgValues<N>>): Promise<EnqueuedJob>;
export function enqueue(task: string, options?: EnqueueOptions<readonly unknown[]>): Promise<EnqueuedJob> {
  shared ??= createJobs();
  // Checked at run time as any enqueue is: an arg that is no string, number or boolean throws.
  return shared.enqueue(task, options as EnqueueOptions);
}
