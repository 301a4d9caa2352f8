/**
 * The `ctx.args` object: one property per declared argument name, plus Rake's `extras`,
 * `to_a`, `to_hash` and `lookup` as `extras`, `toArray()`, `toObject()` and `lookup()`.
 *
 * A prerequisite's args have the args of the task that invoked it as their prototype, as Rake's
 * TaskArguments have a parent: a name the prerequisite does not declare (or declares but got no
 * value for) is the caller's, at any depth, also through a task in between that declares nothing.
 */

export type ArgValue = string | string[] | undefined;

export interface ArgsSpec {
  /** Declared names as written: `"first"`, or `"rest..."` for a rest argument (last only). */
  readonly names: readonly string[];
  readonly defaults: Readonly<Record<string, string>>;
}

export const RESERVED_ARG_NAMES: readonly string[] = ["extras", "toArray", "toObject", "lookup"];
const REST_SUFFIX = "...";

export function isRestArg(declared: string): boolean {
  return declared.endsWith(REST_SUFFIX);
}

export function bareArgName(declared: string): string {
  return isRestArg(declared) ? declared.slice(0, -REST_SUFFIX.length) : declared;
}

export class TaskArguments {
  declare readonly extras: readonly string[];
  declare private readonly values: readonly string[];
  [name: string]: unknown;

  constructor(named: Record<string, ArgValue>, values: readonly string[], extras: readonly string[], caller?: TaskArguments) {
    if (caller) Object.setPrototypeOf(this, caller);
    for (const [name, value] of Object.entries(named)) if (value !== undefined) this[name] = value;
    Object.defineProperty(this, "extras", { value: Object.freeze([...extras]), enumerable: false });
    Object.defineProperty(this, "values", { value: Object.freeze([...values]), enumerable: false });
  }

  /** The value of `name`: this task's, else that of the task that invoked it, up the chain (Rake's `args[:name]`). */
  lookup(name: string): ArgValue {
    if (RESERVED_ARG_NAMES.includes(name)) return undefined;
    const value = this[name];
    return typeof value === "string" || Array.isArray(value) ? (value as ArgValue) : undefined;
  }

  /** Every value given, in order (Rake's `to_a`). */
  toArray(): string[] {
    return [...this.values];
  }

  /** The named arguments that have a value, defaults applied (Rake's `to_hash`). */
  toObject(): Record<string, ArgValue> {
    const named: Record<string, ArgValue> = {};
    for (const key of Object.keys(this)) {
      const value = this[key] as ArgValue;
      named[key] = Array.isArray(value) ? [...value] : value;
    }
    return named;
  }
}

/**
 * Arguments given positionally (from the command line or `invoke`). As in Rake, an empty value
 * (`t[,b]`) counts as not given (so its default applies) but stays in `toArray()`.
 */
export function argumentsFromValues(spec: ArgsSpec, values: readonly string[]): TaskArguments {
  const named: Record<string, ArgValue> = {};
  let used = 0;
  for (const declared of spec.names) {
    const name = bareArgName(declared);
    if (isRestArg(declared)) {
      named[name] = values.slice(used);
      used = values.length;
    } else {
      const value = values[used];
      named[name] = value === undefined || value === "" ? spec.defaults[name] : value;
      used += 1;
    }
  }
  return new TaskArguments(named, values, values.slice(Math.min(used, values.length)));
}

/**
 * Arguments a prerequisite receives from the task that invoked it (Rake's `new_scope`): each name
 * the prerequisite declares takes the caller's value of the same name, and the caller's extras follow.
 */
export function argumentsFromCaller(spec: ArgsSpec, caller: TaskArguments): TaskArguments {
  const named: Record<string, ArgValue> = {};
  const values: string[] = [];
  for (const declared of spec.names) {
    const name = bareArgName(declared);
    const inherited = caller[name] as ArgValue;
    if (isRestArg(declared)) {
      const rest = inherited === undefined ? [] : Array.isArray(inherited) ? [...inherited] : [inherited];
      named[name] = rest;
      values.push(...rest);
    } else {
      const value = Array.isArray(inherited) ? inherited.join(",") : inherited;
      named[name] = value ?? spec.defaults[name];
      if (value !== undefined) values.push(value);
    }
  }
  return new TaskArguments(named, [...values, ...caller.extras], caller.extras, caller);
}

export const NO_ARGUMENTS_SPEC: ArgsSpec = { names: [], defaults: {} };
