/**
 * One jt run: argv → invocation → project → .env → task files → listing, or plan → confirm →
 * run → teardown → exit code. Every failure ends here, is printed once, and maps to its exit code.
 */
import { existsSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { loadEnvFiles } from "../config/dotenv.js";
import { findProject, type Project } from "../config/project.js";
import { DefinitionError, exitCodeOf, JtError, TaskFailure, UsageError } from "../errors.js";
import { discoverTaskFiles } from "../load/discover.js";
import { describeLoadFailure, importModule, loadTaskFiles } from "../load/loader.js";
import { JT_OWN_DIRS, jtVersion } from "../package-paths.js";
import { ENVIRONMENT, type Target } from "../plan/plan.js";
import { activeRegistry } from "../registry/registry.js";
import { renderError } from "../report/errors.js";
import { listingAsJson, renderListing } from "../report/listing.js";
import { processOutput, type Output } from "../report/output.js";
import { confirmation } from "../run/confirm.js";
import { Environment } from "../run/environment.js";
import { Runner } from "../run/runner.js";
import { createSh, killLeftoverCommands } from "../run/sh.js";
import { trapInterrupts } from "../run/signals.js";
import { generateTaskFile, parseGenerate } from "./generate.js";
import type { Invocation } from "./invocation.js";
import { buildProgram, parseCommandLine } from "./parse.js";

export async function main(argv: readonly string[], output: Output = processOutput()): Promise<number> {
  let trace = argv.includes("--trace") || argv.includes("-t");
  try {
    const parsed = parseCommandLine(argv, buildProgram(jtVersion(), { out: output.out, err: output.err }));
    if (parsed.kind === "exit") return parsed.code;
    if (parsed.kind === "generate") return await generate(parsed.words, parsed.directory, output);
    trace = parsed.invocation.trace;
    return await execute(parsed.invocation, output);
  } catch (error) {
    printError(error, trace, output);
    return exitCodeOf(error);
  }
}

function printError(error: unknown, trace: boolean, output: Output): void {
  const lines = renderError(error, { trace, ownDirs: JT_OWN_DIRS });
  output.err(`${output.errColor.red.bold(lines[0])}\n${lines.slice(1).join("\n")}\n`);
}

async function openProject(invocation: Pick<Invocation, "env" | "directory" | "silent">, output: Output): Promise<Project> {
  for (const [name, value] of invocation.env) process.env[name] = value;
  if (invocation.directory !== undefined) changeDirectory(invocation.directory);
  const startDir = process.cwd();
  const project = await findProject(startDir, { importModule });
  if (!project) {
    throw new DefinitionError(`No tasks found: no tasks/ directory or jt config in ${startDir} or any parent directory`, [
      "Create tasks/ with a task file (jt generate task <namespace> <name> writes one), or run jt from your project's directory",
    ]);
  }
  if (project.root !== startDir) {
    process.chdir(project.root);
    if (!invocation.silent) output.err(`(in ${project.root})\n`);
  }
  return project;
}

async function execute(invocation: Invocation, output: Output): Promise<number> {
  const project = await openProject(invocation, output);
  loadEnvFiles(project.root, project.config.dotenv);

  const registry = activeRegistry();
  const environment = project.config.environment
    ? new Environment({ modulePath: resolve(project.root, project.config.environment), importModule, loadFailure: describeLoadFailure })
    : undefined;
  if (environment) {
    if (!existsSync(environment.modulePath)) {
      throw new DefinitionError(`The environment module ${project.config.environment} does not exist (in ${project.configFile ?? project.root})`);
    }
    registry.define(ENVIRONMENT, {}, ({ signal }: { signal: AbortSignal }) => environment.boot(signal), {
      file: environment.modulePath,
      line: 1,
      column: 1,
    });
  }
  await loadTaskFiles(discoverTaskFiles(project.tasksDirs), registry, project.root);

  if (invocation.listing) {
    output.out(
      invocation.json
        ? listingAsJson(invocation.listing, registry, invocation.all)
        : renderListing(invocation.listing, registry, { all: invocation.all, columns: output.columns }),
    );
    return 0;
  }

  const targets: Target[] = invocation.targets.length > 0 ? invocation.targets : [{ name: "default", values: [] }];
  if (invocation.targets.length === 0 && !registry.get("default")) {
    throw new UsageError("No task given and no 'default' task is defined", [
      "Name a task (see them with `jt --tasks`), or define one: task(\"default\", [\"build\"])",
    ]);
  }

  const controller = new AbortController();
  const log = (line: string) => output.err(`${line}\n`);
  const untrap = trapInterrupts(controller, log, killLeftoverCommands);
  const runner = new Runner({
    tasks: registry,
    trace: invocation.trace,
    dryRun: invocation.dryRun,
    signal: controller.signal,
    traceLine: log,
    sh: createSh({ cwd: project.root, signal: controller.signal, echo: !invocation.quiet }),
    environment: environment && { task: registry.get(ENVIRONMENT)!, app: () => environment.app },
    interruptGraceMs: millisecondsFromEnv("JT_INTERRUPT_GRACE_MS", 10_000),
    confirm: confirmation({ yes: invocation.yes, env: process.env, input: process.stdin, output: process.stderr }),
    load: async () => {},
  });
  let failure: unknown;
  try {
    await runner.run(targets);
  } catch (error) {
    failure = error;
  }
  const teardownFailure = environment?.booted ? await tearDown(environment, log, invocation.trace) : undefined;
  untrap();
  if (controller.signal.aborted) killLeftoverCommands();
  if (failure !== undefined) {
    if (teardownFailure) printError(teardownFailure, invocation.trace, output);
    throw failure;
  }
  if (teardownFailure) throw teardownFailure;
  return 0;
}

/** Runs the environment's teardown, warning while it takes long; returns its failure, if any. */
async function tearDown(environment: Environment, log: (line: string) => void, trace: boolean): Promise<JtError | undefined> {
  if (trace) log("** Teardown environment");
  const warnAfter = millisecondsFromEnv("JT_TEARDOWN_WARN_MS", 3000);
  const started = Date.now();
  const warning = setInterval(() => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    log(`jt: still waiting for the environment's teardown after ${seconds}s (${relative(process.cwd(), environment.modulePath)})`);
  }, warnAfter);
  try {
    await environment.teardown();
    return undefined;
  } catch (error) {
    return new TaskFailure(error, ["environment (teardown)"]);
  } finally {
    clearInterval(warning);
    // jt exits anyway; under --trace it names what the app left open (a pool, a timer, a socket).
    const open = trace ? environment.leftOpen() : [];
    if (open.length > 0) log(`jt: still open after teardown (exiting anyway): ${open.join(", ")}`);
  }
}

async function generate(words: readonly string[], directory: string | undefined, output: Output): Promise<number> {
  const request = parseGenerate(words);
  if (directory !== undefined) changeDirectory(directory);
  const project = await findProject(process.cwd(), { importModule });
  const tasksDir = project?.tasksDirs[0] ?? join(process.cwd(), "tasks");
  const file = generateTaskFile(request, tasksDir, project?.config.environment !== undefined);
  output.out(`created ${relative(process.cwd(), file)}\n`);
  return 0;
}

function changeDirectory(dir: string): void {
  const target = resolve(dir);
  if (!existsSync(target) || !statSync(target).isDirectory()) {
    throw new UsageError(`-C ${dir}: no such directory`);
  }
  process.chdir(target);
}

function millisecondsFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}
