/**
 * The project a test runs tasks of: found from `root` (default: the working directory) and opened
 * once per process, as `jt` opens it — its config, `.env`, the environment and the task files,
 * loaded the way the CLI loads them (the task files' `jobs-and-tasks` is this one).
 */
import { resolve } from "node:path";
import { findProjectRoot } from "../config/root.js";
import * as publicApi from "../index.js";
import { loadThroughHostImport, provideTaskFileApi } from "../load/loader.js";
import type { Output } from "../report/output.js";
import { killLeftoverCommands } from "../run/sh.js";
import { openSession, type Session } from "../session/session.js";
import { tearDown } from "../session/teardown.js";

/** The project this process opened (task definitions are one registry per process: one project). */
let opened: { root: string; session: Promise<Session> } | undefined;

/** Nothing a session prints reaches a test: it has no terminal. */
const quiet: Output = {
  out: () => {},
  err: () => {},
  errColor: async () => {
    const { Chalk } = await import("chalk");
    return new Chalk({ level: 0 });
  },
  columns: undefined,
};

export function projectSession(root: string | undefined): Promise<Session> {
  const from = resolve(root ?? process.cwd());
  const projectRoot = findProjectRoot(from)?.root ?? from;
  if (opened && opened.root !== projectRoot)
    throw new Error(
      `jt testing: this process already runs the tasks of ${opened.root}; those of ${projectRoot} need a test process of their own (a test file of their own, in vitest and Jest)`,
    );
  if (!opened) {
    provideTaskFileApi(publicApi);
    // Jest runs tests in a sandbox of its own modules, compiled by its transforms; it refuses the
    // loader hooks jt uses elsewhere, so task files load through its import().
    if (process.env.JEST_WORKER_ID !== undefined) loadThroughHostImport();
    const session = openSession({ env: [], directory: undefined, silent: true, from: projectRoot }, quiet);
    const entry = { root: projectRoot, session };
    // A project that failed to open (a bad config) is tried again by the next test.
    session.catch(() => {
      if (opened === entry) opened = undefined;
    });
    opened = entry;
  }
  return opened.session;
}

/** After a run: the environment's teardown (its failure, if any), and commands left running stopped. */
export async function endOfRun(session: Session, log: (line: string) => void, trace: boolean): Promise<Error | undefined> {
  const failure = session.environment?.booted ? await tearDown(session.environment, log, trace) : undefined;
  killLeftoverCommands();
  return failure;
}

/**
 * Runs `body` in the project's root, where `jt` runs tasks (relative paths in task code mean the
 * same), and goes back. A worker thread cannot change directory: there, only from the root.
 */
export async function inRoot<T>(root: string, body: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  if (before === root) return body();
  try {
    process.chdir(root);
  } catch (error) {
    throw new Error(
      `jt testing: cannot change to the project's directory ${root} here (${(error as Error).message}): run the tests from there, or in a process pool (vitest: pool "forks")`,
      { cause: error },
    );
  }
  try {
    return await body();
  } finally {
    process.chdir(before);
  }
}

/** One run at a time: tasks share the process's registry and the app's environment. */
let running: string | undefined;

export async function exclusively<T>(what: string, body: () => Promise<T>): Promise<T> {
  if (running !== undefined)
    throw new Error(
      `jt testing: ${what} was called while ${running} is still running; await one before starting the next (tasks of one process share its registry and its app). If an earlier test timed out while it ran, that run is still going: give the test more time, or make its task stop`,
    );
  running = what;
  try {
    return await body();
  } finally {
    running = undefined;
  }
}
