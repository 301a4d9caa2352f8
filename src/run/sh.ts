/**
 * `ctx.sh`: commands through execa, never through a shell. Echoed to stderr first (as Rake's `sh`),
 * output shown as it arrives and kept in the result, a non-zero exit fails the task with the
 * command and its code, and the task's abort signal stops the child. While tasks run concurrently,
 * output is shown a whole line at a time, so lines of two commands never mix.
 */
import type { Sh, ShOptions, ShResult, ShValue } from "../api/types.js";
import { CommandFailed } from "../errors.js";
import { descendantsOf, signalEach } from "./process-tree.js";

export interface ShSettings {
  cwd: string;
  signal: AbortSignal;
  /** Echo commands (off under -q / -s). */
  echo: boolean;
  /**
   * Show output line by line instead of as it arrives. Only for tasks running concurrently: a
   * prompt without a newline would not show until the command ends.
   */
  lines?: boolean | undefined;
  /** Where the echo and the output go instead of process.stdout / process.stderr (a worker's job: its log). */
  output?: { stdout: (text: string) => void; stderr: (text: string) => void } | undefined;
}

type Invocation =
  | { kind: "template"; template: TemplateStringsArray; values: ShValue[] }
  | { kind: "file"; file: string; args: readonly ShValue[] };

/** Commands running now (with the signal that stops each), and every process of theirs that an abort told to stop. */
const running = new Map<number, AbortSignal>();
const stopping = new Set<number>();
const watchedSignals = new WeakSet<AbortSignal>();

/** On an abort, execa stops each command of that signal; its own children get the same SIGTERM. */
function stopDescendantsOnAbort(signal: AbortSignal): void {
  if (watchedSignals.has(signal)) return;
  watchedSignals.add(signal);
  signal.addEventListener(
    "abort",
    () => {
      for (const [pid, stoppedBy] of running) {
        // A concurrent group's signal follows the run's, so each command is stopped through its own.
        if (stoppedBy !== signal) continue;
        const tree = descendantsOf(pid);
        for (const member of [pid, ...tree]) stopping.add(member);
        signalEach(tree, "SIGTERM");
      }
    },
    { once: true },
  );
}

/** Before jt exits: SIGKILL whatever an interrupted command left behind (it had its grace period). */
export function killLeftoverCommands(): void {
  signalEach(
    [...stopping, ...running.keys()].flatMap((pid) => [pid, ...descendantsOf(pid)]),
    "SIGKILL",
  );
}

export function createSh(settings: ShSettings, options: ShOptions = {}): Sh {
  stopDescendantsOnAbort(settings.signal);
  function sh(first: TemplateStringsArray | string | ShOptions, ...rest: unknown[]): Promise<ShResult> | Sh {
    if (isTemplate(first)) return run(settings, options, { kind: "template", template: first, values: rest as ShValue[] });
    if (typeof first === "string") {
      const [args = [], more = {}] = rest as [readonly ShValue[] | undefined, ShOptions | undefined];
      return run(settings, { ...options, ...more }, { kind: "file", file: first, args });
    }
    return createSh(settings, { ...options, ...first });
  }
  return sh as Sh;
}

function isTemplate(value: unknown): value is TemplateStringsArray {
  return Array.isArray(value) && "raw" in value;
}

/** `NAME=value ` for each variable the command gets, as Rake's sh echoes them. */
function envPrefix(env: ShOptions["env"]): string {
  if (!env) return "";
  const quote = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`);
  return Object.entries(env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${quote(value)} `)
    .join("");
}

/** execa takes strings (and arrays of them); booleans and numbers become their text. */
function asArgument(value: ShValue): string | string[] {
  return Array.isArray(value) ? value.map(String) : String(value);
}

async function run(settings: ShSettings, options: ShOptions, invocation: Invocation): Promise<ShResult> {
  const { execa } = await import("execa");
  const configured = execa({
    cwd: options.cwd ?? settings.cwd,
    env: { ...colorForChildren(), ...options.env },
    extendEnv: true,
    // Without input, the command reads jt's own stdin (a prompt, psql, ssh), as with Rake's sh.
    ...(options.input === undefined ? { stdin: "inherit" as const } : { input: options.input }),
    timeout: options.timeout,
    reject: false,
    stdout: settings.output
      ? [forwardLines(settings.output.stdout)]
      : settings.lines
        ? [forwardLines((text) => process.stdout.write(text))]
        : ["pipe", "inherit"],
    stderr: settings.output
      ? [forwardLines(settings.output.stderr)]
      : settings.lines
        ? [forwardLines((text) => process.stderr.write(text))]
        : ["pipe", "inherit"],
    cancelSignal: settings.signal,
    forceKillAfterDelay: 3000,
    verbose: (_line: string, event: { type: string; escapedCommand: string }) => {
      if (!(options.verbose ?? settings.echo) || event.type !== "command") return undefined;
      const echoed = `${envPrefix(options.env)}${event.escapedCommand}`;
      if (!settings.output) return echoed;
      settings.output.stderr(`${echoed}\n`);
      return undefined;
    },
  });
  const subprocess =
    invocation.kind === "template"
      ? configured(invocation.template, ...(invocation.values.map(asArgument) as never[]))
      : configured(invocation.file, invocation.args.flatMap(asArgument));
  const pid = subprocess.pid;
  if (pid !== undefined) running.set(pid, settings.signal);
  const result = await subprocess.finally(() => pid !== undefined && running.delete(pid));
  const shResult: ShResult = {
    command: result.escapedCommand,
    exitCode: result.exitCode,
    stdout: String(result.stdout ?? ""),
    stderr: String(result.stderr ?? ""),
    failed: result.failed,
  };
  if (result.failed && options.reject !== false) {
    // A command stopped by the task's signal is an AbortError caused by the abort's reason, as `fetch` or `timers/promises` reject.
    throw new CommandFailed(failureMessage(result), shResult, result.isCanceled ? settings.signal.reason : undefined);
  }
  return shResult;
}

/**
 * An execa transform that writes each whole line with one write (which Node does not split
 * between other writes) and keeps it for the result. A last line without a newline gets one on
 * the way out, or the next task's line would continue it.
 */
function forwardLines(write: (text: string) => void) {
  return {
    *transform(line: unknown) {
      const text = String(line);
      write(text.endsWith("\n") ? text : `${text}\n`);
      yield text;
    },
    preserveNewlines: true,
  };
}

/** The output goes through a pipe to be kept; on a terminal, tell commands that colour is welcome. */
function colorForChildren(): Record<string, string> {
  const env = process.env;
  const wantsColor = process.stdout.isTTY && env.FORCE_COLOR === undefined && (env.NO_COLOR === undefined || env.NO_COLOR === "");
  return wantsColor ? { FORCE_COLOR: "1" } : {};
}

interface ExecaOutcome {
  escapedCommand: string;
  exitCode?: number | undefined;
  signal?: string | undefined;
  isCanceled?: boolean;
  timedOut?: boolean;
  code?: string | undefined;
  shortMessage?: string;
}

function failureMessage(result: ExecaOutcome): string {
  if (result.isCanceled) return `Command stopped (the task was aborted): ${result.escapedCommand}`;
  if (result.timedOut) return `Command timed out: ${result.escapedCommand}`;
  if (result.code === "ENOENT") return `Command not found: ${result.escapedCommand} (is it installed and on PATH?)`;
  if (result.exitCode !== undefined) return `Command failed with exit code ${result.exitCode}: ${result.escapedCommand}`;
  if (result.signal) return `Command was killed with ${result.signal}: ${result.escapedCommand}`;
  return (result.shortMessage ?? `Command failed: ${result.escapedCommand}`).split("\n")[0]!;
}
