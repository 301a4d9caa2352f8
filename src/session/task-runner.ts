/**
 * The one place a task Runner is wired to a session: its tasks, its environment, lazy loading of
 * task files and `sh` in the project's root. Task runs (cli/main.ts) and job workers
 * (cli/jobs/work.ts) differ only in the options they pass.
 */
import type { EnqueuedJob, EnqueueOptions } from "../api/types.js";
import { ENVIRONMENT } from "../registry/task.js";
import { Runner, type CommandScope, type RunOptions } from "../run/runner.js";
import { createSh, type ShSettings } from "../run/sh.js";
import type { Session } from "./session.js";

export interface TaskRunnerOptions extends Omit<RunOptions, "tasks" | "environment" | "load" | "defines" | "sh" | "enqueue" | "confirm"> {
  /** How `sh` runs: echo, line by line, where its output goes (cwd and signal come from the run). */
  sh: Omit<ShSettings, "cwd" | "signal" | "lines"> & { lines?: boolean };
  confirm?: RunOptions["confirm"];
  enqueue: (task: string, options?: EnqueueOptions) => Promise<EnqueuedJob>;
}

export function createTaskRunner(session: Session, options: TaskRunnerOptions): Runner {
  const { project, registry, source, environment } = session;
  const { sh, confirm = async () => {}, ...rest } = options;
  return new Runner({
    ...rest,
    tasks: registry,
    sh: (scope: CommandScope) => createSh({ cwd: project.root, ...sh, ...scope, lines: sh.lines ?? scope.lines }),
    environment: environment && { task: registry.get(ENVIRONMENT)!, app: () => environment.app },
    confirm,
    load: (wanted) => source.loadFor(wanted),
    defines: (name) => source.defines(name),
  });
}
