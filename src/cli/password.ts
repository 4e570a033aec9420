/**
 * Where the CLI gets passwords, in this order (as restic, see docs/headless.md):
 * `--password-command` or `--password-file` (giving both is refused), then CAIRN_PASSWORD_COMMAND,
 * CAIRN_PASSWORD_FILE, CAIRN_PASSWORD, and last a hidden prompt on the terminal. Never from a
 * command-line argument itself (it would show in the process list). Every command that unlocks
 * uses this, `cairn serve` included (without the prompt).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { CairnError } from '../app/errors.js';
import { promptHidden } from './password-prompt.js';

const run = promisify(execFile);

/** What a command was given to find one password by. */
export interface PasswordSpec {
  /** The variable holding the password itself (CAIRN_PASSWORD). */
  env: string;
  /** The variables naming a file and a command (CAIRN_PASSWORD_FILE, CAIRN_PASSWORD_COMMAND); none for a new password. */
  fileEnv?: string;
  commandEnv?: string;
  /** The --password-file and --password-command values. */
  file?: string;
  /** The option that names a file, for messages (default --password-file). */
  fileOption?: string;
  command?: string;
}

/** The one source a password comes from; `via` names it in messages. */
export type PasswordOrigin =
  | { kind: 'command'; command: string; via: string }
  | { kind: 'file'; file: string; via: string }
  | { kind: 'value'; value: string; via: string };

/** The standard spec of a repository password, from the two options. */
export function repositoryPassword(flags: { file?: string; command?: string }): PasswordSpec {
  return { env: 'CAIRN_PASSWORD', fileEnv: 'CAIRN_PASSWORD_FILE', commandEnv: 'CAIRN_PASSWORD_COMMAND', ...flags };
}

/** Which source applies; undefined when none does (a prompt is next). Throws for both flags at once. */
export function choosePassword(spec: PasswordSpec, env: NodeJS.ProcessEnv = process.env): PasswordOrigin | undefined {
  if (spec.file !== undefined && spec.command !== undefined) {
    throw Object.assign(
      new CairnError('invalid-argument', 'give either --password-file or --password-command, not both'),
      {
        usage: true,
      },
    );
  }
  if (spec.command !== undefined) return { kind: 'command', command: spec.command, via: '--password-command' };
  if (spec.file !== undefined) return { kind: 'file', file: spec.file, via: '--password-file' };
  const command = spec.commandEnv ? env[spec.commandEnv] : undefined;
  if (command) return { kind: 'command', command, via: spec.commandEnv as string };
  const file = spec.fileEnv ? env[spec.fileEnv] : undefined;
  if (file) return { kind: 'file', file, via: spec.fileEnv as string };
  const value = env[spec.env];
  if (value) return { kind: 'value', value, via: spec.env };
  return undefined;
}

/** A password file's content as the password: without its one trailing line break. */
export function passwordFromFile(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/** The password of a file or a variable, synchronously (the CLI's head start); undefined for a command. */
export function passwordSync(origin: PasswordOrigin): string | undefined {
  if (origin.kind === 'value') return origin.value;
  if (origin.kind === 'command') return undefined;
  let text: string;
  try {
    text = readFileSync(origin.file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? 'it does not exist' : e.code === 'EISDIR' ? 'it is a folder' : e.message;
    throw new CairnError('invalid-argument', `${origin.via}: cannot read the password file ${origin.file}: ${reason}`);
  }
  const password = passwordFromFile(text);
  if (password === '')
    throw new CairnError('invalid-argument', `${origin.via}: the password file ${origin.file} is empty`);
  return password;
}

/** The password the source holds; a file or command that gives none is an error that says why. */
export async function passwordFrom(origin: PasswordOrigin): Promise<string> {
  if (origin.kind !== 'command') return passwordSync(origin) as string;
  let stdout: string;
  try {
    // As restic's --password-command: run by the shell, its first line is the password.
    ({ stdout } = await run('/bin/sh', ['-c', origin.command], { timeout: 60_000, maxBuffer: 64 * 1024 }));
  } catch (err) {
    const e = err as { code?: unknown; signal?: unknown; stderr?: string };
    const status = e.signal ? `killed by ${String(e.signal)}` : `exit ${String(e.code ?? '?')}`;
    const detail = typeof e.stderr === 'string' && e.stderr.trim() !== '' ? `: ${e.stderr.trim().split('\n')[0]}` : '';
    throw new CairnError('invalid-argument', `${origin.via}: the password command failed (${status})${detail}`);
  }
  const password = passwordFromFile(stdout.split('\n')[0] ?? '');
  if (password === '')
    throw new CairnError('invalid-argument', `${origin.via}: the password command printed no password`);
  return password;
}

/** The password from its source, else from a prompt on the terminal (typed twice with `confirm`). */
export async function readPassword(spec: PasswordSpec, prompt: string, confirm = false): Promise<string> {
  const origin = choosePassword(spec);
  if (origin) return passwordFrom(origin);
  if (!process.stdin.isTTY) {
    const ways = [spec.env, spec.fileEnv, spec.commandEnv].filter(Boolean).join(', ');
    const fileOption = spec.fileOption ?? '--password-file';
    const flags = spec.commandEnv ? `${fileOption} or --password-command` : fileOption;
    throw new CairnError('invalid-argument', `no password given: set ${ways}, use ${flags}, or run in a terminal`);
  }
  const first = await promptHidden(prompt);
  if (first === '') throw new CairnError('invalid-argument', 'the password must not be empty');
  if (confirm && (await promptHidden('Repeat the password: ')) !== first) {
    throw new CairnError('invalid-argument', 'the passwords do not match');
  }
  return first;
}
