/**
 * Executes a plan: Rake's `** Invoke` / `** Execute` trace, each task's actions in order,
 * awaited, with one context object. `ctx.invoke` plans against the same run-once set. An
 * interrupt stops the run between actions, and a running action gets a grace period to stop.
 *
 * A plan without a multitask (and no `-m`) runs step by step in Rake's order. One with a
 * multitask runs by walking the graph: each task runs once, as a promise everyone who needs it
 * shares; a multitask's prerequisites run at once in a group with its own abort signal; at most
 * `-j` actions run at a time.
 */
import { wellFormed } from "../shared/well-formed.js";
import { availableParallelism } from "node:os";
import { statSync } from "node:fs";
import type { App, EnqueuedJob, EnqueueOptions, Sh, TaskContext } from "../api/types.js";
import { Interrupted, JtError, TaskFailure, UnknownTaskError } from "../errors.js";
import { invocationChain, plan, unknownTask, type Plan, type PlannedTask, type TaskLookup } from "../plan/plan.js";
import type { Target } from "../args/brackets.js";
import type { TaskDefinition } from "../registry/task.js";
import type { ProgressUpdate } from "../report/progress.js";
import { ConcurrentWalk, type WalkHost } from "./concurrent-walk.js";
import { RunRecord } from "./run-record.js";
import { scopeWithin, type CommandScope, type Scope } from "./scope.js";
import { Lease } from "./slots.js";
import { Cancelled, isAbortOf } from "./task-group.js";
import { runLabelled } from "./task-labels.js";

export type { CommandScope } from "./scope.js";

export interface RunOptions {
  tasks: TaskLookup;
  /** `-B`: file tasks run whether or not their files are up to date. */
  buildAll?: boolean;
  /** Print the `** Invoke` / `** Execute` lines. */
  trace: boolean;
  /** Print what would run, run no action. */
  dryRun: boolean;
  /** Aborted (with an `Interrupted` reason) on SIGINT / SIGTERM. */
  signal: AbortSignal;
  /** Writes one trace line (to stderr). */
  traceLine: (line: string) => void;
  /** The `ctx.sh` of a task running in this scope. */
  sh: (scope: CommandScope) => Sh;
  /** `-j`: how many actions may run at once under concurrency (default, as Rake: CPU cores + 4). */
  jobs?: number | undefined;
  /** `-m`: every task runs its prerequisites concurrently, as a multitask does. */
  multitask?: boolean | undefined;
  /** The `environment` task and the app it boots; undefined when no environment is configured. */
  environment: { task: TaskDefinition; app: () => App | undefined } | undefined;
  /** How long a running action may take to stop after an interrupt before jt moves on to teardown. */
  interruptGraceMs: number;
  /**
   * A run whose actions all ended normally succeeds even if its signal fired meanwhile: a job
   * whose task saw the shutdown and finished its work is done. (A command-line run reports the
   * interrupt all the same, as Rake does.)
   */
  finishedRunSucceeds?: boolean;
  /** Asks the questions of `confirm` tasks in a plan, before it runs (not called for dry runs). */
  confirm: (planned: Plan) => Promise<void>;
  /** Makes sure the tasks these targets need are loaded (task files load lazily); called before planning. */
  load: (targets: readonly Target[]) => Promise<void>;
  /** Whether a task of this name is defined, its file loaded or not (ctx.reenable of one not loaded: it has not run). */
  defines?: (name: string) => boolean;
  /** Where `ctx.progress` reports go: a bar or lines in a terminal run, the job's row in a worker. */
  progress?: (task: string, update: ProgressUpdate) => void;
  /** Told when a task's actions start and end (`--job-stats`). */
  actions?: { started(task: string): void; ended(task: string, outcome: "finished" | "failed"): void } | undefined;
  /** `ctx.enqueue`: into the project's job store. */
  enqueue: (task: string, options?: EnqueueOptions) => Promise<EnqueuedJob>;
  /**
   * Wraps the actions of each target (not its prerequisites): a job's perform hooks. `perform`
   * runs them and resolves with what they returned; what `around` resolves with is the result.
   */
  aroundTarget?: (task: TaskDefinition, ctx: TaskContext, perform: () => Promise<unknown>) => Promise<unknown>;
}

/** Rake's timestamps: a file's mtime (missing: later than anything), a directory never newer, a task now. */
function timestampOf(task: TaskDefinition): number {
  if (task.file === "directory") return -Infinity;
  if (task.file === "file") return modifiedAt(task.name) ?? Infinity;
  return Infinity;
}

function modifiedAt(path: string): number | undefined {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs;
}

/**
 * An error with `message` and the frames of `stack`, taken where an action called into the
 * context: after an await its frame is gone, and the failure must point at that call.
 */
function failureAt(message: string, stack: string): Error {
  const failure = new Error(message);
  failure.stack = `Error: ${message}${stack.slice(stack.indexOf("\n"))}`;
  return failure;
}

let cores: number | undefined;

/** -j's default, as Rake's: the cores + 4 (asked once: a worker makes a Runner per job). */
function defaultJobs(): number {
  cores ??= availableParallelism();
  return cores + 4;
}

export class Runner implements WalkHost {
  /** What has run: a task runs once, and `ctx.invoke` plans from here (as Rake does). */
  readonly record = new RunRecord();
  private readonly needsEnvironment = new Map<PlannedTask, boolean>();
  private lastStarted: PlannedTask | undefined;
  /** Tasks whose actions are running now, in the order they started. */
  private readonly acting = new Set<string>();
  /** What each task's actions returned (the last value other than undefined): a job's result. */
  private readonly results = new Map<TaskDefinition, unknown>();
  /** The targets of `run` (what `aroundTarget` wraps), not tasks planned by ctx.invoke. */
  private targets = new Set<PlannedTask>();
  /** The concurrent walk and its action slots, made on first use: a worker makes a Runner per job. */
  private concurrentWalk: ConcurrentWalk | undefined;

  constructor(private readonly options: RunOptions) {}

  private get walk(): ConcurrentWalk {
    this.concurrentWalk ??= new ConcurrentWalk(this, this.options.jobs ?? defaultJobs());
    return this.concurrentWalk;
  }

  /** The tasks whose actions are running now (what an interrupt waits for). */
  runningTasks(): string[] {
    return [...this.acting];
  }

  /**
   * Resolves every target and the whole graph (names, cycles), asks the questions of `confirm`
   * tasks, and only then runs anything.
   */
  /** Runs the targets; returns what each one's actions returned (see `results`). */
  async run(targets: readonly Target[]): Promise<unknown[]> {
    await this.options.load(targets);
    const top: Scope = { signal: this.options.signal, lines: false, concurrent: false, waiter: undefined };
    const planned = plan(targets, this.options.tasks);
    this.targets = new Set(planned.roots);
    try {
      await this.confirmThenExecute(planned, top);
    } catch (error) {
      // A task that only stopped because another failed: report the failure that stopped it.
      throw error instanceof Cancelled ? error.failure : error;
    }
    // An interrupted action may still end normally (it saw ctx.signal and returned): the run was interrupted all the same.
    if (this.options.signal.aborted && this.lastStarted && !this.options.finishedRunSucceeds) throw this.interruption();
    return planned.roots.map((root) => this.results.get(root.task));
  }

  private async confirmThenExecute(planned: Plan, scope: Scope): Promise<void> {
    if (!this.options.dryRun) await this.options.confirm(planned);
    await this.execute(planned, scope);
  }

  private async execute(planned: Plan, scope: Scope): Promise<void> {
    // A dry run runs no action, so it keeps Rake's order even with multitasks: its output stays deterministic.
    if (scope.concurrent || (!this.options.dryRun && this.hasMultitask(planned))) {
      for (const root of planned.roots) await this.walk.invoke(root, { ...scope, concurrent: true });
      return;
    }
    for (const step of planned.steps) {
      if (step.kind === "invoke") {
        this.traceInvoke(step.task, step.firstTime);
      } else {
        await this.executeTask(step.planned, scope);
      }
    }
  }

  /** `** Invoke name` under --trace, with Rake's `(first_time, not_needed)`. */
  traceInvoke(task: TaskDefinition, firstTime: boolean): void {
    if (!this.options.trace) return;
    const flags = [...(firstTime ? ["first_time"] : []), ...(this.needed(task) ? [] : ["not_needed"])];
    this.options.traceLine(`** Invoke ${task.name}${flags.length === 0 ? " " : ` (${flags.join(", ")})`}`);
  }

  runsPrerequisitesAtOnce(task: TaskDefinition): boolean {
    return this.options.multitask === true || task.multitask;
  }

  interruptedOr(error: unknown): unknown {
    return this.options.signal.aborted ? this.interruption() : error;
  }

  /** A file task is needed when its file is missing or older than a prerequisite (or under -B); any other task always is. */
  private needed(task: TaskDefinition): boolean {
    if (!task.file || this.options.buildAll) return true;
    const stamp = modifiedAt(task.name);
    if (stamp === undefined) return true;
    if (task.file === "directory") return false;
    return task.prerequisites.some((written) => {
      const dep = this.options.tasks.prerequisiteOf(task, written);
      return dep === undefined || timestampOf(dep) > stamp;
    });
  }

  private hasMultitask(planned: Plan): boolean {
    return planned.steps.some((step) => step.kind === "execute" && this.runsPrerequisitesAtOnce(step.planned.task));
  }

  async executeTask(planned: PlannedTask, scope: Scope): Promise<void> {
    const { task } = planned;
    const { dryRun, trace, traceLine } = this.options;
    if (this.record.hasStarted(task)) return;
    if (!this.needed(task)) {
      this.record.markStarted(planned);
      return;
    }
    if (dryRun) {
      this.record.markStarted(planned);
      traceLine(`** Execute (dry run) ${task.name}`);
      return;
    }
    this.stopIfStopped(scope.signal);
    const lease = scope.concurrent && task.actions.length > 0 ? await Lease.take(this.walk.slots) : undefined;
    try {
      if (lease) this.stopIfStopped(scope.signal);
      this.record.markStarted(planned);
      if (trace) traceLine(`** Execute ${task.name}`);
      await this.runActions(planned, scope, lease);
    } finally {
      lease?.end();
    }
  }

  /** The task's actions, in order, with its context. */
  private async runActions(planned: PlannedTask, scope: Scope, lease: Lease | undefined): Promise<void> {
    const { task } = planned;
    this.lastStarted = planned;
    const around = this.targets.has(planned) ? this.options.aroundTarget : undefined;
    if (task.actions.length === 0 && !around) return;
    let outcome: "finished" | "failed" | undefined;
    try {
      const ctx = this.contextFor(planned, scope, lease);
      // Run alongside others (in a multitask's group, with room for more than one action): its output is labelled.
      const label = scope.lines && this.walk.slots.limit > 1 ? task.name : undefined;
      this.acting.add(task.name);
      this.options.actions?.started(task.name);
      outcome = "failed";
      const perform = async () => {
        for (const action of task.actions) {
          this.stopIfStopped(scope.signal);
          // The registry (a layer below the public API) stores actions as taking what it cannot name.
          const run = () => (action as (ctx: TaskContext) => unknown)(ctx);
          const value = await this.untilSettledOrGraceOver(label ? runLabelled(label, run) : run(), scope.signal);
          if (value !== undefined) this.results.set(task, value);
        }
        return this.results.get(task);
      };
      try {
        if (around) {
          const value = await around(task, ctx, perform);
          if (value === undefined) this.results.delete(task);
          else this.results.set(task, value);
        } else await perform();
      } catch (error) {
        throw this.failureOf(error, planned, scope.signal);
      }
      outcome = "finished";
    } finally {
      this.acting.delete(task.name);
      if (outcome) this.options.actions?.ended(task.name, outcome);
    }
  }

  /** What an action that threw (or was given up on) ends its task with. */
  private failureOf(error: unknown, planned: PlannedTask, signal: AbortSignal): unknown {
    if (error instanceof Interrupted && !error.chain) return this.interruption();
    // jt's own errors are already complete: a failure inside ctx.invoke, a refused confirm,
    // an environment module that does not load.
    if (error instanceof JtError) return error;
    if (this.options.signal.aborted) return this.interruption();
    // A task that stops because a task alongside it failed has not failed itself.
    if (isAbortOf(error, signal)) return cancellation(signal);
    if (error instanceof Cancelled) return error;
    return new TaskFailure(error, invocationChain(planned));
  }

  private stopIfStopped(signal: AbortSignal): void {
    if (this.options.signal.aborted) throw this.interruption();
    if (signal.aborted) throw cancellation(signal);
  }

  /** The interrupt, reported in the task that was running when it came (or the last one that ran). */
  private interruption(): Interrupted {
    const reason: unknown = this.options.signal.reason;
    const signal = reason instanceof Interrupted ? reason.signal : "SIGINT";
    return new Interrupted(signal, this.lastStarted ? invocationChain(this.lastStarted) : undefined);
  }

  /** Awaits an action; once its signal aborts, waits at most the grace period for it. */
  private untilSettledOrGraceOver(result: unknown, signal: AbortSignal): Promise<unknown> {
    const { interruptGraceMs } = this.options;
    const settled = Promise.resolve(result);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        timer = setTimeout(() => reject(signal.reason), interruptGraceMs);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
      settled.then(resolve, reject).finally(() => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
      });
    });
  }

  /** `lease`: the action slot the task holds, given back while `ctx.invoke` waits. */
  private contextFor(planned: PlannedTask, scope: Scope, lease: Lease | undefined): TaskContext {
    const runner = this;
    const inner = scopeWithin(scope, planned.task);
    const invoke = async (target: Target) => {
      await this.options.load([target]);
      await this.confirmThenExecute(plan([target], this.options.tasks, this.record.startedSoFar()), inner);
    };
    let sh: Sh | undefined;
    return {
      name: planned.task.name,
      args: planned.args,
      get prerequisites(): readonly string[] {
        return planned.prerequisites.map((dep) => dep.task.name);
      },
      get source(): string | undefined {
        return planned.task.sources?.[0] ?? planned.prerequisites[0]?.task.name;
      },
      signal: scope.signal,
      get sh(): Sh {
        sh ??= runner.options.sh({ signal: scope.signal, lines: scope.lines });
        return sh;
      },
      get app(): App {
        return runner.appFor(planned);
      },
      invoke: async function invokeTask(name: string, ...values: string[]) {
        // Where the action called it: a name that resolves to no task fails the task there, as in Rake.
        const site: { stack?: string } = {};
        Error.captureStackTrace(site, invokeTask);
        try {
          await (lease ? lease.whileWaiting(() => invoke({ name, values })) : invoke({ name, values }));
        } catch (error) {
          if (!(error instanceof UnknownTaskError)) throw error;
          throw failureAt(error.message, site.stack!);
        }
      },
      enqueue: (task: string, options?: EnqueueOptions) => this.options.enqueue(task, options),
      progress: function progress(done: number, total?: number, message?: string) {
        const update = progressUpdate(done, total, message);
        if (update instanceof Error) throw failureAt(update.message, stackFrom(progress));
        runner.options.progress?.(planned.task.name, update);
      },
      reenable: function reenable(name: string) {
        // Its file not loaded yet: it has not run, so there is nothing to re-enable.
        if (!runner.options.tasks.get(name) && runner.options.defines?.(name)) return;
        runner.record.forget(runner.taskNamed(name, reenable));
      },
      execute: async function execute(name: string, ...values: string[]) {
        const site: { stack?: string } = {};
        Error.captureStackTrace(site, execute);
        await runner.options.load([{ name, values }]);
        const task = runner.taskNamed(name, execute, site.stack);
        // Planned afresh (its prerequisites are not run: only `ctx.app` looks at them), with these args.
        const [root] = plan([{ name: task.name, values }], runner.options.tasks).roots;
        const executed: PlannedTask = { ...root!, invokedBy: planned };
        if (runner.options.dryRun) return runner.options.traceLine(`** Execute (dry run) ${task.name}`);
        if (runner.options.trace) runner.options.traceLine(`** Execute ${task.name}`);
        await runner.runActions(executed, inner, lease);
      },
    };
  }

  /** The task `name` names, for ctx.reenable and ctx.execute; an unknown name fails the calling task there. */
  private taskNamed(name: string, caller: (...args: never[]) => unknown, stack?: string): TaskDefinition {
    const task = this.options.tasks.resolve(name);
    if (task) return task;
    const { message } = unknownTask(name, this.options.tasks.names());
    if (stack) throw failureAt(message, stack);
    const failure = new Error(message);
    Error.captureStackTrace(failure, caller);
    throw failure;
  }

  private appFor(planned: PlannedTask): App {
    const { environment } = this.options;
    const name = planned.task.name;
    if (!environment) {
      throw new Error(
        `ctx.app is not available in task '${name}': no environment is configured. ` +
          `Add environment: "./app/environment.ts" to your jt config, and make the task depend on "environment"`,
      );
    }
    if (!this.dependsOnEnvironment(planned, environment.task)) {
      throw new Error(
        `Task '${name}' reads ctx.app but does not depend on 'environment'. ` +
          `Add it to its prerequisites: task("${name}", ["environment"], …)`,
      );
    }
    const app = environment.app();
    if (app === undefined) throw new Error(`ctx.app is not available in task '${name}': the environment has not booted`);
    return app;
  }

  /** Whether `environment` is `planned` itself or among its prerequisites, at any depth. */
  private dependsOnEnvironment(planned: PlannedTask, environment: TaskDefinition): boolean {
    const known = this.needsEnvironment.get(planned);
    if (known !== undefined) return known;
    const seen = new Set<PlannedTask>();
    const stack = [planned];
    let found = false;
    while (stack.length > 0 && !found) {
      const at = stack.pop()!;
      if (at.task === environment || this.needsEnvironment.get(at) === true) found = true;
      for (const dep of at.prerequisites) {
        if (seen.has(dep)) continue;
        seen.add(dep);
        stack.push(dep);
      }
    }
    this.needsEnvironment.set(planned, found);
    return found;
  }
}

/** The reason a task stops when its group was aborted because a task alongside it failed. */
function cancellation(signal: AbortSignal): Cancelled {
  const reason: unknown = signal.reason;
  return reason instanceof Cancelled ? reason : new Cancelled(reason);
}

/** `ctx.progress`'s arguments, checked: done a number ≥ 0, total (when given) a number > 0, message text. */
function progressUpdate(done: unknown, total: unknown, message: unknown): ProgressUpdate | Error {
  if (typeof done !== "number" || !Number.isFinite(done) || done < 0)
    return new Error(`ctx.progress: done must be a number of at least 0, not ${String(done)}`);
  if (total !== undefined && total !== null && (typeof total !== "number" || !Number.isFinite(total) || total <= 0))
    return new Error(`ctx.progress: total must be a number greater than 0 (or left out), not ${String(total)}`);
  if (message !== undefined && message !== null && typeof message !== "string")
    return new Error(`ctx.progress: message must be a string, not ${typeof message}`);
  // Stored as JSON in a job, where PostgreSQL refuses NUL and lone surrogates.
  const text = typeof message === "string" ? wellFormed(message.replaceAll("\0", "")) : null;
  return { done, total: (total as number | undefined) ?? null, message: text };
}

function stackFrom(caller: (...args: never[]) => unknown): string {
  const site: { stack?: string } = {};
  Error.captureStackTrace(site, caller);
  return site.stack!;
}
