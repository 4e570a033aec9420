/**
 * The manual page cairn(1) in roff (`cairn man`), made from the command list and the option
 * table like help and the completions, with the environment variables and exit codes.
 */
import { PROGRAM } from '../app/runtime.js';
import { type Command, EXIT_MEANINGS } from './commands/types.js';
import { GLOBAL_OPTION_GROUPS } from './global-options.js';
import type { OptionDef } from './option-table.js';

/** The variables cairn reads, and what for. */
const ENVIRONMENT: readonly (readonly [string, string])[] = [
  ['CAIRN_REPOSITORY', 'the repository location when --repo is not given'],
  ['CAIRN_PASSWORD_COMMAND', 'a command whose first line of output is the password (after the options)'],
  ['CAIRN_PASSWORD_FILE', 'a file holding the password (after CAIRN_PASSWORD_COMMAND)'],
  ['CAIRN_PASSWORD', 'the password itself (after CAIRN_PASSWORD_FILE; last comes a prompt on the terminal)'],
  ['CAIRN_NEW_PASSWORD', 'the new password of key add and key passwd when --new-password-file is not given'],
  ['CAIRN_DATA_DIR', 'the app data folder when --data-dir is not given'],
  ['CAIRN_SFTP_PASSWORD', 'the password of an SFTP login'],
  ['CAIRN_SFTP_PASSPHRASE', 'the passphrase of the SSH key given with --sftp-identity'],
  ['AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_REGION', 'S3 credentials and region'],
  ['CAIRN_DEBUG', 'print the stack trace of an unexpected error'],
];

/**
 * Text as roff reads it literally: backslashes, dashes and a leading dot or quote escaped, and
 * characters beyond ASCII named (\[u2026]) so any locale's man renders them.
 */
export function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/[^\t\n -~]/gu, (c) => `\\[u${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}]`)
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

function optionItem(d: OptionDef): string {
  const flags = [...(d.short ? [`\\fB\\-${d.short}\\fR`] : []), `\\fB${roff(`--${d.name}`)}\\fR`].join(', ');
  const value = d.value ? ` \\fI${roff(d.value)}\\fR` : '';
  const notes = [...(d.multiple ? ['repeatable'] : []), ...(d.subcommands ? [`${d.subcommands.join(', ')} only`] : [])];
  return `.TP\n${flags}${value}\n${roff(d.description)}${notes.length > 0 ? ` (${roff(notes.join('; '))})` : ''}`;
}

function commandSection(c: Command): string {
  return [
    `.SS ${roff(c.name)}`,
    roff(c.summary),
    '.PP',
    '.nf',
    roff(`usage: ${c.usage}`),
    '.fi',
    ...c.options.map(optionItem),
  ].join('\n');
}

export function manPage(commands: readonly Command[]): string {
  return `${[
    `.TH CAIRN 1 "" "${roff(PROGRAM)}" "User Commands"`,
    '.SH NAME',
    'cairn \\- encrypted, deduplicating backups',
    '.SH SYNOPSIS',
    '.B cairn',
    '.I COMMAND',
    '.RI [ options ]\\ [ arguments ]',
    '.SH DESCRIPTION',
    roff(
      'cairn stores files and folders as encrypted, deduplicated recovery points in a repository: a local folder, an SFTP server or an S3 bucket. The same engine runs the desktop app and, headless, "cairn serve".',
    ),
    '.SH COMMANDS',
    ...commands.map(commandSection),
    ...GLOBAL_OPTION_GROUPS.flatMap((g) => [
      `.SH ${roff(g.title.replace(/ \(.*$/, '').toUpperCase())}`,
      ...(g.title.includes('(') ? [roff(g.title.replace(/^[^(]*\(/, '').replace(/\)$/, ''))] : []),
      ...g.options.map(optionItem),
      ...(g.note ? ['.PP', roff(g.note)] : []),
    ]),
    '.SH ENVIRONMENT',
    ...ENVIRONMENT.map(([name, text]) => `.TP\n.B ${roff(name)}\n${roff(text)}`),
    '.SH EXIT STATUS',
    ...EXIT_MEANINGS.map(([code, text]) => `.TP\n.B ${code}\n${roff(text)}`),
    '.SH SEE ALSO',
    roff('restic(1); the guide to running without a desktop: docs/headless.md'),
  ].join('\n')}\n`;
}
