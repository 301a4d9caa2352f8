/**
 * The manifest: what loading the task files found (names, descriptions, args, prerequisites,
 * file:line), cached on disk with what it depended on — every local module loaded, the config,
 * the list of task files, and the environment variables read while loading. When all of that is
 * unchanged, listings and completion answer from it without loading tsx or any task file, and a
 * run loads only the files that define the tasks it needs.
 */
import { join } from "node:path";
import type { ResolvedConfig } from "../config/schema.js";
import type { TaskDefinition } from "../registry/task.js";
import { Registry } from "../registry/registry.js";
import { compareStamp, isUnchanged, stampFile, type FileStamp } from "./stamps.js";
import { cacheDir, readCacheFile, writeCacheFile } from "./store.js";

const FORMAT = 2;

export type ManifestTask = Omit<TaskDefinition, "actions" | "scope">;

export interface Manifest {
  format: typeof FORMAT;
  jtVersion: string;
  /** Epoch ms when loading started: files changed after this are checked by content. */
  madeAt: number;
  root: string;
  configFile: string | null;
  config: ResolvedConfig;
  /** The task files found, in load order. */
  taskFiles: string[];
  /** Every local module the task files loaded (themselves included), the config file, package.json, .env files. */
  modules: Record<string, FileStamp>;
  /** Environment variables read while the task files loaded, and their values (null: unset). */
  env: Record<string, string | null>;
  tasks: ManifestTask[];
  /** Task files that define rules (Rake's `rule`): a name no task has may be theirs to make. */
  ruleFiles: string[];
}

export function manifestFile(root: string): string {
  return join(cacheDir(root), "manifest.json");
}

/** The stored manifest for `root`, if there is a readable one made by this version of jt. */
export function readManifest(root: string, jtVersion: string): Manifest | undefined {
  const text = readCacheFile(manifestFile(root));
  if (text === undefined) return undefined;
  try {
    const manifest = JSON.parse(text) as Manifest;
    return manifest.format === FORMAT && manifest.jtVersion === jtVersion && manifest.root === root ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the config the manifest holds still applies: same file, unchanged. */
export function configUnchanged(manifest: Manifest, configFile: string | undefined): boolean {
  if ((manifest.configFile ?? undefined) !== configFile) return false;
  const stamp = configFile === undefined ? undefined : manifest.modules[configFile];
  return configFile === undefined || (stamp !== undefined && isUnchanged(configFile, stamp, manifest.madeAt));
}

/**
 * Whether the task definitions the manifest holds are still what loading would find: the same
 * task files, every module unchanged, the same values for the environment variables read.
 */
export function definitionsUnchanged(manifest: Manifest, taskFiles: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return compareDefinitions(manifest, taskFiles, env) === "unchanged";
}

/**
 * How the definitions the manifest holds compare with what loading would find, in one pass over
 * its modules: "unchanged" (see `definitionsUnchanged`); `{ edited }` when the edit of these task
 * files is all that changed, so that loading only them brings the manifest up to date: the same
 * task files, the same values for the variables loading read, no other module changed (a shared
 * module, the config, package.json, a .env file), no rules, no task cleared, and no task defined
 * both in an edited file and in one that is not; "stale" otherwise.
 */
export function compareDefinitions(
  manifest: Manifest,
  taskFiles: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): "unchanged" | { edited: string[] } | "stale" {
  if (taskFiles.length !== manifest.taskFiles.length || taskFiles.some((file, i) => file !== manifest.taskFiles[i])) return "stale";
  for (const [name, value] of Object.entries(manifest.env)) if ((env[name] ?? null) !== value) return "stale";
  const isTaskFile = new Set(taskFiles);
  const edited = new Set<string>();
  const checkedByContent: string[] = [];
  for (const [file, stamp] of Object.entries(manifest.modules)) {
    const result = compareStamp(file, stamp, manifest.madeAt);
    if (result === "changed") {
      if (!isTaskFile.has(file)) return "stale";
      edited.add(file);
    } else if (result === "same content") checkedByContent.push(file);
  }
  if (edited.size === 0) {
    if (checkedByContent.length > 0) restamp(manifest, checkedByContent);
    return "unchanged";
  }
  if (manifest.ruleFiles.length > 0) return "stale";
  for (const task of manifest.tasks) {
    if (task.locations.some((location) => location.clears)) return "stale";
    const inEdited = task.locations.filter((location) => edited.has(location.file)).length;
    if (inEdited > 0 && inEdited < task.locations.length) return "stale";
  }
  return { edited: taskFiles.filter((file) => edited.has(file)) };
}

/**
 * Files that only their content proved unchanged (edited just before the manifest was made, or
 * touched since) get fresh stamps, so that later runs can trust size and times again instead of
 * hashing them every time.
 */
function restamp(manifest: Manifest, files: readonly string[]): void {
  const madeAt = Date.now();
  for (const file of files) {
    const stamp = stampFile(file);
    if (!stamp) return;
    manifest.modules[file] = stamp;
  }
  manifest.madeAt = madeAt;
  writeCacheFile(manifestFile(manifest.root), `${JSON.stringify(manifest)}\n`);
}

export interface ManifestInput {
  jtVersion: string;
  madeAt: number;
  root: string;
  configFile: string | undefined;
  config: ResolvedConfig;
  taskFiles: readonly string[];
  modules: Iterable<string>;
  env: Record<string, string | null>;
  /** Loaded tasks, or tasks kept from an earlier manifest. */
  tasks: Iterable<TaskDefinition | ManifestTask>;
  ruleFiles: Iterable<string>;
}

/** Stores a manifest and returns it; undefined (and nothing changed) when the cache cannot be written. */
export function writeManifest(input: ManifestInput): Manifest | undefined {
  const modules: Record<string, FileStamp> = {};
  for (const file of new Set(input.modules)) {
    const stamp = stampFile(file);
    if (!stamp) return undefined; // a module that vanished while loading: don't cache a guess
    modules[file] = stamp;
  }
  const manifest: Manifest = {
    format: FORMAT,
    jtVersion: input.jtVersion,
    madeAt: input.madeAt,
    root: input.root,
    configFile: input.configFile ?? null,
    config: input.config,
    taskFiles: [...input.taskFiles],
    modules,
    env: input.env,
    // Stored sorted by name, the order every listing shows them in.
    ruleFiles: [...new Set(input.ruleFiles)],
    tasks: [...input.tasks].map(withoutActions).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
  return writeCacheFile(manifestFile(input.root), `${JSON.stringify(manifest)}\n`) ? manifest : undefined;
}

function withoutActions(task: TaskDefinition | ManifestTask): ManifestTask {
  const { actions: _actions, scope: _scope, ...stored } = task as Partial<Pick<TaskDefinition, "actions" | "scope">> & ManifestTask;
  return stored;
}

/** A registry holding the manifest's tasks (without actions), for listings and for finding files. */
export function registryFromManifest(manifest: Manifest): Registry {
  const registry = new Registry();
  for (const task of manifest.tasks) {
    // The parsed manifest is ours alone: complete its objects in place rather than copy 1000 of them.
    registry.tasks.set(task.name, Object.assign(task as TaskDefinition, { scope: task.name.split(":").slice(0, -1), actions: [] }));
  }
  return registry;
}
