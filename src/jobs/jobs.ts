/**
 * Enqueueing: a task invocation checked against the task's definition (it exists, its args fit),
 * turned into a job row with the task's queue, priority and retry settings unless the caller
 * overrides them. Used by `enqueue` in app code, `ctx.enqueue` in tasks and `jt jobs:enqueue`.
 */
import { formatTarget } from "../args/brackets.js";
import { isRestArg } from "../args/task-arguments.js";
import type { TaskDefinition } from "../registry/task.js";
import { closeMatches } from "../shared/suggest.js";
import { parseDuration } from "../shared/duration.js";
import type { EnqueuedJob, EnqueueingJob, EnqueueOptions } from "../api/types.js";
import { enqueueThroughHooks, type HookSet } from "./hooks.js";
import type { Job, JobStore, NewJob } from "./store/store.js";

export const DEFAULT_QUEUE = "default";
export const DEFAULT_ATTEMPTS = 5;

/** The tasks a job may name: the registry, or the manifest's copy of it. */
export interface TaskCatalog {
  get(name: string): TaskDefinition | undefined;
  names(): Iterable<string>;
}

/** Why a job cannot be enqueued; raised before anything is written. */
export class EnqueueError extends Error {
  override readonly name = "EnqueueError";
}

export class Jobs {
  private hooks: Promise<readonly HookSet[]> | undefined;

  constructor(
    readonly store: JobStore,
    readonly catalog: TaskCatalog,
    /** Loads the project's hook sets (once, on first use). */
    private readonly loadHooks: () => Promise<readonly HookSet[]> = async () => [],
  ) {}

  /** The project's hook sets, outermost first. */
  hookSets(): Promise<readonly HookSet[]> {
    this.hooks ??= this.loadHooks().catch((error: unknown) => {
      this.hooks = undefined;
      throw error;
    });
    return this.hooks;
  }

  async enqueue(task: string, options: EnqueueOptions = {}): Promise<EnqueuedJob> {
    const [job] = await this.enqueueMany([{ task, options }]);
    return job!;
  }

  /** Several jobs in one transaction (all checked first): the fast way to enqueue many. */
  async enqueueMany(requests: readonly { task: string; options?: EnqueueOptions }[]): Promise<EnqueuedJob[]> {
    // The store's clock costs a round trip on PostgreSQL: read it only for a delay ("in 5 minutes").
    const now = requests.some((r) => r.options?.wait !== undefined || this.catalog.get(r.task)?.job.debounce) ? await this.store.now() : 0;
    const rows = requests.map(({ task, options = {} }) => this.newJob(task, options, now));
    const connection = requests.find((r) => r.options?.db !== undefined)?.options?.db;
    const write = async () => (await this.store.enqueue(rows, connection)).map(({ job, inserted }) => enqueued(job, !inserted));
    const sets = await this.hookSets();
    if (sets.length === 0) return write();
    const drafts = rows.map((row) => draftOf(row));
    return enqueueThroughHooks(sets, drafts, () => {
      for (const [i, row] of rows.entries()) row.meta = checkedMeta(row.task, drafts[i]!.meta);
      return write();
    });
  }

  /** Checks the invocation against the task's definition and builds its row. */
  newJob(taskName: string, options: EnqueueOptions, now: number): NewJob {
    return newJobRow(this.catalog, taskName, options, now);
  }
}

/** An invocation checked against the task's definition (it exists, its args fit), as the row it would be: nothing is written. */
export function newJobRow(catalog: TaskCatalog, taskName: string, options: EnqueueOptions, now: number): NewJob {
  const task = catalog.get(taskName);
  if (!task) {
    const matches = closeMatches(taskName, catalog.names());
    throw new EnqueueError(
      `Cannot enqueue '${taskName}': there is no such task${matches.length > 0 ? ` (did you mean ${matches.map((m) => `'${m}'`).join(", ")}?)` : ""}`,
    );
  }
  const args = jobArgs(taskName, options.args);
  const names = task.args.names;
  if (!names.some(isRestArg) && args.length > names.length) {
    const takes = names.length === 0 ? "takes no args" : `takes ${names.length} arg${names.length === 1 ? "" : "s"} [${names.join(",")}]`;
    throw new EnqueueError(`Cannot enqueue ${formatTarget(taskName, args)}: '${taskName}' ${takes}, not ${args.length}`);
  }
  const debounce = task.job.debounce;
  if (debounce && options.unique !== undefined && options.unique !== false) {
    throw new EnqueueError(`Cannot enqueue '${taskName}' with unique: it is debounced (a new enqueue replaces the job still waiting)`);
  }
  return {
    task: taskName,
    args,
    queue: options.queue ?? task.job.queue ?? DEFAULT_QUEUE,
    priority: options.priority ?? task.job.priority ?? 0,
    runAt: runAtOf(taskName, options, now) ?? (debounce ? now + debounce.waitMs : null),
    maxAttempts: task.job.attempts ?? DEFAULT_ATTEMPTS,
    uniqueKey: options.unique === true ? formatTarget(taskName, args) : typeof options.unique === "string" ? options.unique : null,
    debounceKey: debounce ? keyOf(task, args, debounce.key) : null,
    concurrencyKey: task.job.concurrency ? keyOf(task, args, task.job.concurrency.key) : null,
    concurrencyLimit: task.job.concurrency?.limit ?? null,
    rateKey: task.job.rateLimit ? keyOf(task, args, task.job.rateLimit.key) : null,
    rateMax: task.job.rateLimit?.max ?? null,
    ratePerMs: task.job.rateLimit?.perMs ?? null,
  };
}

/** A debounce or concurrency key: the task and the values of these args. */
function keyOf(task: TaskDefinition, args: readonly string[], names: readonly string[]): string {
  return JSON.stringify([task.name, ...names.map((name) => argValue(task, args, name))]);
}

/** The value a job will see for a declared arg: given, or its default (a rest arg: every value it collects). */
function argValue(task: TaskDefinition, args: readonly string[], name: string): string {
  const names = task.args.names;
  const rest = names.indexOf(`${name}...`);
  if (rest !== -1) return args.slice(rest).join(",");
  return args[names.indexOf(name)] ?? task.args.defaults[name] ?? "";
}

/**
 * Job args are what a command line can carry: strings, with numbers and booleans converted by
 * String(). Anything else would be stored as "[object Object]", "null" or "undefined" and run as
 * that, so it is refused here, the same way on every store (Rails' rule: pass an id, load the
 * record in the task).
 */
function jobArgs(task: string, given: unknown): string[] {
  if (given === undefined) return [];
  if (!Array.isArray(given)) {
    const scalar = typeof given === "string" || typeof given === "number" || typeof given === "boolean";
    throw new EnqueueError(
      `Cannot enqueue '${task}': args must be an array${scalar ? ` (args: [${JSON.stringify(given)}])` : " of strings"}, not ${describe(given)}`,
    );
  }
  return given.map((value: unknown, index) => {
    if (typeof value === "string") {
      if (value.includes("\0"))
        throw new EnqueueError(`Cannot enqueue '${task}': args[${index}] contains a NUL character, which a job arg cannot hold`);
      return value;
    }
    if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean") return String(value);
    throw new EnqueueError(
      `Cannot enqueue '${task}': args[${index}] is ${describe(value)}; job args are strings (numbers and booleans are converted with String()): pass an id or a name, and load the record in the task`,
    );
  });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return "a string";
  if (typeof value === "object") return value instanceof Date ? "a Date" : "an object";
  return typeof value === "undefined" ? "undefined" : `a ${typeof value}`;
}

function runAtOf(task: string, options: EnqueueOptions, now: number): number | null {
  if (options.waitUntil !== undefined) {
    if (!(options.waitUntil instanceof Date) || Number.isNaN(options.waitUntil.getTime())) {
      throw new EnqueueError(`Cannot enqueue '${task}': waitUntil must be a valid Date`);
    }
    return options.waitUntil.getTime();
  }
  if (options.wait !== undefined) {
    const ms = parseDuration(options.wait);
    if (ms === undefined)
      throw new EnqueueError(
        `Cannot enqueue '${task}': wait must be a duration like "5m", "30s" or milliseconds, not ${JSON.stringify(options.wait)}`,
      );
    return now + ms;
  }
  return null;
}

function enqueued(job: Job, duplicate: boolean): EnqueuedJob {
  return { id: job.id, task: job.task, args: job.args, queue: job.queue, runAt: new Date(job.runAt), duplicate, meta: job.meta };
}

/** A job's row as enqueue hooks see it, its meta theirs to fill. */
function draftOf(row: NewJob): EnqueueingJob {
  return {
    task: row.task,
    args: [...row.args],
    queue: row.queue,
    priority: row.priority,
    runAt: row.runAt === null ? undefined : new Date(row.runAt),
    meta: {},
  };
}

/** What hooks put in a job's meta, checked: string values, as the job carries them. */
function checkedMeta(task: string, meta: unknown): Record<string, string> {
  if (typeof meta !== "object" || meta === null || Array.isArray(meta))
    throw new EnqueueError(
      `Cannot enqueue '${task}': an enqueue hook replaced its meta with ${Array.isArray(meta) ? "an array" : String(meta)}`,
    );
  for (const [key, value] of Object.entries(meta)) {
    if (typeof value !== "string")
      throw new EnqueueError(
        `Cannot enqueue '${task}': meta.${key} is ${typeof value}; a job's meta holds strings (String() it, or JSON.stringify)`,
      );
  }
  return { ...(meta as Record<string, string>) };
}
