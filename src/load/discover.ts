/** Finds task files: every .ts/.mts/.js/.mjs under the task directories, in sorted path order. */
import { readdirSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { DefinitionError } from "../errors.js";

export const TASK_FILE = /\.(?:ts|mts|js|mjs)$/;
const DECLARATION_FILE = /\.d\.m?ts$/;

export function discoverTaskFiles(dirs: readonly string[]): string[] {
  const files: string[] = [];
  for (const dir of dirs) {
    let stat: Stats;
    try {
      stat = statSync(dir);
    } catch {
      throw new DefinitionError(`Tasks directory ${dir} does not exist`, ["Create it, or set tasksDir in your jt config"]);
    }
    if (!stat.isDirectory()) throw new DefinitionError(`Tasks directory ${dir} is not a directory`);
    const found: string[] = [];
    collect(dir, found);
    files.push(...found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return files;
}

function collect(dir: string, into: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) collect(path, into);
    else if ((entry.isFile() || entry.isSymbolicLink()) && TASK_FILE.test(entry.name) && !DECLARATION_FILE.test(entry.name))
      into.push(path);
  }
}
