/**
 * What every jobs verb shares: its context (the output, the project and its store, opened after
 * the verb's options are parsed) and the parsing of ids and numbers.
 */
import { UsageError } from "../../errors.js";
import type { Jobs } from "../../jobs/jobs.js";
import type { ProjectJobs } from "../../jobs/project-jobs.js";
import type { StoreLocation } from "../../jobs/store/open.js";
import type { JobStore } from "../../jobs/store/store.js";
import type { Output } from "../../report/output.js";
import type { Session } from "../../session/session.js";

export interface VerbContext {
  output: Output;
  /** Opens the project and its job store (after the verb's options are parsed). */
  open(): Promise<{ session: Session; jobs: ProjectJobs }>;
  /** Opens the project and its store, runs `use`, and closes the store whatever happens. */
  withStore<T>(use: (opened: { session: Session; jobs: Jobs; store: JobStore; location: StoreLocation }) => Promise<T>): Promise<T>;
}

export { JOB_STATES as STATES } from "../../jobs/store/store.js";

export function integer(value: string | undefined, what: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${what} must be a whole number of at least ${min}, not '${value}'`);
  return n;
}

export function ids(values: readonly string[]): number[] {
  return values.map((value) => integer(value, "A job id", 1)!);
}
