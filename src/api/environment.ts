import type { EnvironmentDefinition } from "./types.js";

/**
 * Declares how to boot your app for tasks that depend on `"environment"`:
 *
 * ```ts
 * // app/environment.ts (named by `environment` in your jt config)
 * declare module "jobs-and-tasks" { interface App { db: Db } }
 * export default defineEnvironment({
 *   async setup() { return { db: await openDb() }; },
 *   async teardown(app) { await app.db.close(); },
 * });
 * ```
 */
export function defineEnvironment(definition: EnvironmentDefinition): EnvironmentDefinition {
  return definition;
}
