/**
 * The project's hook sets: OpenTelemetry's (outermost, when on) and those of its hooks module
 * (`jobs.hooks`), loaded once per process, wherever jobs are enqueued or run.
 */
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ResolvedJobsConfig } from "../config/schema.js";
import { DefinitionError } from "../errors.js";
import { defaultExport } from "../run/environment.js";
import { hookSetsOf, type HookSet } from "./hooks.js";
import { openTelemetryHooks, type OpenTelemetryApi } from "./open-telemetry.js";

export interface HookModuleOptions {
  root: string;
  config: Pick<ResolvedJobsConfig, "hooks" | "openTelemetry">;
  /** Loads a module the way task files load (tsx for .ts). */
  importModule: (file: string) => Promise<unknown>;
}

export async function projectHookSets({ root, config, importModule }: HookModuleOptions): Promise<HookSet[]> {
  const sets: HookSet[] = [];
  const api = config.openTelemetry === false ? undefined : await openTelemetryApi(root, config.openTelemetry === true);
  if (api) sets.push(openTelemetryHooks(api));
  if (config.hooks !== undefined) {
    const file = resolve(root, config.hooks);
    const source = relative(root, file);
    let loaded: unknown;
    try {
      loaded = await importModule(file);
    } catch (error) {
      throw new DefinitionError(`The job hooks module ${source} (jobs.hooks) failed to load: ${(error as Error).message}`);
    }
    try {
      sets.push(...hookSetsOf(defaultExport(loaded), source));
    } catch (error) {
      throw new DefinitionError((error as Error).message, [
        'import { defineJobHooks } from "jobs-and-tasks";',
        "export default defineJobHooks({ async aroundPerform(job, ctx, perform) { /* … */ return perform(); } });",
      ]);
    }
  }
  return sets;
}

/** The app's own `@opentelemetry/api` (the one its SDK registered with), if it has one. */
async function openTelemetryApi(root: string, required: boolean): Promise<OpenTelemetryApi | undefined> {
  let path: string;
  try {
    path = createRequire(join(root, "package.json")).resolve("@opentelemetry/api");
  } catch {
    if (required)
      throw new DefinitionError("jobs.openTelemetry is true, but @opentelemetry/api is not installed in this app", [
        "npm install @opentelemetry/api (and an SDK), or set jobs.openTelemetry to false",
      ]);
    return undefined;
  }
  const loaded = (await import(pathToFileURL(path).href)) as OpenTelemetryApi & { default?: OpenTelemetryApi };
  return loaded.trace ? loaded : loaded.default;
}
