/**
 * What has run in one run: the one place that answers "has this task run?". A task runs once per
 * run; `ctx.invoke` plans against what has started, and `ctx.reenable` forgets a task.
 */
import type { InvokedSet, PlannedTask } from "../plan/plan.js";
import type { TaskDefinition } from "../registry/task.js";

export class RunRecord {
  /** Tasks that started to execute, with the invocation that started them. */
  private readonly started: InvokedSet = new Map();
  /** Under concurrency: each task's one run (prerequisites, then actions), shared by every path that reaches it. */
  private readonly runs = new Map<TaskDefinition, Promise<void>>();
  private readonly ended = new Set<TaskDefinition>();

  hasStarted(task: TaskDefinition): boolean {
    return this.started.has(task);
  }

  markStarted(planned: PlannedTask): void {
    this.started.set(planned.task, planned);
  }

  /** A copy of what has started, to plan a `ctx.invoke` against (Rake runs a task now unless it already ran). */
  startedSoFar(): InvokedSet {
    return new Map(this.started);
  }

  /** The task's shared run, if one was started. */
  runOf(task: TaskDefinition): Promise<void> | undefined {
    return this.runs.get(task);
  }

  /** Whether that run has ended (succeeded or failed). */
  hasEnded(task: TaskDefinition): boolean {
    return this.ended.has(task);
  }

  /** Registers a task's shared run, before any of it runs, so that every later path to it finds it. */
  track(task: TaskDefinition, run: Promise<void>): void {
    this.runs.set(task, run);
    const end = () => void this.ended.add(task);
    run.then(end, end);
  }

  /** `ctx.reenable`: the task may run again at its next invoke. */
  forget(task: TaskDefinition): void {
    this.started.delete(task);
    this.runs.delete(task);
    this.ended.delete(task);
  }
}
