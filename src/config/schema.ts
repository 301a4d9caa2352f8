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
}

/** The config after validation and defaults. */
export interface ResolvedConfig {
  tasksDirs: string[];
}

type Check = (value: unknown) => string | undefined;

const isStringOrStrings: Check = (value) => {
  if (typeof value === "string" && value.trim() !== "") return undefined;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && v.trim() !== "")) return undefined;
  return "a directory path or a non-empty array of paths";
};

const KEYS: Record<keyof UserConfig, Check> = {
  tasksDir: isStringOrStrings,
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
  return { tasksDirs: Array.isArray(tasksDir) ? tasksDir : [tasksDir] };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array ${JSON.stringify(value)}`;
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}
