/**
 * One jt run: argv → invocation → project → task files → listing or plan → run → exit code.
 * Every failure ends here, is printed once, and maps to its exit code.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { DefinitionError, exitCodeOf, UsageError } from "../errors.js";
import { findProject } from "../config/project.js";
import { discoverTaskFiles } from "../load/discover.js";
import { importModule, loadTaskFiles } from "../load/loader.js";
import { JT_OWN_DIRS, jtVersion } from "../package-paths.js";
import type { Target } from "../plan/plan.js";
import { activeRegistry } from "../registry/registry.js";
import { renderError } from "../report/errors.js";
import { listingAsJson, renderListing } from "../report/listing.js";
import { processOutput, type Output } from "../report/output.js";
import { Runner } from "../run/runner.js";
import type { Invocation } from "./invocation.js";
import { buildProgram, parseCommandLine } from "./parse.js";

export async function main(argv: readonly string[], output: Output = processOutput()): Promise<number> {
  let trace = argv.includes("--trace") || argv.includes("-t");
  try {
    const parsed = parseCommandLine(argv, buildProgram(jtVersion(), { out: output.out, err: output.err }));
    if (parsed.kind === "exit") return parsed.code;
    trace = parsed.invocation.trace;
    return await execute(parsed.invocation, output);
  } catch (error) {
    const lines = renderError(error, { trace, ownDirs: JT_OWN_DIRS });
    output.err(`${output.errColor.red.bold(lines[0])}\n${lines.slice(1).join("\n")}\n`);
    return exitCodeOf(error);
  }
}

async function execute(invocation: Invocation, output: Output): Promise<number> {
  for (const [name, value] of invocation.env) process.env[name] = value;
  if (invocation.directory !== undefined) changeDirectory(invocation.directory);

  const startDir = process.cwd();
  const project = await findProject(startDir, { importModule });
  if (!project) {
    throw new DefinitionError(`No tasks found: no tasks/ directory or jt config in ${startDir} or any parent directory`, [
      "Create tasks/ with a task file (for example tasks/hello.ts), or run jt from your project's directory",
    ]);
  }
  if (project.root !== startDir) {
    process.chdir(project.root);
    if (!invocation.silent) output.err(`(in ${project.root})\n`);
  }

  const registry = activeRegistry();
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
  const runner = new Runner({
    tasks: registry,
    trace: invocation.trace,
    dryRun: invocation.dryRun,
    signal: controller.signal,
    traceLine: (line) => output.err(`${line}\n`),
  });
  await runner.run(targets);
  return 0;
}

function changeDirectory(dir: string): void {
  const target = resolve(dir);
  if (!existsSync(target) || !statSync(target).isDirectory()) {
    throw new UsageError(`-C ${dir}: no such directory`);
  }
  process.chdir(target);
}
