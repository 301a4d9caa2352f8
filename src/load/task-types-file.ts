/**
 * Keeps the project's declaration file (report/task-types.ts) in step with its tasks: written
 * whenever jt has read the task files anew, and only when its text changes, so an editor's
 * TypeScript server does not recheck the project for nothing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Project } from "../config/project.js";
import { taskTypes, type TypedTask } from "../report/task-types.js";

/** The file for this project, or undefined when it has none (turned off, or no tsconfig.json and none configured). */
export function taskTypesFile(project: Project, force = false): string | undefined {
  const types = project.config.types;
  if (!types) return undefined;
  if (!types.always && !force && !existsSync(join(project.root, "tsconfig.json"))) return undefined;
  return resolve(project.root, types.file);
}

/** Writes the file when its text differs; returns whether it did. A file jt cannot write is left as it is. */
export function writeTaskTypes(
  project: Project,
  tasks: Iterable<TypedTask>,
  anyName: boolean,
  /** `jt types`: also without a tsconfig.json. */
  options: { force?: boolean } = {},
): { file: string; written: boolean; failure?: string } | undefined {
  const file = taskTypesFile(project, options.force);
  if (!file) return undefined;
  const text = taskTypes(tasks, anyName);
  try {
    if (existsSync(file) && readFileSync(file, "utf8") === text) return { file, written: false };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return { file, written: true };
  } catch (error) {
    return { file, written: false, failure: (error as Error).message };
  }
}

/** The file's text now, or undefined when there is none. */
export function currentTaskTypes(project: Project): string | undefined {
  const file = taskTypesFile(project, true);
  try {
    return file === undefined ? undefined : readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
