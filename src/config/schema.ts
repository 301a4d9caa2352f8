/**
 * The keys a jt config may have, their types and defaults. Validation is strict: an unknown
 * key or a wrong type is a definition error, never silently ignored.
 */
import { DefinitionError } from "../errors.js";
import { parseDuration } from "../shared/duration.js";
import { closeMatches } from "../shared/suggest.js";

/** What users write in `jt.config.*`, `.jtrc*` or `"jt"` in package.json. */
export interface UserConfig {
  /** Directory (or directories) holding task files, relative to the project root. Default `"tasks"`. */
  tasksDir?: string | string[];
  /** The module whose default export is `defineEnvironment({ setup, teardown })`, relative to the root. */
  environment?: string;
  /** Env files loaded before tasks (never overriding variables already set). Default `".env"`; `false` turns it off. */
  dotenv?: boolean | string | string[];
  /** Background jobs. */
  jobs?: JobsConfig;
  /**
   * The declaration file typing task names and args (relative to the root): default
   * "jt-tasks.d.ts", written when the project has a tsconfig.json; `false` turns it off.
   */
  types?: string | false;
}

/** The `jobs` settings; durations are milliseconds or strings like "30s", "5m", "7d". */
export interface JobsConfig {
  /** Where jobs are kept: a SQLite file path ("db/jobs.sqlite3", the default; or "sqlite:path"), or a postgres:// URL. */
  store?: string;
  /** How many jobs a worker runs at once. Default 5. */
  concurrency?: number;
  /**
   * How many jobs a worker claims ahead of free slots, to start them without a trip to the store.
   * Faster for many short jobs; a claimed job waits for a slot although another worker may be idle.
   * Default 0.
   */
  prefetch?: number;
  /** How long a claimed job stays leased without a heartbeat. Default "30s". */
  lease?: string | number;
  /** How often an idle worker looks for jobs (it is also woken when jobs are enqueued). Default "1s". */
  pollInterval?: string | number;
  /** On SIGTERM, how long a worker waits for running jobs before releasing them. Default "25s" (Heroku allows 30). */
  shutdownTimeout?: string | number;
  /** Completed jobs are deleted after this long. Default "7d". */
  pruneAfter?: string | number;
  /** The worker's log: "text" (timestamped lines, default) or "json" (one object per line, for log drains). */
  logFormat?: "text" | "json";
  /**
   * The module whose default export is the project's job hooks (`defineJobHooks(...)`), relative
   * to the root: they run around every enqueue (app code, tasks, the CLI) and every job's run.
   */
  hooks?: string;
  /**
   * Spans for enqueues and job runs, the trace context carried in the job: `true` needs
   * `@opentelemetry/api` installed in the app, `false` turns it off; by default it is on when the
   * app has `@opentelemetry/api`.
   */
  openTelemetry?: boolean;
}

/** The config after validation and defaults. */
export interface ResolvedConfig {
  tasksDirs: string[];
  environment: string | undefined;
  /** Env files to load; `required` when the config named them (a missing one is then an error). */
  dotenv: { files: string[]; required: boolean };
  jobs: ResolvedJobsConfig;
  /** Where the declaration file goes; `always`: configured, so written without a tsconfig.json too. Undefined: off. */
  types: { file: string; always: boolean } | undefined;
}

export interface ResolvedJobsConfig {
  /** As configured; undefined means JT_JOBS_URL, else the default SQLite file. */
  store: string | undefined;
  concurrency: number;
  prefetch: number;
  leaseMs: number;
  pollMs: number;
  shutdownTimeoutMs: number;
  pruneAfterMs: number;
  logFormat: "text" | "json";
  /** As configured (relative to the root). */
  hooks: string | undefined;
  /** Undefined: on when the app has `@opentelemetry/api`. */
  openTelemetry: boolean | undefined;
}

type Check = (value: unknown) => string | undefined;

const isStringOrStrings: Check = (value) => {
  if (typeof value === "string" && value.trim() !== "") return undefined;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && v.trim() !== "")) return undefined;
  return "a directory path or a non-empty array of paths";
};

const isPath: Check = (value) => (typeof value === "string" && value.trim() !== "" ? undefined : "a module path");

const isDotenv: Check = (value) =>
  typeof value === "boolean" || isStringOrStrings(value) === undefined ? undefined : "true, false, a file path or an array of paths";

const isDurationValue: Check = (value) =>
  parseDuration(value) !== undefined ? undefined : 'a duration like "30s", "5m" or a number of milliseconds';

const JOBS_KEYS: Record<keyof JobsConfig, Check> = {
  store: (value) => (typeof value === "string" && value.trim() !== "" ? undefined : "a SQLite file path or a postgres:// URL"),
  concurrency: (value) => (Number.isInteger(value) && (value as number) >= 1 ? undefined : "a whole number of at least 1"),
  prefetch: (value) => (Number.isInteger(value) && (value as number) >= 0 ? undefined : "a whole number, 0 or more"),
  lease: isDurationValue,
  pollInterval: isDurationValue,
  shutdownTimeout: isDurationValue,
  pruneAfter: isDurationValue,
  logFormat: (value) => (value === "text" || value === "json" ? undefined : '"text" or "json"'),
  hooks: isPath,
  openTelemetry: (value) => (typeof value === "boolean" ? undefined : "true or false"),
};

const KEYS: Record<keyof UserConfig, Check> = {
  tasksDir: isStringOrStrings,
  environment: isPath,
  dotenv: isDotenv,
  jobs: (value) => (typeof value === "object" && value !== null && !Array.isArray(value) ? undefined : "an object of job settings"),
  types: (value) =>
    value === false || (typeof value === "string" && value.endsWith(".d.ts")) ? undefined : 'false or a path ending in ".d.ts"',
};

export function validateConfig(raw: unknown, file: string): ResolvedConfig {
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new DefinitionError(`Invalid config in ${file}: expected an object of settings, got ${describe(raw)}`);
  }
  checkKeys(raw as Record<string, unknown>, KEYS, file, "");
  const config = raw as UserConfig;
  if (config.jobs) checkKeys(config.jobs as Record<string, unknown>, JOBS_KEYS, file, "jobs.");
  const jobs = config.jobs ?? {};
  const tasksDir = config.tasksDir ?? "tasks";
  const dotenv = config.dotenv ?? true;
  return {
    tasksDirs: Array.isArray(tasksDir) ? tasksDir : [tasksDir],
    environment: config.environment,
    dotenv:
      dotenv === false
        ? { files: [], required: false }
        : dotenv === true
          ? { files: [".env"], required: false }
          : { files: Array.isArray(dotenv) ? dotenv : [dotenv], required: true },
    jobs: {
      store: jobs.store,
      concurrency: jobs.concurrency ?? 5,
      prefetch: jobs.prefetch ?? 0,
      leaseMs: parseDuration(jobs.lease ?? "30s")!,
      pollMs: parseDuration(jobs.pollInterval ?? "1s")!,
      shutdownTimeoutMs: parseDuration(jobs.shutdownTimeout ?? "25s")!,
      pruneAfterMs: parseDuration(jobs.pruneAfter ?? "7d")!,
      logFormat: jobs.logFormat ?? "text",
      hooks: jobs.hooks,
      openTelemetry: jobs.openTelemetry,
    },
    types: config.types === false ? undefined : { file: config.types ?? "jt-tasks.d.ts", always: config.types !== undefined },
  };
}

function checkKeys(values: Record<string, unknown>, checks: Record<string, Check>, file: string, prefix: string): void {
  for (const [key, value] of Object.entries(values)) {
    if (prefix === "" && key === "$schema") continue;
    // A key set to undefined is not set: `store: process.env.DATABASE_URL` when the variable is not.
    if (value === undefined) continue;
    const check = checks[key];
    if (!check) {
      const matches = closeMatches(key, Object.keys(checks), 1);
      const hint = matches.length > 0 ? ` (did you mean '${prefix}${matches[0]}'?)` : "";
      throw new DefinitionError(`Invalid config in ${file}: unknown key '${prefix}${key}'${hint}`, [
        `Known keys: ${Object.keys(checks)
          .map((k) => prefix + k)
          .join(", ")}`,
      ]);
    }
    const problem = check(value);
    if (problem) throw new DefinitionError(`Invalid config in ${file}: '${prefix}${key}' must be ${problem}, got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array ${JSON.stringify(value)}`;
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}
