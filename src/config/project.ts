/**
 * The project: its root (found by root.ts), its config loaded by cosmiconfig and validated.
 */
import { isAbsolute, join } from "node:path";
import { DefinitionError } from "../errors.js";
import { findProjectRoot, SEARCH_PLACES } from "./root.js";
import { validateConfig, type ResolvedConfig } from "./schema.js";

export const MODULE_NAME = "jt";

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
  /** The config as cached for this root and config file, when the cache knows it is still right. */
  cachedConfig?: (root: string, configFile: string | undefined) => ResolvedConfig | undefined;
  /** false (`-N`): look in the start directory only, not in its parents. */
  search?: boolean;
}

export async function findProject(startDir: string, options: FindOptions): Promise<Project | undefined> {
  const found = findProjectRoot(startDir, options.search);
  if (!found) return undefined;
  const { root, configFile } = found;
  const config =
    options.cachedConfig?.(root, configFile) ??
    validateConfig(configFile === undefined ? undefined : await loadConfigFile(configFile, options), configFile ?? root);
  return { root, configFile, config, tasksDirs: config.tasksDirs.map((d) => (isAbsolute(d) ? d : join(root, d))) };
}

async function loadConfigFile(file: string, options: FindOptions): Promise<unknown> {
  const { cosmiconfig } = await import("cosmiconfig");
  const loadTs = async (path: string) => defaultExport(await options.importModule(path));
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: "none",
    loaders: { ".ts": loadTs, ".mts": loadTs, ".cts": loadTs },
  });
  try {
    return (await explorer.load(file))?.config;
  } catch (error) {
    throw new DefinitionError(`Cannot read config ${file}: ${describeConfigError(error, file)}`);
  }
}

function defaultExport(module: unknown): unknown {
  if (module && typeof module === "object" && "default" in module) return (module as { default: unknown }).default;
  return module;
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
