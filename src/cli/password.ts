/**
 * Where the CLI gets passwords: an environment variable, a file, or a hidden prompt on the
 * terminal. Never from a command-line argument (it would show in the process list).
 */
import fs from 'node:fs/promises';
import { CairnError } from '../app/errors.js';

export interface PasswordSource {
  env: string;
  file?: string;
}

/** A password file's content as the password: without its one trailing line break. */
export function passwordFromFile(text: string): string {
  return text.replace(/\r?\n$/, '');
}

export async function readPassword(source: PasswordSource, prompt: string, confirm = false): Promise<string> {
  // An explicit --password-file wins over the environment.
  if (source.file) {
    try {
      const password = passwordFromFile(await fs.readFile(source.file, 'utf8'));
      if (password === '') throw new CairnError('invalid-argument', `the password file ${source.file} is empty`);
      return password;
    } catch (err) {
      if (err instanceof CairnError) throw err;
      throw new CairnError(
        'invalid-argument',
        `cannot read the password file ${source.file}: ${(err as Error).message}`,
      );
    }
  }
  const fromEnv = process.env[source.env];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    throw new CairnError(
      'invalid-argument',
      `no password given: set ${source.env}, use --password-file, or run in a terminal`,
    );
  }
  const first = await promptHidden(prompt);
  if (first === '') throw new CairnError('invalid-argument', 'the password must not be empty');
  if (confirm && (await promptHidden('Repeat the password: ')) !== first) {
    throw new CairnError('invalid-argument', 'the passwords do not match');
  }
  return first;
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new CairnError('invalid-argument', 'cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}
