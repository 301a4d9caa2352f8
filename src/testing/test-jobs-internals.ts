/** What runTask needs of a TestJobs that its public type does not show: the jobs behind it. */
import type { Jobs } from "../jobs/jobs.js";

const behind = new WeakMap<object, Promise<Jobs>>();

export function registerJobs(client: object, jobs: Promise<Jobs>): void {
  behind.set(client, jobs);
}

/** The `Jobs` behind what testJobs() returned (for `runTask(…, { jobs })`). */
export function jobsOf(client: object): Promise<Jobs> {
  const jobs = behind.get(client);
  if (!jobs) throw new TypeError("runTask: jobs must be what testJobs() returned");
  return jobs;
}
