/**
 * jt's public API: what task files import from "jobs-and-tasks".
 *
 * ```ts
 * import { desc, namespace, task } from "jobs-and-tasks";
 * namespace("db", () => {
 *   desc("Run pending migrations");
 *   task("migrate", ["environment"], async ({ app }) => { await app.db.migrate(); });
 * });
 * ```
 */
export { clearTask, desc, directory, file, multitask, namespace, rule, task, taskDefined } from "./api/dsl.js";
export { defineEnvironment } from "./api/environment.js";
export { defineJobHooks } from "./api/job-hooks.js";
export { createJobs, enqueue, type CreateJobsOptions, type JobsClient, type PauseTarget, type ScheduleInfo } from "./jobs/app-jobs.js";
export { dashboard, type Dashboard, type DashboardOptions } from "./dashboard/mount.js";
// The errors app and task code can meet, for `instanceof`: a failed enqueue, a failed `sh` command,
// and what `ctx.invoke` / `ctx.execute` reject with (a failed task, several from a multitask, an
// interrupt, a production question answered no, a bad definition, a name that is no task).
export {
  CommandFailed,
  ConcurrentFailures,
  DefinitionError,
  Interrupted,
  JobHookFailed,
  JtError,
  NotConfirmed,
  TaskFailure,
  UsageError,
  WaitTimedOut,
} from "./errors.js";
export { EnqueueError } from "./jobs/jobs.js";
export { Discard, Snooze } from "./api/job-outcomes.js";
export type { ErrorMatcher } from "./shared/error-test.js";
export type {
  App,
  ArgDefaults,
  ArgName,
  EnvironmentContext,
  EnvironmentDefinition,
  EnqueuedJob,
  EnqueueingJob,
  EnqueueOptions,
  JobArg,
  JobHooks,
  JobProgress,
  JobState,
  JobStatus,
  PerformHooks,
  PerformingJob,
  RuleSource,
  Sh,
  ShOptions,
  ShResult,
  ShValue,
  TaskAction,
  TaskArgs,
  TaskArgsBase,
  TaskArgStrings,
  TaskArgValues,
  TaskContext,
  TaskName,
  Tasks,
  TaskSpec,
  TransactionClient,
  UncheckedTaskName,
} from "./api/types.js";
