/**
 * jt's testing helpers: `import { runTask, testJobs } from "jobs-and-tasks/testing"`, for vitest,
 * Jest or `node:test`.
 *
 * ```ts
 * const run = await runTask("users:load", { args: ["alice"] });
 * expect(run.ok).toBe(true);
 * expect(run.stdout).toContain("loaded alice");
 *
 * const jobs = testJobs();
 * await runTask("users:create[ann]", { jobs });
 * expect(await jobs.enqueued()).toMatchObject([{ task: "mail:welcome", args: ["ann"] }]);
 * await jobs.drain();
 * await jobs.advance("1d"); // a nightly cron slot, enqueued and run
 * await jobs.close();
 * ```
 */
export { runTask, type BracketedTaskName, type RunTaskOptions, type TaskRun } from "./run-task.js";
export { testJobs, type Drained, type TestJob, type TestJobs, type TestJobsOptions } from "./test-jobs.js";
