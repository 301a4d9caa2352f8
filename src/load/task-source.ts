/**
 * Where a run gets its tasks from. With a fresh manifest, listings come straight from it and a run
 * loads only the task files that define the tasks it needs; otherwise every task file loads and a
 * new manifest is written for next time.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { definitionsUnchanged, registryFromManifest, writeManifest, type Manifest } from "../cache/manifest.js";
import type { Project } from "../config/project.js";
import type { Target } from "../args/brackets.js";
import { ENVIRONMENT } from "../registry/task.js";
import type { DefinitionError } from "../errors.js";
import type { Registry } from "../registry/registry.js";
import { discoverTaskFiles } from "./discover.js";
import { filesFor } from "./needed-files.js";
import { loadTaskFiles } from "./loader.js";

/** Tasks jt defines itself, from no task file. */
const BUILT_IN: ReadonlySet<string> = new Set([ENVIRONMENT]);

export interface TaskSourceOptions {
  project: Project;
  /** The registry task files define into (the active one). */
  registry: Registry;
  /** Caches of another build of jt are ignored. */
  jtBuild: string;
  /** The stored manifest whose config still applies, if any. */
  stored: Manifest | undefined;
  /** Files besides modules that the definitions depend on: .env files loaded. */
  extraDependencies: readonly string[];
  /** `-f`: these task files instead of the project's tasks/ (and no manifest kept for them). */
  taskFiles?: readonly string[];
}

export class TaskSource {
  readonly taskFiles: string[];
  private readonly fresh: Manifest | undefined;
  private readonly cached: Registry | undefined;
  private readonly loaded = new Set<string>();
  /** Why some task files did not load; once set, every later load reports it again. */
  private failure: DefinitionError | undefined;

  constructor(private readonly options: TaskSourceOptions) {
    this.taskFiles = options.taskFiles ? [...options.taskFiles] : discoverTaskFiles(options.project.tasksDirs);
    const stored = options.taskFiles ? undefined : options.stored;
    this.fresh = stored && definitionsUnchanged(stored, this.taskFiles) ? stored : undefined;
    this.cached = this.fresh && registryFromManifest(this.fresh);
  }

  /** Whether the definitions come from the cache (nothing was loaded to list them). */
  get fromCache(): boolean {
    return this.fresh !== undefined;
  }

  /** Every task's definition: from the manifest when it is fresh. Throws when a task file fails to load. */
  async allDefinitions(): Promise<Registry> {
    if (this.cached) return this.cached;
    await this.loadAll();
    return this.options.registry;
  }

  /** For listings: what did load, and the task files that did not (as one error), if any. */
  async listingDefinitions(): Promise<{ definitions: Registry; failure: DefinitionError | undefined }> {
    try {
      return { definitions: await this.allDefinitions(), failure: undefined };
    } catch (error) {
      if (error !== this.failure) throw error;
      return { definitions: this.options.registry, failure: this.failure };
    }
  }

  /** Whether a task of this full name exists (without loading, when the manifest is fresh). */
  /** Whether a task of this full name is defined, loaded or not (from the manifest when it is fresh). */
  defines(name: string): boolean {
    return (this.cached ?? this.options.registry).get(name) !== undefined;
  }

  async has(name: string): Promise<boolean> {
    if (this.cached) return this.cached.get(name) !== undefined;
    await this.loadAll();
    return this.options.registry.get(name) !== undefined;
  }

  /** Loads what these targets need: their task files and their prerequisites', or everything. */
  async loadFor(targets: readonly Target[]): Promise<void> {
    if (!this.cached) return this.loadAll();
    const files = filesFor(
      targets.map((t) => t.name),
      this.cached,
      this.taskFiles,
      BUILT_IN,
      this.fresh?.ruleFiles,
    );
    if (!files) return this.loadAll();
    await this.load(files.filter((file) => !this.loaded.has(file)));
  }

  private async loadAll(): Promise<void> {
    if (this.loaded.size === this.taskFiles.length && this.taskFiles.every((f) => this.loaded.has(f))) return;
    const firstFullLoad = this.loaded.size === 0;
    const madeAt = Date.now();
    const result = await this.load(this.taskFiles.filter((file) => !this.loaded.has(file)));
    // A manifest is only as good as what it saw: skip it when part of the loading was invisible (ES
    // modules). load() has thrown when a file failed: a failure is never cached.
    if (firstFullLoad && result.complete && !this.options.taskFiles) this.writeManifest(madeAt, result.modules, result.env);
  }

  private async load(files: readonly string[]) {
    if (this.failure) throw this.failure;
    // Nothing new to load (a worker's every job after the first, usually): nothing to watch either.
    if (files.length === 0) return { modules: [], env: {}, complete: true };
    const result = await loadTaskFiles(files, this.options.registry, this.options.project.root);
    for (const file of files) this.loaded.add(file);
    if (result.failure) {
      this.failure = result.failure;
      throw result.failure;
    }
    return result;
  }

  private writeManifest(madeAt: number, modules: readonly string[], env: Record<string, string | null>): void {
    const { project, registry, jtBuild, extraDependencies } = this.options;
    const projectFiles = ["package.json", "tsconfig.json"].map((name) => join(project.root, name)).filter((file) => existsSync(file));
    writeManifest({
      jtVersion: jtBuild,
      madeAt,
      root: project.root,
      configFile: project.configFile,
      config: project.config,
      taskFiles: this.taskFiles,
      modules: [...modules, ...projectFiles, ...(project.configFile ? [project.configFile] : []), ...extraDependencies],
      env,
      tasks: registry.tasks.values(),
      ruleFiles: registry.rules.flatMap((rule) => (rule.location ? [rule.location.file] : [])),
    });
  }
}
