/**
 * Where jt writes, and in which colours. Colour follows chalk's detection (TTY, FORCE_COLOR), and
 * NO_COLOR (https://no-color.org) turns it off unless FORCE_COLOR is set. chalk loads only when an
 * error is printed: a successful run never pays for it.
 */
import type { ChalkInstance } from "chalk";
import { listingColumns } from "./terminal.js";

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Colours for stderr. */
  errColor(): Promise<ChalkInstance>;
  /** Terminal width when stdout is a TTY (listings are cut to it only then). */
  readonly columns: number | undefined;
}

export function processOutput(env: NodeJS.ProcessEnv = process.env): Output {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "" && env.FORCE_COLOR === undefined;
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errColor: async () => {
      const { Chalk, chalkStderr } = await import("chalk");
      return noColor ? new Chalk({ level: 0 }) : chalkStderr;
    },
    columns: listingColumns(env),
  };
}
