/**
 * The options every `cairn` command takes, as rows of the option table (option-table.ts); in a
 * module of their own so the CLI's entry can read them before the rest loads.
 */
import { type OptionDef, type OptionGroup, parseSpecs } from './option-table.js';
import { STORAGE_OPTIONS } from './storage-options.js';

export const GLOBAL_OPTION_GROUPS: readonly OptionGroup[] = [
  {
    title: 'Global options',
    options: [
      { name: 'repo', short: 'r', value: 'LOCATION', description: 'repository location (or CAIRN_REPOSITORY)' },
      {
        name: 'password-file',
        value: 'FILE',
        description: 'read the repository password from FILE (or CAIRN_PASSWORD_FILE)',
      },
      {
        name: 'password-command',
        value: 'CMD',
        description:
          'run CMD with /bin/sh and take the first line it prints as the password (or CAIRN_PASSWORD_COMMAND)',
      },
      {
        name: 'data-dir',
        value: 'DIR',
        description: 'app data folder: catalog, journal and privacy records (or CAIRN_DATA_DIR)',
      },
      { name: 'json', description: 'print one JSON document on stdout; progress and warnings as JSON lines on stderr' },
      { name: 'quiet', short: 'q', description: 'print only warnings and errors' },
      { name: 'help', short: 'h', description: 'show this help' },
    ],
    note: 'The password comes from --password-command or --password-file, else CAIRN_PASSWORD_COMMAND,\nCAIRN_PASSWORD_FILE, CAIRN_PASSWORD, else a prompt on the terminal.',
  },
  STORAGE_OPTIONS,
];

export const GLOBAL_OPTIONS: readonly OptionDef[] = GLOBAL_OPTION_GROUPS.flatMap((g) => g.options);

export const GLOBAL_SPECS = parseSpecs(GLOBAL_OPTIONS);
