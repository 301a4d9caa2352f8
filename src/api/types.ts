/** The types task files see. Everything here is part of jt's public API. */

/** `"users..."` declares a rest argument named `users`. */
export type ArgName<Declared extends string> = Declared extends `${infer Name}...` ? Name : Declared;

/** The default values a task may give, one per declared (non-rest) argument name. */
export type ArgDefaults<Names extends readonly string[]> = {
  readonly [K in Names[number] as K extends `${string}...` ? never : K]?: string;
};

/** Methods every `ctx.args` has, whatever the task declares (Rake's `extras`, `to_a`, `to_hash`). */
export interface TaskArgsBase {
  /** Values given beyond the declared names. */
  readonly extras: readonly string[];
  /** Every value given, in order. */
  toArray(): string[];
  /** The named arguments, defaults applied. */
  toObject(): Record<string, string | string[] | undefined>;
}

/**
 * `ctx.args` for a task declaring `Names` with `Defaults`: a rest argument is `string[]`,
 * an argument with a default is `string`, any other is `string | undefined`.
 */
export type TaskArgs<Names extends readonly string[] = readonly [], Defaults = {}> = {
  readonly [K in Names[number] as ArgName<K>]: K extends `${string}...`
    ? string[]
    : ArgName<K> extends keyof Defaults
      ? string
      : string | undefined;
} & TaskArgsBase;

/**
 * The application context the `environment` task boots. Augment it in your app:
 * `declare module "jt" { interface App { db: Db } }`.
 */
export interface App {}

/** What every action receives. */
export interface TaskContext<Args = TaskArgs> {
  /** The task's full name, namespaces included (`"db:migrate"`). */
  readonly name: string;
  readonly args: Args;
  /** Fires when the run is interrupted (Ctrl-C, SIGTERM) or a sibling task failed. */
  readonly signal: AbortSignal;
  /**
   * Runs another task, and its prerequisites, unless it already ran in this run (Rake's `invoke`).
   * Values are its positional arguments.
   */
  invoke(name: string, ...values: string[]): Promise<void>;
}

export type TaskAction<Args = TaskArgs> = (ctx: TaskContext<Args>) => unknown;

/** The options form of `task(name, spec, action)`. */
export interface TaskSpec<Names extends readonly string[] = readonly [], Defaults extends ArgDefaults<Names> = {}> {
  /** Prerequisites, run first, each at most once per run. */
  readonly deps?: readonly string[];
  /** Argument names, in command-line order; `"rest..."` (last) collects the remaining values. */
  readonly args?: Names;
  /** Values for arguments not given. */
  readonly defaults?: Defaults;
  /** The description shown by `jt -T` (the same as calling `desc` first). */
  readonly desc?: string;
}
