/**
 * argv → Invocation, with commander. Words after the options are targets (`name[a,b]`) or
 * `NAME=value` assignments, as on Rake's command line.
 */
import type { Command } from "commander";
import { joinSplitTargets, targetOrFail, type Target } from "../args/brackets.js";
import { UsageError } from "../errors.js";
import { JOBS_VERBS, jobsVerbLines } from "../jobs/verbs.js";
import type { Listing } from "../report/listing.js";
import type { Invocation } from "./invocation.js";

export type ParseResult =
  | { kind: "run"; invocation: Invocation }
  | { kind: "completion"; shell: string }
  | { kind: "generate"; words: string[]; directory: string | undefined }
  | { kind: "types"; words: string[]; directory: string | undefined; search: boolean }
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
  H?: true;
  search?: boolean;
  comments?: true;
  verbose?: true;
  backtrace?: true;
  traceOutput?: string;
  tasksFile?: string[];
  buildAll?: true;
  rules?: true;
  jobStats?: string | true;
}

type Writers = { out: (s: string) => void; err: (s: string) => void };

interface GlobalOption {
  flags: string;
  description: string;
  /** Not in `--help` (what shell completion calls). */
  hidden?: true;
  parse?: (value: string, previous: unknown) => unknown;
}

/** jt's own options. The same list tells `verbIndex` which words are option values. */
const GLOBAL_OPTIONS: readonly GlobalOption[] = [
  { flags: "-T, --tasks [pattern]", description: "list described tasks (whose name matches pattern), then exit" },
  { flags: "-D, --describe [pattern]", description: "describe tasks in full (whose name matches pattern), then exit" },
  { flags: "-P, --prereqs", description: "list tasks and their prerequisites, then exit" },
  { flags: "-W, --where [pattern]", description: "show where tasks (whose name matches pattern) are defined, then exit" },
  { flags: "-A, --all", description: "with -T or -D: include tasks without a description" },
  { flags: "--json", description: "with -T, -D, -P or -W: print the listing as JSON" },
  { flags: "--comments", description: "with -W (or after -A): only tasks with a description" },
  { flags: "-n, --dry-run", description: "print what would run (as --trace does), run no action" },
  { flags: "-t, --trace", description: "print ** Invoke / ** Execute lines and full stack traces (--trace=stdout: on stdout)" },
  { flags: "--backtrace", description: "print full stack traces, without the ** lines (--backtrace=stdout: on stdout)" },
  { flags: "--trace-output <out>", description: "where --trace and --backtrace write", hidden: true },
  { flags: "-q, --quiet", description: "do not echo commands run by sh" },
  { flags: "-v, --verbose", description: "echo commands run by sh (the default; undoes an earlier -q)" },
  { flags: "-s, --silent", description: "like --quiet, and do not announce the project directory" },
  { flags: "-C, --directory <dir>", description: "change to dir before doing anything" },
  {
    flags: "-f, --tasks-file <file>",
    description: "load this task file instead of the project's tasks/ (repeatable; as Rake's -f)",
    parse: collectFiles,
  },
  { flags: "-N, --no-search", description: "do not look for the project in parent directories (also --nosearch)" },
  {
    flags: "-j, --jobs [n]",
    description: "run at most n task actions at once in multitasks (default: CPU cores + 4; -j alone: no limit)",
    parse: parseJobs,
  },
  { flags: "-B, --build-all", description: "run every file task, up to date or not" },
  { flags: "--rules", description: "trace how rules are matched to make file tasks" },
  {
    flags: "--job-stats [level]",
    description: "after the run, print how many tasks ran at once and in all (level history: when each ran)",
  },
  { flags: "-m, --multitask", description: "treat every task as a multitask (prerequisites run concurrently)" },
  { flags: "-y, --yes", description: "answer yes to the questions of tasks marked confirm (asked when NODE_ENV=production)" },
  { flags: "--completion <shell>", description: "print a completion script for bash, zsh or fish, then exit" },
  { flags: "--complete-tasks", description: "task names for shell completion", hidden: true },
  { flags: "-H", description: "print this help, then exit (as Rake's -H)", hidden: true },
];

/** jt's own options as shell completion offers them: `--help` and `--version` included, hidden ones left out. */
export function completionOptions(): { flags: string; description: string }[] {
  return [
    ...GLOBAL_OPTIONS.filter((option) => !option.hidden),
    { flags: "-V, --version", description: "print the version" },
    { flags: "-h, --help", description: "print the help" },
  ];
}

type Arity = "none" | "optional" | "required";

/**
 * `-C` → "required", `--tasks` → "optional", `--trace` → "none": how each spelling of jt's and the
 * jobs verbs' options takes a value (a spelling means the same for every verb that takes it).
 */
const ARITY: ReadonlyMap<string, Arity> = new Map(
  [...GLOBAL_OPTIONS, ...JOBS_VERBS.flatMap((verb) => verb.options)].flatMap(({ flags }) => {
    const arity: Arity = flags.includes("<") ? "required" : flags.includes("[") ? "optional" : "none";
    return [...flags.matchAll(/--?[\w-]+/g)].map(([spelling]): [string, Arity] => [spelling, arity]);
  }),
);

/**
 * Where the verb is: the first word that is neither an option nor an option's value nor
 * `NAME=value`. Options go anywhere, as in Rake, so `jt -C api jobs:work` and
 * `jt jobs:work -C api` are the same command.
 */
export function verbIndex(argv: readonly string[]): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") return i + 1 < argv.length ? i + 1 : undefined;
    if (ENV_ASSIGNMENT.test(word)) continue;
    if (!word.startsWith("-") || word === "-") return i;
    const arity = arityOf(word);
    const next = argv[i + 1];
    if (arity === "required" || (arity === "optional" && next !== undefined && takesValue(word, next))) i += 1;
  }
  return undefined;
}

/** Whether an option with an optional value takes `next` as it: -j only what starts with a digit (`jt -j par` runs par). */
function takesValue(option: string, next: string): boolean {
  if (next.startsWith("-")) return false;
  if (option === "-j" || option === "--jobs") return /^\d/.test(next);
  // A level only where it is one: `jt --job-stats default` runs default.
  if (option === "--job-stats") return /^history/i.test(next);
  return true;
}

/** The arity of the value still to come in the next word (none when it is attached: `-Cdir`, `--directory=dir`). */
function arityOf(word: string): Arity {
  if (word.startsWith("--")) return word.includes("=") ? "none" : (ARITY.get(word) ?? "none");
  // A cluster of short flags (`-tq`, `-tC dir`): the first that takes a value takes the rest of the word, or the next word.
  for (let at = 1; at < word.length; at++) {
    const arity = ARITY.get(`-${word[at]}`) ?? "none";
    if (arity !== "none") return at === word.length - 1 ? arity : "none";
  }
  return "none";
}

export async function buildProgram(version: string, write: Writers): Promise<Command> {
  const { Command, Option } = await import("commander");
  const program = new Command("jt")
    .usage("[options] [task[args]]... [NAME=value]...")
    .description("Run tasks from tasks/*.ts, Rake-style: prerequisites first, each task once.")
    .argument("[targets...]", "tasks to run, with optional [args]; NAME=value sets an environment variable");
  for (const { flags, description, hidden, parse } of GLOBAL_OPTIONS) {
    const option = new Option(flags, description);
    if (parse) option.argParser(parse);
    program.addOption(hidden ? option.hideHelp() : option);
  }
  program
    .version(`jt, version ${version}`, "-V, --version", "print the version, then exit")
    .helpOption("-h, --help", "print this help, then exit")
    .allowExcessArguments()
    .exitOverride()
    .configureOutput({ writeOut: write.out, writeErr: write.err, outputError: () => {} })
    .addHelpText(
      "after",
      [
        "",
        "Options go anywhere on the line: jt -C api db:migrate is jt db:migrate -C api.",
        "",
        "Jobs commands (each has --help: jt jobs:work --help; all of them: jt jobs):",
        ...jobsVerbLines(),
        "",
        "Examples:",
        "  jt -T                         list described tasks",
        "  jt db:migrate                 run a task (and its prerequisites)",
        "  jt 'users:load[alice,bob]'    pass args (quote brackets in zsh)",
        "  jt db:drop db:setup RAILS=1   run two tasks in order, set an env var",
        "  jt generate task db seed      write tasks/db.ts with a db:seed skeleton (and its test)",
        "  jt generate job mail:digest   write a task set up as a job (and its test)",
        "  jt types                      write jt-tasks.d.ts: task names and args for the compiler",
        "  jt jobs:work                  run jobs until stopped",
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
  // -T, -D and -W choose the same thing, as in Rake: the last one given wins, with its pattern.
  // -A and -W show every task and --comments only described ones: the last of them wins. So do -q, -s and -v.
  let shown: ShownTasks | undefined;
  let describedOnly = false;
  let quiet: boolean | undefined;
  for (const mode of ["tasks", "describe", "where"] as const) {
    program.on(`option:${mode}`, (value: unknown) => {
      shown = { mode, pattern: typeof value === "string" ? value : undefined };
      if (mode === "where") describedOnly = false;
    });
  }
  program.on("option:all", () => (describedOnly = false));
  program.on("option:comments", () => (describedOnly = true));
  for (const option of ["quiet", "silent"]) program.on(`option:${option}`, () => (quiet = true));
  program.on("option:verbose", () => (quiet = false));
  const words = rakeSpellings(argv);
  try {
    program.parse(words, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
        return { kind: "exit", code: 0 };
      }
      throw new UsageError(commanderMessage(error.message), ["(See `jt --help`)"]);
    }
    throw error;
  }
  if (program.opts<RawOptions>().H) {
    program.outputHelp();
    return { kind: "exit", code: 0 };
  }
  return resultOf(program.opts<RawOptions>(), program.args, shown && { ...shown, describedOnly }, quiet);
}

/**
 * Rake's spellings commander cannot take as they are: `-j` with no number (commander would take
 * the next word; `--job-stats` the same, unless it is a level), `--trace=stdout` / `-tstdout` / `--backtrace=stdout` (an optional value only
 * when attached), `--nosearch`.
 */
function rakeSpellings(argv: readonly string[]): string[] {
  return argv.flatMap((word, at) => {
    if ((word === "-j" || word === "--jobs") && !takesValue(word, argv[at + 1] ?? "-")) return ["--jobs="];
    if (word === "--job-stats" && !takesValue(word, argv[at + 1] ?? "-")) return ["--job-stats="];
    if (word === "--nosearch") return ["--no-search"];
    const output = /^(?:--(trace|backtrace)=(.*)|-t(stdout|stderr))$/.exec(word);
    if (output) return [output[1] === "backtrace" ? "--backtrace" : "--trace", "--trace-output", output[2] ?? output[3]!];
    return [word];
  });
}

/** commander's message in Rake's words where Rake has them (`invalid option: --x`). */
function commanderMessage(message: string): string {
  const unknown = /^error: unknown option '([^']+)'/.exec(message);
  return unknown ? `invalid option: ${unknown[1]}` : message.replace(/^error: /, "");
}

interface ShownTasks {
  mode: "tasks" | "describe" | "where";
  pattern: string | undefined;
}

function resultOf(
  options: RawOptions,
  words: string[],
  shown?: ShownTasks & { describedOnly?: boolean },
  quietFlag?: boolean,
): ParseResult {
  if (options.completion !== undefined) return { kind: "completion", shell: options.completion };
  if (words[0] === "generate") return { kind: "generate", words: words.slice(1), directory: options.directory };
  if (words[0] === "types") return { kind: "types", words: words.slice(1), directory: options.directory, search: options.search !== false };
  const targets: Target[] = [];
  const env: [string, string][] = [];
  for (const word of joinSplitTargets(words)) {
    const assignment = ENV_ASSIGNMENT.exec(word);
    if (assignment) {
      env.push([assignment[1]!, assignment[2]!]);
      continue;
    }
    targets.push(targetOrFail(word, ["In zsh, quote the word: jt 'task[a,b]'"]));
  }
  return {
    kind: "run",
    invocation: {
      listing: listingOf(options, shown),
      all: options.all === true,
      json: options.json === true,
      dryRun: options.dryRun === true,
      trace: options.trace === true || options.dryRun === true,
      traceOutput: traceOutputOf(options.traceOutput),
      backtrace: options.backtrace === true,
      search: options.search !== false,
      taskFiles: options.tasksFile,
      buildAll: options.buildAll === true,
      rules: options.rules === true,
      jobStats: jobStatsOf(options.jobStats),
      quiet: quietFlag ?? false,
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

/** As Rake decides: -T, -D or -W (the last given) over -P; --json needs one of them. */
function listingOf(options: RawOptions, shown: (ShownTasks & { describedOnly?: boolean }) | undefined): Listing | undefined {
  if (options.completeTasks) return { mode: "completion", pattern: undefined };
  if (shown)
    return {
      mode: shown.mode,
      pattern: shown.pattern === undefined ? undefined : compilePattern(shown.pattern),
      describedOnly: shown.describedOnly === true,
    };
  if (options.prereqs) return { mode: "prereqs", pattern: undefined };
  if (options.json) throw new UsageError("--json goes with a listing: -T, -D, -P or -W");
  return undefined;
}

/** As Rake reads it: a level starting with "history" adds the history; any other value just the figures. */
function jobStatsOf(value: string | true | undefined): "history" | "summary" | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" && /^history/i.test(value) ? "history" : "summary";
}

function traceOutputOf(value: string | undefined): "stdout" | "stderr" {
  if (value === undefined || value === "" || value === "stderr") return "stderr";
  if (value === "stdout") return "stdout";
  throw new UsageError(`--trace and --backtrace write to stdout or stderr, not '${value}'`, ["(See `jt --help`)"]);
}

function compilePattern(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    throw new UsageError(`Invalid pattern /${source}/: not a valid regular expression`);
  }
}

/** Each `-f file` adds one (commander hands the list so far as the second argument). */
function collectFiles(value: string, previous: unknown): string[] {
  return [...(Array.isArray(previous) ? (previous as string[]) : []), value];
}

/** `-j n`: a whole number of at least 1; `-j` alone (the value "") means no limit, as in Rake. */
function parseJobs(value: string): number {
  if (value === "") return Infinity;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`-j/--jobs takes a whole number of at least 1, got '${value}'`);
  return n;
}
