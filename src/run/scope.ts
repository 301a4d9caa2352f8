/** Where a task runs: the signal that stops it, how its output goes, and who waits for it. */
import type { TaskDefinition } from "../registry/task.js";

/** What an `sh` needs to know about where it runs. */
export interface CommandScope {
  /** Stops the command: the run's signal, or that of the concurrent group the task runs in. */
  signal: AbortSignal;
  /** Forward output line by line (tasks run concurrently), not as it arrives. */
  lines: boolean;
}

export interface Scope extends CommandScope {
  /** Run by the graph walk (shared runs, action slots) rather than step by step. */
  readonly concurrent: boolean;
  /** The task that waits for what is invoked from here; undefined for the targets. */
  readonly waiter: TaskDefinition | undefined;
}

/** The scope of what a task invokes (its prerequisites, its `ctx.invoke`): it waits for them. */
export function scopeWithin(scope: Scope, task: TaskDefinition): Scope {
  return { ...scope, waiter: task };
}
