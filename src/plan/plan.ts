/**
 * Turns targets into what will run, before anything runs: every name resolved, cycles found,
 * each task once, in Rake's order (depth-first, prerequisites in the order written, a task's
 * args taken from its first invocation). Pure: no I/O, no task code.
 */
import type { Target } from "../args/brackets.js";
import { argumentsFromCaller, argumentsFromValues, type TaskArguments } from "../args/task-arguments.js";
import { DefinitionError, UnknownTaskError, type JtError } from "../errors.js";
import { ENVIRONMENT, type TaskDefinition } from "../registry/task.js";
import { closeMatches } from "../shared/suggest.js";

export interface TaskLookup {
  get(fullName: string): TaskDefinition | undefined;
  /** A target's task: a defined one, else one a rule makes, else an existing file's. */
  resolve(fullName: string): TaskDefinition | undefined;
  names(): Iterable<string>;
  prerequisiteOf(task: TaskDefinition, written: string): TaskDefinition | undefined;
}

/** One task that will execute, with the arguments of its first invocation. */
export interface PlannedTask {
  readonly task: TaskDefinition;
  readonly args: TaskArguments;
  /** Resolved prerequisites, in order (some may be planned by another path). */
  readonly prerequisites: PlannedTask[];
  /** The task that first invoked this one; undefined for a target. */
  readonly invokedBy: PlannedTask | undefined;
}

export type PlanStep =
  | { readonly kind: "invoke"; readonly task: TaskDefinition; readonly firstTime: boolean }
  | { readonly kind: "execute"; readonly planned: PlannedTask };

export interface Plan {
  /** Rake's invocation sequence: what `--trace` prints and a sequential run executes. */
  readonly steps: PlanStep[];
  readonly roots: PlannedTask[];
}

/** Tasks already invoked in this run; `ctx.invoke` plans against the same set. */
export type InvokedSet = Map<TaskDefinition, PlannedTask>;

export function plan(targets: readonly Target[], tasks: TaskLookup, invoked: InvokedSet = new Map()): Plan {
  const steps: PlanStep[] = [];
  const roots: PlannedTask[] = [];
  for (const target of targets) {
    const task = tasks.resolve(target.name);
    if (!task) throw unknownTask(target.name, tasks.names());
    roots.push(visit(task, argumentsFromValues(task.args, target.values), tasks, invoked, steps));
  }
  return { steps, roots };
}

interface Frame {
  planned: PlannedTask;
  next: number;
}

function visit(root: TaskDefinition, rootArgs: TaskArguments, tasks: TaskLookup, invoked: InvokedSet, steps: PlanStep[]): PlannedTask {
  steps.push({ kind: "invoke", task: root, firstTime: !invoked.has(root) });
  const existing = invoked.get(root);
  if (existing) return existing;
  const rootPlanned: PlannedTask = { task: root, args: rootArgs, prerequisites: [], invokedBy: undefined };
  invoked.set(root, rootPlanned);
  // An explicit stack: a 10,000-deep chain of prerequisites must not overflow the call stack.
  const stack: Frame[] = [{ planned: rootPlanned, next: 0 }];
  const onStack = new Set<TaskDefinition>([root]);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const { task } = frame.planned;
    const prerequisite = task.prerequisites[frame.next];
    if (prerequisite === undefined) {
      stack.pop();
      onStack.delete(task);
      steps.push({ kind: "execute", planned: frame.planned });
      continue;
    }
    frame.next += 1;
    const chain = () => stack.map((f) => f.planned.task.name);
    const dep = prerequisiteWithChain(tasks, task, prerequisite, chain);
    if (!dep) {
      if (prerequisite === ENVIRONMENT) throw environmentNotConfigured(task.name, chain());
      throw unknownTask(prerequisite, tasks.names(), chain(), DefinitionError);
    }
    if (onStack.has(dep)) {
      throw new DefinitionError(`Circular dependency detected: TOP => ${[...chain(), dep.name].join(" => ")}`, [], { chain: chain() });
    }
    steps.push({ kind: "invoke", task: dep, firstTime: !invoked.has(dep) });
    const already = invoked.get(dep);
    if (already) {
      frame.planned.prerequisites.push(already);
      continue;
    }
    const planned: PlannedTask = {
      task: dep,
      args: argumentsFromCaller(dep.args, frame.planned.args),
      prerequisites: [],
      invokedBy: frame.planned,
    };
    invoked.set(dep, planned);
    frame.planned.prerequisites.push(planned);
    onStack.add(dep);
    stack.push({ planned, next: 0 });
  }
  return rootPlanned;
}

/** A prerequisite's task; a rule that cannot make it (too deep) fails with the chain that asked for it. */
function prerequisiteWithChain(
  tasks: TaskLookup,
  task: TaskDefinition,
  written: string,
  chain: () => string[],
): TaskDefinition | undefined {
  try {
    return tasks.prerequisiteOf(task, written);
  } catch (error) {
    if (error instanceof DefinitionError && !error.chain) throw new DefinitionError(error.message, error.details, { chain: chain() });
    throw error;
  }
}

/** `TOP => db:setup => db:migrate`, as Rake prints the invocation chain. */
export function invocationChain(planned: PlannedTask): string[] {
  const names: string[] = [];
  for (let at: PlannedTask | undefined = planned; at; at = at.invokedBy) names.unshift(at.task.name);
  return names;
}

function environmentNotConfigured(task: string, chain: readonly string[]): DefinitionError {
  return new DefinitionError(
    `Task '${task}' depends on 'environment', but no environment is configured`,
    [
      "Name the module that boots your app in your jt config, for example in jt.config.ts:",
      '  export default { environment: "./app/environment.ts" };',
      'or in package.json: "jt": { "environment": "./app/environment.ts" }',
    ],
    { chain },
  );
}

/** Rake's message for a name that resolves to no task, with close matches. */
export function unknownTask(
  name: string,
  known: Iterable<string>,
  chain: readonly string[] | undefined = undefined,
  ErrorClass: typeof UnknownTaskError | typeof DefinitionError = UnknownTaskError,
): JtError {
  // Rake lists every close match; past a handful they stop helping.
  const matches = closeMatches(name, known, 5);
  const hint = matches.length === 0 ? [] : [`Did you mean?  ${matches.join("\n               ")}`];
  return new ErrorClass(`Don't know how to build task '${name}' (See the list of available tasks with \`jt --tasks\`)`, hint, { chain });
}
