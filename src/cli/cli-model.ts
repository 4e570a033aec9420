/**
 * Every command with its option rows, loaded together: what the shell completions and the man
 * page are made from (help loads one command only). Each option says how its value completes.
 */
import { COMMANDS } from './command-list.js';
import type { Command } from './commands/types.js';
import { GLOBAL_OPTIONS } from './global-options.js';
import type { OptionDef } from './option-table.js';

/** Loads every command of the list, in its order. */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(COMMANDS.map((c) => c.load()));
}

/** How a shell completes an option's value: a file, a folder, one of its choices, or nothing to offer. */
export type ValueCompletion =
  | { kind: 'file' }
  | { kind: 'dir' }
  | { kind: 'choices'; choices: readonly string[] }
  | { kind: 'none' };

const FILE_VALUES = new Set(['FILE', 'FILE.zip', 'PATH', 'LOCATION']);

export function valueCompletion(d: OptionDef): ValueCompletion {
  if (d.choices) return { kind: 'choices', choices: d.choices };
  if (d.value === 'DIR') return { kind: 'dir' };
  if (d.value !== undefined && FILE_VALUES.has(d.value)) return { kind: 'file' };
  return { kind: 'none' };
}

/** Commands whose arguments are local files or folders (the shell completes file names for them). */
export const TAKES_PATHS = new Set(['backup', 'watch']);

/** The global rows: every command takes them. */
export { GLOBAL_OPTIONS };
