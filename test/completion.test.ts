/**
 * Shell completion, run in the real shells: `jt --completion bash|zsh|fish` and the task names
 * it reads from `jt --complete-tasks`. zsh and fish tests run when those shells are installed.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { JT_BIN, sharedProject } from "./helpers/project.js";
import { lines } from "./helpers/text.js";

const p = sharedProject({
  "tasks/db.ts": `import { desc, namespace, task } from "jt";
namespace("db", () => {
  desc("Run pending migrations");
  task("migrate", () => {});
  desc("Load seed data");
  task("seed", () => {});
});
desc("Load users. From the directory");
task("users:load", { args: ["logins..."] }, () => {});
task("hidden", () => {});
`,
});

// A `jt` on PATH for the shells, running this checkout.
const bin = p.path("bin");
mkdirSync(bin);
writeFileSync(join(bin, "jt"), `#!/bin/sh\nexec "${process.execPath}" "${JT_BIN}" "$@"\n`);
chmodSync(join(bin, "jt"), 0o755);
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };

function has(shell: string): boolean {
  return spawnSync(shell, ["-c", "exit 0"]).status === 0;
}

function shell(command: string, args: string[]): string {
  return execFileSync(command, args, { cwd: p.root, env, encoding: "utf8", timeout: 20_000 });
}

describe("completion", () => {
  test("--complete-tasks: every task, a tab, its short description; '[' marks a task that takes args", async () => {
    const result = await p.run(["--complete-tasks"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe(lines("db:migrate\tRun pending migrations", "db:seed\tLoad seed data", "hidden\t", "users:load[\tLoad users"));
    expect(await p.run(["--complete-tasks"])).toEqual(result); // again, from the cache
  });

  test("an unknown shell is a command-line error", async () => {
    const result = await p.run(["--completion", "tcsh"]);
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toBe(lines("jt aborted!", "jt can print completion for bash, zsh, fish, not 'tcsh'", "For example: jt --completion zsh"));
  });

  test("bash: task names (after a ':' too), options", () => {
    const complete = (line: string) =>
      shell("bash", [
        "-c",
        `eval "$(jt --completion bash)"; COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}; _jt_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ]);
    expect(complete("jt db:")).toBe(lines("migrate", "seed"));
    expect(complete("jt us")).toBe(lines("users:load["));
    expect(complete("jt h")).toBe(lines("hidden"));
    expect(complete("jt --tr")).toBe(lines("--trace"));
  });

  test.runIf(has("fish"))("fish: task names with their descriptions, options", () => {
    const complete = (line: string) => shell("fish", ["-c", `jt --completion fish | source; complete -C ${JSON.stringify(line)}`]);
    expect(complete("jt db:")).toBe(lines("db:migrate\tRun pending migrations", "db:seed\tLoad seed data"));
    expect(complete("jt --tr")).toBe(lines("--trace\tprint Invoke/Execute lines and full stacks"));
  });

  test.runIf(has("zsh"))("zsh: the script parses, and offers tasks with args without a trailing space", () => {
    const script = shell(process.execPath, [JT_BIN, "--completion", "zsh"]);
    expect(spawnSync("zsh", ["-n"], { input: script }).status).toBe(0);
    // _describe and compdef stand in for the completion system: they show what _jt hands it.
    const offered = shell("zsh", [
      "-f",
      "-c",
      `_describe() { print -r -- "[$2] $5 $6"; print -rl -- \${(P)4} }; compdef() { :; }; eval "$(jt --completion zsh)"; PREFIX=u; _jt`,
    ]);
    expect(offered).toBe(
      lines("[tasks]  ", "db\\:migrate:Run pending migrations", "db\\:seed:Load seed data", "hidden:", "[tasks] -S ", "users\\:load[:Load users"),
    );
  });

  test.runIf(has("zsh"))("zsh, interactively: Tab completes a task with args to name\\[ , so zsh never says 'no matches found'", () => {
    const zdot = p.path("zdot");
    mkdirSync(zdot, { recursive: true });
    writeFileSync(join(zdot, ".zshrc"), `autoload -Uz compinit && compinit -u\neval "$(jt --completion zsh)"\nPS1='READY> '\n`);
    const driver = `zmodload zsh/zpty
zpty -b z "ZDOTDIR=${zdot} zsh -i"
zpty -r z out '*READY> *'
zpty -w -n z $'jt users:lo\\t'
zpty -w -n z $'@END\\n'
zpty -r z out '*@END*'
print -r -- "$out"
zpty -d z`;
    const out = shell("zsh", ["-f", "-c", driver]).replaceAll("\r", "");
    expect(out).toMatch(/jt users:load\\\[@END/);
  });
});
