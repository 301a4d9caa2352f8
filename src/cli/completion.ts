/**
 * Shell completion: `jt --completion bash|zsh|fish` prints a script that completes options, and
 * task names from `jt --complete-tasks` (answered from the cached manifest, so a Tab is instant).
 * A task that takes arguments completes as `name[`; zsh inserts it as `name\[`, so the command
 * line never ends in `zsh: no matches found`.
 */
import { UsageError } from "../errors.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

const OPTIONS: [flag: string, description: string][] = [
  ["--tasks", "list described tasks"],
  ["--describe", "describe tasks in full"],
  ["--prereqs", "list tasks and their prerequisites"],
  ["--where", "show where tasks are defined"],
  ["--all", "include tasks without a description"],
  ["--json", "print the listing as JSON"],
  ["--dry-run", "print what would run, run nothing"],
  ["--trace", "print Invoke/Execute lines and full stacks"],
  ["--quiet", "do not echo commands"],
  ["--silent", "like --quiet, and no (in dir)"],
  ["--directory", "change to a directory first"],
  ["--jobs", "how many tasks run at once"],
  ["--multitask", "run every task's prerequisites concurrently"],
  ["--yes", "answer yes to confirm questions"],
  ["--version", "print the version"],
  ["--help", "print the help"],
];

function posixQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function fishQuote(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

export function completionScript(shell: string): string {
  switch (shell) {
    case "bash":
      return BASH;
    case "zsh":
      return ZSH;
    case "fish":
      return FISH;
    default:
      throw new UsageError(`jt can print completion for ${SHELLS.join(", ")}, not '${shell}'`, ["For example: jt --completion zsh"]);
  }
}

const BASH = `# jt completion for bash. Add to ~/.bashrc:  eval "$(jt --completion bash)"
_jt_complete() {
  local line="\${COMP_LINE:0:$COMP_POINT}" word
  word="\${line##*[[:space:]]}"
  if [[ "$word" == -* ]]; then
    COMPREPLY=( $(compgen -W "${OPTIONS.map(([flag]) => flag).join(" ")}" -- "$word") )
    return
  fi
  local IFS=$'\\n' names
  names=$(jt --complete-tasks 2>/dev/null | cut -f1)
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

const ZSH = `#compdef jt
# jt completion for zsh. Add to ~/.zshrc:  eval "$(jt --completion zsh)"
# (A task that takes arguments completes as name\\[ : the bracket is quoted for you.)
_jt() {
  if [[ "$PREFIX" == -* ]]; then
    local -a options=(${OPTIONS.map(([flag, description]) => posixQuote(`${flag}:${description}`)).join(" ")})
    _describe -t options 'jt option' options
    return
  fi
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
}
if (( $+functions[compdef] )); then compdef _jt jt; fi
`;

const FISH = `# jt completion for fish. Add to ~/.config/fish/config.fish:  jt --completion fish | source
complete -c jt -f -a '(jt --complete-tasks 2>/dev/null)'
${OPTIONS.map(([flag, description]) => `complete -c jt -l ${flag.slice(2)} -d ${fishQuote(description)}`).join("\n")}
`;
