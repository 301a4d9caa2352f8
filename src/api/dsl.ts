import { mkdirSync } from "node:fs";
import { DefinitionError } from "../errors.js";
import { JT_OWN_DIRS } from "../package-paths.js";
import { activeRegistry, type DefineOptions, type TaskPart } from "../registry/registry.js";
import { rulePattern, ruleSources } from "../registry/rules.js";
import { callerLocation } from "../registry/source-location.js";
import type { Action } from "../registry/task.js";
import type { ArgDefaults, RuleSource, TaskAction, TaskArgs, TaskSpec } from "./types.js";

/** Describes the next task defined; `jt -T` lists only described tasks. */
export function desc(text: string): void {
  activeRegistry().describeNext(String(text));
}

/** Defines tasks under `name:` (namespaces nest; `body` must define them synchronously). */
export function namespace(name: string, body: () => void): void {
  if (typeof body !== "function")
    throw new DefinitionError(`namespace('${String(name)}', …) takes a function that defines its tasks, not ${describeValue(body)}`);
  activeRegistry().namespace(namespaceName(name), body);
}

/** A string, or what converts to one as task() converts its name (a String object, a number, an object with its own toString). */
function namespaceName(name: unknown): string {
  if (typeof name === "string") return name;
  const stringLike =
    typeof name === "number" ||
    name instanceof String ||
    (typeof name === "object" &&
      name !== null &&
      typeof name.toString === "function" &&
      name.toString !== Object.prototype.toString &&
      !Array.isArray(name));
  if (stringLike) return String(name);
  throw new DefinitionError(`namespace() takes a name, a string like "db", not ${describeValue(name)}`);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/** Defines a task, or adds prerequisites and actions to one already defined. */
export function task(name: string, action?: TaskAction<TaskArgs>): void;
export function task(name: string, deps: readonly string[], action?: TaskAction<TaskArgs>): void;
// biome-ignore lint/complexity/noBannedTypes: {} is "no defaults given", what a const type parameter infers from an empty object.
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
// biome-ignore lint/complexity/noBannedTypes: {} is "no defaults given", what a const type parameter infers from an empty object.
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
  } else if (specOrAction === null) {
    // task("x", null, fn): no prerequisites, as Rake's `task x: nil`.
    options = {};
  } else if (specOrAction === undefined || typeof specOrAction === "object") {
    options = { ...(specOrAction as DefineOptions | undefined) };
  } else {
    options = { deps: [String(specOrAction)] };
  }
  options.multitask = multitask;
  activeRegistry().define(String(name), options, action as Action | undefined, callerLocation(JT_OWN_DIRS));
}

/**
 * A file task (Rake's `file`): named by a path from the project root, it runs only when that file
 * is missing or older than one of its prerequisites (files, or tasks, which always count as newer);
 * an existing file named as a prerequisite needs no task of its own. `jt -B` runs them all.
 *
 * ```ts
 * file("dist/schema.sql", ["db/schema.ts"], async ({ sh }) => { await sh`npm run dump-schema`; });
 * ```
 */
export function file(path: string, action?: TaskAction<TaskArgs>): void;
export function file(path: string, deps: readonly string[], action?: TaskAction<TaskArgs>): void;
export function file(path: string, depsOrAction?: unknown, action?: unknown): void {
  const [deps, act] =
    typeof depsOrAction === "function" ? [[], depsOrAction] : [(depsOrAction as readonly string[] | undefined) ?? [], action];
  if (!Array.isArray(deps)) throw new DefinitionError(`file('${String(path)}', …) takes its prerequisites as an array of names`);
  activeRegistry().define(String(path), { deps, file: "file" }, act as Action | undefined, callerLocation(JT_OWN_DIRS));
}

/**
 * A directory made when missing (Rake's `directory`), and a task for each of its parents; a file
 * task depending on it is not made out of date by it.
 */
export function directory(path: string): void {
  const location = callerLocation(JT_OWN_DIRS);
  const parts = String(path)
    .split("/")
    .filter((part) => part !== "" && part !== ".");
  const absolute = String(path).startsWith("/");
  for (let i = parts.length; i >= 1; i--) {
    const dir = `${absolute ? "/" : ""}${parts.slice(0, i).join("/")}`;
    activeRegistry().define(dir, { file: "directory" }, () => void mkdirSync(dir, { recursive: true }), location);
  }
}

/**
 * A rule (Rake's `rule`): how to make any file whose name matches `pattern` (a file ending like
 * `".o"`, or a RegExp) from its sources. A name that is no task gets a file task from the first rule
 * whose sources all exist as files or tasks, or can be made by a rule in turn. A source is written
 * as a file ending (`".c"`: the name with that extension), a path map (`"src/%n.c"`), a path, or a
 * function of the name (a function in the array: `rule(".o", [(name) => …])`); `ctx.source` is the first.
 *
 * ```ts
 * rule(".html", [".md"], async ({ name, source, sh }) => { await sh`pandoc ${source} -o ${name}`; });
 * ```
 */
export function rule(pattern: string | RegExp, action?: TaskAction<TaskArgs>): void;
export function rule(pattern: string | RegExp, sources: string | readonly RuleSource[], action?: TaskAction<TaskArgs>): void;
export function rule(pattern: unknown, sourcesOrAction?: unknown, action?: unknown): void {
  const [sources, act] =
    typeof sourcesOrAction === "function" && action === undefined ? [[], sourcesOrAction] : [sourcesOrAction ?? [], action];
  const compiled = rulePattern(pattern);
  if (act !== undefined && typeof act !== "function") throw new DefinitionError(`The action of rule ${compiled} must be a function`);
  activeRegistry().defineRule({
    pattern: compiled,
    sources: ruleSources(compiled, sources),
    action: act as Action | undefined,
    location: callerLocation(JT_OWN_DIRS),
  });
}

/**
 * Empties parts of a task defined so far (all of them without `parts`), to replace or silence a
 * task that another task file or a package defines, as Rake's `clear`, `clear_actions`,
 * `clear_prerequisites`, `clear_comments` and `clear_args` do:
 *
 * ```ts
 * clearTask("db:seed", "actions");            // keep its prerequisites and description
 * task("db:seed", () => seedFromFixtures());  // the new action
 * ```
 */
export function clearTask(name: string, ...parts: ("actions" | "prerequisites" | "description" | "args")[]): void {
  activeRegistry().clear(String(name), parts satisfies TaskPart[], callerLocation(JT_OWN_DIRS));
}

/** Whether `name` names a task defined so far, looked up from the current namespace outwards: Rake's `task_defined?`. */
export function taskDefined(name: string): boolean {
  return activeRegistry().lookupHere(String(name)) !== undefined;
}
