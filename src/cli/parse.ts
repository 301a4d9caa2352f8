/**
 * argv → Invocation, with commander. Words after the options are targets (`name[a,b]`) or
 * `NAME=value` assignments, as on Rake's command line.
 */
import type { Command } from "commander";
import { parseTarget } from "../args/brackets.js";
import { UsageError } from "../errors.js";
import type { Target } from "../plan/plan.js";
import type { Invocation, Listing, ListingMode } from "./invocation.js";

export type ParseResult =
  | { kind: "run"; invocation: Invocation }
  | { kind: "completion"; shell: string }
  | { kind: "generate"; words: string[]; directory: string | undefined }
  | { kind: "exit"; code: number };

const ENV_ASSIGNMENT = /^(\w+)=(.*)$/s;

interface RawOptions {
  tasks?: string | true;
  describe?: string | true;
  prereqs?: true;
  where?: string | true;
  all?: true;
  json?: true;
  dryRun?: true;
  trace?: true;
  quiet?: true;
  silent?: true;
  directory?: string;
  jobs?: number;
  multitask?: true;
  yes?: true;
  completion?: string;
  completeTasks?: true;
}

type Writers = { out: (s: string) => void; err: (s: string) => void };

export async function buildProgram(version: string, write: Writers): Promise<Command> {
  const { Command, Option } = await import("commander");
  const program = new Command("jt")
    .usage("[options] [task[args]]... [NAME=value]...")
    .description("Run tasks from tasks/*.ts, Rake-style: prerequisites first, each task once.")
    .argument("[targets...]", "tasks to run, with optional [args]; NAME=value sets an environment variable")
    .option("-T, --tasks [pattern]", "list described tasks (whose name matches pattern), then exit")
    .option("-D, --describe [pattern]", "describe tasks in full (whose name matches pattern), then exit")
    .option("-P, --prereqs", "list tasks and their prerequisites, then exit")
    .option("-W, --where [pattern]", "show where tasks (whose name matches pattern) are defined, then exit")
    .option("-A, --all", "with -T or -D: include tasks without a description")
    .option("--json", "with -T, -D, -P or -W: print the listing as JSON")
    .option("-n, --dry-run", "print what would run (as --trace does), run no action")
    .option("-t, --trace", "print ** Invoke / ** Execute lines and full stack traces")
    .option("-q, --quiet", "do not echo commands run by sh")
    .option("-s, --silent", "like --quiet, and do not announce the project directory")
    .option("-C, --directory <dir>", "change to dir before doing anything")
    .addOption(new Option("-j, --jobs <n>", "run at most n task actions at once in multitasks (default: CPU cores + 4)").argParser(parsePositiveInteger))
    .option("-m, --multitask", "treat every task as a multitask (prerequisites run concurrently)")
    .option("-y, --yes", "answer yes to the questions of tasks marked confirm (asked when NODE_ENV=production)")
    .option("--completion <shell>", "print a completion script for bash, zsh or fish, then exit")
    .addOption(new Option("--complete-tasks", "task names for shell completion").hideHelp())
    .version(`jt, version ${version}`, "-V, --version", "print the version, then exit")
    .helpOption("-h, --help", "print this help, then exit")
    .allowExcessArguments()
    .exitOverride()
    .configureOutput({ writeOut: write.out, writeErr: write.err, outputError: () => {} })
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  jt -T                         list described tasks",
        "  jt db:migrate                 run a task (and its prerequisites)",
        "  jt 'users:load[alice,bob]'    pass args (quote brackets in zsh)",
        "  jt db:drop db:setup RAILS=1   run two tasks in order, set an env var",
        "  jt generate task db seed      write tasks/db.ts with a db:seed skeleton",
        "",
        "Exit codes: 0 ok, 1 a task failed, 2 bad command line, 3 bad task definitions or config,",
        "130/143 interrupted by SIGINT/SIGTERM.",
      ].join("\n"),
    );
  return program;
}

export async function parseCommandLine(argv: readonly string[], version: string, write: Writers): Promise<ParseResult> {
  // With no option words there is nothing for commander to do: a plain `jt task[args]` skips loading it.
  if (!argv.some((word) => word.startsWith("-"))) return resultOf({}, [...argv]);
  const program = await buildProgram(version, write);
  const { CommanderError } = await import("commander");
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
        return { kind: "exit", code: 0 };
      }
      throw new UsageError(error.message.replace(/^error: /, ""), ["(See `jt --help`)"]);
    }
    throw error;
  }
  return resultOf(program.opts<RawOptions>(), program.args);
}

function resultOf(options: RawOptions, words: string[]): ParseResult {
  if (options.completion !== undefined) return { kind: "completion", shell: options.completion };
  if (words[0] === "generate") return { kind: "generate", words: words.slice(1), directory: options.directory };
  const targets: Target[] = [];
  const env: [string, string][] = [];
  for (const word of words) {
    const assignment = ENV_ASSIGNMENT.exec(word);
    if (assignment) {
      env.push([assignment[1]!, assignment[2]!]);
      continue;
    }
    const target = parseTarget(word);
    if (!target) {
      throw new UsageError(`Malformed task arguments in '${word}': expected name[arg1,arg2,...] with a closing ']'`, [
        "In zsh, quote the word: jt 'task[a,b]'",
      ]);
    }
    targets.push(target);
  }
  return {
    kind: "run",
    invocation: {
      listing: listingOf(options),
      all: options.all === true,
      json: options.json === true,
      dryRun: options.dryRun === true,
      trace: options.trace === true || options.dryRun === true,
      quiet: options.quiet === true || options.silent === true,
      silent: options.silent === true,
      directory: options.directory,
      jobs: options.jobs,
      multitask: options.multitask === true,
      yes: options.yes === true,
      targets,
      env,
    },
  };
}

function listingOf(options: RawOptions): Listing | undefined {
  const given: [ListingMode, string | true][] = [];
  if (options.tasks !== undefined) given.push(["tasks", options.tasks]);
  if (options.describe !== undefined) given.push(["describe", options.describe]);
  if (options.prereqs !== undefined) given.push(["prereqs", true]);
  if (options.where !== undefined) given.push(["where", options.where]);
  if (options.completeTasks !== undefined) given.push(["completion", true]);
  if (given.length > 1) throw new UsageError("Choose one listing: -T, -D, -P or -W");
  const [first] = given;
  if (!first) {
    if (options.json) throw new UsageError("--json goes with a listing: -T, -D, -P or -W");
    return undefined;
  }
  const [mode, pattern] = first;
  return { mode, pattern: pattern === true ? undefined : compilePattern(pattern) };
}

function compilePattern(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    throw new UsageError(`Invalid pattern /${source}/: not a valid regular expression`);
  }
}

function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`-j/--jobs takes a whole number of at least 1, got '${value}'`);
  return n;
}
