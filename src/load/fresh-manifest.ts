/**
 * "Is the stored manifest still what loading would find?", for the paths that answer without
 * loading anything: listings from the cache (cli/cached-listing.ts) and `createJobs()` in app code.
 */
import { resolve } from "node:path";
import { configUnchanged, definitionsUnchanged, readManifest, type Manifest } from "../cache/manifest.js";
import { loadEnvFiles } from "../config/dotenv.js";
import { jtBuild } from "../package-paths.js";
import { discoverTaskFiles } from "./discover.js";

export interface FreshnessOptions {
  /** Load the project's `.env` files (as a run would) before comparing the variables loading read. */
  loadEnv?: boolean;
}

/** The manifest of the project at `root` (config file `configFile`), if it is still fresh. */
export function freshManifest(root: string, configFile: string | undefined, options: FreshnessOptions = {}): Manifest | undefined {
  const manifest = readManifest(root, jtBuild());
  if (!manifest || !configUnchanged(manifest, configFile)) return undefined;
  if (options.loadEnv) loadEnvFiles(root, manifest.config.dotenv);
  // resolve, not join: a tasksDir may be absolute.
  const tasksDirs = manifest.config.tasksDirs.map((dir) => resolve(root, dir));
  try {
    return definitionsUnchanged(manifest, discoverTaskFiles(tasksDirs)) ? manifest : undefined;
  } catch {
    return undefined;
  }
}
