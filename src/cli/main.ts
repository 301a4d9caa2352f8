/**
 * One jt run: argv → invocation → project → .env → task files → listing, or plan → confirm →
 * run → teardown → exit code. Every failure ends here, is printed once, and maps to its exit code.
 */
import { existsSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { loadEnvFiles } from "../config/dotenv.js";
import { findProject, type FindOptions, type Project } from "../config/project.js";
import { DefinitionError, exitCodeOf, JtError, TaskFailure, UsageError } from "../errors.js";
import { configUnchanged, readManifest, type Manifest } from "../cache/manifest.js";
import { cacheDir } from "../cache/store.js";
import { CompiledCache } from "../load/compiled-cache.js";
import { describeLoadFailure, importModule, useCompiledCache } from "../load/loader.js";
import { TaskSource } from "../load/task-source.js";
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
import { completionScript } from "./completion.js";
import { generateTaskFile, parseGenerate } from "./generate.js";
import type { Invocation } from "./invocation.js";
import { parseCommandLine } from "./parse.js";

export async function main(argv: readonly string[], output: Output = processOutput()): Promise<number> {
  let trace = argv.includes("--trace") || argv.includes("-t");
  try {
    const parsed = await parseCommandLine(argv, jtVersion(), { out: output.out, err: output.err });
    if (parsed.kind === "exit") return parsed.code;
    if (parsed.kind === "generate") return await generate(parsed.words, parsed.directory, output);
    if (parsed.kind === "completion") {
      output.out(completionScript(parsed.shell));
      return 0;
    }
    trace = parsed.invocation.trace;
    return await execute(parsed.invocation, output);
  } catch (error) {
    await printError(error, trace, output);
    return exitCodeOf(error);
  }
}

async function printError(error: unknown, trace: boolean, output: Output): Promise<void> {
  const lines = renderError(error, { trace, ownDirs: JT_OWN_DIRS });
  const color = await output.errColor();
  output.err(`${color.red.bold(lines[0])}\n${lines.slice(1).join("\n")}\n`);
}

async function openProject(
  invocation: Pick<Invocation, "env" | "directory" | "silent">,
  output: Output,
  cachedConfig?: FindOptions["cachedConfig"],
): Promise<Project> {
  for (const [name, value] of invocation.env) process.env[name] = value;
  if (invocation.directory !== undefined) changeDirectory(invocation.directory);
  const startDir = process.cwd();
  const project = await findProject(startDir, { importModule, cachedConfig });
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
  const version = jtVersion();
  let stored: Manifest | undefined;
  const project = await openProject(invocation, output, (root, configFile) => {
    useCompiledCache(new CompiledCache(join(cacheDir(root), "modules")));
    const manifest = readManifest(root, version);
    if (!manifest || !configUnchanged(manifest, configFile)) return undefined;
    stored = manifest;
    return manifest.config;
  });
  const envFiles = loadEnvFiles(project.root, project.config.dotenv);

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
  const source = new TaskSource({ project, registry, jtVersion: version, stored, extraDependencies: envFiles });

  if (invocation.listing) {
    const definitions = await source.allDefinitions();
    output.out(
      invocation.json
        ? listingAsJson(invocation.listing, definitions, invocation.all)
        : renderListing(invocation.listing, definitions, { all: invocation.all, columns: output.columns }),
    );
    return 0;
  }

  const targets: Target[] = invocation.targets.length > 0 ? invocation.targets : [{ name: "default", values: [] }];
  if (invocation.targets.length === 0 && !(await source.has("default"))) {
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
    sh: (scope) => createSh({ cwd: project.root, echo: !invocation.quiet, ...scope }),
    jobs: invocation.jobs,
    multitask: invocation.multitask,
    environment: environment && { task: registry.get(ENVIRONMENT)!, app: () => environment.app },
    interruptGraceMs: millisecondsFromEnv("JT_INTERRUPT_GRACE_MS", 10_000),
    confirm: confirmation({ yes: invocation.yes, env: process.env, input: process.stdin, output: process.stderr }),
    load: (wanted) => source.loadFor(wanted),
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
  }
  const booted = environment?.booted === true;
  const teardownFailure = booted ? await tearDown(environment!, log, invocation.trace) : undefined;
  // jt exits anyway; under --trace it names what the run left open (a pool, a timer, a socket).
  const leftOpen = invocation.trace && booted ? remainingSince(resourcesBefore) : [];
  if (leftOpen.length > 0) log(`jt: still open after teardown (exiting anyway): ${leftOpen.join(", ")}`);
  untrap();
  // Commands stopped on an interrupt, or because a task alongside them failed, get no second chance.
  killLeftoverCommands();
  if (failure !== undefined) {
    if (teardownFailure) await printError(teardownFailure, invocation.trace, output);
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
  }
}

/** Resources active now that were not before (a multiset difference of their type names). */
function remainingSince(before: readonly string[]): string[] {
  const remaining = [...process.getActiveResourcesInfo()];
  for (const resource of before) {
    const index = remaining.indexOf(resource);
    if (index >= 0) remaining.splice(index, 1);
  }
  return remaining;
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
