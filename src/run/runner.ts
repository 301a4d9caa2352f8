/**
 * Executes a plan: Rake's `** Invoke` / `** Execute` trace, each task's actions in order,
 * awaited, with one context object. `ctx.invoke` plans against the same run-once set. An
 * interrupt stops the run between actions, and a running action gets a grace period to stop.
 */
import type { App, Sh, TaskContext } from "../api/types.js";
import { Interrupted, JtError, TaskFailure } from "../errors.js";
import { invocationChain, plan, type InvokedSet, type Plan, type PlannedTask, type Target, type TaskLookup } from "../plan/plan.js";
import type { TaskDefinition } from "../registry/task.js";

export interface RunOptions {
  tasks: TaskLookup;
  /** Print the `** Invoke` / `** Execute` lines. */
  trace: boolean;
  /** Print what would run, run no action. */
  dryRun: boolean;
  /** Aborted (with an `Interrupted` reason) on SIGINT / SIGTERM. */
  signal: AbortSignal;
  /** Writes one trace line (to stderr). */
  traceLine: (line: string) => void;
  sh: Sh;
  /** The `environment` task and the app it boots; undefined when no environment is configured. */
  environment: { task: TaskDefinition; app: () => App | undefined } | undefined;
  /** How long a running action may take to stop after an interrupt before jt moves on to teardown. */
  interruptGraceMs: number;
  /** Asks the questions of `confirm` tasks in a plan, before it runs (not called for dry runs). */
  confirm: (planned: Plan) => Promise<void>;
  /** Makes sure the tasks these targets need are loaded (task files load lazily); called before planning. */
  load: (targets: readonly Target[]) => Promise<void>;
}

export class Runner {
  /**
   * Tasks that have started to execute in this run. A task runs once: a later step for it is
   * skipped, and `ctx.invoke` plans from here, so it runs a task now unless it already ran,
   * even one that a later target will need (as Rake does).
   */
  private readonly started: InvokedSet = new Map();
  private readonly needsEnvironment = new Map<PlannedTask, boolean>();
  private lastStarted: PlannedTask | undefined;

  constructor(private readonly options: RunOptions) {}

  /**
   * Resolves every target and the whole graph (names, cycles), asks the questions of `confirm`
   * tasks, and only then runs anything.
   */
  async run(targets: readonly Target[]): Promise<void> {
    await this.options.load(targets);
    await this.confirmThenExecute(plan(targets, this.options.tasks));
    // An interrupted action may still end normally (it saw ctx.signal and returned): the run was interrupted all the same.
    if (this.options.signal.aborted && this.lastStarted) throw this.interruption();
  }

  private async confirmThenExecute(planned: Plan): Promise<void> {
    if (!this.options.dryRun) await this.options.confirm(planned);
    await this.execute(planned);
  }

  private async execute(planned: Plan): Promise<void> {
    const { trace, traceLine } = this.options;
    for (const step of planned.steps) {
      if (step.kind === "invoke") {
        if (trace) traceLine(`** Invoke ${step.task.name}${step.firstTime ? " (first_time)" : " "}`);
      } else {
        await this.executeTask(step.planned);
      }
    }
  }

  private async executeTask(planned: PlannedTask): Promise<void> {
    const { task } = planned;
    const { dryRun, trace, traceLine, signal } = this.options;
    if (this.started.has(task)) return;
    if (dryRun) {
      this.started.set(task, planned);
      traceLine(`** Execute (dry run) ${task.name}`);
      return;
    }
    this.stopIfInterrupted();
    this.started.set(task, planned);
    this.lastStarted = planned;
    if (trace) traceLine(`** Execute ${task.name}`);
    if (task.actions.length === 0) return;
    const ctx = this.contextFor(planned);
    for (const action of task.actions) {
      this.stopIfInterrupted();
      try {
        await this.untilSettledOrGraceOver((action as (ctx: TaskContext) => unknown)(ctx));
      } catch (error) {
        if (error instanceof Interrupted && !error.chain) throw this.interruption();
        // jt's own errors are already complete: a failure inside ctx.invoke, a refused confirm,
        // an environment module that does not load.
        if (error instanceof JtError) throw error;
        if (signal.aborted) throw this.interruption();
        throw new TaskFailure(error, invocationChain(planned));
      }
    }
  }

  private stopIfInterrupted(): void {
    if (this.options.signal.aborted) throw this.interruption();
  }

  /** The interrupt, reported in the task that was running when it came (or the last one that ran). */
  private interruption(): Interrupted {
    const reason: unknown = this.options.signal.reason;
    const signal = reason instanceof Interrupted ? reason.signal : "SIGINT";
    return new Interrupted(signal, this.lastStarted ? invocationChain(this.lastStarted) : undefined);
  }

  /** Awaits an action; once the run is interrupted, waits at most the grace period for it. */
  private untilSettledOrGraceOver(result: unknown): Promise<unknown> {
    const { signal, interruptGraceMs } = this.options;
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

  private contextFor(planned: PlannedTask): TaskContext {
    const runner = this;
    return {
      name: planned.task.name,
      args: planned.args as unknown as TaskContext["args"],
      signal: this.options.signal,
      sh: this.options.sh,
      get app(): App {
        return runner.appFor(planned);
      },
      invoke: async (name: string, ...values: string[]) => {
        await this.options.load([{ name, values }]);
        await this.confirmThenExecute(plan([{ name, values }], this.options.tasks, new Map(this.started)));
      },
    };
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
      for (const dep of at.prerequisites) if (!seen.has(dep)) (seen.add(dep), stack.push(dep));
    }
    this.needsEnvironment.set(planned, found);
    return found;
  }
}
