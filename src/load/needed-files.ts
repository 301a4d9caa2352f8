/**
 * Which task files a warm run loads: the planner's walk over the manifest's tasks (their names,
 * prerequisites and locations, without actions) finds every task the targets need, and each one's
 * files are loaded, in load order, before the real plan is made from what they define.
 */
import { plan, type PlanStep } from "../plan/plan.js";
import type { Registry } from "../registry/registry.js";
import type { TaskDefinition } from "../registry/task.js";

/**
 * The task files that define what these targets need, in load order. Undefined (load them all)
 * when the plan cannot be made from the manifest (an unknown name, so that the error names close
 * matches from every task; a cycle), when a task comes from a module a task file imports (which
 * task file imports it is not recorded), or when the project has rules (`ruleFiles`): any name may
 * be theirs to make or to give actions, and what they need is known only once they are loaded.
 * `builtIn` tasks come from no task file.
 */
export function filesFor(
  targets: readonly string[],
  manifestTasks: Registry,
  taskFiles: readonly string[],
  builtIn: ReadonlySet<string> = new Set(),
  ruleFiles: readonly string[] = [],
): string[] | undefined {
  if (ruleFiles.length > 0) return undefined;
  let steps: PlanStep[];
  try {
    ({ steps } = plan(
      targets.map((name) => ({ name, values: [] })),
      manifestTasks,
    ));
  } catch {
    return undefined;
  }
  const loadable = new Set(taskFiles);
  const files = new Set<string>();
  for (const step of steps) {
    if (step.kind !== "invoke") continue;
    const { task } = step;
    // (A file task jt made for an existing file has no location, and needs none.)
    if (!builtIn.has(task.name) && task.locations.length > 0 && !task.locations.some((location) => loadable.has(location.file)))
      return undefined;
    for (const location of task.locations) if (loadable.has(location.file)) files.add(location.file);
  }
  addFilesClearedTasksNeed(manifestTasks, files, loadable);
  return taskFiles.filter((file) => files.has(file));
}

/** A file that clears a task (clearTask) needs the files that defined it loaded before it. */
function addFilesClearedTasksNeed(manifestTasks: Registry, files: Set<string>, loadable: ReadonlySet<string>): void {
  const cleared: TaskDefinition[] = [...manifestTasks.tasks.values()].filter((task) => task.locations.some((location) => location.clears));
  for (let grew = cleared.length > 0; grew; ) {
    grew = false;
    for (const task of cleared) {
      const at = task.locations.findIndex((location) => location.clears && files.has(location.file));
      for (const earlier of at === -1 ? [] : task.locations.slice(0, at)) {
        if (loadable.has(earlier.file) && !files.has(earlier.file)) grew = files.add(earlier.file) !== undefined;
      }
    }
  }
}
