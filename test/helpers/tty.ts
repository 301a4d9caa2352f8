/** Runs jt with stdout on a pseudo-terminal (util-linux `script`), for what only happens on a TTY. */
import { spawn } from "node:child_process";
import { JT_BIN } from "./project.js";
import { childEnv } from "./env.js";

export interface TtyResult {
  /** stdout and stderr together (both go to the pty), with "\r\n" turned into "\n". */
  output: string;
  code: number | null;
}

/**
 * Runs bin/jt.js with stdout on a pseudo-terminal: `script -qec '…' /dev/null`. The pty that
 * `script` creates has no size (0x0), so the width comes from COLUMNS / JT_COLUMNS in `env`.
 * Colour is turned off (NO_COLOR) so the text can be compared exactly.
 */
export function runInTty(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<TtyResult> {
  const command = [process.execPath, JT_BIN, ...args].map(shellQuote).join(" ");
  const spawnEnv = childEnv({ NO_COLOR: "1", ...env });
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], { cwd, env: spawnEnv, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ output: output.replace(/\r\n/g, "\n"), code });
    });
  });
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
