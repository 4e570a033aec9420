/**
 * The fish completion script (`cairn completion fish`): commands with their summaries, then each
 * command's subcommands, options (with what each does) and option values. Made from the option
 * table, so it offers exactly what the parser accepts.
 */
import { GLOBAL_OPTIONS, TAKES_PATHS, valueCompletion } from './cli-model.js';
import type { Command } from './commands/types.js';
import type { OptionDef } from './option-table.js';

/** A single-quoted fish word. */
function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function line(condition: string, d: OptionDef): string {
  const parts = ['complete -c cairn', `-n ${quote(condition)}`];
  if (d.short) parts.push(`-s ${d.short}`);
  parts.push(`-l ${d.name}`);
  const c = valueCompletion(d);
  if (d.value !== undefined) {
    if (c.kind === 'choices') parts.push(`-x -a ${quote(c.choices.join(' '))}`);
    else if (c.kind === 'file' || c.kind === 'dir') parts.push('-r -F');
    else parts.push('-x');
  }
  parts.push(`-d ${quote(d.description)}`);
  return parts.join(' ');
}

export function fishCompletion(commands: readonly Command[]): string {
  const lines = [
    '# fish completion for cairn; made by "cairn completion fish" from cairn\'s option table.',
    '# Keep it: cairn completion fish > ~/.config/fish/completions/cairn.fish',
    'complete -c cairn -f',
    ...commands.map((c) => `complete -c cairn -n __fish_use_subcommand -a ${c.name} -d ${quote(c.summary)}`),
    ...GLOBAL_OPTIONS.map((d) => line('not __fish_use_subcommand', d)),
  ];
  for (const c of commands) {
    const on = `__fish_seen_subcommand_from ${c.name}`;
    if (c.subcommands) lines.push(`complete -c cairn -n ${quote(on)} -a ${quote(c.subcommands.join(' '))}`);
    if (TAKES_PATHS.has(c.name)) lines.push(`complete -c cairn -n ${quote(on)} -F`);
    for (const d of c.options) lines.push(line(on, d));
  }
  return `${lines.join('\n')}\n`;
}
