/**
 * The built-in `jt jobs:*` verbs: work and workoff (workers), enqueue, and seeing and fixing jobs
 * (list, show, retry, cancel, discard, pause, resume, stats, prune, clear), schedules (cron, crontab) and the
 * store's schema (migrate), one module each; this one parses a verb's command line and runs it.
 * Tables for people, --json for scripts.
 */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { ProjectJobs } from "../../jobs/project-jobs.js";
import { importModule } from "../../load/loader.js";
import { JOBS_VERBS, jobsVerb, jobsVerbLines, type JobsVerb } from "../../jobs/verbs.js";
import type { Output } from "../../report/output.js";
import { openSession } from "../../session/session.js";
import { closeMatches } from "../../shared/suggest.js";
import type { VerbContext } from "./context.js";
import { dashboardVerb } from "./dashboard.js";
import { enqueueVerb } from "./enqueue.js";
import { clearVerb, fixVerb, pruneVerb } from "./fix.js";
import { listVerb, showVerb, statsVerb } from "./inspect.js";
import { migrateVerb } from "./migrate.js";
import { pauseVerb } from "./pause.js";
import { cronVerb, crontabVerb } from "./schedules.js";
import { work } from "./work.js";

type Verb = (context: VerbContext, program: Command) => Promise<number>;

/** What each verb does; what it accepts is in verbs.ts. */
const RUNS: Record<string, Verb> = {
  "jobs:work": (context, program) => work(context, program, false),
  "jobs:workoff": (context, program) => work(context, program, true),
  "jobs:enqueue": enqueueVerb,
  "jobs:list": listVerb,
  "jobs:show": showVerb,
  "jobs:retry": (context, program) => fixVerb(context, program, "retry"),
  "jobs:cancel": (context, program) => fixVerb(context, program, "cancel"),
  "jobs:discard": (context, program) => fixVerb(context, program, "discard"),
  "jobs:pause": (context, program) => pauseVerb(context, program, true),
  "jobs:resume": (context, program) => pauseVerb(context, program, false),
  "jobs:stats": statsVerb,
  "jobs:prune": pruneVerb,
  "jobs:clear": clearVerb,
  "jobs:cron": cronVerb,
  "jobs:crontab": crontabVerb,
  "jobs:migrate": migrateVerb,
  "jobs:dashboard": dashboardVerb,
};

/** The verb's commander parser, built from its metadata. */
function parserOf(verb: JobsVerb, Command: typeof import("commander").Command, output: Output): Command {
  const program = new Command(`jt ${verb.name}`).description(verb.description);
  for (const argument of verb.arguments) {
    const name = `${argument.name}${argument.variadic ? "..." : ""}`;
    program.argument(argument.required ? `<${name}>` : `[${name}]`, argument.description);
  }
  for (const option of verb.options) program.option(option.flags, option.description, option.defaultValue);
  return program
    .helpOption("-h, --help", "print this help")
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err, outputError: () => {} });
}

const ENV_ASSIGNMENT = /^(\w+)=(.*)$/s;

/**
 * Runs `verb` with `words`, the rest of the command line (options may have come before the verb:
 * main.ts moved it out). `NAME=value` words set environment variables, as for tasks.
 */
export async function runJobsCommand(verb: string, words: readonly string[], output: Output): Promise<number> {
  if (verb === "jobs") return jobsOverview(words, output);
  const definition = jobsVerb(verb);
  if (!definition) {
    const names = JOBS_VERBS.map((known) => known.name);
    const matches = closeMatches(verb, names);
    throw new UsageError(`Unknown jobs command '${verb}'`, [
      ...(matches.length > 0 ? [`Did you mean?  ${matches.join("\n               ")}`] : []),
      `The jobs commands: ${names.join(", ")} (see them with \`jt jobs\`)`,
    ]);
  }
  const end = words.indexOf("--");
  const isAssignment = (word: string, at: number) => (end === -1 || at < end) && ENV_ASSIGNMENT.test(word);
  const env = words.filter(isAssignment).map((word): [string, string] => {
    const [, name, value] = ENV_ASSIGNMENT.exec(word)!;
    return [name!, value!];
  });
  const { Command, CommanderError } = await import("commander");
  const program = parserOf(definition, Command, output);
  try {
    program.parse(
      words.filter((word, at) => !isAssignment(word, at)),
      { from: "user" },
    );
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.help") return 0;
      throw new UsageError(usageMessage(verb, error), [`(See \`jt ${verb} --help\`)`]);
    }
    throw error;
  }
  const options = program.opts<{ directory?: string }>();
  const context: VerbContext = {
    output,
    async open() {
      const session = await openSession({ env, directory: options.directory, silent: false }, output);
      return { session, jobs: new ProjectJobs(session.project, () => session.source.allDefinitions(), importModule) };
    },
    async withStore(use) {
      const { session, jobs } = await this.open();
      try {
        const opened = await jobs.get();
        return await use({ session, jobs: opened, store: opened.store, location: jobs.location });
      } finally {
        await jobs.close();
      }
    },
  };
  return RUNS[definition.name]!(context, program);
}

/** commander's message, with the verb named: an option it does not take is not an unknown task. */
function usageMessage(verb: string, error: import("commander").CommanderError): string {
  const unknown = /^error: unknown option '([^']+)'/.exec(error.message);
  if (unknown) return `jt ${verb} does not take the option '${unknown[1]}'`;
  return `jt ${verb}: ${error.message.replace(/^error: /, "")}`;
}

/** `jt jobs` and `jt jobs --help`: the verbs, one line each. */
async function jobsOverview(words: readonly string[], output: Output): Promise<number> {
  const { Command, CommanderError } = await import("commander");
  // -C and --trace are accepted (and mean nothing here), so `jt -C api jobs` works as every verb does.
  const program = new Command("jt jobs")
    .option("-C, --directory <dir>")
    .option("-t, --trace")
    .option("-h, --help")
    .helpOption(false)
    .allowExcessArguments()
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err, outputError: () => {} });
  try {
    program.parse([...words], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) throw new UsageError(usageMessage("jobs", error), ["(See `jt jobs`)"]);
    throw error;
  }
  if (program.args.length > 0) {
    throw new UsageError(`\`jt jobs\` lists the jobs commands and takes nothing else, not '${program.args.join(" ")}'`, [
      "Run a jobs command by its full name: jt jobs:work, jt jobs:list, …",
    ]);
  }
  output.out(
    [
      "Usage: jt jobs:<command> [options]",
      "",
      "Background jobs: any task runs as a job, enqueued from app code or the shell, run by workers.",
      "",
      "Commands:",
      ...jobsVerbLines(),
      "",
      "Each command's options: jt jobs:<command> --help (jt jobs:work --help)",
      "",
    ].join("\n"),
  );
  return 0;
}
