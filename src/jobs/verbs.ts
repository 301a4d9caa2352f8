/**
 * The `jt jobs:*` verbs as data: name, one-line description, arguments and options. The jobs CLI
 * (cli/jobs/command.ts) builds its parsers from it, `jt --help` / `jt jobs --help` list it and shell
 * completion reads it, so this module imports nothing: no store, no worker, no commander.
 */

export interface VerbOption {
  /** As commander takes it: `-y, --yes` or `--queues <names>`. */
  flags: string;
  /** `--queues` */
  long: string;
  /** `-y`, when the option has a short form. */
  short?: string;
  /** The value's placeholder (`names` for `--queues <names>`); absent for a switch. */
  argument?: string;
  description: string;
  /** The value used when the option is not given. */
  defaultValue?: string;
  /** One of jt's global options (`-C`, `--trace`, `--quiet`), also accepted before the verb. */
  global?: true;
}

export interface VerbArgument {
  name: string;
  description: string;
  required: boolean;
  /** Takes any number of words (`<ids...>`). */
  variadic: boolean;
}

export interface JobsVerb {
  /** `jobs:work` */
  name: string;
  /** One line, for listings and completion. */
  description: string;
  arguments: readonly VerbArgument[];
  /** Every option the verb accepts, the global ones (marked `global`) included; `--help` aside. */
  options: readonly VerbOption[];
}

const STATES = ["queued", "running", "completed", "failed", "cancelled"] as const;

function option(flags: string, description: string, defaultValue?: string): VerbOption {
  const match = /^(?:(-\w), )?(--[\w-]+)(?: <([^>]+)>)?$/.exec(flags);
  if (!match) throw new Error(`Malformed option flags '${flags}'`);
  const [, short, long, argument] = match;
  return {
    flags,
    long: long!,
    ...(short !== undefined ? { short } : {}),
    ...(argument !== undefined ? { argument } : {}),
    description,
    ...(defaultValue !== undefined ? { defaultValue } : {}),
  };
}

function argument(spec: string, description: string): VerbArgument {
  const variadic = spec.endsWith("...");
  const name = spec.replace(/\.\.\.$/, "");
  return { name, description, required: false, variadic };
}

function required(spec: string, description: string): VerbArgument {
  return { ...argument(spec, description), required: true };
}

const DIRECTORY: VerbOption = { ...option("-C, --directory <dir>", "change to dir before doing anything"), global: true };
const TRACE: VerbOption = { ...option("-t, --trace", "print full stack traces"), global: true };
const WORKER_TRACE: VerbOption = { ...TRACE, description: "print ** Invoke / ** Execute lines of the jobs' tasks, and full stack traces" };
const QUIET: VerbOption = { ...option("-q, --quiet", "do not echo commands run by sh in the jobs' tasks"), global: true };
const JSON_OUTPUT = option("--json", "print JSON");
const LOG_FORMAT = option(
  "--log-format <format>",
  "the worker's log: text (timestamped lines) or json (one object per line, for log drains) (default: jobs.logFormat, text)",
);

/** The options every verb takes. */
const COMMON = [DIRECTORY, TRACE];

/** jobs:work and jobs:workoff take the same options. */
const WORKER_OPTIONS: readonly VerbOption[] = [
  option("--queues <names>", "comma-separated queues to take jobs from, or * for all", "*"),
  option("--concurrency <n>", "jobs run at once (default: jobs.concurrency, 5)"),
  option("--prefetch <n>", "jobs claimed ahead of free slots (default: jobs.prefetch, 0)"),
  LOG_FORMAT,
  DIRECTORY,
  WORKER_TRACE,
  QUIET,
];

export const JOBS_VERBS: readonly JobsVerb[] = [
  {
    name: "jobs:work",
    description: "Run jobs until stopped (SIGTERM or Ctrl-C: running jobs finish or are released)",
    arguments: [],
    options: WORKER_OPTIONS,
  },
  {
    name: "jobs:workoff",
    description: "Run jobs until none is runnable, then exit (1 if a job failed for good)",
    arguments: [],
    options: WORKER_OPTIONS,
  },
  {
    name: "jobs:enqueue",
    description: "Enqueue a task as a job: jt jobs:enqueue 'mail:welcome[42]' --in 5m",
    arguments: [required("task", "the task, with [args] as on jt's command line")],
    options: [
      option("--in <duration>", "run no sooner than this long from now (30s, 5m, 2h)"),
      option("--at <time>", "run no sooner than this time (ISO 8601)"),
      option("--queue <name>", "the queue (default: the task's)"),
      option("--priority <n>", "lower runs first (default: the task's)"),
      option("--unique", "no second live job for this task and args"),
      option("-n, --dry-run", "print what would be enqueued (args as the task sees them, queue, run time, prerequisites), enqueue nothing"),
      option("--json", "print the job as JSON"),
      ...COMMON,
    ],
  },
  {
    name: "jobs:list",
    description: "List jobs, newest first",
    arguments: [],
    options: [
      option("--state <states>", `comma-separated: ${STATES.join(", ")}`),
      option("--task <name>", "only this task's jobs"),
      option("--queue <name>", "only this queue's jobs"),
      option("--limit <n>", "at most this many", "50"),
      JSON_OUTPUT,
      ...COMMON,
    ],
  },
  {
    name: "jobs:show",
    description: "Show a job, with every attempt's error and stack",
    arguments: [required("id", "the job's id")],
    options: [JSON_OUTPUT, ...COMMON],
  },
  {
    name: "jobs:retry",
    description: "Run failed, cancelled or waiting jobs again now, with a fresh set of attempts",
    arguments: [argument("ids...", "job ids")],
    options: [option("--all-failed", "every failed job"), ...COMMON],
  },
  {
    name: "jobs:cancel",
    description: "Cancel queued jobs",
    arguments: [required("ids...", "job ids")],
    options: [...COMMON],
  },
  {
    name: "jobs:discard",
    description: "Delete failed or cancelled jobs",
    arguments: [argument("ids...", "job ids")],
    options: [option("--all-failed", "every failed job"), ...COMMON],
  },
  {
    name: "jobs:pause",
    description: "Pause queues or a task: no worker claims their jobs (they keep queueing) until resumed; none: list what is paused",
    arguments: [argument("queues...", "queue names")],
    options: [option("--task <name>", "pause this task's jobs, whatever their queue"), ...COMMON],
  },
  {
    name: "jobs:resume",
    description: "Resume paused queues or a task",
    arguments: [argument("queues...", "queue names")],
    options: [option("--task <name>", "resume this task's jobs"), ...COMMON],
  },
  {
    name: "jobs:stats",
    description: "Count jobs by queue and state",
    arguments: [],
    options: [JSON_OUTPUT, ...COMMON],
  },
  {
    name: "jobs:prune",
    description: "Delete completed jobs older than jobs.pruneAfter (workers do this hourly)",
    arguments: [],
    options: [option("--older-than <duration>", "instead of jobs.pruneAfter"), ...COMMON],
  },
  {
    name: "jobs:clear",
    description: "Delete every job (asks first on a terminal)",
    arguments: [],
    options: [{ ...option("-y, --yes", "do not ask"), global: true }, ...COMMON],
  },
  {
    name: "jobs:cron",
    description:
      'List cron schedules (last and next runs, where each comes from); add, set, remove, test, pause or resume one (jobs:cron set reports:daily "0 4 * * *")',
    arguments: [
      argument("action", "add, set, remove, test, pause or resume (none: list them)"),
      argument("name", "the schedule: a scheduled task's name, or one made with add"),
      argument("words...", "add: 'task[args]' and the cron expression; set: the cron expression"),
    ],
    options: [option("--tz <zone>", "add and set: the cron's time zone (default UTC)"), JSON_OUTPUT, ...COMMON],
  },
  {
    name: "jobs:crontab",
    description: "Print system crontab lines equivalent to the cron schedules",
    arguments: [],
    options: [...COMMON],
  },
  {
    name: "jobs:dashboard",
    description: "Serve the web dashboard (127.0.0.1:4000): see, retry, discard and cancel jobs",
    arguments: [],
    options: [
      option("--port <n>", "the port (0: any free one)", "4000"),
      option(
        "--host <address>",
        "the address to listen on (another than 127.0.0.1 needs JT_DASHBOARD_TOKEN or JT_DASHBOARD_USER and _PASSWORD)",
        "127.0.0.1",
      ),
      option("--read-only", "show everything, change nothing"),
      ...COMMON,
    ],
  },
  {
    name: "jobs:migrate",
    description: "Create or update the job store's schema (workers also do it when they start)",
    arguments: [],
    options: [...COMMON],
  },
];

export function jobsVerb(name: string): JobsVerb | undefined {
  return JOBS_VERBS.find((verb) => verb.name === name);
}

export function isJobsVerbName(word: string | undefined): boolean {
  return word !== undefined && JOBS_VERBS.some((verb) => verb.name === word);
}

/** `jobs:work  Run jobs until stopped …`, one line per verb, names padded to one column. */
export function jobsVerbLines(indent = "  "): string[] {
  const width = Math.max(...JOBS_VERBS.map((verb) => verb.name.length));
  return JOBS_VERBS.map((verb) => `${indent}${verb.name.padEnd(width)}  ${verb.description}`);
}
