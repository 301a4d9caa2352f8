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
import { hasTmux, TmuxShell } from "./helpers/tmux.js";

const p = sharedProject({
  "tasks/db.ts": `import { desc, namespace, task } from "jt";
namespace("db", () => {
  desc("Run pending migrations");
  task("migrate", () => {});
  desc("Load seed data");
  task("seed", () => {});
});
desc("Load users. From the directory");
task("users:load", { args: ["logins..."] }, ({ args }) => console.log("loading", JSON.stringify(args.logins)));
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
    expect(result.stdout).toBe(
      lines("db:migrate\tRun pending migrations", "db:seed\tLoad seed data", "hidden\t", "users:load[\tLoad users"),
    );
    expect(await p.run(["--complete-tasks"])).toEqual(result); // again, from the cache
  });

  test("an unknown shell is a command-line error", async () => {
    const result = await p.run(["--completion", "tcsh"]);
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toBe(
      lines("jt aborted!", "jt can print completion for bash, zsh, fish, not 'tcsh'", "For example: jt --completion zsh"),
    );
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
    expect(complete("jt jobs:wo")).toBe(lines("work", "workoff")); // what follows the last ":", as bash inserts it
    expect(complete("jt jobs:workoff --con")).toBe(lines("--concurrency"));
    expect(complete("jt -C . jobs:list --li")).toBe(lines("--limit"));
    expect(complete("jt jobs:list --con").trim()).toBe("");
    expect(complete("jt j")).toContain("jobs:enqueue\n");
    expect(complete("jt d")).not.toContain("jobs:");
  });

  test.runIf(has("fish"))("fish: task names with their descriptions, options", () => {
    const complete = (line: string) => shell("fish", ["-c", `jt --completion fish | source; complete -C ${JSON.stringify(line)}`]);
    expect(complete("jt db:")).toBe(lines("db:migrate\tRun pending migrations", "db:seed\tLoad seed data"));
    expect(complete("jt --tr")).toBe(lines("--trace\tprint ** Invoke / ** Execute lines and full stack traces"));
    expect(complete("jt jobs:l")).toBe(lines("jobs:list\tList jobs, newest first"));
    expect(complete("jt jobs:workoff --con")).toBe(lines("--concurrency\tjobs run at once"));
    expect(complete("jt jobs:list --st")).toBe(lines("--state\tcomma-separated: queued, running, completed, failed, cancelled"));
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
      lines(
        "[tasks]  ",
        "db\\:migrate:Run pending migrations",
        "db\\:seed:Load seed data",
        "hidden:",
        "[tasks] -S ",
        "users\\:load[:Load users",
      ),
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

/**
 * Each shell as a person uses it: a tmux pane running the shell with jt's completion loaded from its
 * rc file the way the README says, Tab pressed, the command run, the screen read (issue 10 §4).
 */
describe.runIf(hasTmux())("completion, interactively in tmux", () => {
  const PROMPT = /READY> $/m;
  const home = p.path("home");
  mkdirSync(join(home, "zdot"), { recursive: true });
  writeFileSync(join(home, "bashrc"), `PS1='READY> '\neval "$(jt --completion bash)"\n`);
  writeFileSync(join(home, "zdot/.zshrc"), `autoload -Uz compinit && compinit -u\neval "$(jt --completion zsh)"\nPS1='READY> '\n`);
  const fishInit = `function fish_prompt; echo -n 'READY> '; end; set -g fish_autosuggestion_enabled 0; jt --completion fish | source`;
  const shells: [name: string, command: string][] = [
    ["bash", "bash --noprofile --rcfile home/bashrc -i"],
    ["zsh", "zsh -i"],
    ["fish", `fish -N -C ${JSON.stringify(fishInit)}`],
  ];

  for (const [name, command] of shells) {
    test.runIf(has(name))(
      `${name}: a task with args, then its args typed and run; a jobs verb and its options`,
      { timeout: 60_000 },
      async () => {
        const pane = new TmuxShell(command, {
          cwd: p.root,
          env: {
            ...env,
            HOME: home,
            ZDOTDIR: join(home, "zdot"),
            XDG_CONFIG_HOME: join(home, ".config"),
            XDG_DATA_HOME: join(home, ".local"),
          },
        });
        try {
          await pane.waitFor(PROMPT);
          pane.send("jt users:lo");
          pane.send("Tab", true);
          // bash and zsh leave the cursor right after the bracket; fish adds a space, which jt accepts.
          const completed = await pane.waitFor(
            name === "fish" ? /jt users:load\\\[ $/m : name === "zsh" ? /jt users:load\\\[$/m : /jt users:load\[$/m,
          );
          expect(completed).toMatch(/READY> jt users:load/);
          pane.send("alice,bob]");
          pane.send("Enter", true);
          await pane.waitFor(/^loading \["alice","bob"\]$/m);

          await pane.fresh(PROMPT);
          pane.send("jt jobs:worko");
          pane.send("Tab", true);
          await pane.waitFor(/READY> jt jobs:workoff $/m);
          pane.send("--concu");
          pane.send("Tab", true);
          await pane.waitFor(/READY> jt jobs:workoff --concurrency $/m);
        } finally {
          pane.close();
        }
      },
    );
  }
});
