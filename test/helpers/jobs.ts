/**
 * Helpers for the jobs end-to-end tests (test/jobs/): a project config with fast job settings,
 * and the jobs:* verbs as functions returning what a script would read from them (--json).
 */
import { existsSync, readFileSync } from "node:fs";
import type { JobJson } from "../../src/jobs/format.js";
import type { Job } from "../../src/jobs/store/store.js";
import type { RunningJt } from "./spawn.js";
import { project, type RunResult, type TestProject } from "./project.js";

export type { Job, JobJson };

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function epoch(text: string): number;
function epoch(text: string | null): number | null;
function epoch(text: string | null): number | null {
  if (text === null) return null;
  if (!ISO_UTC.test(text)) throw new Error(`--json time is not ISO 8601 in UTC: ${JSON.stringify(text)}`);
  return Date.parse(text);
}

/** A job from --json (ISO 8601 times) as the store has it (epoch ms), for arithmetic in tests; refuses any other time format. */
export function fromJson(job: JobJson): Job {
  return {
    ...job,
    runAt: epoch(job.runAt),
    lockedUntil: epoch(job.lockedUntil),
    createdAt: epoch(job.createdAt),
    updatedAt: epoch(job.updatedAt),
    finishedAt: epoch(job.finishedAt),
    startedAt: epoch(job.startedAt),
    progress: job.progress && { ...job.progress, at: epoch(job.progress.at) },
    errors: job.errors.map((error) => ({ ...error, at: epoch(error.at), stack: error.stack ?? undefined })),
  };
}

/** A jt.config.json with an environment and job settings fast enough for tests (lease 1s, poll 100ms). */
export function jobsConfig(jobs: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ environment: "./app/env.ts", jobs: { lease: "1s", pollInterval: "100ms", ...jobs }, ...extra }, null, 2)}\n`;
}

/**
 * A project of jobs tasks, jt installed: `tasks/jobs.ts`, fast job settings (`jobs` overrides
 * them), no environment, and any other files.
 */
export function jobsProject(
  name: string,
  tasks: string,
  options: { jobs?: Record<string, unknown>; files?: Record<string, string> } = {},
): TestProject {
  return project({
    "package.json": `${JSON.stringify({ name, private: true, type: "module" })}\n`,
    "jt.config.json": jobsConfig(options.jobs ?? {}, { environment: undefined }),
    "tasks/jobs.ts": tasks,
    ...options.files,
  }).installJt();
}

function check(result: RunResult, what: string): RunResult {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}\n--- stdout ---\n${result.stdout}--- stderr ---\n${result.stderr}`);
  return result;
}

/** `jt jobs:enqueue target …flags`; returns the job's id. */
export async function enqueueJob(
  p: TestProject,
  target: string,
  flags: readonly string[] = [],
  env?: Record<string, string>,
): Promise<number> {
  const result = check(await p.run(["jobs:enqueue", target, ...flags], { env }), `jt jobs:enqueue ${target}`);
  const match = /^(?:Already enqueued|Replaced the waiting|Enqueued) job (\d+): /.exec(result.stdout);
  if (!match) throw new Error(`unexpected jobs:enqueue output: ${result.stdout}`);
  return Number(match[1]);
}

/** `jt jobs:list --json …args`, newest first. */
export async function listJobs(p: TestProject, args: readonly string[] = [], env?: Record<string, string>): Promise<Job[]> {
  const result = check(await p.run(["jobs:list", "--json", "--limit", "1000", ...args], { env }), "jt jobs:list --json");
  return (JSON.parse(result.stdout) as JobJson[]).map(fromJson);
}

/** `jt jobs:show ID --json`. */
export async function showJob(p: TestProject, id: number, env?: Record<string, string>): Promise<Job> {
  const result = check(await p.run(["jobs:show", String(id), "--json"], { env }), `jt jobs:show ${id} --json`);
  return fromJson(JSON.parse(result.stdout) as JobJson);
}

/** The lines of a file the project's tasks append to ([] when it does not exist yet). */
export function fileLines(p: TestProject, path: string): string[] {
  const full = p.path(path);
  if (!existsSync(full)) return [];
  return readFileSync(full, "utf8")
    .split("\n")
    .filter((line) => line !== "");
}

/** A worker's log (text format) without the time that starts each of its lines. */
export function withoutTimes(log: string): string {
  return log.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /gm, "");
}

/** What the jobs' tasks printed, from a worker's log (text format): without the time and job that start each line. */
export function taskOutput(log: string): string {
  return withoutTimes(log).replace(/^job \d+ \S+: /gm, "");
}

/** The lines of `text` that match `pattern`. */
export function linesMatching(text: string, pattern: RegExp): string[] {
  return text.split("\n").filter((line) => pattern.test(line));
}

/** SIGTERMs a worker and waits for it to exit; SIGKILLs it if it is still running after `timeoutMs`. */
export async function stopWorker(worker: RunningJt, timeoutMs = 10_000) {
  worker.kill("SIGTERM");
  const timer = setTimeout(() => worker.stop(), timeoutMs);
  try {
    return await worker.exited;
  } finally {
    clearTimeout(timer);
  }
}
