/** `runTask`: one task run in the test's own process, as `jt name[args]` would run it. */
import { formatTarget, targetOrFail, type Target } from "../args/brackets.js";
import type { App, EnqueuedJob, EnqueueOptions, JobArg, TaskArgValues, TaskName, UncheckedTaskName } from "../api/types.js";
import { exitCodeOf, JtError, UsageError } from "../errors.js";
import { ProjectJobs } from "../jobs/project-jobs.js";
import { importModule } from "../load/loader.js";
import type { Session } from "../session/session.js";
import { createTaskRunner } from "../session/task-runner.js";
import { captureOutput } from "./capture.js";
import { endOfRun, exclusively, inRoot, projectSession } from "./project.js";
import type { TestJobs } from "./test-jobs.js";
import { jobsOf } from "./test-jobs-internals.js";

export interface RunTaskOptions<Args extends readonly unknown[] = readonly JobArg[]> {
  /** The task's args, in order, as `name[a,b]` gives them (numbers and booleans are converted with String()). */
  args?: Args;
  /** The project (a directory with tasks/ or a jt config, or one below it); default: the working directory. */
  root?: string;
  /** `ctx.app` for this run instead of booting the environment module (which then neither boots nor tears down). */
  app?: Partial<App>;
  /** Environment variables for the run (`NAME=value` on jt's command line); put back afterwards. */
  env?: Readonly<Record<string, string>>;
  /** Where `ctx.enqueue` puts jobs; default: the project's store, as `jt` does. */
  jobs?: TestJobs;
  /** `--trace`: the `** Invoke` / `** Execute` lines, in `stderr`. */
  trace?: boolean;
}

export interface TaskRun {
  /** True when every task ran and the environment's teardown succeeded. */
  readonly ok: boolean;
  /** What the task's actions returned (the last value other than undefined). */
  readonly result: unknown;
  /**
   * Why the run failed: a `TaskFailure` (the task's own error as its `cause`, the invocation chain
   * as `chain`), a `UsageError` (no such task, bad args), a `DefinitionError` (a task file that
   * does not load, a cycle).
   */
  readonly error: Error | undefined;
  /** The exit code `jt` would exit with: 0, or the error's (1 a task failed, 2 bad command line, 3 bad definitions). */
  readonly exitCode: number;
  /** What the tasks printed (console, process.stdout, `sh` commands' output). */
  readonly stdout: string;
  /** What went to stderr: `console.error`, `sh`'s echo of each command, `--trace` lines. */
  readonly stderr: string;
  /** The tasks whose actions ran, in the order they started: prerequisites first, each once. */
  readonly ran: readonly string[];
}

/**
 * Runs a task with its prerequisites, each once (Rake's rule), in this process: `await
 * runTask("users:load", { args: ["alice"] })` or `runTask("users:load[alice]")`. Resolves when it
 * has finished, whether it failed or not: look at `ok` and `error`. One run at a time.
 */
export function runTask<N extends string>(task: UncheckedTaskName<N> | BracketedTaskName<N>, options?: RunTaskOptions): Promise<TaskRun>;
export function runTask<N extends TaskName>(task: N, options?: RunTaskOptions<TaskArgValues<N>>): Promise<TaskRun>;
export async function runTask(task: string, options: RunTaskOptions<readonly unknown[]> = {}): Promise<TaskRun> {
  if (typeof task !== "string") throw new TypeError(`runTask: the task is a name like "db:migrate", not ${String(task)}`);
  let target: Target;
  try {
    target = runTarget(task, options.args);
  } catch (error) {
    return failedRun(error);
  }
  return exclusively(`runTask(${JSON.stringify(formatTarget(target.name, target.values))})`, async () => {
    let session: Session;
    try {
      session = await projectSession(options.root);
    } catch (error) {
      // What jt would report (a config that does not load) is the run's failure; a misuse rejects.
      if (error instanceof JtError) return failedRun(error);
      throw error;
    }
    const { environment } = session;
    if (options.app !== undefined && !environment)
      return failedRun(
        new UsageError(
          `runTask: app was given, but ${session.project.configFile ?? session.project.root} configures no environment for it to replace`,
        ),
      );
    const restoreEnv = setEnv(options.env ?? {});
    const projectJobs = options.jobs ? undefined : new ProjectJobs(session.project, () => session.source.allDefinitions(), importModule);
    const enqueue = async (name: string, enqueueOptions?: EnqueueOptions): Promise<EnqueuedJob> =>
      (options.jobs ? await jobsOf(options.jobs) : await projectJobs!.get()).enqueue(name, enqueueOptions);
    const ran: string[] = [];
    try {
      if (options.app !== undefined) environment!.supply(options.app as App);
      const captured = await inRoot(session.project.root, () =>
        captureOutput(async (write) => {
          let result: unknown;
          let error: unknown;
          try {
            const runner = createTaskRunner(session, {
              trace: options.trace === true,
              dryRun: false,
              signal: new AbortController().signal,
              traceLine: (line) => write("stderr", `${line}\n`),
              sh: { echo: true, output: { stdout: (text) => write("stdout", text), stderr: (text) => write("stderr", text) } },
              interruptGraceMs: 1_000,
              enqueue,
              actions: { started: (name) => ran.push(name), ended: () => {} },
            });
            [result] = await runner.run([target]);
          } catch (thrown) {
            error = thrown;
          }
          error ??= await endOfRun(session, (line) => write("stderr", `${line}\n`), options.trace === true);
          return { result, error };
        }),
      );
      const { error } = captured.value;
      return {
        ok: error === undefined,
        result: captured.value.result,
        error: error === undefined ? undefined : error instanceof Error ? error : new Error(String(error)),
        exitCode: error === undefined ? 0 : exitCodeOf(error),
        stdout: captured.stdout,
        stderr: captured.stderr,
        ran,
      };
    } finally {
      // Whatever happened, the next run starts from an app not booted (and never the test's own app).
      environment?.reset();
      restoreEnv();
      await projectJobs?.close();
    }
  });
}

/** A run that did not start: a malformed name, a project that does not open (what jt would report, with its exit code). */
function failedRun(error: unknown): TaskRun {
  const failure = error instanceof Error ? error : new Error(String(error));
  return { ok: false, result: undefined, error: failure, exitCode: exitCodeOf(error), stdout: "", stderr: "", ran: [] };
}

/** `name[a,b]` with the args in brackets, as on jt's command line: the name is checked, not the args. */
export type BracketedTaskName<N extends string> = N extends `${infer Name}[${string}]` ? (Name extends TaskName ? N : never) : never;

function runTarget(task: string, args: readonly unknown[] | undefined): Target {
  const target = targetOrFail(task);
  if (args === undefined) return target;
  if (target.values.length > 0) throw new UsageError(`runTask: give the args in '${task}' or in args, not both`);
  return { name: target.name, values: args.map((value) => String(value)) };
}

function setEnv(env: Readonly<Record<string, string>>): () => void {
  const saved = Object.keys(env).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, env);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
