/**
 * The zsh completion script (`cairn completion zsh`): commands with their summaries, then a
 * command's subcommands, options (with what each does) and option values. Made from the option
 * table, so it offers exactly what the parser accepts.
 */
import { GLOBAL_OPTIONS, TAKES_PATHS, valueCompletion } from './cli-model.js';
import type { Command } from './commands/types.js';
import type { OptionDef } from './option-table.js';

/** A single-quoted zsh word. */
function quote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/** Text inside an _arguments spec's brackets or a _describe entry: its specials escaped. */
function escapeSpec(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/([[\]:])/g, '\\$1');
}

/** The _arguments specs of one option: one for each spelling. */
function specs(d: OptionDef): string[] {
  const c = valueCompletion(d);
  const action =
    c.kind === 'choices'
      ? `(${c.choices.join(' ')})`
      : c.kind === 'dir'
        ? '_files -/'
        : c.kind === 'file'
          ? '_files'
          : ' ';
  const value = d.value === undefined ? '' : `:${escapeSpec(d.value)}:${action}`;
  const text = `[${escapeSpec(d.description)}]${value}`;
  const star = d.multiple ? '*' : '';
  return [`--${d.name}`, ...(d.short ? [`-${d.short}`] : [])].map((flag) => quote(`${star}${flag}${text}`));
}

export function zshCompletion(commands: readonly Command[]): string {
  const global = GLOBAL_OPTIONS.flatMap(specs);
  const perCommand = commands.map((c) => {
    const rest = c.subcommands
      ? [quote(`1:subcommand:(${c.subcommands.join(' ')})`), quote('*:argument: ')]
      : TAKES_PATHS.has(c.name)
        ? [quote('*:file:_files')]
        : [quote('*:argument: ')];
    return `    ${c.name}) args=(${[...c.options.flatMap(specs), ...rest].join(' ')}) ;;`;
  });
  return `#compdef cairn
# zsh completion for cairn; made by "cairn completion zsh" from cairn's option table.
# Keep it as _cairn in a folder of $fpath: cairn completion zsh > ~/.zfunc/_cairn
# (with fpath+=(~/.zfunc); autoload -Uz compinit; compinit in ~/.zshrc)
_cairn() {
  local -a commands args global
  commands=(${commands.map((c) => quote(`${c.name}:${escapeSpec(c.summary)}`)).join(' ')})
  global=(${global.join(' ')})
  if (( CURRENT == 2 )); then
    _describe -t commands 'cairn command' commands
    return
  fi
  case $words[2] in
${perCommand.join('\n')}
    *) return 1 ;;
  esac
  shift words
  (( CURRENT-- ))
  _arguments -s $args $global
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _cairn "$@"
else
  compdef _cairn cairn
fi
`;
}
