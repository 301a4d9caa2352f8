import { existsSync } from "node:fs";
import { bareArgName, isRestArg, RESERVED_ARG_NAMES, type ArgsSpec } from "../args/task-arguments.js";
import { DefinitionError } from "../errors.js";
import { invalidNameReason, qualify, resolveName, SEPARATOR } from "./names.js";
import type { SourceLocation } from "./source-location.js";
import { sourcesFor, type Rule } from "./rules.js";
import { validateBackoff, type Backoff } from "../shared/backoff.js";
import { errorTest } from "../shared/error-test.js";
import { parseDuration } from "../shared/duration.js";
import type { Action, TaskDefinition, TaskJobSettings, TaskPerformHooks } from "./task.js";

export interface DefineOptions {
  deps?: readonly string[] | undefined;
  args?: readonly string[] | undefined;
  defaults?: Readonly<Record<string, string>> | undefined;
  desc?: string | undefined;
  multitask?: boolean | undefined;
  confirm?: string | undefined;
  /** A file task (`file()`, `directory()`): named by its path, outside any namespace. */
  file?: "file" | "directory" | undefined;
  queue?: unknown;
  priority?: unknown;
  retry?: unknown;
  timeout?: unknown;
  cron?: unknown;
  tz?: unknown;
  catchUp?: unknown;
  debounce?: unknown;
  concurrency?: unknown;
  rateLimit?: unknown;
  hooks?: unknown;
}

/** Every task defined in this process, and the namespace stack while task files load. */
export class Registry {
  readonly tasks = new Map<string, TaskDefinition>();
  /** Rake's rules, in the order defined: the first that can make a name's task wins. */
  readonly rules: Rule[] = [];
  /** `--rules`: where rule lookups are traced (Rake's "Attempting Rule" lines). */
  traceRules: ((line: string) => void) | undefined;
  /** Tasks without actions already offered to the rules. */
  private readonly ruleTried = new WeakSet<TaskDefinition>();
  private readonly scope: string[] = [];
  private pendingDescription: string | undefined;

  get currentScope(): readonly string[] {
    return this.scope;
  }

  describeNext(text: string): void {
    this.pendingDescription = text;
  }

  /** Called between task files: a `desc` left dangling at the end of a file is dropped. */
  startFile(): void {
    this.pendingDescription = undefined;
    this.scope.length = 0;
  }

  define(name: string, options: DefineOptions, action: Action | undefined, location: SourceLocation | undefined): TaskDefinition {
    const reason = options.file ? (name.trim() === "" ? "a file task needs a path" : undefined) : invalidNameReason(name);
    if (reason) throw new DefinitionError(`Cannot define task: ${reason}`);
    // As in Rake, a file task's name is its path, whatever namespace it is defined in.
    const fullName = options.file ? name : qualify(this.scope, name);
    if (fullName.startsWith("jobs:")) {
      throw new DefinitionError(`Cannot define task '${fullName}': names under jobs: are jt's own (jt jobs:work, jobs:list, …)`);
    }
    const args = validateArgs(fullName, options.args ?? [], options.defaults ?? {});
    let task = this.tasks.get(fullName);
    if (!task) {
      // Prerequisites resolve from the task's own namespace outwards; for "db:migrate" that is "db".
      const scope = options.file ? [] : fullName.split(SEPARATOR).slice(0, -1);
      task = {
        name: fullName,
        scope,
        comments: [],
        prerequisites: [],
        actions: [],
        args,
        locations: [],
        multitask: false,
        confirm: undefined,
        job: {},
      };
      this.tasks.set(fullName, task);
    } else if (options.args !== undefined) {
      if (task.args.names.length > 0 && !sameArgs(task.args, args)) {
        throw new DefinitionError(
          `Task '${fullName}' is defined again with different args [${args.names.join(",")}]; it already takes [${task.args.names.join(",")}]`,
        );
      }
      task.args = args;
    }
    const description = (options.desc ?? this.pendingDescription)?.trim();
    this.pendingDescription = undefined;
    if (description && !task.comments.includes(description)) task.comments.push(description);
    for (const written of options.deps ?? []) {
      if (typeof written !== "string" || written.trim() === "") {
        throw new DefinitionError(`Task '${fullName}' has an invalid prerequisite ${JSON.stringify(written)}`);
      }
      if (!task.prerequisites.includes(written)) task.prerequisites.push(written);
    }
    if (action !== undefined) {
      if (typeof action !== "function") throw new DefinitionError(`The action of task '${fullName}' must be a function`);
      task.actions.push(action);
    }
    if (options.multitask) task.multitask = true;
    if (options.file && task.file !== "file") task.file = options.file;
    if (options.confirm !== undefined) {
      if (typeof options.confirm !== "string" || options.confirm.trim() === "") {
        throw new DefinitionError(`Task '${fullName}': confirm must be the question to ask, as a string`);
      }
      task.confirm = options.confirm;
    }
    Object.assign(task.job, jobSettings(fullName, options));
    if (location) task.locations.push(location);
    return task;
  }

  /** The task `name` names from the namespace being defined now (Rake's lookup), if one is defined so far. */
  lookupHere(name: string): TaskDefinition | undefined {
    return this.lookup(name, this.scope);
  }

  /**
   * Rake's `clear`, `clear_actions`, `clear_prerequisites`, `clear_comments`, `clear_args`: empties
   * those parts of a task defined so far (all of them when `parts` is empty), so that a task file
   * can replace or silence a task another file or a package defines.
   */
  clear(name: string, parts: readonly TaskPart[], location: SourceLocation | undefined): void {
    const task = this.lookupHere(name);
    if (!task) {
      throw new DefinitionError(`clearTask('${name}'): no task '${name}' is defined (yet)`, [
        "Task files load in file-name order: clear a task in a file that loads after the one that defines it",
      ]);
    }
    const all = parts.length === 0;
    for (const part of parts) {
      if (!TASK_PARTS.includes(part))
        throw new DefinitionError(`clearTask('${name}', …): '${String(part)}' is not one of ${TASK_PARTS.join(", ")}`);
    }
    if (all || parts.includes("actions")) task.actions.length = 0;
    if (all || parts.includes("prerequisites")) task.prerequisites.length = 0;
    if (all || parts.includes("description")) task.comments.length = 0;
    if (all || parts.includes("args")) task.args = { names: [], defaults: {} };
    // Where it was changed: a warm run that needs the task loads this file too.
    if (location) task.locations.push({ ...location, clears: true });
  }

  namespace(name: string, body: () => unknown): void {
    const reason = invalidNameReason(name);
    if (reason) throw new DefinitionError(`Cannot define namespace: ${reason.replace("task name", "namespace name")}`);
    const parts = name.split(SEPARATOR);
    this.scope.push(...parts);
    try {
      const result = body();
      if (result && typeof (result as { then?: unknown }).then === "function") {
        throw new DefinitionError(`namespace('${name}', …) was given an async function; define tasks synchronously inside a namespace`);
      }
    } finally {
      this.scope.length -= parts.length;
    }
  }

  names(): IterableIterator<string> {
    return this.tasks.keys();
  }

  get(fullName: string): TaskDefinition | undefined {
    return this.tasks.get(fullName);
  }

  /** Rake's lookup: relative to `scope`, then outwards; `^` climbs one scope. */
  lookup(written: string, scope: readonly string[] = []): TaskDefinition | undefined {
    const fullName = resolveName(written, scope, (candidate) => this.tasks.has(candidate));
    return fullName === undefined ? undefined : this.tasks.get(fullName);
  }

  /**
   * The task a prerequisite of `task` names. As in Rake, a name that would resolve to the task
   * itself (`db:seed` depending on `"seed"`) is looked up from the top level instead.
   */
  prerequisiteOf(task: TaskDefinition, written: string): TaskDefinition | undefined {
    const found = this.lookup(written, task.scope);
    return this.withRule(found === task ? (this.lookup(written) ?? found) : found) ?? this.fromRule(written) ?? this.existingFile(written);
  }

  /** Rake's `Rake::Task[name]`: the task of this full name, else one a rule makes, else an existing file's. */
  resolve(fullName: string): TaskDefinition | undefined {
    return this.withRule(this.tasks.get(fullName)) ?? this.fromRule(fullName) ?? this.existingFile(fullName);
  }

  /**
   * As in Rake, a task defined without actions (`file("a.o", ["a.h"])`) gets them, and the rule's
   * sources, from a matching rule. (Rake does it when the task executes; jt when it is planned, so
   * the sources are planned too.)
   */
  private withRule(task: TaskDefinition | undefined): TaskDefinition | undefined {
    if (!task || task.actions.length > 0 || this.rules.length === 0 || this.ruleTried.has(task)) return task;
    this.ruleTried.add(task);
    this.fromRule(task.name);
    return task;
  }

  defineRule(rule: Rule): void {
    this.rules.push(rule);
  }

  /**
   * The file task the first applicable rule makes for `name` (Rake's `enhance_with_matching_rule`):
   * each source must be an existing file, a defined task, or made by a rule in turn.
   */
  private fromRule(name: string, level = 0): TaskDefinition | undefined {
    if (this.rules.length === 0) return undefined;
    const trace = (line: string) => this.traceRules?.(`${"    ".repeat(level)}${line}`);
    try {
      if (level >= MAX_RULE_DEPTH) throw new RuleRecursionError("Rule Recursion Too Deep");
      for (const rule of this.rules) {
        if (!rule.pattern.test(name)) continue;
        const sources = this.ruleSourcesOf(rule, name, level, trace);
        if (sources) return this.applyRule(rule, name, sources);
      }
      return undefined;
    } catch (error) {
      if (error instanceof RuleRecursionError) error.addTarget(name);
      throw error;
    }
  }

  private applyRule(rule: Rule, name: string, sources: string[]): TaskDefinition {
    const existing = this.tasks.get(name);
    // (desc "": a description left dangling by the last task file is not this task's.)
    const task = existing ?? this.define(name, { file: "file", desc: "" }, undefined, rule.location);
    for (const source of sources) if (!task.prerequisites.includes(source)) task.prerequisites.push(source);
    if (rule.action) task.actions.push(rule.action);
    task.sources = sources;
    return task;
  }

  /** The tasks a rule's sources name for `name`, or undefined when one of them cannot be had. */
  private ruleSourcesOf(rule: Rule, name: string, level: number, trace: (line: string) => void): string[] | undefined {
    const prerequisites: string[] = [];
    for (const source of sourcesFor(rule, name)) {
      trace(`Attempting Rule ${name} => ${source}`);
      const exists = existsSync(source) || this.tasks.has(source);
      const made = exists ? undefined : this.fromRule(source, level + 1);
      const outcome = exists ? "EXIST" : made ? "ENHANCE" : "FAIL";
      trace(`(${name} => ${source} ... ${outcome})`);
      if (outcome === "FAIL") return undefined;
      prerequisites.push(made ? made.name : source);
    }
    return prerequisites;
  }

  /** A name that is no task but an existing file (from the project root) is a file task with nothing to do, as in Rake. */
  existingFile(written: string): TaskDefinition | undefined {
    if (!existsSync(written)) return undefined;
    const task: TaskDefinition = {
      name: written,
      scope: [],
      comments: [],
      prerequisites: [],
      actions: [],
      args: { names: [], defaults: {} },
      locations: [],
      multitask: false,
      confirm: undefined,
      job: {},
      file: "file",
    };
    this.tasks.set(written, task);
    return task;
  }
}

/** Rake stops following rules whose sources need rules 16 deep. */
const MAX_RULE_DEPTH = 16;

/** Rake's "Rule Recursion Too Deep", with the names that led there. */
export class RuleRecursionError extends DefinitionError {
  private readonly targets: string[] = [];

  /** `name` led to the names added before it. */
  addTarget(name: string): void {
    this.targets.unshift(name);
    this.message = `Rule Recursion Too Deep: [${this.targets.join(" => ")}]`;
  }
}

function validateArgs(task: string, names: readonly string[], defaults: Readonly<Record<string, string>>): ArgsSpec {
  if (!Array.isArray(names)) throw new DefinitionError(`Task '${task}': args must be an array of names`);
  const seen = new Set<string>();
  names.forEach((declared, index) => {
    if (typeof declared !== "string" || !/^[A-Za-z_$][\w$-]*(\.\.\.)?$/.test(declared)) {
      throw new DefinitionError(`Task '${task}': ${JSON.stringify(declared)} is not a valid argument name`);
    }
    const name = bareArgName(declared);
    if (RESERVED_ARG_NAMES.includes(name)) {
      throw new DefinitionError(`Task '${task}': '${name}' is reserved and cannot name an argument`);
    }
    if (seen.has(name)) throw new DefinitionError(`Task '${task}': argument '${name}' is declared twice`);
    seen.add(name);
    if (isRestArg(declared) && index !== names.length - 1) {
      throw new DefinitionError(`Task '${task}': the rest argument '${declared}' must come last`);
    }
  });
  if (typeof defaults !== "object" || defaults === null) throw new DefinitionError(`Task '${task}': defaults must be an object`);
  for (const [key, value] of Object.entries(defaults)) {
    if (!seen.has(key)) throw new DefinitionError(`Task '${task}': a default is given for '${key}', which is not one of its args`);
    if (typeof value !== "string") throw new DefinitionError(`Task '${task}': the default for '${key}' must be a string`);
    if (names.includes(`${key}...`)) throw new DefinitionError(`Task '${task}': the rest argument '${key}...' cannot have a default`);
  }
  return { names: [...names], defaults: { ...defaults } };
}

/** The job options of a definition, checked (a cron expression is checked where schedules run). */
function jobSettings(task: string, options: DefineOptions): TaskJobSettings {
  const settings: TaskJobSettings = {};
  const fail = (what: string) => new DefinitionError(`Task '${task}': ${what}`);
  if (options.queue !== undefined) {
    if (typeof options.queue !== "string" || !/^[\w.:-]+$/.test(options.queue))
      throw fail("queue must be a name (letters, digits, '_', '-', '.', ':')");
    settings.queue = options.queue;
  }
  if (options.priority !== undefined) {
    if (!Number.isInteger(options.priority)) throw fail("priority must be a whole number (lower runs first)");
    settings.priority = options.priority as number;
  }
  if (options.retry !== undefined) {
    const retry = options.retry as { attempts?: unknown; backoff?: unknown; on?: unknown; discardOn?: unknown };
    if (typeof retry !== "object" || retry === null) throw fail("retry must be { attempts?, backoff?, on?, discardOn? }");
    for (const key of ["on", "discardOn"] as const) {
      if (retry[key] === undefined) continue;
      const test = errorTest(retry[key]);
      if (!test) throw fail(`retry.${key} must be an error class, a list of them, or a function (error) => boolean`);
      settings[key === "on" ? "retryOn" : "discardOn"] = test;
    }
    if (retry.attempts !== undefined) {
      if (!Number.isInteger(retry.attempts) || (retry.attempts as number) < 1)
        throw fail("retry.attempts must be a whole number of at least 1 (1 never retries)");
      settings.attempts = retry.attempts as number;
    }
    if (retry.backoff !== undefined) {
      const problem = validateBackoff(retry.backoff);
      if (problem) throw fail(`retry.backoff: ${problem}`);
      settings.backoff = retry.backoff as Backoff;
    }
  }
  if (options.timeout !== undefined) {
    const ms = parseDuration(options.timeout);
    if (ms === undefined || ms === 0) throw fail('timeout must be a duration like "30s" or a number of milliseconds');
    settings.timeoutMs = ms;
  }
  if (options.cron !== undefined) {
    if (typeof options.cron !== "string" || options.cron.trim() === "") throw fail('cron must be a cron expression like "0 3 * * *"');
    settings.cron = options.cron;
  }
  if (options.tz !== undefined) {
    if (typeof options.tz !== "string") throw fail('tz must be a time zone name like "Europe/Paris"');
    settings.tz = options.tz;
  }
  if (options.catchUp !== undefined) {
    const ms = parseDuration(options.catchUp);
    if (ms === undefined) throw fail('catchUp must be a duration like "1h" or a number of milliseconds');
    settings.catchUpMs = ms;
  }
  if (options.debounce !== undefined) {
    const debounce = options.debounce as { wait?: unknown; key?: unknown };
    if (typeof debounce !== "object" || debounce === null) throw fail('debounce must be { wait: "5s", key?: "argName" }');
    const waitMs = parseDuration(debounce.wait);
    if (waitMs === undefined || waitMs === 0) throw fail('debounce.wait must be a duration like "5s" or a number of milliseconds');
    settings.debounce = { waitMs, key: argKey(debounce.key, options, fail, "debounce") };
  }
  if (options.concurrency !== undefined) {
    const concurrency = options.concurrency as { limit?: unknown; key?: unknown };
    if (typeof concurrency !== "object" || concurrency === null) throw fail('concurrency must be { limit: 1, key?: "argName" }');
    if (!Number.isInteger(concurrency.limit) || (concurrency.limit as number) < 1)
      throw fail("concurrency.limit must be a whole number of at least 1");
    settings.concurrency = { limit: concurrency.limit as number, key: argKey(concurrency.key, options, fail, "concurrency") };
  }
  if (options.rateLimit !== undefined) {
    const rate = options.rateLimit as { max?: unknown; per?: unknown; key?: unknown };
    if (typeof rate !== "object" || rate === null) throw fail('rateLimit must be { max: 10, per: "1s", key?: "argName" }');
    if (!Number.isInteger(rate.max) || (rate.max as number) < 1) throw fail("rateLimit.max must be a whole number of at least 1");
    const perMs = parseDuration(rate.per);
    if (perMs === undefined || perMs < 1) throw fail('rateLimit.per must be a duration like "1s" or "1m", or milliseconds');
    settings.rateLimit = { max: rate.max as number, perMs, key: argKey(rate.key, options, fail, "rateLimit") };
  }
  if (options.hooks !== undefined) settings.hooks = performHooks(options.hooks, fail);
  return settings;
}

const PERFORM_HOOKS = ["beforePerform", "aroundPerform", "afterPerform"] as const;

/** A task's `hooks`: perform hooks only (app code enqueues without loading task files, so enqueue hooks are the project's). */
function performHooks(given: unknown, fail: (what: string) => Error): TaskPerformHooks {
  if (typeof given !== "object" || given === null || Array.isArray(given))
    throw fail("hooks must be an object of { beforePerform?, aroundPerform?, afterPerform? }");
  const hooks: Record<string, unknown> = {};
  for (const [key, hook] of Object.entries(given)) {
    if (hook === undefined) continue;
    if (!(PERFORM_HOOKS as readonly string[]).includes(key)) {
      const enqueueHook = /Enqueue$/.test(key);
      throw fail(
        enqueueHook
          ? `hooks.${key}: a task has perform hooks only; enqueue hooks go in the project's hooks module (jobs.hooks in the config), since app code enqueues without loading task files`
          : `hooks has no '${key}' (a task's hooks are ${PERFORM_HOOKS.join(", ")})`,
      );
    }
    if (typeof hook !== "function") throw fail(`hooks.${key} must be a function`);
    hooks[key] = hook;
  }
  return hooks as TaskPerformHooks;
}

/** A `key` of debounce or concurrency: declared arg names (none: the whole task). */
function argKey(given: unknown, options: DefineOptions, fail: (what: string) => Error, what: string): string[] {
  const key = given === undefined ? [] : Array.isArray(given) ? (given as unknown[]) : [given];
  const declared = (options.args ?? []).map(bareArgName);
  for (const name of key) {
    if (typeof name !== "string" || !declared.includes(name))
      throw fail(
        `${what}.key names ${JSON.stringify(name)}, which is not one of its args${declared.length > 0 ? ` (${declared.join(", ")})` : ""}`,
      );
  }
  return key as string[];
}

function sameArgs(a: ArgsSpec, b: ArgsSpec): boolean {
  return a.names.length === b.names.length && a.names.every((n, i) => n === b.names[i]);
}

const REGISTRY_KEY = Symbol.for("jt.registry");

/** The one registry of this process, shared by every copy of jt a task file may import. */
/** The parts of a task `clearTask` can empty. */
export type TaskPart = "actions" | "prerequisites" | "description" | "args";
const TASK_PARTS: readonly TaskPart[] = ["actions", "prerequisites", "description", "args"];

export function activeRegistry(): Registry {
  const holder = globalThis as { [REGISTRY_KEY]?: Registry };
  holder[REGISTRY_KEY] ??= new Registry();
  return holder[REGISTRY_KEY];
}
