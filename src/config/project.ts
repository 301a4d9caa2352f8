/**
 * Finds the project root the way Rake finds a Rakefile: the nearest directory, from the working
 * directory upwards, that has a jt config or a `tasks/` directory. Then loads and validates the config.
 */
import { statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { DefinitionError } from "../errors.js";
import { validateConfig, type ResolvedConfig } from "./schema.js";

export const MODULE_NAME = "jt";
export const DEFAULT_TASKS_DIR = "tasks";

export const SEARCH_PLACES = [
  "package.json",
  ".jtrc",
  ".jtrc.json",
  ".jtrc.yaml",
  ".jtrc.yml",
  ".jtrc.js",
  ".jtrc.ts",
  ".jtrc.mjs",
  ".jtrc.cjs",
  ".config/jtrc",
  ".config/jtrc.json",
  ".config/jtrc.yaml",
  ".config/jtrc.yml",
  ".config/jtrc.js",
  ".config/jtrc.ts",
  ".config/jtrc.mjs",
  ".config/jtrc.cjs",
  "jt.config.json",
  "jt.config.js",
  "jt.config.ts",
  "jt.config.mjs",
  "jt.config.mts",
  "jt.config.cjs",
];

export interface Project {
  root: string;
  /** The config file used, if any. */
  configFile: string | undefined;
  config: ResolvedConfig;
  /** Absolute task directories, in config order. */
  tasksDirs: string[];
}

export interface FindOptions {
  /** Loads a TypeScript config module (through tsx); kept out of here so config/ stays cheap. */
  importModule: (file: string) => Promise<unknown>;
}

export async function findProject(startDir: string, options: FindOptions): Promise<Project | undefined> {
  const { cosmiconfig } = await import("cosmiconfig");
  const loadTs = async (file: string) => defaultExport(await options.importModule(file));
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: "none",
    loaders: { ".ts": loadTs, ".mts": loadTs, ".cts": loadTs },
  });
  for (let dir = resolve(startDir); ; dir = dirname(dir)) {
    let found;
    try {
      found = await explorer.search(dir);
    } catch (error) {
      const file = (error as { filepath?: string }).filepath ?? dir;
      throw new DefinitionError(`Cannot read config ${file}: ${describeConfigError(error, file)}`);
    }
    if (found || isDirectory(join(dir, DEFAULT_TASKS_DIR))) {
      const configFile = found?.filepath;
      const config = validateConfig(found?.config, configFile ?? dir);
      return { root: dir, configFile, config, tasksDirs: config.tasksDirs.map((d) => (isAbsolute(d) ? d : join(dir, d))) };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function defaultExport(module: unknown): unknown {
  if (module && typeof module === "object" && "default" in module) return (module as { default: unknown }).default;
  return module;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** cosmiconfig's message on one line: the parser's reason, without the code frame or the file name again. */
function describeConfigError(error: unknown, file: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const reasons = message
    .split("\n")
    .map((line) => line.replace(`JSON Error in ${file}:`, "").replace(`YAML Error in ${file}:`, "").trim())
    .filter((line) => line !== "" && !/^>?\s*\d*\s*\|/.test(line) && !/^-+\^/.test(line));
  return [...new Set(reasons)].join(" ") || message;
}
