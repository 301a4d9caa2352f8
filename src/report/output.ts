/**
 * Where jt writes, and in which colours. Colour follows chalk's detection (TTY, FORCE_COLOR),
 * and NO_COLOR (https://no-color.org) turns it off unless FORCE_COLOR is set.
 */
import { Chalk, chalkStderr, type ChalkInstance } from "chalk";

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Colours for stderr. */
  readonly errColor: ChalkInstance;
  /** Terminal width when stdout is a TTY (listings are cut to it only then). */
  readonly columns: number | undefined;
}

export function processOutput(env: NodeJS.ProcessEnv = process.env): Output {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "" && env.FORCE_COLOR === undefined;
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errColor: noColor ? new Chalk({ level: 0 }) : chalkStderr,
    columns: process.stdout.isTTY ? terminalWidth(env) : undefined,
  };
}

/** As Rake: JT_COLUMNS (or COLUMNS), else the terminal's width; anything under 10 columns means 80. */
function terminalWidth(env: NodeJS.ProcessEnv): number {
  const fromEnv = Number(env.JT_COLUMNS ?? env.COLUMNS);
  const width = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : process.stdout.columns || 80;
  return width < 10 ? 80 : width;
}
