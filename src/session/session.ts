/**
 * What every run starts from: the project found and its config, `.env` loaded, the registry with
 * the built-in `environment` task, and the task source (from the manifest when it is fresh), for
 * task runs (cli/main.ts) and job workers (cli/jobs/) alike.
 */
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { configUnchanged, readManifest, type Manifest } from "../cache/manifest.js";
import { cacheDir } from "../cache/store.js";
import { loadEnvFiles } from "../config/dotenv.js";
import { findProject, type FindOptions, type Project } from "../config/project.js";
import { validateConfig } from "../config/schema.js";
import { DefinitionError, UsageError } from "../errors.js";
import { CompiledCache } from "../load/compiled-cache.js";
import { tsconfigFingerprint } from "../load/tsconfig-paths.js";
import { describeLoadFailure, importModule, useCompiledCache } from "../load/loader.js";
import { TaskSource } from "../load/task-source.js";
import { jtBuild } from "../package-paths.js";
import { ENVIRONMENT } from "../registry/task.js";
import { activeRegistry, type Registry } from "../registry/registry.js";
import type { Output } from "../report/output.js";
import { Environment } from "../run/environment.js";

export interface SessionOptions {
  env: readonly [string, string][];
  directory: string | undefined;
  silent: boolean;
  /** false (`-N`): do not look for the project in parent directories. */
  search?: boolean;
  /** `-f file`: task files to load instead of the project's tasks/ (relative to the working directory). */
  taskFiles?: readonly string[];
  /** Find the project from here, and stay in the working directory (the testing helpers). */
  from?: string;
}

export interface Session {
  project: Project;
  registry: Registry;
  source: TaskSource;
  environment: Environment | undefined;
}

export async function openSession(options: SessionOptions, output: Output): Promise<Session> {
  const version = jtBuild();
  // -f names files from where jt was started (after -C), before it moves to the project's root.
  const startDir = options.directory !== undefined ? resolve(options.directory) : process.cwd();
  let stored: Manifest | undefined;
  const project = await openProject(options, output, (root, configFile) => {
    useCompiledCache(new CompiledCache(join(cacheDir(root), "modules"), tsconfigFingerprint));
    const manifest = readManifest(root, version);
    if (!manifest || !configUnchanged(manifest, configFile)) return undefined;
    stored = manifest;
    return manifest.config;
  });
  const envFiles = loadEnvFiles(project.root, project.config.dotenv);

  const registry = activeRegistry();
  const environment = project.config.environment
    ? new Environment({ modulePath: resolve(project.root, project.config.environment), importModule, loadFailure: describeLoadFailure })
    : undefined;
  if (environment) {
    if (!existsSync(environment.modulePath)) {
      throw new DefinitionError(
        `The environment module ${project.config.environment} does not exist (in ${project.configFile ?? project.root})`,
      );
    }
    registry.define(ENVIRONMENT, {}, ({ signal }: { signal: AbortSignal }) => environment.boot(signal), {
      file: environment.modulePath,
      line: 1,
      column: 1,
    });
  }
  const taskFiles = options.taskFiles?.map((file) => resolve(startDir, file));
  for (const file of taskFiles ?? []) {
    if (!existsSync(file)) throw new UsageError(`-f: no such task file: ${file}`, ["(See `jt --help`)"]);
  }
  const source = new TaskSource({ project, registry, jtBuild: version, stored, extraDependencies: envFiles, taskFiles });
  return { project, registry, source, environment };
}

export async function openProject(
  invocation: SessionOptions,
  output: Output,
  cachedConfig?: FindOptions["cachedConfig"],
): Promise<Project> {
  for (const [name, value] of invocation.env) process.env[name] = value;
  if (invocation.directory !== undefined) changeDirectory(invocation.directory);
  const startDir = invocation.from ?? process.cwd();
  const search = invocation.search !== false;
  const found = await findProject(startDir, { importModule, cachedConfig, search });
  // -f needs no tasks/ directory: without a project around, the working directory is the root.
  const project = found ?? (invocation.taskFiles ? defaultProject(startDir) : undefined);
  if (!project) {
    throw new DefinitionError(
      `No tasks found: no tasks/ directory or jt config in ${startDir}${search ? " or any parent directory" : " (-N: parent directories not searched)"}`,
      ["Create tasks/ with a task file (jt generate task <namespace> <name> writes one), or run jt from your project's directory"],
    );
  }
  if (project.root !== startDir && invocation.from === undefined) {
    process.chdir(project.root);
    if (!invocation.silent) output.err(`(in ${project.root})\n`);
  }
  return project;
}

function defaultProject(root: string): Project {
  const config = validateConfig(undefined, root);
  return { root, configFile: undefined, config, tasksDirs: config.tasksDirs.map((dir) => resolve(root, dir)) };
}

export function changeDirectory(dir: string): void {
  const target = resolve(dir);
  if (!existsSync(target) || !statSync(target).isDirectory()) {
    throw new UsageError(`-C ${dir}: no such directory`);
  }
  process.chdir(target);
}

export function millisecondsFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}
