/**
 * Runs the real bin/jt.js as a child process the test can talk to while it runs: wait for a line
 * on stdout/stderr, send it a signal at that moment, then await its exit. For what `runJt` cannot
 * do (signals, timing). Also: which processes a run started, and whether they are still alive.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { JT_BIN } from "./project.js";
import { childEnv } from "./env.js";
import { waitForMatch } from "./wait.js";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the safety timeout killed jt (it hung). */
  timedOut: boolean;
  /** When the process exited (Date.now()). */
  at: number;
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  /** Safety net: SIGKILL jt after this long (default 20 s); the exit then has `timedOut: true`. */
  timeoutMs?: number;
  /** The script to run instead of this repository's bin/jt.js (an app's own server or script). */
  bin?: string;
}

export class RunningJt {
  readonly pid: number;
  /** Resolves when jt has exited and its output streams are closed. */
  readonly exited: Promise<Exit>;
  private out = "";
  private err = "";
  private done: Exit | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    timeoutMs: number,
  ) {
    this.pid = child.pid!;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      this.out += chunk;
      this.wake();
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      this.err += chunk;
      this.wake();
    });
    child.stdin.end();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    this.exited = new Promise((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        this.done = { code, signal, stdout: this.out, stderr: this.err, timedOut, at: Date.now() };
        this.wake();
        resolve(this.done);
      });
    });
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  /**
   * Waits until `stream` matches `pattern` (a string is a substring), and returns the match.
   * Fails, showing the output so far, if jt exits first or nothing matches within `timeoutMs`.
   */
  waitFor(stream: "stdout" | "stderr", pattern: string | RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    return waitForMatch(
      {
        waiters: this.waiters,
        read: () => (stream === "stdout" ? this.out : this.err),
        exited: () => this.done && `jt exited (code ${this.done.code}, signal ${this.done.signal})`,
        failure: (what) => this.failure(what),
      },
      pattern,
      timeoutMs,
      stream,
    );
  }

  /** Sends a signal to jt (only to jt: not to its process group, as `kill -INT <pid>` does). */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Kills jt and every process it started, as the death of its machine would (a worker's executor too). */
  killTree(signal: NodeJS.Signals): void {
    for (const { pid } of descendantsOf(this.pid)) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
    this.child.kill(signal);
  }

  /** The pid of the process that runs jobs: a worker's executor (named in its "jt: worker host:pid:…" line), else jt's own. */
  get workerPid(): number {
    const match = /^\S+ jt: worker [^:\s]+:(\d+):/m.exec(this.err);
    return match ? Number(match[1]) : this.pid;
  }

  /** Kills jt if it is still running (cleanup after a failed test). */
  stop(): void {
    if (!this.done) this.killTree("SIGKILL");
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private failure(what: string): Error {
    return new Error(`${what}\n--- stdout ---\n${this.out}--- stderr ---\n${this.err}`);
  }
}

/**
 * Starts `node bin/jt.js …args` in `cwd`. In concurrent tests pass the test's `onTestFinished`
 * so a jt left running by a failed assertion is killed.
 */
export function spawnJt(
  cwd: string,
  args: readonly string[],
  options: SpawnOptions = {},
  context?: { onTestFinished: (fn: () => void) => void },
): RunningJt {
  const env = childEnv(options.env);
  const child = spawn(process.execPath, [options.bin ?? JT_BIN, ...args], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  const running = new RunningJt(child, options.timeoutMs ?? 20_000);
  context?.onTestFinished(() => running.stop());
  return running;
}

/** Whether a process exists and is not a zombie (a zombie has exited; only its parent has not reaped it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
  return processState(pid) !== "Z";
}

/** Waits up to `timeoutMs` for every pid to be gone; returns the ones still alive. */
export async function survivors(pids: readonly number[], timeoutMs = 2_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Kills whatever is left of `pids` (cleanup, so a failing test leaves no process behind). */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** The live descendants of `pid` (children, grandchildren…), with their command lines. Linux (/proc). */
export function descendantsOf(pid: number): { pid: number; command: string }[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(Number(entry), "stat");
    // "pid (comm) state ppid …": comm may contain spaces and parentheses, so parse after the last ")".
    const fields = stat?.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields && fields[0] !== "Z") parentOf.set(Number(entry), Number(fields[1]));
  }
  const found: { pid: number; command: string }[] = [];
  const wanted = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of parentOf) {
      if (wanted.has(parent) && !wanted.has(child)) {
        wanted.add(child);
        found.push({ pid: child, command: (readProc(child, "cmdline") ?? "").split("\0").join(" ").trim() });
        grew = true;
      }
    }
  }
  return found;
}

/** Polls until `pid` has a descendant whose command line matches `pattern`. */
export async function waitForDescendant(pid: number, pattern: RegExp, timeoutMs = 15_000): Promise<{ pid: number; command: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = descendantsOf(pid).find((p) => pattern.test(p.command));
    if (match) return match;
    if (Date.now() >= deadline) throw new Error(`no descendant of ${pid} matched ${pattern} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function processState(pid: number): string | undefined {
  const stat = readProc(pid, "stat");
  return stat?.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}
