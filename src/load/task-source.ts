/**
 * Where a run gets its tasks from. With a fresh manifest, listings come straight from it and a run
 * loads only the task files that define the tasks it needs; otherwise every task file loads and a
 * new manifest is written for next time.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { writeTaskTypes } from "./task-types-file.js";
import { compareDefinitions, registryFromManifest, writeManifest, type Manifest, type ManifestTask } from "../cache/manifest.js";
import type { Project } from "../config/project.js";
import type { Target } from "../args/brackets.js";
import { ENVIRONMENT } from "../registry/task.js";
import type { DefinitionError } from "../errors.js";
import type { Registry } from "../registry/registry.js";
import type { TaskDefinition } from "../registry/task.js";
import { discoverTaskFiles } from "./discover.js";
import { filesFor } from "./needed-files.js";
import { loadTaskFiles, type LoadResult } from "./loader.js";

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
  private fresh: Manifest | undefined;
  private cached: Registry | undefined;
  /** The task files an edit changed, when loading only them brings the stored manifest up to date. */
  private readonly edited: string[] | undefined;
  private refreshed: Promise<void> | undefined;
  private readonly loaded = new Set<string>();
  /** Why some task files did not load; once set, every later load reports it again. */
  private failure: DefinitionError | undefined;

  constructor(private readonly options: TaskSourceOptions) {
    this.taskFiles = options.taskFiles ? [...options.taskFiles] : discoverTaskFiles(options.project.tasksDirs);
    const stored = options.taskFiles ? undefined : options.stored;
    const compared = stored && compareDefinitions(stored, this.taskFiles);
    this.fresh = compared === "unchanged" ? stored : undefined;
    this.edited = typeof compared === "object" ? compared.edited : undefined;
    this.cached = this.fresh && registryFromManifest(this.fresh);
  }

  /** Every task's definition: from the manifest when it is fresh. Throws when a task file fails to load. */
  async allDefinitions(): Promise<Registry> {
    await this.upToDate();
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

  /** Whether a task of this full name is defined, loaded or not (from the manifest when it is fresh). */
  defines(name: string): boolean {
    return (this.cached ?? this.options.registry).get(name) !== undefined;
  }

  async has(name: string): Promise<boolean> {
    await this.upToDate();
    if (this.cached) return this.cached.get(name) !== undefined;
    await this.loadAll();
    return this.options.registry.get(name) !== undefined;
  }

  /** Loads what these targets need: their task files and their prerequisites', or everything. */
  async loadFor(targets: readonly Target[]): Promise<void> {
    await this.upToDate();
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

  /**
   * After an edit of task files alone: loads just those and stores the manifest with their new
   * definitions beside the others' (the run after an edit is the one a developer meets most). If
   * what they define now cannot be merged so (a rule, a clearTask, a task another file defines
   * too, code loaded through import()), the rest loads too, as without a manifest.
   */
  private upToDate(): Promise<void> {
    const stored = this.options.stored;
    this.refreshed ??= this.edited && stored ? this.refresh(this.edited, stored) : Promise.resolve();
    return this.refreshed;
  }

  private async refresh(edited: readonly string[], stored: Manifest): Promise<void> {
    const madeAt = Date.now();
    const { registry } = this.options;
    let result: LoadResult;
    try {
      result = await this.load(edited, this.taskFiles.length);
    } catch (error) {
      // As a full load would: the other task files still load, to be listed beside the failure.
      if (error === this.failure) await loadTaskFiles(this.notLoaded(), registry, this.options.project.root);
      throw error;
    }
    const isEdited = (task: ManifestTask) => task.locations.some((location) => edited.includes(location.file));
    const kept = stored.tasks.filter((task) => !isEdited(task));
    const keptNames = new Set(kept.map((task) => task.name));
    const fromEdit = [...registry.tasks.values()].filter(isEdited);
    const mergeable =
      result.complete &&
      registry.rules.length === 0 &&
      fromEdit.every((task) => !keptNames.has(task.name) && !task.locations.some((location) => location.clears));
    if (!mergeable) return this.loadAll(madeAt, result);
    const modules = [...Object.keys(stored.modules), ...result.modules];
    const manifest = this.writeManifest(madeAt, modules, { ...stored.env, ...result.env }, [...kept, ...fromEdit]);
    if (!manifest) return; // the cache cannot be written: runs go on loading what they need
    this.fresh = manifest;
    this.cached = registryFromManifest(manifest);
  }

  private notLoaded(): string[] {
    return this.taskFiles.filter((file) => !this.loaded.has(file));
  }

  /**
   * Loads every task file not loaded yet, and stores the manifest when that completes a full load
   * (`earlier`: what this process loaded before, after an edit).
   */
  private async loadAll(madeAt = Date.now(), earlier?: LoadResult): Promise<void> {
    if (this.notLoaded().length === 0) return;
    const fullLoad = earlier !== undefined || this.loaded.size === 0;
    const result = await this.load(this.notLoaded());
    // A manifest is only as good as what it saw: skip it when part of the loading was invisible (ES
    // modules). load() has thrown when a file failed: a failure is never cached.
    const complete = result.complete && (earlier?.complete ?? true);
    if (fullLoad && complete && !this.options.taskFiles) {
      this.writeManifest(madeAt, [...(earlier?.modules ?? []), ...result.modules], { ...earlier?.env, ...result.env });
    } else if (fullLoad && !this.options.taskFiles) {
      // No manifest from this load (part of it was invisible): the declaration file follows all the same.
      const { project, registry } = this.options;
      writeTaskTypes(project, registry.tasks.values(), registry.rules.length > 0);
    }
  }

  private async load(files: readonly string[], of?: number): Promise<LoadResult> {
    if (this.failure) throw this.failure;
    // Nothing new to load (a worker's every job after the first, usually): nothing to watch either.
    if (files.length === 0) return { modules: [], env: {}, complete: true, failure: undefined };
    const result = await loadTaskFiles(files, this.options.registry, this.options.project.root, of);
    for (const file of files) this.loaded.add(file);
    if (result.failure) {
      this.failure = result.failure;
      throw result.failure;
    }
    return result;
  }

  private writeManifest(
    madeAt: number,
    modules: readonly string[],
    env: Record<string, string | null>,
    tasks: Iterable<TaskDefinition | ManifestTask> = this.options.registry.tasks.values(),
  ): Manifest | undefined {
    const { project, registry, jtBuild, extraDependencies } = this.options;
    const projectFiles = ["package.json", "tsconfig.json"].map((name) => join(project.root, name)).filter((file) => existsSync(file));
    const manifest = writeManifest({
      jtVersion: jtBuild,
      madeAt,
      root: project.root,
      configFile: project.configFile,
      config: project.config,
      taskFiles: this.taskFiles,
      modules: [...modules, ...projectFiles, ...(project.configFile ? [project.configFile] : []), ...extraDependencies],
      env,
      tasks,
      ruleFiles: registry.rules.flatMap((rule) => (rule.location ? [rule.location.file] : [])),
    });
    // The task files were read anew: the declaration file typing their names follows.
    if (manifest) writeTaskTypes(project, manifest.tasks, manifest.ruleFiles.length > 0);
    return manifest;
  }
}
