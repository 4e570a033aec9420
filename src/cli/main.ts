/**
 * `cairn` command line: parses global options, dispatches to a command, and turns errors into
 * one clear line and a documented exit code (see `cairn help` and docs/headless.md), never a
 * stack trace. What each command accepts is its rows of the option table (option-table.ts).
 */
import { parseArgs } from 'node:util';
import { BackendError, CairnError } from '../app/errors.js';
import { PROGRAM } from '../app/runtime.js';
import type { PreparedUnlock } from '../app/services/prepare-unlock.js';
import { COMMANDS } from './command-list.js';
import { type Command, EXIT, type OptionValues } from './commands/types.js';
import { CliContext, type GlobalOptions } from './context.js';
import { GLOBAL_OPTIONS } from './global-options.js';
import { commandHelp, programHelp } from './help.js';
import { parseSpecs } from './option-table.js';
import { storageOptions } from './storage-options.js';

/** The parser's specs of a command: the global rows and its own. */
export function commandSpecs(command: Command) {
  return parseSpecs([...GLOBAL_OPTIONS, ...command.options]);
}

export async function main(argv: string[], prepared?: PreparedUnlock): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(programHelp());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version') {
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
    const parsed = parseArgs({ args: rest, options: commandSpecs(command), allowPositionals: true, strict: true });
    values = parsed.values as OptionValues;
    positionals = parsed.positionals;
  } catch (err) {
    process.stderr.write(`cairn ${command.name}: ${(err as Error).message}\nusage: ${command.usage}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    process.stdout.write(commandHelp(command));
    return EXIT.ok;
  }
  const options: GlobalOptions = {
    repo: values.repo as string | undefined,
    passwordFile: values['password-file'] as string | undefined,
    passwordCommand: values['password-command'] as string | undefined,
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
    if (err.code === 'wrong-password') code = EXIT.wrongPassword;
  } else if (err instanceof BackendError) {
    message = err.message;
  } else if (err instanceof Error && err.name === 'AbortError') {
    message = 'interrupted; the data stored so far is kept and the next backup reuses it';
    code = EXIT.interrupted;
  } else {
    const e = err as NodeJS.ErrnoException;
    message = e?.code === 'ENOSPC' ? 'no space left on the device' : (e?.message ?? String(err));
    if (process.env.CAIRN_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  }
  if (json) process.stderr.write(`${JSON.stringify({ type: 'error', message, exitCode: code })}\n`);
  else process.stderr.write(`cairn ${command.name}: ${message}\n`);
  return code;
}
