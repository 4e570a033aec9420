/**
 * `cairn --help` and `cairn COMMAND --help`, made from the command list and the option table
 * (option-table.ts): every option on a line of its own with what it does, so help names exactly
 * what the parser accepts.
 */
import { PROGRAM } from '../app/runtime.js';
import { COMMANDS } from './command-list.js';
import { type Command, EXIT_MEANINGS } from './commands/types.js';
import { GLOBAL_OPTION_GROUPS } from './global-options.js';
import { type OptionGroup, optionFlags, optionText } from './option-table.js';

/** Flags wider than this start their description two spaces after them rather than in the column. */
const MAX_FLAG_COLUMN = 34;

/** The groups' rows, aligned in one column, each group under its title. */
export function formatGroups(groups: readonly OptionGroup[]): string {
  const shown = groups.filter((g) => g.options.length > 0);
  const widths = shown.flatMap((g) => g.options.map((d) => optionFlags(d).length));
  const column = Math.min(MAX_FLAG_COLUMN, Math.max(0, ...widths));
  return shown
    .map((g) => {
      const rows = g.options.map((d) => `  ${optionFlags(d).padEnd(column)}  ${optionText(d)}`);
      return [`${g.title}:`, ...rows, ...(g.note ? [g.note] : [])].join('\n');
    })
    .join('\n\n');
}

/** The option groups of a command: its own, then the global ones. */
export function commandGroups(command: Command): OptionGroup[] {
  return [{ title: 'Options', options: command.options }, ...GLOBAL_OPTION_GROUPS];
}

export function commandHelp(command: Command): string {
  return `usage: ${command.usage}\n\n${command.summary}\n\n${formatGroups(commandGroups(command))}\n`;
}

export function exitCodesText(): string {
  return EXIT_MEANINGS.map(([code, meaning]) => `  ${String(code).padEnd(4)} ${meaning}`).join('\n');
}

export function programHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `${PROGRAM} — encrypted, deduplicating backups

Usage: cairn COMMAND [options]     (cairn COMMAND --help, or cairn help COMMAND, for its options)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

${formatGroups(GLOBAL_OPTION_GROUPS)}

Exit codes:
${exitCodesText()}
`;
}
