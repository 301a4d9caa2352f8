/**
 * Shell completion: `jt --completion bash|zsh|fish` prints a script that completes jt's options,
 * task names from `jt --complete-tasks` (answered from the cached manifest, so a Tab is instant),
 * the `jobs:*` verbs (once the word starts with `j`) and, after a verb, that verb's own options.
 * Options and verbs are written into the script from the tables the parsers use (parse.ts,
 * jobs/verbs.ts), so completion never offers what jt would refuse.
 *
 * A task that takes arguments completes as `name[`. zsh inserts it as `name\[` with no space after;
 * fish always adds a space after it, which jt accepts: `jt users:load\[ alice,bob]` is
 * `users:load[alice,bob]` (brackets.ts joins a target the shell split).
 */
import { UsageError } from "../errors.js";
import { JOBS_VERBS } from "../jobs/verbs.js";
import { completionOptions } from "./parse.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

interface Flag {
  long: string;
  short: string | undefined;
  takesValue: boolean;
  description: string;
}

function flagOf({ flags, description }: { flags: string; description: string }): Flag {
  const match = /^(?:(-\w), )?(--[\w-]+)(?: [<[].*)?$/.exec(flags);
  if (!match) throw new Error(`Malformed option flags '${flags}'`);
  // One line for completion menus: the part before any parenthesis or "then exit".
  const short = description.replace(/\s*\(.*$/, "").replace(/, then exit$/, "");
  return { long: match[2]!, short: match[1], takesValue: /<|\[/.test(flags), description: short };
}

const GLOBAL_FLAGS = (): Flag[] => completionOptions().map(flagOf);
const VERB_FLAGS = (): [verb: string, flags: Flag[]][] =>
  JOBS_VERBS.map((verb) => [verb.name, [...verb.options.map(flagOf), flagOf({ flags: "-h, --help", description: "print the help" })]]);

function spellings(flags: readonly Flag[]): string {
  return flags.flatMap((flag) => [flag.long, ...(flag.short ? [flag.short] : [])]).join(" ");
}

function posixQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function fishQuote(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

export function completionScript(shell: string): string {
  switch (shell) {
    case "bash":
      return bash();
    case "zsh":
      return zsh();
    case "fish":
      return fish();
    default:
      throw new UsageError(`jt can print completion for ${SHELLS.join(", ")}, not '${shell}'`, ["For example: jt --completion zsh"]);
  }
}

function bash(): string {
  const verbCases = VERB_FLAGS()
    .map(([verb, flags]) => `    ${verb}) options="${spellings(flags)}" ;;`)
    .join("\n");
  return `# jt completion for bash. Add to ~/.bashrc:  eval "$(jt --completion bash)"
_jt_complete() {
  local line="\${COMP_LINE:0:$COMP_POINT}" word verb="" w options
  word="\${line##*[[:space:]]}"
  for w in \${line% *}; do
    case "$w" in jobs:*) verb="$w"; break ;; esac
  done
  if [[ "$word" == -* ]]; then
    case "$verb" in
${verbCases}
    *) options="${spellings(GLOBAL_FLAGS())}" ;;
    esac
    COMPREPLY=( $(compgen -W "$options" -- "$word") )
    return
  fi
  # After a jobs verb only jobs:enqueue takes a task.
  [[ -n "$verb" && "$verb" != jobs:enqueue ]] && { COMPREPLY=(); return; }
  local IFS=$'\\n' names
  names=$(jt --complete-tasks 2>/dev/null | cut -f1)
  [[ -z "$verb" && "$word" == j* ]] && names+=$'\\n${JOBS_VERBS.map((verb) => verb.name).join("\\n")}'
  COMPREPLY=( $(compgen -W "$names" -- "$word") )
  # bash splits words at ':'; offer only what follows the last ':' of the word being completed.
  if [[ "$COMP_WORDBREAKS" == *:* && "$word" == *:* ]]; then
    local prefix="\${word%:*}:" i
    for i in "\${!COMPREPLY[@]}"; do COMPREPLY[$i]="\${COMPREPLY[$i]#"$prefix"}"; done
  fi
  [[ \${#COMPREPLY[@]} -eq 1 && "\${COMPREPLY[0]}" == *"[" ]] && compopt -o nospace 2>/dev/null
}
complete -o default -F _jt_complete jt
`;
}

function zshSpecs(flags: readonly Flag[]): string {
  return flags
    .flatMap((flag) => [flag.long, ...(flag.short ? [flag.short] : [])].map((spelling) => posixQuote(`${spelling}:${flag.description}`)))
    .join(" ");
}

function zsh(): string {
  const verbCases = VERB_FLAGS()
    .map(([verb, flags]) => `      ${verb}) options=(${zshSpecs(flags)}) ;;`)
    .join("\n");
  const verbs = JOBS_VERBS.map((verb) => posixQuote(`${verb.name.replace(":", "\\:")}:${verb.description}`)).join(" ");
  return `#compdef jt
# jt completion for zsh. Add to ~/.zshrc, after compinit (autoload -Uz compinit && compinit):
#   eval "$(jt --completion zsh)"
# (A task that takes arguments completes as name\\[ : the bracket is quoted for you.)
_jt() {
  local verb="" w
  for w in "\${(@)words[2,CURRENT-1]}"; do
    [[ "$w" == jobs:* ]] && { verb=$w; break; }
  done
  if [[ "$PREFIX" == -* ]]; then
    local -a options
    case "$verb" in
${verbCases}
      *) options=(${zshSpecs(GLOBAL_FLAGS())}) ;;
    esac
    _describe -t options 'jt option' options
    return
  fi
  [[ -n "$verb" && "$verb" != jobs:enqueue ]] && return 1
  local -a plain with_args
  local line name description
  for line in \${(f)"$(jt --complete-tasks 2>/dev/null)"}; do
    name=\${line%%$'\\t'*}
    description=\${line#*$'\\t'}
    if [[ "$name" == *"[" ]]; then
      with_args+=("\${name//:/\\\\:}:$description")
    else
      plain+=("\${name//:/\\\\:}:$description")
    fi
  done
  _describe -t tasks 'jt task' plain
  _describe -t tasks 'jt task' with_args -S ''
  if [[ -z "$verb" && "$PREFIX" == j* ]]; then
    local -a verbs=(${verbs})
    _describe -t commands 'jt jobs command' verbs
  fi
}
if (( $+functions[compdef] )); then compdef _jt jt; fi
`;
}

function fishFlag(flag: Flag, condition: string): string {
  const short = flag.short ? ` -s ${flag.short.slice(1)}` : "";
  return `complete -c jt -n ${fishQuote(condition)}${short} -l ${flag.long.slice(2)}${flag.takesValue ? " -r" : ""} -d ${fishQuote(flag.description)}`;
}

function fish(): string {
  const verbNames = JOBS_VERBS.map((verb) => verb.name).join(" ");
  const noVerb = `not __fish_seen_subcommand_from ${verbNames}`;
  const lines = [
    "# jt completion for fish. Add to ~/.config/fish/config.fish:  jt --completion fish | source",
    "# (fish puts a space after a task's 'name\\[': jt reads `jt users:load\\[ alice,bob]` as users:load[alice,bob].)",
    `complete -c jt -f -n ${fishQuote(`${noVerb}; or __fish_seen_subcommand_from jobs:enqueue`)} -a '(jt --complete-tasks 2>/dev/null)'`,
    ...JOBS_VERBS.map(
      (verb) =>
        `complete -c jt -f -n ${fishQuote(`${noVerb}; and string match -q -- 'j*' (commandline -ct)`)} -a ${verb.name} -d ${fishQuote(verb.description)}`,
    ),
    ...GLOBAL_FLAGS().map((flag) => fishFlag(flag, noVerb)),
    ...VERB_FLAGS().flatMap(([verb, flags]) => flags.map((flag) => fishFlag(flag, `__fish_seen_subcommand_from ${verb}`))),
  ];
  return `${lines.join("\n")}\n`;
}
