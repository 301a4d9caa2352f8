/**
 * The concurrent way through a plan (a plan with a multitask, or any plan under -m): the runner
 * walks the graph from each target, and each task runs once, as a promise everyone who needs it
 * shares; a multitask's prerequisites run at once in a group with its own abort signal. The step
 * by step way, Rake's order, is the runner's own loop over the plan's steps.
 */
import type { PlannedTask } from "../plan/plan.js";
import type { TaskDefinition } from "../registry/task.js";
import type { RunRecord } from "./run-record.js";
import { scopeWithin, type Scope } from "./scope.js";
import { Semaphore } from "./slots.js";
import { runConcurrently } from "./task-group.js";
import { WaitGraph } from "./wait-graph.js";

/** What the walk needs from the runner. */
export interface WalkHost {
  readonly record: RunRecord;
  /** Prints `** Invoke name (flags)` under --trace. */
  traceInvoke(task: TaskDefinition, firstTime: boolean): void;
  /** Whether the task's prerequisites run at once (a multitask, or -m). */
  runsPrerequisitesAtOnce(task: TaskDefinition): boolean;
  /** Runs the task's own actions (once its prerequisites are done). */
  executeTask(planned: PlannedTask, scope: Scope): Promise<void>;
  /** What a group failure becomes when the run itself was interrupted meanwhile. */
  interruptedOr(error: unknown): unknown;
}

export class ConcurrentWalk {
  private readonly waits = new WaitGraph<TaskDefinition>();
  /** `-j`: how many actions run at once. */
  readonly slots: Semaphore;

  constructor(
    private readonly host: WalkHost,
    jobs: number,
  ) {
    this.slots = new Semaphore(jobs);
  }

  /**
   * Runs a task and its prerequisites once per run. Whoever reaches a task that is already
   * running waits for that run, unless the run is waiting for them (a task invoking its own
   * parent): then, as in Rake, it counts as already invoked.
   */
  async invoke(planned: PlannedTask, scope: Scope): Promise<void> {
    const { task } = planned;
    const { record } = this.host;
    const running = record.runOf(task);
    const firstTime = running === undefined && !record.hasStarted(task);
    this.host.traceInvoke(task, firstTime);
    if (!firstTime && (running === undefined || record.hasEnded(task))) return running;
    const { waiter } = scope;
    if (running && waiter && this.waits.wouldDeadlock(waiter, task)) return;
    if (waiter) this.waits.add(waiter, task);
    try {
      await (running ?? this.start(planned, scope));
    } finally {
      if (waiter) this.waits.remove(waiter, task);
    }
  }

  private start(planned: PlannedTask, scope: Scope): Promise<void> {
    const run = Promise.resolve().then(() => this.runTask(planned, scope));
    this.host.record.track(planned.task, run);
    return run;
  }

  private async runTask(planned: PlannedTask, scope: Scope): Promise<void> {
    const inner = scopeWithin(scope, planned.task);
    if (planned.prerequisites.length > 1 && this.host.runsPrerequisitesAtOnce(planned.task)) {
      try {
        await runConcurrently(planned.prerequisites, scope.signal, (dep, signal) => this.invoke(dep, { ...inner, signal, lines: true }));
      } catch (error) {
        throw this.host.interruptedOr(error);
      }
    } else {
      for (const dep of planned.prerequisites) await this.invoke(dep, inner);
    }
    await this.host.executeTask(planned, scope);
  }
}
