/**
 * Cron schedules on tasks (pure: every time is passed in as epoch ms). Every worker calls
 * `dueSlots` about once a second; the store's unique (schedule, slot) constraint makes each slot
 * enqueue once however many workers do, so there is no leader.
 *
 * croner parses the expressions and walks the calendar, time zones and DST included. Its DST
 * rules (croner 11, after Vixie cron) apply to the instants returned here:
 * - fixed-time schedules (a single second, minute and hour, e.g. `30 2 * * *`): a time that does
 *   not exist (spring forward) runs once, when the clock has jumped (02:30 → 03:00 the same day);
 *   a time that happens twice (fall back) runs once, at its first occurrence;
 * - interval schedules (a wildcard, step, range or list in those fields, e.g. `*\/30 * * * *`)
 *   skip times that do not exist and run on both occurrences of a repeated time, as elapsed time
 *   goes on: no instant is ever returned twice.
 */
import { Cron } from "croner";

export interface Schedule {
  task: string;
  cron: string;
  tz: string | undefined;
  catchUpMs: number;
}

/**
 * The shortest catch-up window. Workers tick about once a second, so a slot is always a little in
 * the past when a worker sees it, and a busy event loop can delay a tick by seconds: a slot this
 * recent is late, not missed, and runs even with `catchUpMs: 0`.
 */
export const LATE_TICK_MS = 10_000;

/** 5 fields (minute precision) or 6 (a leading seconds field). No year field: crontab has none. */
const MODE = "5-or-6-parts";

function cronOf(s: Pick<Schedule, "cron" | "tz">): Cron {
  // Without a function croner only parses: no timer is started.
  // Without a tz, UTC (as documented) — never the machine's own zone, which differs between hosts.
  return new Cron(s.cron, { timezone: s.tz ?? "UTC", mode: MODE });
}

function fields(cron: string): string[] {
  return cron.trim().split(/\s+/);
}

/**
 * Identifies a schedule in the store's high-water table: task, cron and tz, so a changed cron or
 * time zone is a new schedule (seen for the first time, it does not fire for past slots).
 * Whitespace in the expression is normalised, so reformatting it is not a change.
 */
export function scheduleKey(s: Schedule & { source?: string; name?: string; args?: readonly string[] }): string {
  const timing = [fields(s.cron).join(" "), s.tz ?? null];
  // A schedule made at run time is also told apart by its name and args (many per task: one per tenant).
  return JSON.stringify(s.source === "runtime" ? ["runtime", s.name, s.task, s.args ?? [], ...timing] : [s.task, ...timing]);
}

/** Why the schedule is invalid (bad expression, unknown time zone, never fires), or undefined. */
export function validateSchedule(cron: string, tz: string | undefined): string | undefined {
  if (tz !== undefined) {
    try {
      // Offsets ("+01:00") are zones to the Intl of Node 22 and later, not of Node 20: refused everywhere, so a
      // schedule valid on one machine is valid on all (and an offset ignores DST, rarely what is meant).
      if (/^[+-]/.test(tz)) throw new RangeError(tz);
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
    } catch {
      return `unknown time zone ${JSON.stringify(tz)} (use an IANA name like "Europe/Paris" or "UTC")`;
    }
  }
  let c: Cron;
  try {
    c = cronOf({ cron, tz });
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, "") : String(error);
    return `invalid cron expression ${JSON.stringify(cron)}: ${why}`;
  }
  // Without a year field, a pattern that fires at all fires within any 400 years (the Gregorian
  // cycle), so one search from a fixed instant finds out: `0 0 30 2 *` (Feb 30) never does.
  if (c.nextRun(new Date(0)) === null) return `cron expression ${JSON.stringify(cron)} never fires`;
  return undefined;
}

function slotAfter(cron: Cron, after: number): number | null {
  return cron.nextRun(new Date(after))?.getTime() ?? null;
}

function slotAtOrBefore(cron: Cron, atOrBefore: number): number | null {
  // croner's previousRuns excludes the reference itself but includes a run earlier in the same
  // second; slots are whole seconds, so 1 ms later makes the reference inclusive.
  return cron.previousRuns(1, new Date(Math.floor(atOrBefore) + 1))[0]?.getTime() ?? null;
}

/** The first slot strictly after `after`, or null if there is none. */
export function nextRun(s: Schedule, after: number): number | null {
  return slotAfter(cronOf(s), after);
}

/** The newest slot at or before `atOrBefore`, or null if there is none. */
export function previousRun(s: Schedule, atOrBefore: number): number | null {
  return slotAtOrBefore(cronOf(s), atOrBefore);
}

/**
 * What the clock must do at `now` for a schedule whose high-water mark (the newest slot already
 * enqueued or marked) is `last` (null: never seen).
 * - First sight: nothing is enqueued (a new or changed schedule never fires for a past slot);
 *   `mark` is the newest slot ≤ now, or `now` if there is none, so the next slot fires.
 * - Then: each slot in (last, now] that is also ≥ now − catchUpMs is enqueued, oldest first; slots
 *   older than that window are skipped, and `mark` is then the newest slot ≤ now so the
 *   high-water mark moves past them. Otherwise `mark` is null: the enqueued slots (if any) are
 *   the only news. A `last` ahead of `now` (another worker's clock runs ahead) enqueues nothing.
 * The window is never shorter than LATE_TICK_MS, so `catchUpMs: 0` means "don't replay slots
 * missed while no worker ran", not "fire only if a tick lands on the slot's very millisecond".
 * The work is bounded by the slots in the window, however old `last` is.
 */
export function dueSlots(s: Schedule, last: number | null, now: number): { enqueue: number[]; mark: number | null } {
  const cron = cronOf(s);
  if (last === null) return { enqueue: [], mark: slotAtOrBefore(cron, now) ?? now };

  const windowStart = now - Math.max(s.catchUpMs || 0, LATE_TICK_MS); // `|| 0`: NaN would poison max()
  // Slots are whole milliseconds, so "after windowStart − 1 ms" means "at or after windowStart".
  const from = Math.ceil(windowStart) - 1;
  const enqueue: number[] = [];
  for (let slot = slotAfter(cron, Math.max(last, from)); slot !== null && slot <= now; slot = slotAfter(cron, slot)) {
    enqueue.push(slot);
  }
  // Slots were skipped if the first one after `last` is older than the window (only possible
  // when `last` itself is: the common case needs no second search).
  const firstMissed = last < from ? slotAfter(cron, last) : null;
  const skipped = firstMissed !== null && firstMissed < windowStart;
  return { enqueue, mark: skipped ? slotAtOrBefore(cron, now) : null };
}

/**
 * An equivalent system crontab entry: `0 3 * * * cd /app && jt reports:daily`, after a
 * `CRON_TZ=Europe/Paris` line (`CRON_TZ=UTC` for a schedule without a time zone, as jt runs it;
 * cronie reads CRON_TZ, and it holds for the lines after it). A 6-field expression whose seconds
 * field is `0` drops it; any other seconds field cannot be expressed (crontab runs at most once a
 * minute), so the entry is a comment saying so.
 */
/**
 * `command` is what cron runs: cron's PATH (/usr/bin:/bin) has no `jt`, so the CLI passes the
 * absolute paths of node and of the jt it is.
 */
export function crontabLines(s: Schedule, projectRoot: string, command = "jt"): string[] {
  const parts = fields(s.cron);
  const lines: string[] = [];
  let when = parts.join(" ");
  if (parts.length === 6) {
    if (parts[0] !== "0") {
      return [
        `# ${s.task}: "${when}"${s.tz === undefined ? "" : ` (${s.tz})`} fires on a seconds field, which crontab cannot express`,
        `# (it runs at most once a minute); leave this schedule to \`jt jobs:work\`.`,
      ];
    }
    when = parts.slice(1).join(" ");
  }
  // Month and day names (JAN, WED) aside, these letters and signs are croner extensions.
  if (!when.startsWith("@") && /[lw#?+]/i.test(when.replace(/[a-z]{3}/gi, ""))) {
    lines.push(`# ${s.task}: "${when}" uses croner's L, W, #, ? or + syntax, which most crons do not understand`);
  }
  lines.push(`CRON_TZ=${s.tz ?? "UTC"}`);
  // In a crontab command an unescaped % ends the command (the rest is stdin): escape it.
  const escapeWord = (word: string) => shellQuote(word).replaceAll("%", "\\%");
  lines.push(`${when} cd ${escapeWord(projectRoot)} && ${command.replaceAll("%", "\\%")} ${escapeWord(s.task)}`);
  return lines;
}

/** Quotes a word for sh unless it is made only of characters sh leaves alone. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
