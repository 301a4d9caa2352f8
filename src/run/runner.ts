/**
 * Executes a plan: Rake's `** Invoke` / `** Execute` trace, each task's actions in order,
 * awaited, with one context object. `ctx.invoke` plans against the same run-once set.
 */
import type { TaskContext } from "../api/types.js";
import { TaskFailure } from "../errors.js";
import { invocationChain, plan, type InvokedSet, type Plan, type PlannedTask, type Target, type TaskLookup } from "../plan/plan.js";

export interface RunOptions {
  tasks: TaskLookup;
  /** Print the `** Invoke` / `** Execute` lines. */
  trace: boolean;
  /** Print what would run, run no action. */
  dryRun: boolean;
  signal: AbortSignal;
  /** Writes one trace line (to stderr). */
  traceLine: (line: string) => void;
}

export class Runner {
  /**
   * Tasks that have started to execute in this run. A task runs once: a later step for it is
   * skipped, and `ctx.invoke` plans from here, so it runs a task now unless it already ran,
   * even one that a later target will need (as Rake does).
   */
  private readonly started: InvokedSet = new Map();

  constructor(private readonly options: RunOptions) {}

  /** Plans every target first (nothing runs if any name or edge is bad), then runs them in order. */
  async run(targets: readonly Target[]): Promise<void> {
    await this.execute(plan(targets, this.options.tasks));
  }

  private async execute(planned: Plan): Promise<void> {
    const { trace, traceLine } = this.options;
    for (const step of planned.steps) {
      if (step.kind === "invoke") {
        if (trace) traceLine(`** Invoke ${step.task.name} ${step.firstTime ? "(first_time)" : ""}`);
      } else {
        await this.executeTask(step.planned);
      }
    }
  }

  private async executeTask(planned: PlannedTask): Promise<void> {
    const { task } = planned;
    const { dryRun, trace, traceLine } = this.options;
    if (this.started.has(task)) return;
    this.started.set(task, planned);
    if (dryRun) {
      traceLine(`** Execute (dry run) ${task.name}`);
      return;
    }
    if (trace) traceLine(`** Execute ${task.name}`);
    if (task.actions.length === 0) return;
    const ctx = this.contextFor(planned);
    for (const action of task.actions) {
      try {
        await (action as (ctx: TaskContext) => unknown)(ctx);
      } catch (error) {
        throw error instanceof TaskFailure ? error : new TaskFailure(error, invocationChain(planned));
      }
    }
  }

  private contextFor(planned: PlannedTask): TaskContext {
    return {
      name: planned.task.name,
      args: planned.args as unknown as TaskContext["args"],
      signal: this.options.signal,
      invoke: async (name: string, ...values: string[]) => {
        await this.execute(plan([{ name, values }], this.options.tasks, new Map(this.started)));
      },
    };
  }
}
