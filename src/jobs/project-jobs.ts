/**
 * The job store of the project jt runs in, opened on first use (a run that enqueues nothing never
 * touches it), with the project's tasks as the catalog jobs are checked against.
 */
import type { Session } from "../cli/session.js";
import { Jobs } from "./jobs.js";
import { openStore, storeLocation, type StoreLocation } from "./store/open.js";

export class ProjectJobs {
  private opened: Promise<Jobs> | undefined;
  readonly location: StoreLocation;

  constructor(private readonly session: Session) {
    this.location = storeLocation(session.project.config.jobs.store, session.project.root);
  }

  get(): Promise<Jobs> {
    // The task files first: one that fails to load leaves no store opened (or created) behind.
    this.opened ??= (async () => {
      const catalog = await this.session.source.allDefinitions();
      return new Jobs(await openStore(this.location), catalog);
    })();
    return this.opened;
  }

  async close(): Promise<void> {
    if (this.opened) await (await this.opened).store.close();
  }
}
