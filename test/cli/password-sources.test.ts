/**
 * Where the CLI takes a repository password from (src/cli/password.ts), in restic's order:
 * --password-command or --password-file (not both), then CAIRN_PASSWORD_COMMAND,
 * CAIRN_PASSWORD_FILE, CAIRN_PASSWORD. Real files, real /bin/sh commands, and `cairn snapshots`
 * against a real repository for the exit codes (0, 1 with a clear reason, 2 for both options,
 * 12 for a wrong password).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { choosePassword, passwordFrom, repositoryPassword } from '../../src/cli/password.js';
import { makeTempDir, removeDir } from '../engine/helpers.js';
import { cairn } from '../support/cli.js';

const PW = 'sources password';
let dir: string;
let repoDir: string;
let pwFile: string;

beforeAll(async () => {
  dir = await makeTempDir('password-sources');
  repoDir = path.join(dir, 'repo');
  pwFile = path.join(dir, 'password');
  await fs.writeFile(pwFile, `${PW}\n`);
  expect(cairn(['init', '--repo', repoDir], { password: PW }).status).toBe(0);
}, 60_000);

afterAll(async () => {
  await removeDir(dir);
});

describe('choosing the password source', () => {
  const env = { CAIRN_PASSWORD: 'v', CAIRN_PASSWORD_FILE: '/f', CAIRN_PASSWORD_COMMAND: 'c' };

  it('an option wins over every variable; among the variables a command, then a file, then the password', () => {
    expect(choosePassword(repositoryPassword({ file: '/opt' }), env)).toEqual({
      kind: 'file',
      file: '/opt',
      via: '--password-file',
    });
    expect(choosePassword(repositoryPassword({ command: 'x' }), env)).toMatchObject({ kind: 'command', command: 'x' });
    expect(choosePassword(repositoryPassword({}), env)).toEqual({
      kind: 'command',
      command: 'c',
      via: 'CAIRN_PASSWORD_COMMAND',
    });
    expect(choosePassword(repositoryPassword({}), { ...env, CAIRN_PASSWORD_COMMAND: '' })).toMatchObject({
      file: '/f',
    });
    expect(choosePassword(repositoryPassword({}), { CAIRN_PASSWORD: 'v' })).toMatchObject({
      kind: 'value',
      value: 'v',
    });
    expect(choosePassword(repositoryPassword({}), {})).toBeUndefined();
  });

  it('refuses --password-file with --password-command', () => {
    expect(() => choosePassword(repositoryPassword({ file: 'f', command: 'c' }), {})).toThrow(
      'give either --password-file or --password-command, not both',
    );
  });
});

describe('reading the password', () => {
  it('takes a file without its trailing line break, and the first line a command prints', async () => {
    await expect(passwordFrom({ kind: 'file', file: pwFile, via: 'x' })).resolves.toBe(PW);
    await expect(passwordFrom({ kind: 'command', command: "printf 'a b\\nsecond'", via: 'x' })).resolves.toBe('a b');
  });

  it('says plainly why there is none: a missing or empty file, a failed or silent command', async () => {
    const missing = path.join(dir, 'nope');
    await expect(passwordFrom({ kind: 'file', file: missing, via: 'CAIRN_PASSWORD_FILE' })).rejects.toThrow(
      `CAIRN_PASSWORD_FILE: cannot read the password file ${missing}: it does not exist`,
    );
    const empty = path.join(dir, 'empty');
    await fs.writeFile(empty, '\n');
    await expect(passwordFrom({ kind: 'file', file: empty, via: '--password-file' })).rejects.toThrow(
      `--password-file: the password file ${empty} is empty`,
    );
    await expect(
      passwordFrom({ kind: 'command', command: 'echo "keyring locked" >&2; exit 7', via: '--password-command' }),
    ).rejects.toThrow('--password-command: the password command failed (exit 7): keyring locked');
    await expect(passwordFrom({ kind: 'command', command: 'true', via: 'CAIRN_PASSWORD_COMMAND' })).rejects.toThrow(
      'CAIRN_PASSWORD_COMMAND: the password command printed no password',
    );
  });
});

describe('cairn with each source', () => {
  it('opens the repository with CAIRN_PASSWORD_FILE, and with --password-command over a wrong CAIRN_PASSWORD', () => {
    const fromFile = cairn(['snapshots', '--repo', repoDir, '--json'], { extra: { CAIRN_PASSWORD_FILE: pwFile } });
    expect(fromFile.status, fromFile.stderr).toBe(0);
    const fromCommand = cairn(['snapshots', '--repo', repoDir, '--password-command', `cat '${pwFile}'`], {
      password: 'wrong',
    });
    expect(fromCommand.status, fromCommand.stderr).toBe(0);
  });

  it('exits 12 for a wrong password from CAIRN_PASSWORD_COMMAND, 1 for a missing file, 2 for both options', () => {
    const wrong = cairn(['snapshots', '--repo', repoDir], { extra: { CAIRN_PASSWORD_COMMAND: 'echo not-it' } });
    expect(wrong.status).toBe(12);
    expect(wrong.stderr).toBe('cairn snapshots: wrong password (no key slot matches)\n');
    const missing = path.join(dir, 'missing');
    const noFile = cairn(['snapshots', '--repo', repoDir, '--password-file', missing]);
    expect(noFile.status).toBe(1);
    expect(noFile.stderr).toBe(
      `cairn snapshots: --password-file: cannot read the password file ${missing}: it does not exist\n`,
    );
    const both = cairn(['snapshots', '--repo', repoDir, '--password-file', pwFile, '--password-command', 'true']);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('give either --password-file or --password-command, not both');
  });
});
