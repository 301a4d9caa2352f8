/**
 * The app's environment: the module named by `environment` in the config, booted by the built-in
 * `environment` task at most once per run, and torn down after the last task whatever happened.
 */
import { relative } from "node:path";
import type { App, EnvironmentDefinition } from "../api/types.js";
import { DefinitionError } from "../errors.js";

export interface EnvironmentOptions {
  /** Absolute path of the environment module. */
  modulePath: string;
  /** Loads a module the way task files load (tsx for .ts). */
  importModule: (file: string) => Promise<unknown>;
  /** Turns a load error into the error jt reports for a file that fails to load. */
  loadFailure: (file: string, error: unknown) => Error;
}

export class Environment {
  private state: { kind: "idle" } | { kind: "booted"; app: App; definition: EnvironmentDefinition } | { kind: "closed" } = { kind: "idle" };

  constructor(private readonly options: EnvironmentOptions) {}

  get modulePath(): string {
    return this.options.modulePath;
  }

  get booted(): boolean {
    return this.state.kind === "booted";
  }

  /** The booted app, or undefined before `boot` (and after teardown). */
  get app(): App | undefined {
    return this.state.kind === "booted" ? this.state.app : undefined;
  }

  /** Imports the module and runs `setup()` once, however many callers ask at once (a worker's concurrent jobs). */
  boot(signal: AbortSignal): Promise<void> {
    this.booting ??= (async () => {
      const definition = await this.loadDefinition();
      const app = await definition.setup({ signal });
      this.state = { kind: "booted", app: (app ?? {}) as App, definition };
    })().catch((error: unknown) => {
      this.booting = undefined; // a later job may try again (the database was only down for a moment)
      throw error;
    });
    return this.booting;
  }

  private booting: Promise<void> | undefined;

  /** Runs `teardown(app)` once, if the app was booted. */
  async teardown(): Promise<void> {
    if (this.state.kind !== "booted") return;
    const { app, definition } = this.state;
    this.state = { kind: "closed" };
    await definition.teardown?.(app);
  }

  /** Back to not booted, after a teardown (the testing helpers run many times in one process; jt runs once). */
  reset(): void {
    this.state = { kind: "idle" };
    this.booting = undefined;
  }

  /** Uses this app instead of booting the module's (a test's own app): `teardown` then does nothing. */
  supply(app: App): void {
    this.state = { kind: "booted", app, definition: { setup: () => app } };
    this.booting = Promise.resolve();
  }

  private async loadDefinition(): Promise<EnvironmentDefinition> {
    const { modulePath, importModule, loadFailure } = this.options;
    let loaded: unknown;
    try {
      loaded = await importModule(modulePath);
    } catch (error) {
      throw loadFailure(modulePath, error);
    }
    const definition = defaultExport(loaded);
    if (!isEnvironmentDefinition(definition)) {
      throw new DefinitionError(`${relative(process.cwd(), modulePath)} must export default defineEnvironment({ setup, teardown })`, [
        'import { defineEnvironment } from "jobs-and-tasks";',
        "export default defineEnvironment({ async setup() { return { /* db, models */ }; }, async teardown(app) { /* close */ } });",
      ]);
    }
    return definition;
  }
}

/** The default export of an ES module (also as tsx compiles it to CommonJS), or a CommonJS module's exports. */
export function defaultExport(module: unknown): unknown {
  if (!module || typeof module !== "object") return module;
  const isEsModule =
    (module as { __esModule?: unknown }).__esModule === true || Object.prototype.toString.call(module) === "[object Module]";
  if (!isEsModule) return module;
  const value = (module as { default?: unknown }).default;
  // `export default` of a module that was itself compiled to CommonJS nests once more.
  if (value && typeof value === "object" && (value as { __esModule?: unknown }).__esModule === true)
    return (value as { default?: unknown }).default;
  return value;
}

function isEnvironmentDefinition(value: unknown): value is EnvironmentDefinition {
  if (typeof value !== "object" || value === null) return false;
  const { setup, teardown } = value as Record<string, unknown>;
  return typeof setup === "function" && (teardown === undefined || typeof teardown === "function");
}
