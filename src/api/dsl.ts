import { JT_OWN_DIRS } from "../package-paths.js";
import { activeRegistry, type DefineOptions } from "../registry/registry.js";
import { callerLocation } from "../registry/source-location.js";
import type { Action } from "../registry/task.js";
import type { ArgDefaults, TaskAction, TaskArgs, TaskSpec } from "./types.js";

/** Describes the next task defined; `jt -T` lists only described tasks. */
export function desc(text: string): void {
  activeRegistry().describeNext(String(text));
}

/** Defines tasks under `name:` (namespaces nest; `body` must define them synchronously). */
export function namespace(name: string, body: () => void): void {
  activeRegistry().namespace(name, body);
}

/** Defines a task, or adds prerequisites and actions to one already defined. */
export function task(name: string, action?: TaskAction<TaskArgs>): void;
export function task(name: string, deps: readonly string[], action?: TaskAction<TaskArgs>): void;
export function task<const Names extends readonly string[] = readonly [], const Defaults extends ArgDefaults<Names> = {}>(
  name: string,
  spec: TaskSpec<Names, Defaults>,
  action?: TaskAction<TaskArgs<Names, Defaults>>,
): void;
export function task(name: string, specOrAction?: unknown, action?: unknown): void {
  define(name, specOrAction, action, false);
}

/** Like `task`, but its prerequisites run concurrently. */
export function multitask(name: string, deps: readonly string[], action?: TaskAction<TaskArgs>): void;
export function multitask<const Names extends readonly string[] = readonly [], const Defaults extends ArgDefaults<Names> = {}>(
  name: string,
  spec: TaskSpec<Names, Defaults>,
  action?: TaskAction<TaskArgs<Names, Defaults>>,
): void;
export function multitask(name: string, specOrDeps: unknown, action?: unknown): void {
  define(name, specOrDeps, action, true);
}

function define(name: string, specOrAction: unknown, action: unknown, multitask: boolean): void {
  let options: DefineOptions;
  if (typeof specOrAction === "function" && action === undefined) {
    options = {};
    action = specOrAction;
  } else if (Array.isArray(specOrAction)) {
    options = { deps: specOrAction as string[] };
  } else if (specOrAction === undefined || (typeof specOrAction === "object" && specOrAction !== null)) {
    options = { ...(specOrAction as DefineOptions | undefined) };
  } else {
    options = { deps: [String(specOrAction)] };
  }
  options.multitask = multitask;
  activeRegistry().define(String(name), options, action as Action | undefined, callerLocation(JT_OWN_DIRS));
}
