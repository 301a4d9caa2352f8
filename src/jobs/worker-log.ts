/**
 * The worker's log: jt's own lines and the output of the jobs' tasks, in the order they happened,
 * each line with its time (ISO 8601, UTC) and its job. As text for people and files:
 *
 *   2025-06-01T09:00:00.120Z jt: job 3 mail:welcome[42] started (attempt 1 of 3)
 *   2025-06-01T09:00:00.131Z job 3 mail:welcome[42]: sending to ann@example.com
 *   2025-06-01T09:00:00.140Z jt: job 3 mail:welcome[42] completed in 20ms
 *
 * or as one JSON object per line for log drains (`--log-format json`, `jobs.logFormat`). Lines are
 * written once per turn of the event loop (a busy worker logs two per job, and one write per line
 * cost it more than running no-op jobs), each to its stream: jt's lines and the tasks' stderr to
 * stderr, the tasks' stdout to stdout.
 */
import { formatTarget } from "../args/brackets.js";
import { LineSplitter } from "../report/line-splitter.js";
import type { StreamName } from "../report/write-hook.js";
import { stackFrameLines } from "./format.js";
import type { Job } from "./store/store.js";

export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type LogLevel = "info" | "warn" | "error";

/** What a line of jt's is about: its JSON fields. */
export interface LogAbout {
  /** `job.started`, `job.completed`, `job.failed`, `job.retrying`, `worker.started`, … */
  event: string;
  level?: LogLevel;
  job?: Job;
  /** A failed attempt's stack (the app's frames, as jobs:show shows them). */
  stack?: string;
  /** Output lines: the stream the task wrote it to, and the jobs it may be from when jt cannot tell which. */
  stream?: StreamName;
  jobs?: number[];
}

/** Who wrote a line of output: a job, one of several jobs (jt could not tell which), or no job. */
export type Writer = Job | readonly Job[] | undefined;

type Sink = Record<StreamName, (text: string) => void>;

export class WorkerLog {
  /** Set once the worker has its id: every JSON line then carries it. */
  workerId: string | undefined;
  private pending: { stream: StreamName; text: string }[] = [];
  private readonly lines = new LineSplitter<string>();
  /** The writer of each unfinished line, by its key. */
  private readonly writers = new Map<string, { writer: Writer; stream: StreamName }>();

  constructor(
    readonly format: LogFormat,
    private readonly sink: Sink,
  ) {}

  /** One of jt's lines (`jt: …`; more lines after a newline are indented under it). */
  line(text: string, about: LogAbout = { event: "log" }): void {
    // A job's last words come before jt says it ended.
    if (about.job && about.event !== "job.started") this.endOutputOf(about.job);
    this.queue("stderr", this.format === "json" ? jsonLine(Date.now(), text, about, this.workerId) : textLine(Date.now(), text, about));
  }

  /** Output a task wrote (`text` need not end with a newline: the rest of its line may come later). */
  output(writer: Writer, stream: StreamName, text: string): void {
    const key = `${keyOf(writer)}:${stream}`;
    const now = Date.now();
    const lines = this.lines.add(key, text);
    if (this.lines.holds(key)) this.writers.set(key, { writer, stream });
    for (const line of lines) this.queue(stream, this.outputLine(writer, stream, line, now));
  }

  /** Ends the unfinished lines of `job` (it will not finish them: it is over). */
  endOutputOf(job: Job): void {
    if (this.writers.size === 0) return;
    for (const stream of ["stdout", "stderr"] as const) this.endLine(`${job.id}:${stream}`);
  }

  /** Writes the lines of this turn of the event loop. */
  flush(): void {
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    // Consecutive lines of one stream in one write; the streams are blocking (bin/jt.js), so in a
    // file that combines them the order stays as it happened.
    let start = 0;
    for (let i = 1; i <= pending.length; i++) {
      if (i < pending.length && pending[i]!.stream === pending[start]!.stream) continue;
      this.sink[pending[start]!.stream](
        pending
          .slice(start, i)
          .map((entry) => entry.text)
          .join(""),
      );
      start = i;
    }
  }

  /** On the way out: every unfinished line too. */
  end(): void {
    for (const key of this.lines.writers()) this.endLine(key);
    this.flush();
  }

  private endLine(key: string): void {
    const line = this.lines.take(key);
    const writer = this.writers.get(key);
    this.writers.delete(key);
    // Timed when it is written: the log's times never go back.
    if (line !== undefined && writer) this.queue(writer.stream, this.outputLine(writer.writer, writer.stream, line, Date.now()));
  }

  private outputLine(writer: Writer, stream: StreamName, text: string, at: number): string {
    if (this.format === "json") {
      const about: LogAbout = { event: "output", stream };
      if (isMany(writer)) about.jobs = idsOf(writer);
      else if (writer) about.job = writer;
      return jsonLine(at, text, about, this.workerId);
    }
    const who = writer === undefined ? "" : isMany(writer) ? `one of jobs ${idsOf(writer).join(", ")}: ` : `${jobLabel(writer)}: `;
    return `${new Date(at).toISOString()} ${who}${text}\n`;
  }

  private queue(stream: StreamName, text: string): void {
    if (this.pending.length === 0) setImmediate(() => this.flush());
    this.pending.push({ stream, text });
  }
}

export function jobLabel(job: Job): string {
  return `job ${job.id} ${formatTarget(job.task, job.args)}`;
}

function isMany(writer: Writer): writer is readonly Job[] {
  return Array.isArray(writer);
}

function keyOf(writer: Writer): string {
  return writer === undefined ? "-" : isMany(writer) ? idsOf(writer).join("|") : String(writer.id);
}

function idsOf(jobs: readonly Job[]): number[] {
  return jobs.map((one) => one.id).sort((x, y) => x - y);
}

/** jt's line as text: the time on every line, a stack indented under it. */
export function textLine(at: number, text: string, about: LogAbout): string {
  const time = isoTime(at);
  if (!about.stack && !text.includes("\n")) return `${time} ${text}\n`;
  const lines = text.split("\n");
  // Its frames, as jobs:show shows them (the message is in the line already).
  if (about.stack) lines.push(...stackFrameLines(about.stack));
  return `${lines.map((line) => `${time} ${line}`).join("\n")}\n`;
}

let lastAt = NaN;
let lastTime = "";

/** `new Date(at).toISOString()`, made once per millisecond: a busy worker writes many lines in one. */
function isoTime(at: number): string {
  if (at !== lastAt) {
    lastAt = at;
    lastTime = new Date(at).toISOString();
  }
  return lastTime;
}

/** jt's line as a JSON object: time, level, event, msg, worker, then the job's id, task, args and attempt. */
export function jsonLine(at: number, text: string, about: LogAbout, workerId: string | undefined): string {
  const { job, stack, event, level = "info", stream, jobs } = about;
  const entry: Record<string, unknown> = {
    time: isoTime(at),
    level,
    event,
    msg: event === "output" ? text : text.replace(/^jt: /, ""),
    ...(workerId !== undefined ? { worker: workerId } : {}),
    ...(job ? { job: job.id, task: job.task, args: job.args, attempt: job.attempts } : {}),
    ...(jobs ? { job: null, jobs } : {}),
    ...(stream ? { stream } : {}),
    ...(stack !== undefined ? { stack } : {}),
  };
  return `${JSON.stringify(entry)}\n`;
}
