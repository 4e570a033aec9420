/**
 * The bash completion script (`cairn completion bash`): completes the command, a command's
 * subcommand, its options and the global ones, and option values (files, folders, fixed choices).
 * Made from the option table, so it offers exactly what the parser accepts.
 */
import { GLOBAL_OPTIONS, TAKES_PATHS, valueCompletion } from './cli-model.js';
import type { Command } from './commands/types.js';
import type { OptionDef } from './option-table.js';

/** A word list as one single-quoted bash word. */
function words(list: readonly string[]): string {
  return `'${list.join(' ').replace(/'/g, "'\\''")}'`;
}

function spellings(d: OptionDef): string[] {
  return [`--${d.name}`, ...(d.short ? [`-${d.short}`] : [])];
}

/** `case "$prev"` arms for the options of `defs` that take a value. */
function valueArms(defs: readonly OptionDef[], indent: string): string[] {
  const arms: string[] = [];
  for (const d of defs) {
    if (d.value === undefined) continue;
    const c = valueCompletion(d);
    const reply =
      c.kind === 'choices'
        ? `COMPREPLY=($(compgen -W ${words(c.choices)} -- "$cur"))`
        : c.kind === 'dir'
          ? `COMPREPLY=($(compgen -d -- "$cur"))`
          : c.kind === 'file'
            ? `COMPREPLY=($(compgen -f -- "$cur"))`
            : 'COMPREPLY=()';
    arms.push(`${indent}${spellings(d).join('|')}) ${reply}; return ;;`);
  }
  return arms;
}

export function bashCompletion(commands: readonly Command[]): string {
  const global = GLOBAL_OPTIONS.flatMap(spellings);
  const perCommand = commands.map((c) => {
    const lines = [`    ${c.name})`, `      opts=${words(c.options.flatMap(spellings))}`];
    if (c.subcommands) lines.push(`      subs=${words(c.subcommands)}`);
    if (TAKES_PATHS.has(c.name)) lines.push('      paths=1');
    const arms = valueArms(c.options, '        ');
    if (arms.length > 0) lines.push('      case "$prev" in', ...arms, '      esac');
    lines.push('      ;;');
    return lines.join('\n');
  });
  return `# bash completion for cairn; made by "cairn completion bash" from cairn's option table.
# Load it now with: source <(cairn completion bash)
# or keep it: cairn completion bash > ~/.local/share/bash-completion/completions/cairn
_cairn() {
  local cur prev cmd opts="" subs="" paths=0
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W ${words(commands.map((c) => c.name))} -- "$cur"))
    return
  fi
  cmd="\${COMP_WORDS[1]}"
  case "$prev" in
${valueArms(GLOBAL_OPTIONS, '    ').join('\n')}
  esac
  case "$cmd" in
${perCommand.join('\n')}
    *) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts "${words(global)} -- "$cur"))
  elif [[ -n "$subs" && $COMP_CWORD -eq 2 ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  elif [[ $paths -eq 1 ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o bashdefault -o default -F _cairn cairn
`;
}
