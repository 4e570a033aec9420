/**
 * What `cairn backup` stores, from its selection options: the paths named and those listed by
 * --files-from (-verbatim, -raw), and the exclude patterns of --exclude, --exclude-file,
 * --iexclude and --iexclude-file (in that order: later patterns win, as a `!` re-include needs).
 * The engine's exclude rules do the matching (src/engine/backup/excludes.ts).
 */
import { readFileSync } from 'node:fs';
import { CairnError } from '../app/errors.js';
import { flag, list, type OptionValues } from './commands/types.js';
import { ignoreCasePattern } from './ignore-case-pattern.js';

export interface BackupSelection {
  paths: string[];
  excludes: string[];
  oneFileSystem: boolean;
}

/** A list file's text; `-` is standard input, as restic reads it. */
function readListFile(file: string, option: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? 'it does not exist' : e.code === 'EISDIR' ? 'it is a folder' : e.message;
    throw new CairnError('invalid-argument', `--${option}: cannot read ${file}: ${reason}`);
  }
}

/** The lines of a pattern or path list: trimmed, without blank lines and `#` comments. */
export function listLines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function fromFiles(values: OptionValues, option: string, split: (text: string) => string[]): string[] {
  return list(values, option).flatMap((file) => split(readListFile(file, option)));
}

export function backupSelection(values: OptionValues, args: readonly string[]): BackupSelection {
  const paths = [
    ...args,
    ...fromFiles(values, 'files-from', listLines),
    // Verbatim: every line as written (a name may start with # or end in a space); only empty lines skipped.
    ...fromFiles(values, 'files-from-verbatim', (t) => t.split('\n').filter((l) => l !== '')),
    ...fromFiles(values, 'files-from-raw', (t) => t.split('\0').filter((l) => l !== '')),
  ];
  const excludes = [
    ...list(values, 'exclude'),
    ...fromFiles(values, 'exclude-file', listLines),
    ...[...list(values, 'iexclude'), ...fromFiles(values, 'iexclude-file', listLines)].map(ignoreCasePattern),
  ];
  return { paths, excludes, oneFileSystem: flag(values, 'one-file-system') };
}
