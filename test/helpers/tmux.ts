/**
 * A real interactive shell in a tmux pane: type into it (send-keys, Tab included) and read the
 * screen (capture-pane), as a person at a terminal would. Each session has a tmux server of its
 * own (-L), so tests never see each other's panes.
 */
import { execFileSync, spawnSync } from "node:child_process";

export function hasTmux(): boolean {
  return spawnSync("tmux", ["-V"]).status === 0;
}

export class TmuxShell {
  private readonly socket = `jt-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  /** Starts `command` (a shell) in a 160×40 pane with `env`, in `cwd`. */
  constructor(command: string, options: { cwd: string; env: Record<string, string | undefined> }) {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.env)) if (value !== undefined) env[name] = value;
    execFileSync("tmux", ["-L", this.socket, "-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "40", "-c", options.cwd, command], {
      env,
    });
  }

  /** Types keys: literal text, or tmux key names when `keys` is true ("Tab", "Enter", "C-u"). */
  send(text: string, keys = false): void {
    execFileSync("tmux", ["-L", this.socket, "send-keys", "-t", "0", ...(keys ? [text] : ["-l", "--", text])]);
  }

  screen(): string {
    return execFileSync("tmux", ["-L", this.socket, "capture-pane", "-N", "-p", "-t", "0"], { encoding: "utf8" });
  }

  /** Waits until the screen matches `pattern`; returns the screen, or throws with it after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`The screen never matched ${pattern}:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Clears the line being typed and the screen, then waits for the prompt again. */
  async fresh(prompt: RegExp): Promise<void> {
    this.send("C-u", true);
    this.send("clear", false);
    this.send("Enter", true);
    await this.waitFor(prompt);
  }

  close(): void {
    spawnSync("tmux", ["-L", this.socket, "kill-server"]);
  }
}
