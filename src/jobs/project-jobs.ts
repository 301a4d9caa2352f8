/**
 * The job store of the project jt runs in, opened on first use (a run that enqueues nothing never
 * touches it), with the project's tasks as the catalog jobs are checked against.
 */
import type { Project } from "../config/project.js";
import { projectHookSets } from "./hooks-module.js";
import { Jobs, type TaskCatalog } from "./jobs.js";
import { openStore, storeLocation, type StoreLocation } from "./store/open.js";

export class ProjectJobs {
  private opened: Promise<Jobs> | undefined;
  readonly location: StoreLocation;

  /** `catalog` loads the project's task definitions (all of them: a job may name any task). */
  /** `importModule` loads the project's hooks module the way task files load. */
  constructor(
    private readonly project: Project,
    private readonly catalog: () => Promise<TaskCatalog>,
    private readonly importModule: (file: string) => Promise<unknown>,
  ) {
    this.location = storeLocation(project.config.jobs.store, project.root);
  }

  get(): Promise<Jobs> {
    // The task files first: one that fails to load leaves no store opened (or created) behind.
    this.opened ??= (async () => {
      const catalog = await this.catalog();
      const { root, config } = this.project;
      return new Jobs(await openStore(this.location), catalog, () =>
        projectHookSets({ root, config: config.jobs, importModule: this.importModule }),
      );
    })();
    return this.opened;
  }

  async close(): Promise<void> {
    if (this.opened) await (await this.opened).store.close();
  }
}
