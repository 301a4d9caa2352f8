/**
 * The listings: -T, -D, -P, -W and their --json form, in Rake's formats. Pure: tasks in,
 * text out.
 */
import type { TaskDefinition } from "../registry/task.js";

/** The listings; "completion" is `--complete-tasks`, what shell completion reads. */
export type ListingMode = "tasks" | "describe" | "prereqs" | "where" | "completion";

export interface Listing {
  mode: ListingMode;
  /** Only tasks whose name matches (Rake's `-T pattern`). */
  pattern: RegExp | undefined;
  /** `--comments` (after -A / -W): described tasks only, also for -W. */
  describedOnly?: boolean;
}

export interface ListingOptions {
  /** `-A`: include tasks without a description. */
  all: boolean;
  /** Cut descriptions to this many columns (only when writing to a terminal). */
  columns: number | undefined;
}

/** The data of one listed task; also the shape of `--json`. */
export interface ListedTask {
  name: string;
  description: string | null;
  args: string[];
  prerequisites: string[];
  file: string | null;
  line: number | null;
  locations: { file: string; line: number }[];
}

const PROGRAM = "jt";

const JOBS_HINT = "\n(jt's own jobs:* commands run tasks as background jobs: see them with `jt jobs`)\n";

/** The registry, as far as listings need it. */
export interface ListingSource {
  readonly tasks: ReadonlyMap<string, TaskDefinition>;
  prerequisiteOf(task: TaskDefinition, written: string): TaskDefinition | undefined;
}

export function renderListing(listing: Listing, source: ListingSource, options: ListingOptions): string {
  const shown = selectTasks(listing, source.tasks, options.all);
  switch (listing.mode) {
    case "tasks": {
      // A person reading the whole list on a terminal also learns where jt's own verbs are.
      const verbsHint = options.all && options.columns !== undefined && !listing.pattern ? JOBS_HINT : "";
      return renderTasks(shown, options.columns) + verbsHint;
    }
    case "describe":
      return shown.map(renderDescription).join("");
    case "prereqs":
      // As Rake: every task, by plain name, prerequisites as written.
      return shown.map((t) => `${PROGRAM} ${t.name}\n${t.prerequisites.map((p) => `    ${p}\n`).join("")}`).join("");
    case "completion":
      // One line a task: its name (ending in "[" when it takes arguments), a tab, its short description.
      return shown.map((t) => `${t.name}${t.args.names.length > 0 ? "[" : ""}\t${shortComment(t)}\n`).join("");
    case "where": {
      // Rake's `%-30s`, widened to the longest name so that a long name with args keeps the locations aligned.
      const width = Math.max(30, ...shown.map((t) => nameWithArgs(t).length));
      return shown
        .flatMap((t) =>
          t.locations.filter((loc) => !loc.clears).map((loc) => `${PROGRAM} ${nameWithArgs(t).padEnd(width)} ${loc.file}:${loc.line}\n`),
        )
        .join("");
    }
  }
}

export function listingAsJson(listing: Listing, source: ListingSource, all: boolean): string {
  const shown = selectTasks(listing, source.tasks, all).map((t) => toListedTask(t, source));
  return `${JSON.stringify(shown, null, 2)}\n`;
}

function selectTasks(listing: Listing, tasks: ReadonlyMap<string, TaskDefinition>, all: boolean): TaskDefinition[] {
  // As in Rake, -P and -W show every task, described or not, and -P takes no pattern; completion offers every task.
  const showAll = listing.describedOnly
    ? false
    : all || listing.mode === "prereqs" || listing.mode === "where" || listing.mode === "completion";
  const pattern = listing.mode === "prereqs" || listing.mode === "completion" ? undefined : listing.pattern;
  return [...tasks.values()]
    .filter((t) => (showAll || t.comments.length > 0) && (!pattern || pattern.test(t.name)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function renderTasks(shown: readonly TaskDefinition[], columns: number | undefined): string {
  const width = Math.max(0, ...shown.map((t) => nameWithArgs(t).length));
  const room = columns === undefined ? undefined : columns - PROGRAM.length - width - 7;
  return shown
    .map((t) => {
      const comment = shortComment(t);
      return `${PROGRAM} ${nameWithArgs(t).padEnd(width)}  # ${room === undefined ? comment : truncate(comment, room)}\n`;
    })
    .join("");
}

function renderDescription(task: TaskDefinition): string {
  const lines = fullComment(task)
    .split("\n")
    .filter((line, i, all) => line !== "" || i < all.length - 1);
  return `${PROGRAM} ${nameWithArgs(task)}\n${lines.map((line) => `    ${line}\n`).join("")}\n`;
}

export function nameWithArgs(task: TaskDefinition): string {
  return task.args.names.length === 0 ? task.name : `${task.name}[${task.args.names.join(",")}]`;
}

/** What -T shows: the first sentence of each description, joined with " / " (Rake's `comment`). */
export function shortComment(task: TaskDefinition): string {
  return task.comments.map(firstSentence).join(" / ");
}

/** What -D shows: every description in full (Rake's `full_comment`). */
export function fullComment(task: TaskDefinition): string {
  return task.comments.join("\n");
}

/**
 * Rake's `first_sentence`: the text up to a '.' or '!' that follows a word character and precedes
 * a space or tab, a '.' that ends a line, any '!', or a line break.
 */
export function firstSentence(text: string): string {
  return text.split(/(?<=\w)[.!][ \t]|\.$|!|\n/m)[0] ?? "";
}

function truncate(text: string, width: number): string {
  if (text.length <= width) return text;
  return `${text.slice(0, Math.max(0, width - 3))}...`;
}

/** Prerequisites by full name (as written when a name does not resolve). */
function resolvedPrerequisites(task: TaskDefinition, source: ListingSource): string[] {
  return task.prerequisites.map((written) => source.prerequisiteOf(task, written)?.name ?? written);
}

function toListedTask(task: TaskDefinition, source: ListingSource): ListedTask {
  const first = task.locations[0];
  return {
    name: task.name,
    description: task.comments.length > 0 ? fullComment(task) : null,
    args: [...task.args.names],
    prerequisites: resolvedPrerequisites(task, source),
    file: first?.file ?? null,
    line: first?.line ?? null,
    locations: task.locations.filter((loc) => !loc.clears).map((loc) => ({ file: loc.file, line: loc.line })),
  };
}
