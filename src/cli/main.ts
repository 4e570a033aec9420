/**
 * `cairn` command line: parses global options, dispatches to a command, and turns errors into
 * one clear line and a documented exit code (see `cairn help`), never a stack trace.
 */
import { parseArgs } from 'node:util';
import { BackendError, CairnError } from '../app/errors.js';
import { PROGRAM } from '../app/runtime.js';
import type { PreparedUnlock } from '../app/services/prepare-unlock.js';
import { COMMANDS } from './command-list.js';
import { type Command, EXIT, type OptionValues } from './commands/types.js';
import { CliContext, type GlobalOptions } from './context.js';
import { GLOBAL_OPTIONS } from './global-options.js';
import { STORAGE_OPTIONS_HELP, storageOptions } from './storage-options.js';

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `${PROGRAM} — encrypted, deduplicating backups

Usage: cairn COMMAND [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Global options:
  -r, --repo LOCATION     repository location (or CAIRN_REPOSITORY)
      --password-file F   read the password from a file (or CAIRN_PASSWORD; else a prompt)
      --data-dir D        app data folder: catalog and privacy records (or CAIRN_DATA_DIR)
      --json              print one JSON document on stdout; progress as JSON lines on stderr
  -q, --quiet             print only warnings and errors
  -h, --help              help for a command: cairn COMMAND --help

${STORAGE_OPTIONS_HELP}

Exit codes:
  0 success   1 error (wrong password, damaged repository, failed restore, …)   2 usage error
  3 backup saved but some files could not be read (partial recovery point)
  10 no repository at the location   11 the repository is locked by another operation`;
}

export async function main(argv: string[], prepared?: PreparedUnlock): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${helpText()}\n`);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === 'version' || name === '--version') {
    process.stdout.write(`${PROGRAM}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`cairn: unknown command "${name}" (see "cairn help")\n`);
    return EXIT.usage;
  }
  const command = await entry.load();
  let values: OptionValues;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    values = parsed.values as OptionValues;
    positionals = parsed.positionals;
  } catch (err) {
    process.stderr.write(`cairn ${command.name}: ${(err as Error).message}\nusage: ${command.usage}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    process.stdout.write(`${command.summary}\n\nusage: ${command.usage}\n`);
    return EXIT.ok;
  }
  const options: GlobalOptions = {
    repo: values.repo as string | undefined,
    passwordFile: values['password-file'] as string | undefined,
    dataDir: values['data-dir'] as string | undefined,
    json: values.json === true,
    quiet: values.quiet === true,
  };
  try {
    options.storage = storageOptions(values);
  } catch (err) {
    return reportError(command, err, options.json);
  }
  const ctx = new CliContext(options, prepared);
  try {
    return await command.run(ctx, positionals, values);
  } catch (err) {
    return reportError(command, err, options.json);
  }
}

function reportError(command: Command, err: unknown, json: boolean): number {
  let code: number = EXIT.error;
  let message: string;
  if ((err as { usage?: boolean })?.usage) {
    process.stderr.write(`cairn ${command.name}: ${(err as Error).message}\nusage: ${command.usage}\n`);
    return EXIT.usage;
  }
  if (err instanceof CairnError) {
    message = err.message;
    if (err.code === 'no-repository') code = EXIT.noRepository;
    if (err.code === 'locked') code = EXIT.locked;
  } else if (err instanceof BackendError) {
    message = err.message;
  } else if (err instanceof Error && err.name === 'AbortError') {
    message = 'interrupted; the data stored so far is kept and the next backup reuses it';
  } else {
    const e = err as NodeJS.ErrnoException;
    message = e?.code === 'ENOSPC' ? 'no space left on the device' : (e?.message ?? String(err));
    if (process.env.CAIRN_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  }
  if (json) process.stderr.write(`${JSON.stringify({ type: 'error', message, exitCode: code })}\n`);
  else process.stderr.write(`cairn ${command.name}: ${message}\n`);
  return code;
}
