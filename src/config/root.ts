/**
 * Finds the project root as Rake finds a Rakefile: the nearest directory, from the working
 * directory upwards, with a jt config file or a tasks/ directory. Cheap (a few stat calls per
 * level, no config parsing) so that the cached listing can use it too; the config file it finds is
 * loaded by cosmiconfig (project.ts).
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const DEFAULT_TASKS_DIR = "tasks";

/** cosmiconfig's places for module "jt", in its order, plus jt.config.json and .mts. */
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

export interface ProjectRoot {
  root: string;
  /** The config file that applies, if any (package.json only when it has a "jt" key). */
  configFile: string | undefined;
}

/** `search: false` (`-N`): only `startDir` itself, not its parents. */
export function findProjectRoot(startDir: string, search = true): ProjectRoot | undefined {
  for (let dir = resolve(startDir); ; dir = dirname(dir)) {
    const configFile = configFileIn(dir);
    if (configFile || isDirectory(join(dir, DEFAULT_TASKS_DIR))) return { root: dir, configFile };
    if (dirname(dir) === dir || !search) return undefined;
  }
}

function configFileIn(dir: string): string | undefined {
  for (const place of SEARCH_PLACES) {
    const file = join(dir, place);
    if (!isFile(file)) continue;
    if (place !== "package.json" || packageJsonHasJtKey(file)) return file;
  }
  return undefined;
}

function packageJsonHasJtKey(file: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    return pkg.jt !== undefined;
  } catch {
    // Unreadable: let the config loader report what is wrong with it.
    return true;
  }
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
