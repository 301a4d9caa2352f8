/** The types task files see. Everything here is part of jt's public API. */
import type { ErrorMatcher } from "../shared/error-test.js";

/** `"users..."` declares a rest argument named `users`. */
export type ArgName<Declared extends string> = Declared extends `${infer Name}...` ? Name : Declared;

/** The default values a task may give, one per declared (non-rest) argument name. */
export type ArgDefaults<Names extends readonly string[]> = {
  readonly [K in Names[number] as K extends `${string}...` ? never : K]?: string;
};

/** Methods every `ctx.args` has, whatever the task declares (Rake's `extras`, `to_a`, `to_hash`). */
export interface TaskArgsBase {
  /** Values given beyond the declared names. */
  readonly extras: readonly string[];
  /** Every value given, in order. */
  toArray(): string[];
  /** The named arguments, defaults applied. */
  toObject(): Record<string, string | string[] | undefined>;
  /**
   * The argument `name` of this task, else of the task that invoked it as a prerequisite, up the
   * chain (Rake's `args[:name]`): how a prerequisite that declares no args reads its caller's.
   */
  lookup(name: string): string | string[] | undefined;
}

/**
 * `ctx.args` for a task declaring `Names` with `Defaults`: a rest argument is `string[]`,
 * an argument with a default is `string`, any other is `string | undefined`.
 */
// biome-ignore lint/complexity/noBannedTypes: {} is "no defaults given", what a const type parameter infers from an empty object.
export type TaskArgs<Names extends readonly string[] = readonly [], Defaults = {}> = {
  readonly [K in Names[number] as ArgName<K>]: K extends `${string}...`
    ? string[]
    : ArgName<K> extends keyof Defaults
      ? string
      : string | undefined;
} & TaskArgsBase;

/**
 * The application context the `environment` task boots. Augment it in your app:
 * `declare module "jobs-and-tasks" { interface App { db: Db } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: empty on purpose; apps add their members by declaration merging.
export interface App {}

/** What `setup` receives: the run's abort signal, fired when the run is interrupted. */
export interface EnvironmentContext {
  readonly signal: AbortSignal;
}

/** `setup` boots the app and returns its context; `teardown` closes it after the run, whatever happened. */
export interface EnvironmentDefinition {
  setup(context: EnvironmentContext): App | Promise<App>;
  teardown?(app: App): unknown;
}

/** A value interpolated into an `sh` command: one argument each, or several for an array. */
export type ShValue = string | number | boolean | readonly (string | number | boolean)[];

export interface ShOptions {
  /** Working directory (default: the project root). */
  readonly cwd?: string;
  /** Extra environment variables for the command. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Written to the command's stdin. */
  readonly input?: string;
  /** Milliseconds before the command is stopped and fails. */
  readonly timeout?: number;
  /** `false`: resolve with the result instead of failing the task on a non-zero exit. */
  readonly reject?: boolean;
  /**
   * Echo the command (`true`) or not (`false`), whatever `-q` / `-v` say (Rake's `verbose`). For a
   * quiet block: `const quiet = sh({ verbose: false });` and run its commands with `quiet`.
   */
  readonly verbose?: boolean;
}

/** What a finished command gives back (an execa result). */
export interface ShResult {
  /** The command as echoed. */
  readonly command: string;
  readonly exitCode: number | undefined;
  /** Everything the command printed on stdout (also shown as it ran), without the final newline. */
  readonly stdout: string;
  readonly stderr: string;
  readonly failed: boolean;
}

/**
 * Runs a command without a shell: ``await sh`git push origin ${branch}` `` passes `branch` as one
 * argument however it is spelled. The command is echoed to stderr (not under `-q`), its output shown
 * as it runs; a non-zero exit fails the task; `ctx.signal` stops it.
 */
export interface Sh {
  (template: TemplateStringsArray, ...values: ShValue[]): Promise<ShResult>;
  (file: string, args?: readonly ShValue[], options?: ShOptions): Promise<ShResult>;
  /** The same, with options: ``await sh({ cwd: "web" })`npm run build` ``. */
  (options: ShOptions): Sh;
}

/** A value for one of a task's args as a job or `runTask` takes it: numbers and booleans are converted with String(). */
export type JobArg = string | number | boolean;

/**
 * The project's tasks by name, with the args each declares in order, for the compiler: the
 * declaration file jt writes (`jt-tasks.d.ts`, refreshed whenever jt reads the task files again,
 * and by `jt types`) fills it in, as `"mail:welcome": { args: readonly [login?: JobArg] }`.
 * Until it does, any name and any args are allowed.
 */
// biome-ignore lint/suspicious/noEmptyInterface: empty on purpose; jt's declaration file adds the project's tasks by declaration merging.
export interface Tasks {}

/** One of the project's task names (any string in a project jt has not written its declaration file for). */
export type TaskName = [keyof Tasks] extends [never] ? string : Extract<keyof Tasks, string>;

/** The args task `N` declares, in order (any, for a name the declaration file does not know). */
export type TaskArgValues<N extends string> = N extends keyof Tasks
  ? Tasks[N] extends { readonly args: infer A extends readonly unknown[] }
    ? A
    : readonly JobArg[]
  : readonly JobArg[];

/** The same as `ctx.invoke` and `ctx.execute` take them: strings. */
export type TaskArgStrings<N extends string> = StringsFor<TaskArgValues<N>>;

type StringsFor<A extends readonly unknown[]> = { -readonly [K in keyof A]: string };

/**
 * A task name typed as `string` or a template of strings (read from a variable, built at run time:
 * `` `report:${kind}` ``): allowed, since it cannot be checked before it runs. A literal name must
 * be a `TaskName`.
 */
// biome-ignore lint/complexity/noBannedTypes: {} extends a record of N only when N is no literal (string, or a template with a string hole).
export type UncheckedTaskName<N extends string> = {} extends Record<N, 1> ? N : never;

/** How to enqueue a task as a background job. */
export interface EnqueueOptions<Args extends readonly unknown[] = readonly JobArg[]> {
  /**
   * The task's arguments, in order (as in `jt task[a,b]`): strings; numbers and booleans are
   * converted with String(). Anything else (objects, arrays, null, undefined, NaN) throws an
   * EnqueueError: pass an id and load the record in the task.
   */
  readonly args?: Args;
  /** Run no sooner than this long from now: "5m", "30s", or milliseconds. */
  readonly wait?: string | number;
  /** Run no sooner than this time. */
  readonly waitUntil?: Date;
  /** Overrides the task's queue. */
  readonly queue?: string;
  /** Overrides the task's priority (lower runs first). */
  readonly priority?: number;
  /**
   * No second live (queued or running) job with the same key: `true` keys on the task and its
   * args, a string is a key of your own. Enqueueing a duplicate returns the existing job.
   */
  readonly unique?: boolean | string;
  /** A `pg` client inside your open transaction: the job exists only if that transaction commits (PostgreSQL). */
  readonly db?: TransactionClient;
}

/** A job as enqueued. */
export interface EnqueuedJob {
  readonly id: number;
  readonly task: string;
  readonly args: readonly string[];
  readonly queue: string;
  readonly runAt: Date;
  /**
   * True when an existing job was returned instead of a new one: the live job with the same unique
   * key, or (a debounced task) the waiting job this enqueue replaced, which now has these args.
   */
  readonly duplicate: boolean;
  /** What enqueue hooks attached to it (see `JobHooks`). */
  readonly meta: Readonly<Record<string, string>>;
}

/** A job about to be enqueued, as enqueue hooks see it: checked, not written yet. */
export interface EnqueueingJob {
  readonly task: string;
  readonly args: readonly string[];
  readonly queue: string;
  readonly priority: number;
  /** When it is due; undefined for now. */
  readonly runAt: Date | undefined;
  /**
   * Strings the job carries to its perform hooks, on any worker (a trace context, a tenant id):
   * set them here (`job.meta.tenant = "acme"`). Values must be strings.
   */
  readonly meta: Record<string, string>;
}

/** A job a worker is running, as perform hooks see it. */
export interface PerformingJob {
  readonly id: number;
  readonly task: string;
  readonly args: readonly string[];
  readonly queue: string;
  /** This run's number (the first is 1), and how many it may have. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** What enqueue hooks attached to it. */
  readonly meta: Readonly<Record<string, string>>;
}

/** The perform hooks a task may declare (`hooks` in its spec); `ctx` is its own, typed by its args. */
export interface PerformHooks<Ctx = TaskContext> {
  /** Before the task's actions, after its prerequisites (`ctx.app` is booted when it depends on `environment`). Throwing fails the run. */
  beforePerform?(job: PerformingJob, ctx: Ctx): unknown;
  /**
   * Around the task's actions: call `perform()` (once) and return what it resolves with, or let
   * its error go on. It sees the task's error as thrown; a hook that catches it and returns makes
   * the run succeed. Not calling `perform()` skips the actions.
   */
  aroundPerform?(job: PerformingJob, ctx: Ctx, perform: () => Promise<unknown>): unknown;
  /** After the actions ended without an error, with what they returned. Throwing fails the run. */
  afterPerform?(job: PerformingJob, ctx: Ctx, result: unknown): unknown;
}

/**
 * Middleware around enqueueing and running jobs, in the project's hooks module (`jobs.hooks` in
 * the config: `export default defineJobHooks(tracing, tenants)`). Each set is a layer: the first
 * wraps the rest, and a task's own `hooks` are the innermost. A hook that throws is reported as
 * that hook's failure: an enqueue hook's fails the enqueue (nothing is written unless the job
 * was, as for `afterEnqueue`), a perform hook's fails the job's run, which is retried as usual.
 */
export interface JobHooks extends PerformHooks {
  /** Named in the report of a failure of one of its hooks. */
  readonly name?: string;
  /** Before the job is written. Throwing refuses it (and every job of an `enqueueMany`). */
  beforeEnqueue?(job: EnqueueingJob): unknown;
  /** Around writing it: call `enqueue()` once and return its job. */
  aroundEnqueue?(job: EnqueueingJob, enqueue: () => Promise<EnqueuedJob>): Promise<EnqueuedJob>;
  /** After it is written (with the `db` option: in your transaction, not committed yet). */
  afterEnqueue?(job: EnqueuedJob): unknown;
}

export type JobState = "queued" | "running" | "completed" | "failed" | "cancelled";

/** What a running job last reported with `ctx.progress`. */
export interface JobProgress {
  readonly done: number;
  /** Null when the task did not say how much there is. */
  readonly total: number | null;
  readonly message: string | null;
  /** When it was reported. */
  readonly at: Date;
}

/** A job as app code reads it back: `createJobs().get(id)` and `.waitFor(id)`. */
export interface JobStatus {
  readonly id: number;
  readonly task: string;
  readonly args: readonly string[];
  readonly queue: string;
  /** `failed` is for good: a job waiting for a retry is `queued`, its error in `lastError`. */
  readonly state: JobState;
  /** Runs started so far, and how many it may have. */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly runAt: Date;
  /** When its latest attempt started. */
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly progress: JobProgress | null;
  /** What its task returned, as JSON gives it back, once completed; null when it returned nothing. */
  readonly result: unknown;
  /** The message of its latest failed attempt. */
  readonly lastError: string | null;
}

/**
 * Your app's connection to PostgreSQL, as `pg` gives it (a `PoolClient` inside your transaction, a
 * `Client`, a `Pool`): whatever has pg's `query(text, values)`.
 */
export interface TransactionClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** How a `rule` names a source of the file it makes: `".c"`, `"src/%n.c"`, a path, or a function of the name. */
export type RuleSource = string | ((name: string) => string | readonly string[]);

/** What every action receives. */
export interface TaskContext<Args = TaskArgs> {
  /** The task's full name, namespaces included (`"db:migrate"`). */
  readonly name: string;
  readonly args: Args;
  /** Its prerequisites' full names, in order (a file task's files). */
  readonly prerequisites: readonly string[];
  /** The first of them: the file a `rule` makes this one from (Rake's `t.source`). */
  readonly source: string | undefined;
  /**
   * The app the `environment` task booted (typed by your `App` augmentation). Only tasks that
   * depend on `"environment"`, directly or through their prerequisites, may read it.
   */
  readonly app: App;
  /** Runs a command; see `Sh`. */
  readonly sh: Sh;
  /** Fires when the run is interrupted (Ctrl-C, SIGTERM) or a sibling task failed. */
  readonly signal: AbortSignal;
  /**
   * Runs another task, and its prerequisites, unless it already ran in this run (Rake's `invoke`).
   * Values are its positional arguments.
   */
  invoke<N extends string>(name: UncheckedTaskName<N>, ...values: string[]): Promise<void>;
  invoke<N extends TaskName>(name: N, ...values: TaskArgStrings<N>): Promise<void>;
  /**
   * Lets a task that already ran in this run run again at its next `invoke` (Rake's `reenable`):
   * a loop over tenants invokes, re-enables, invokes again. Its prerequisites stay done.
   */
  reenable<N extends string>(name: UncheckedTaskName<N>): void;
  reenable<N extends TaskName>(name: N): void;
  /**
   * Runs a task's actions now with these values, without its prerequisites and whether or not it
   * already ran (Rake's `execute`); it does not count as run for a later `invoke`.
   */
  execute<N extends string>(name: UncheckedTaskName<N>, ...values: string[]): Promise<void>;
  execute<N extends TaskName>(name: N, ...values: TaskArgStrings<N>): Promise<void>;
  /** Enqueues a task as a background job (see `enqueue`), in the project's job store. */
  enqueue<N extends string>(task: UncheckedTaskName<N>, options?: EnqueueOptions): Promise<EnqueuedJob>;
  enqueue<N extends TaskName>(task: N, options?: EnqueueOptions<TaskArgValues<N>>): Promise<EnqueuedJob>;
  /**
   * Reports how far the task has got: `done` of `total` (leave `total` out when it is not known),
   * with an optional message. A terminal run draws a progress bar (plain lines, a few a second at
   * most, when the output is not a terminal); in a job it is stored with the job (at most about
   * twice a second) for `jt jobs:show`, `jobs:list` and app code to read.
   */
  progress(done: number, total?: number, message?: string): void;
}

export type TaskAction<Args = TaskArgs> = (ctx: TaskContext<Args>) => unknown;

/** The options form of `task(name, spec, action)`. */
// biome-ignore lint/complexity/noBannedTypes: {} is "no defaults given", what a const type parameter infers from an empty object.
export interface TaskSpec<Names extends readonly string[] = readonly [], Defaults extends ArgDefaults<Names> = {}> {
  /** Prerequisites, run first, each at most once per run. */
  readonly deps?: readonly string[];
  /** Argument names, in command-line order; `"rest..."` (last) collects the remaining values. */
  readonly args?: Names;
  /** Values for arguments not given. */
  readonly defaults?: Defaults;
  /** The description shown by `jt -T` (the same as calling `desc` first). */
  readonly desc?: string;
  /**
   * With NODE_ENV=production, ask this question before the run starts (`--yes` answers it);
   * with no terminal to ask on and no `--yes`, the run stops before anything runs.
   */
  readonly confirm?: string;
  /** As a background job: the queue it goes to (default "default"). */
  readonly queue?: string;
  /** As a background job: lower numbers run first (default 0). */
  readonly priority?: number;
  /**
   * As a background job: how many runs in all (the first included; default 5, so `attempts: 1`
   * never retries), and the delay before each retry (default "polynomial", Sidekiq's formula).
   * `on`: only errors it matches are retried (others fail the job for good); `discardOn`: errors
   * it matches fail the job for good at once. Each takes an error class, a list of them, or a
   * function `(error) => boolean`. A task can also throw (or return) `Discard` and `Snooze`.
   */
  readonly retry?: {
    readonly attempts?: number;
    readonly backoff?: "polynomial" | "exponential" | number;
    readonly on?: ErrorMatcher;
    readonly discardOn?: ErrorMatcher;
  };
  /** As a background job: abort `ctx.signal` and fail the attempt after this long ("30s", or ms). */
  readonly timeout?: string | number;
  /** Enqueue it on this cron schedule ("0 3 * * *"; a sixth, leading field counts seconds). Workers run the clock. */
  readonly cron?: string;
  /** The time zone of `cron` ("Europe/Paris"); default UTC. */
  readonly tz?: string;
  /** Slots missed while no worker ran are enqueued if they are this recent (default "1m"). */
  readonly catchUp?: string | number;
  /**
   * As a background job: an enqueue waits `wait` before it runs, and a new enqueue within that
   * time replaces the job still waiting (its args win, its wait starts again), so a burst runs
   * once after it settles. `key`: the args whose values tell bursts apart (default: the task's
   * jobs are one burst). Unlike `unique`, which keeps the first job, the last one wins.
   */
  readonly debounce?: { readonly wait: string | number; readonly key?: ArgName<Names[number]> | readonly ArgName<Names[number]>[] };
  /**
   * As a background job: at most `limit` of its jobs run at once, on every worker of every
   * machine; with `key`, at most `limit` per value of these args (`key: "accountId"`: one sync per
   * account at a time). A job over the limit waits in the queue, holding no worker slot and using
   * no attempt.
   */
  readonly concurrency?: { readonly limit: number; readonly key?: ArgName<Names[number]> | readonly ArgName<Names[number]>[] };
  /**
   * As a background job: at most `max` of its jobs start in each period of `per` ("1s", "1m"),
   * on every worker of every machine; with `key`, per value of these args. Jobs over it wait for
   * the next period in the queue: delayed, not failed, using no attempt.
   */
  readonly rateLimit?: {
    readonly max: number;
    readonly per: string | number;
    readonly key?: ArgName<Names[number]> | readonly ArgName<Names[number]>[];
  };
  /**
   * As a background job: hooks around its run, inside the project's (see `JobHooks`). Enqueue
   * hooks are the project's only: app code enqueues without loading task files.
   */
  readonly hooks?: PerformHooks<TaskContext<TaskArgs<Names, Defaults>>>;
}
