/**
 * The keys a jt config may have, their types and defaults. Validation is strict: an unknown
 * key or a wrong type is a definition error, never silently ignored.
 */
import { DefinitionError } from "../errors.js";
import { closeMatches } from "../plan/suggest.js";

/** What users write in `jt.config.*`, `.jtrc*` or `"jt"` in package.json. */
export interface UserConfig {
  /** Directory (or directories) holding task files, relative to the project root. Default `"tasks"`. */
  tasksDir?: string | string[];
  /** The module whose default export is `defineEnvironment({ setup, teardown })`, relative to the root. */
  environment?: string;
  /** Env files loaded before tasks (never overriding variables already set). Default `".env"`; `false` turns it off. */
  dotenv?: boolean | string | string[];
}

/** The config after validation and defaults. */
export interface ResolvedConfig {
  tasksDirs: string[];
  environment: string | undefined;
  /** Env files to load; `required` when the config named them (a missing one is then an error). */
  dotenv: { files: string[]; required: boolean };
}

type Check = (value: unknown) => string | undefined;

const isStringOrStrings: Check = (value) => {
  if (typeof value === "string" && value.trim() !== "") return undefined;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && v.trim() !== "")) return undefined;
  return "a directory path or a non-empty array of paths";
};

const isPath: Check = (value) => (typeof value === "string" && value.trim() !== "" ? undefined : "a module path");

const isDotenv: Check = (value) =>
  typeof value === "boolean" || isStringOrStrings(value) === undefined ? undefined : "true, false, a file path or an array of paths";

const KEYS: Record<keyof UserConfig, Check> = {
  tasksDir: isStringOrStrings,
  environment: isPath,
  dotenv: isDotenv,
};

export function validateConfig(raw: unknown, file: string): ResolvedConfig {
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new DefinitionError(`Invalid config in ${file}: expected an object of settings, got ${describe(raw)}`);
  }
  const entries = Object.entries(raw as Record<string, unknown>).filter(([key]) => key !== "$schema");
  for (const [key, value] of entries) {
    const check = KEYS[key as keyof UserConfig];
    if (!check) {
      const matches = closeMatches(key, Object.keys(KEYS), 1);
      const hint = matches.length > 0 ? ` (did you mean '${matches[0]}'?)` : "";
      throw new DefinitionError(`Invalid config in ${file}: unknown key '${key}'${hint}`, [`Known keys: ${Object.keys(KEYS).join(", ")}`]);
    }
    const problem = check(value);
    if (problem) throw new DefinitionError(`Invalid config in ${file}: '${key}' must be ${problem}, got ${describe(value)}`);
  }
  const config = raw as UserConfig;
  const tasksDir = config.tasksDir ?? "tasks";
  const dotenv = config.dotenv ?? true;
  return {
    tasksDirs: Array.isArray(tasksDir) ? tasksDir : [tasksDir],
    environment: config.environment,
    dotenv:
      dotenv === false
        ? { files: [], required: false }
        : dotenv === true
          ? { files: [".env"], required: false }
          : { files: Array.isArray(dotenv) ? dotenv : [dotenv], required: true },
  };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array ${JSON.stringify(value)}`;
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}
