import type { JobHooks } from "./types.js";

/**
 * The project's job hooks, for the default export of its hooks module (`jobs.hooks` in the
 * config). Each set is a layer, the first outermost: `export default defineJobHooks(timing, tenants)`.
 */
export function defineJobHooks(...sets: JobHooks[]): readonly JobHooks[] {
  return sets;
}
