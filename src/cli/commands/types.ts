/**
 * The shape of a CLI command: its name, help text, options (rows of the option table,
 * option-table.ts) and the function that runs it and returns the process exit code; and the exit
 * codes, with what each means (help, the man page and docs/headless.md list them).
 */
import type { CliContext } from '../context.js';
import type { OptionDef } from '../option-table.js';

export type { OptionDef, OptionSpecs } from '../option-table.js';
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: readonly OptionDef[];
  /** The words that may follow the command's name (`key list`, `repair index`), for completions. */
  subcommands?: readonly string[];
  run(ctx: CliContext, args: string[], values: OptionValues): Promise<number>;
}

export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  /** The backup completed, but some files could not be read: the recovery point is partial. */
  partial: 3,
  noRepository: 10,
  locked: 11,
  /** No key slot opens with the password (restic's code for the same). */
  wrongPassword: 12,
  /** Stopped by Ctrl+C (SIGINT) or SIGTERM before it finished: 128 + SIGINT, as restic and shells. */
  interrupted: 130,
} as const;

/** What each exit code means, in the words help, the man page and docs/headless.md use. */
export const EXIT_MEANINGS: readonly (readonly [number, string])[] = [
  [EXIT.ok, 'success'],
  [EXIT.error, 'an error (a damaged repository, a failed restore, a password file that cannot be read, …)'],
  [EXIT.usage, 'a usage error: an unknown command or option, a missing argument'],
  [EXIT.partial, 'the backup was saved, but some files could not be read (a partial recovery point)'],
  [EXIT.noRepository, 'there is no repository at the location'],
  [EXIT.locked, 'the repository is locked by another operation'],
  [EXIT.wrongPassword, 'wrong password: no key slot opens with it'],
  [EXIT.interrupted, 'interrupted (Ctrl+C or SIGTERM) before it finished; what was stored so far is kept'],
];

export function str(values: OptionValues, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

export function list(values: OptionValues, key: string): string[] {
  const v = values[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

export function flag(values: OptionValues, key: string): boolean {
  return values[key] === true;
}
