/** What one `jt …` command line asks for, after parsing. */
import type { Target } from "../args/brackets.js";
import type { Listing } from "../report/listing.js";

export interface Invocation {
  listing: Listing | undefined;
  /** `-A`: list undescribed tasks too. */
  all: boolean;
  json: boolean;
  dryRun: boolean;
  trace: boolean;
  /** Where `--trace` lines and the failure report go (`--trace=stdout`, `--backtrace=stdout`). */
  traceOutput: "stdout" | "stderr";
  /** `--backtrace`: full stacks on failure, without the ** Invoke lines. */
  backtrace: boolean;
  /** `-N`: do not look for the project in parent directories. */
  search: boolean;
  /** `-f file`: task files to load instead of the project's tasks/. */
  taskFiles: string[] | undefined;
  quiet: boolean;
  silent: boolean;
  directory: string | undefined;
  jobs: number | undefined;
  multitask: boolean;
  /** `-B`: run every file task, up to date or not. */
  buildAll: boolean;
  /** `--rules`: trace how rules are matched. */
  rules: boolean;
  /** `--job-stats [history]`: print how many tasks ran at once and in all after the run. */
  jobStats: "summary" | "history" | undefined;
  /** `--yes`: answer the production confirmations of tasks marked `confirm`. */
  yes: boolean;
  targets: Target[];
  /** `NAME=value` words, applied to `process.env` before anything loads. */
  env: [name: string, value: string][];
}
