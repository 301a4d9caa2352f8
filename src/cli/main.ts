/**
 * One jt run: argv → invocation → project → .env → task files → listing, or plan → confirm →
 * run → teardown → exit code. Every failure ends here, is printed once, and maps to its exit code.
 */
import { join, relative } from "node:path";
import { findProject } from "../config/project.js";
import { exitCodeOf, UsageError } from "../errors.js";
import * as publicApi from "../index.js";
import { importModule, provideTaskFileApi } from "../load/loader.js";
import { currentTaskTypes, writeTaskTypes } from "../load/task-types-file.js";
import { JT_OWN_DIRS, jtVersion } from "../package-paths.js";
import type { Target } from "../args/brackets.js";
import { renderError } from "../report/errors.js";
import { jobStats } from "../report/job-stats.js";
import { listingAsJson, renderListing } from "../report/listing.js";
import { processOutput, type Output } from "../report/output.js";
import { confirmation } from "../run/confirm.js";
import type { Runner } from "../run/runner.js";
import { killLeftoverCommands } from "../run/sh.js";
import { trapInterrupts } from "../run/signals.js";
import { completionScript } from "./completion.js";
import { generate as generateFiles, parseGenerate } from "./generate.js";
import type { Invocation } from "./invocation.js";
import { parseCommandLine, verbIndex } from "./parse.js";
import { ProjectJobs } from "../jobs/project-jobs.js";

import { changeDirectory, millisecondsFromEnv, openSession } from "../session/session.js";
import { progressDisplay } from "../report/progress.js";
import { createTaskRunner } from "../session/task-runner.js";
import { remainingAfterSettling, tearDown } from "../session/teardown.js";

export async function main(argv: readonly string[], output: Output = processOutput()): Promise<number> {
  provideTaskFileApi(publicApi);
  // Until the command line is parsed: a failure to parse it is reported with full stacks if it asks.
  let report: ErrorReport = { trace: argv.some((word) => /^(-t|--trace|--backtrace)(=|$)/.test(word)), to: "stderr" };
  try {
    const at = verbIndex(argv);
    if (at !== undefined && isJobsWord(argv[at]!)) {
      const { runJobsCommand } = await import("./jobs/command.js");
      return await runJobsCommand(argv[at]!, [...argv.slice(0, at), ...argv.slice(at + 1)], output);
    }
    const parsed = await parseCommandLine(argv, jtVersion(), { out: output.out, err: output.err });
    if (parsed.kind === "exit") return parsed.code;
    if (parsed.kind === "generate") return await generate(parsed.words, parsed.directory, output);
    if (parsed.kind === "types") return await writeTypes(parsed, output);
    if (parsed.kind === "completion") {
      output.out(completionScript(parsed.shell));
      return 0;
    }
    report = errorReportOf(parsed.invocation);
    return await execute(parsed.invocation, output);
  } catch (error) {
    await printError(error, report, output);
    return exitCodeOf(error);
  }
}

/** How a failure is printed: with full stacks (`--trace`, `--backtrace`), and where (`=stdout`). */
interface ErrorReport {
  trace: boolean;
  to: "stdout" | "stderr";
}

function errorReportOf(invocation: Invocation): ErrorReport {
  return { trace: invocation.trace || invocation.backtrace, to: invocation.traceOutput };
}

async function printError(error: unknown, report: ErrorReport, output: Output): Promise<void> {
  const lines = renderError(error, { trace: report.trace, ownDirs: JT_OWN_DIRS });
  if (report.to === "stdout") return output.out(`${lines.join("\n")}\n`);
  const color = await output.errColor();
  output.err(`${color.red.bold(lines[0])}\n${lines.slice(1).join("\n")}\n`);
}

async function execute(invocation: Invocation, output: Output): Promise<number> {
  const session = await openSession(invocation, output);
  const { registry, source, environment } = session;

  if (invocation.listing) {
    // Task files that failed are said first; what did load is still listed, and the exit code tells.
    const { definitions, failure } = await source.listingDefinitions();
    if (failure) await printError(failure, errorReportOf(invocation), output);
    output.out(
      invocation.json
        ? listingAsJson(invocation.listing, definitions, invocation.all)
        : renderListing(invocation.listing, definitions, { all: invocation.all, columns: output.columns }),
    );
    return failure ? exitCodeOf(failure) : 0;
  }

  const targets: Target[] = invocation.targets.length > 0 ? invocation.targets : [{ name: "default", values: [] }];
  if (invocation.targets.length === 0 && !(await source.has("default"))) {
    throw new UsageError("No task given and no 'default' task is defined", [
      'Name a task (see them with `jt --tasks`), or define one: task("default", ["build"])',
    ]);
  }

  const jobs = new ProjectJobs(session.project, () => session.source.allDefinitions(), importModule);
  const controller = new AbortController();
  const log = (line: string) => output.err(`${line}\n`);
  const traceLine = invocation.traceOutput === "stdout" ? (line: string) => output.out(`${line}\n`) : log;
  const interruptGraceMs = millisecondsFromEnv("JT_INTERRUPT_GRACE_MS", 10_000);
  let runner: Runner | undefined;
  const stats = invocation.jobStats && jobStats(invocation.jobStats === "history");
  if (invocation.rules) registry.traceRules = traceLine;
  const untrap = trapInterrupts(controller, log, killLeftoverCommands, {
    running: () => runner?.runningTasks() ?? [],
    graceMs: interruptGraceMs,
  });
  const progress = progressDisplay({ stream: process.stderr, env: process.env });
  runner = createTaskRunner(session, {
    trace: invocation.trace,
    dryRun: invocation.dryRun,
    signal: controller.signal,
    traceLine,
    sh: { echo: !invocation.quiet },
    jobs: invocation.jobs,
    multitask: invocation.multitask,
    buildAll: invocation.buildAll,
    actions: stats || undefined,
    interruptGraceMs,
    confirm: confirmation({ yes: invocation.yes, env: process.env, input: process.stdin, output: process.stderr }),
    enqueue: async (task, options) => (await jobs.get()).enqueue(task, options),
    progress: (task, update) => progress.report(task, update),
  });
  let failure: unknown;
  // An action awaiting only ctx.signal leaves nothing else pending; without this handle Node would
  // end the process (exit 13) instead of waiting for the task or for Ctrl-C.
  const resourcesBefore = process.getActiveResourcesInfo();
  const keepAlive = setInterval(() => {}, 2 ** 31 - 1);
  try {
    await runner.run(targets);
  } catch (error) {
    failure = error;
  } finally {
    clearInterval(keepAlive);
    progress.stop();
  }
  const booted = environment?.booted === true;
  const teardownFailure = booted ? await tearDown(environment!, log, invocation.trace) : undefined;
  untrap();
  // Commands stopped on an interrupt, or because a task alongside them failed, get no second chance.
  killLeftoverCommands();
  await jobs.close();
  // jt exits anyway; under --trace it names what the app left open (a pool, a timer, a socket).
  const leftOpen = invocation.trace && booted ? await remainingAfterSettling(resourcesBefore) : [];
  if (leftOpen.length > 0) log(`jt: still open after teardown (exiting anyway): ${leftOpen.join(", ")}`);
  if (failure !== undefined) {
    if (teardownFailure) await printError(teardownFailure, errorReportOf(invocation), output);
    throw failure;
  }
  if (teardownFailure) throw teardownFailure;
  if (stats) output.out(stats.report());
  return exitCodeSetByTasks();
}

/**
 * A task that set `process.exitCode` and returned asked Node to exit with it once the work is done:
 * the rest of the run goes on, then jt exits with that code (a failure's code wins over it).
 */
function exitCodeSetByTasks(): number {
  const code = Number(process.exitCode ?? 0);
  return Number.isInteger(code) && code > 0 && code < 256 ? code : 0;
}

async function generate(words: readonly string[], directory: string | undefined, output: Output): Promise<number> {
  const request = parseGenerate(words);
  if (directory !== undefined) changeDirectory(directory);
  const project = await findProject(process.cwd(), { importModule });
  const { lines } = generateFiles(request, {
    root: project?.root ?? process.cwd(),
    tasksDir: project?.tasksDirs[0] ?? join(process.cwd(), "tasks"),
    withEnvironment: project?.config.environment !== undefined,
  });
  output.out(`${lines.join("\n")}\n`);
  return 0;
}

/** `jt types`: writes the declaration file of the project's task names and args (for CI, before tsc). */
async function writeTypes(parsed: { words: string[]; directory: string | undefined; search: boolean }, output: Output): Promise<number> {
  if (parsed.words.length > 0) throw new UsageError(`jt types takes no arguments, not '${parsed.words.join(" ")}'`);
  const session = await openSession({ env: [], directory: parsed.directory, silent: true, search: parsed.search }, output);
  const { project, source } = session;
  if (!project.config.types)
    throw new UsageError(`jt types: the config turns the declaration file off (types: false in ${project.configFile ?? "the config"})`);
  // Loading the task files may write it already: "up to date" is against what was there before.
  const before = currentTaskTypes(project);
  const registry = await source.allDefinitions();
  const result = writeTaskTypes(project, registry.tasks.values(), registry.rules.length > 0, { force: true })!;
  if (result.failure) throw new UsageError(`jt types: cannot write ${result.file}: ${result.failure}`);
  const shown = relative(process.cwd(), result.file) || result.file;
  const changed = before !== currentTaskTypes(project);
  const tasks = `${registry.tasks.size} task${registry.tasks.size === 1 ? "" : "s"}`;
  output.out(`${shown}: ${changed ? "written" : "up to date"} (${tasks})\n`);
  return 0;
}

/** `jobs` and `jobs:*` are jt's own verbs (cli/jobs/), not task names. */
function isJobsWord(word: string): boolean {
  return word === "jobs" || word.startsWith("jobs:");
}
