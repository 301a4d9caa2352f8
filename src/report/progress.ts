/**
 * `ctx.progress` in a terminal run. On a terminal: a progress bar per task on stderr, drawn by
 * cli-progress (loaded at the first report: a run that reports nothing never pays for it). Not on
 * a terminal (CI, `heroku run`, a pipe): plain lines, at most one a second per task, and always
 * the first and the one that reaches the total, so a log shows how far a task got.
 */
import { createRequire } from "node:module";
import type { MultiBar, SingleBar } from "cli-progress";
import { hookWrites, type WriteHook } from "./write-hook.js";

/** One `ctx.progress(done, total, message)` call, checked. */
export interface ProgressUpdate {
  done: number;
  total: number | null;
  message: string | null;
}

export interface ProgressDisplay {
  report(task: string, update: ProgressUpdate): void;
  /** Leaves the bars as they are (their last state stays on screen) before anything else is printed. */
  stop(): void;
}

export interface ProgressDisplayOptions {
  stream: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Milliseconds between two lines of one task when not on a terminal. */
  lineIntervalMs?: number;
  now?: () => number;
}

export function progressDisplay(options: ProgressDisplayOptions): ProgressDisplay {
  const onTerminal = options.stream.isTTY === true && options.env.TERM !== "dumb";
  return onTerminal ? new Bars(options.stream) : new Lines(options);
}

/** "40/100 (40%) message", or "40 message" without a total. */
export function progressText(update: ProgressUpdate): string {
  const count =
    update.total === null
      ? String(update.done)
      : `${update.done}/${update.total} (${Math.min(100, Math.floor((update.done / update.total) * 100))}%)`;
  return update.message ? `${count} ${update.message}` : count;
}

class Lines implements ProgressDisplay {
  private readonly lastLineAt = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ProgressDisplayOptions) {
    this.intervalMs = options.lineIntervalMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  report(task: string, update: ProgressUpdate): void {
    const now = this.now();
    const last = this.lastLineAt.get(task);
    const reachedTotal = update.total !== null && update.done >= update.total;
    if (last !== undefined && now - last < this.intervalMs && !reachedTotal) return;
    this.lastLineAt.set(task, now);
    this.options.stream.write(`jt: ${task}: ${progressText(update)}\n`);
  }

  stop(): void {}
}

/**
 * The bars, and what the run prints meanwhile: while bars are drawn, writes to stderr (and to
 * stdout when it is the terminal too) go to cli-progress's log, which prints them above the bars
 * at its next redraw, so a task's output and its bar never share a line.
 */
class Bars implements ProgressDisplay {
  private multibar: MultiBar | undefined;
  private hook: WriteHook | undefined;
  private readonly bars = new Map<string, { bar: SingleBar; counted: boolean }>();
  /** Once the run has ended, an abandoned action that still reports draws nothing. */
  private stopped = false;
  /** A process that exits meanwhile (a second Ctrl-C, a task's process.exit) still gets its last lines out. */
  private readonly onExit = () => this.stop();

  constructor(private readonly stream: NodeJS.WriteStream) {}

  report(task: string, update: ProgressUpdate): void {
    if (this.stopped) return;
    const payload = { task, message: update.message ?? "", count: progressText({ ...update, message: null }) };
    const counted = update.total !== null;
    const known = this.bars.get(task);
    if (known && known.counted === counted) {
      if (update.total !== null) known.bar.setTotal(update.total);
      known.bar.update(update.done, payload);
      return;
    }
    if (known) this.multibar?.remove(known.bar);
    const format = counted ? "{task} [{bar}] {count} {message}" : "{task} {count} {message}";
    const bar = this.open().create(update.total ?? 1, update.done, payload, { format });
    this.bars.set(task, { bar, counted });
  }

  stop(): void {
    this.stopped = true;
    const { multibar, hook } = this;
    if (!multibar) return;
    this.multibar = undefined;
    this.hook = undefined;
    this.bars.clear();
    process.off("exit", this.onExit);
    try {
      multibar.update(); // the last state, and what was printed since the last redraw
      multibar.stop();
    } finally {
      hook?.remove();
    }
  }

  private open(): MultiBar {
    if (this.multibar) return this.multibar;
    const { MultiBar, Presets } = createRequire(import.meta.url)("cli-progress") as typeof import("cli-progress");
    const sameTerminal = process.stdout.isTTY === true;
    const hook = hookWrites((stream, text) => {
      if (stream === "stderr" || sameTerminal) multibar.log(text);
      else hook.raw.stdout(text);
    });
    // cli-progress draws past the hook: a stream like this one whose writes go straight to the terminal.
    const raw = Object.create(this.stream, {
      write: {
        value: (chunk: string, callback?: () => void) => {
          hook.raw.stderr(chunk);
          if (typeof callback === "function") process.nextTick(callback);
          return true;
        },
      },
    }) as NodeJS.WriteStream;
    const multibar = new MultiBar(
      { stream: raw, hideCursor: true, clearOnComplete: false, barsize: 30, autopadding: true, fps: 10, gracefulExit: false },
      Presets.shades_classic,
    );
    this.hook = hook;
    this.multibar = multibar;
    process.once("exit", this.onExit);
    return multibar;
  }
}
