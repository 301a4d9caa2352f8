/**
 * jt as a live process, for tests that must act while it runs: wait for some output, then send
 * input or a signal. `startJt` uses pipes (stdin stays open unless `stdin: "closed"`);
 * `startJtInTty` runs jt on a pseudo-terminal (util-linux `script`), so its stdin, stdout and
 * stderr are all a TTY and `write` types into it. Both are killed when the test finishes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { JT_BIN, type RunResult } from "./project.js";
import { childEnv } from "./env.js";
import { waitForMatch } from "./wait.js";

type Cleanup = { onTestFinished: (fn: () => void) => void };

export interface LiveOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** "open" (default): a pipe that is never written to or closed, as under a supervisor. */
  stdin?: "open" | "closed";
  /** Kill with SIGKILL after this long (default 20 s). */
  timeoutMs?: number;
}

export interface LiveJt {
  /** The pid of jt itself (for `startJtInTty`, of `script`). */
  readonly pid: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the text so far once `pattern` occurs in the stream; rejects if jt exits first or time runs out. */
  waitFor(stream: "stdout" | "stderr", pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  write(text: string): void;
  kill(signal?: NodeJS.Signals): void;
  readonly done: Promise<RunResult>;
}

export function startJt(args: readonly string[], options: LiveOptions, context: Cleanup): LiveJt {
  const child = spawn(process.execPath, [JT_BIN, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  if (options.stdin === "closed") child.stdin.end();
  return watch(child, options.timeoutMs, context, (text) => text);
}

/**
 * jt on a pseudo-terminal. stdout and stderr both arrive on `stdout` (with "\r\n" turned into
 * "\n"); `stderr` holds only what `script` itself complains about. TERM is xterm unless `env` says otherwise.
 */
export function startJtInTty(args: readonly string[], options: Omit<LiveOptions, "stdin">, context: Cleanup): LiveJt {
  const command = [process.execPath, JT_BIN, ...args].map(shellQuote).join(" ");
  const env = childEnv({ TERM: "xterm", ...options.env });
  const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: options.cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  return watch(child, options.timeoutMs, context, (text) => text.replace(/\r\n/g, "\n"));
}

function watch(child: ChildProcessWithoutNullStreams, timeoutMs = 20_000, context: Cleanup, normalize: (text: string) => string): LiveJt {
  const raw = { stdout: "", stderr: "" };
  const waiters = new Set<() => void>();
  let exited = false;
  const notify = () => {
    for (const check of [...waiters]) check();
  };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    raw.stdout += chunk;
    notify();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    raw.stderr += chunk;
    notify();
  });
  child.stdin.on("error", () => {}); // jt may exit before reading what a test wrote
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      exited = true;
      notify();
      if (!child.stdin.destroyed) child.stdin.destroy();
      resolve({ stdout: normalize(raw.stdout), stderr: normalize(raw.stderr), code, signal });
    });
  });
  context.onTestFinished(() => {
    if (!exited) child.kill("SIGKILL");
  });
  return {
    pid: child.pid!,
    get stdout() {
      return normalize(raw.stdout);
    },
    get stderr() {
      return normalize(raw.stderr);
    },
    async waitFor(stream, pattern, waitMs = 15_000) {
      await waitForMatch(
        {
          waiters,
          read: () => normalize(raw[stream]),
          exited: () => (exited ? "jt exited" : undefined),
          failure: (what) => new Error(`${what}\n--- stdout:\n${normalize(raw.stdout)}\n--- stderr:\n${normalize(raw.stderr)}`),
        },
        pattern,
        waitMs,
        stream,
      );
      return normalize(raw[stream]);
    },
    write(text) {
      child.stdin.write(text);
    },
    kill(signal = "SIGTERM") {
      child.kill(signal);
    },
    done,
  };
}

/** Whether a process with this pid exists (a zombie counts as gone only once reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Polls `condition` until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(condition: () => boolean, timeoutMs = 3000, everyMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
