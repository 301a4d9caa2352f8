import type { ArgsSpec } from "../args/task-arguments.js";
import type { SourceLocation } from "./source-location.js";

/** The built-in task that boots the app; it exists when the config names an environment module. */
export const ENVIRONMENT = "environment";

/** What an action receives; the public, typed view of it lives in `src/api`. */
export type Action = (ctx: never) => unknown;

/** A task as defined by one or more `task()` calls (redefinition adds to it, as in Rake). */
export interface TaskDefinition {
  readonly name: string;
  /** The namespaces of its name; its prerequisites are looked up from here outwards. */
  readonly scope: readonly string[];
  readonly comments: string[];
  /** As written (`"migrate"`, `"^setup"`, `"db:migrate"`), in order, without repeats. */
  readonly prerequisites: string[];
  readonly actions: Action[];
  args: ArgsSpec;
  readonly locations: SourceLocation[];
  multitask: boolean;
  /** Asked before a production run (`confirm` in the task's options). */
  confirm: string | undefined;
  /** How the task runs as a background job (queue, priority, retries, timeout, schedule). */
  job: TaskJobSettings;
  /**
   * A file task (Rake's `file`): its name is a path from the project root, and it runs only when
   * that file is missing or older than a prerequisite; "directory": Rake's `directory`, made when
   * missing, never making its dependents out of date.
   */
  file?: "file" | "directory";
  /** The sources of the rule that made it or gave it its actions (Rake's `sources`); its `ctx.source` is the first. */
  sources?: string[];
}

export interface TaskJobSettings {
  queue?: string;
  priority?: number;
  /** Runs allowed in all, the first included. */
  attempts?: number;
  backoff?: "polynomial" | "exponential" | number;
  /** retry.on as one test: only errors it matches are retried (functions: the manifest leaves them out). */
  retryOn?: (error: unknown) => boolean;
  /** retry.discardOn as one test: errors it matches fail the job for good at once. */
  discardOn?: (error: unknown) => boolean;
  timeoutMs?: number;
  cron?: string;
  tz?: string;
  catchUpMs?: number;
  /** A new enqueue replaces the job still waiting with the same values of these args (none: of the task), due `waitMs` later. */
  debounce?: { waitMs: number; key: readonly string[] };
  /** At most `limit` of its jobs with the same values of these args (none: any) run at once, cluster-wide. */
  concurrency?: { limit: number; key: readonly string[] };
  /** At most `max` of its jobs with the same values of these args start in each window of `perMs`, cluster-wide. */
  rateLimit?: { max: number; perMs: number; key: readonly string[] };
  /** Its perform hooks (functions: the manifest leaves them out). */
  hooks?: TaskPerformHooks;
}

/** A task's perform hooks as the registry keeps them (the public `PerformHooks`, its ctx untyped). */
export interface TaskPerformHooks {
  beforePerform?(job: unknown, ctx: unknown): unknown;
  aroundPerform?(job: unknown, ctx: unknown, perform: () => Promise<unknown>): unknown;
  afterPerform?(job: unknown, ctx: unknown, result: unknown): unknown;
}
