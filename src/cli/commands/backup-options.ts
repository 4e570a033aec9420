/** The rows of `cairn backup`'s options (option-table.ts): what to store, and how. */
import type { OptionDef } from './types.js';

export const BACKUP_OPTIONS: readonly OptionDef[] = [
  {
    name: 'exclude',
    short: 'e',
    value: 'PATTERN',
    multiple: true,
    description: 'leave out files and folders matching PATTERN (a leading / anchors it; ! re-includes)',
  },
  {
    name: 'iexclude',
    value: 'PATTERN',
    multiple: true,
    description: 'as --exclude, but upper and lower case match alike',
  },
  {
    name: 'exclude-file',
    value: 'FILE',
    multiple: true,
    description: 'read --exclude patterns from FILE, one a line (blank lines and # comments are skipped)',
  },
  {
    name: 'iexclude-file',
    value: 'FILE',
    multiple: true,
    description: 'read --iexclude patterns from FILE, one a line',
  },
  {
    name: 'files-from',
    value: 'FILE',
    multiple: true,
    description: 'back up the paths listed in FILE, one a line (blank lines and # comments are skipped; - reads stdin)',
  },
  {
    name: 'files-from-verbatim',
    value: 'FILE',
    multiple: true,
    description: 'back up the paths listed in FILE exactly as written, one a line (no comments, spaces kept)',
  },
  {
    name: 'files-from-raw',
    value: 'FILE',
    multiple: true,
    description: 'back up the paths listed in FILE separated by NUL bytes (find -print0)',
  },
  {
    name: 'one-file-system',
    short: 'x',
    description: 'do not cross into other file systems (mount points below a named path are skipped and named)',
  },
  { name: 'tag', value: 'TAG', multiple: true, description: 'tag the recovery point with TAG' },
  { name: 'host', value: 'HOST', description: "record HOST as the computer's name (default: this computer's)" },
  {
    name: 'parent',
    value: 'ID',
    description: 'compare with this recovery point (default: the newest of this computer with the same paths)',
  },
  { name: 'force', description: 'read every file again, even those unchanged since the parent' },
  { name: 'rescan', description: 'list every folder again instead of trusting the watcher journal' },
];
