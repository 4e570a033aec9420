/** The head start of the key derivation: when it starts, and that opening takes it only for the same password. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startUnlockingEarly } from '../../src/cli/early-unlock.js';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { derivationsAhead } from '../../src/engine/crypto/keys.js';
import { WrongPasswordError } from '../../src/engine/errors.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { initLocalRepo, makeTempDir, PASSWORD, removeDir } from '../engine/helpers.js';

describe('startUnlockingEarly', () => {
  let dir: string;
  let repoDir: string;
  beforeEach(async () => {
    dir = await makeTempDir('early-unlock');
    const made = await initLocalRepo(dir);
    repoDir = made.repoDir;
    await made.repo.close();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  const open = () => Repository.open(new LocalBackend(repoDir), PASSWORD);

  it('starts for a repository command and the next open takes the derivation', async () => {
    expect(startUnlockingEarly(['snapshots', '--repo', repoDir], { CAIRN_PASSWORD: PASSWORD })).toBe(true);
    expect(derivationsAhead()).toBe(1);
    const repo = await open();
    expect(derivationsAhead()).toBe(0);
    await repo.close();
  });

  it('reads the repository from CAIRN_REPOSITORY or --repo=, and the password from --password-file', async () => {
    const file = path.join(dir, 'password.txt');
    await fs.writeFile(file, `${PASSWORD}\n`);
    expect(startUnlockingEarly(['check', `--password-file=${file}`], { CAIRN_REPOSITORY: repoDir })).toBe(true);
    await (await open()).close();
    expect(startUnlockingEarly(['backup', `--repo=${repoDir}`, '--password-file', file, 'x'], {})).toBe(true);
    await (await open()).close();
    expect(derivationsAhead()).toBe(0);
  });

  it('is not used for another password: a wrong one fails, the right one opens as always', async () => {
    expect(startUnlockingEarly(['ls', '-r', repoDir, 'latest'], { CAIRN_PASSWORD: 'not the password' })).toBe(true);
    await expect(open()).resolves.toBeInstanceOf(Repository);
    expect(derivationsAhead()).toBe(0);
    expect(startUnlockingEarly(['ls', '-r', repoDir], { CAIRN_PASSWORD: PASSWORD })).toBe(true);
    await expect(Repository.open(new LocalBackend(repoDir), 'wrong')).rejects.toBeInstanceOf(WrongPasswordError);
    expect(derivationsAhead()).toBe(0);
  });

  it('does not start without a repository command, a location, a password, or a readable local repository', () => {
    const env = { CAIRN_PASSWORD: PASSWORD, CAIRN_REPOSITORY: repoDir };
    expect(startUnlockingEarly(['init'], env)).toBe(false);
    expect(startUnlockingEarly(['serve'], env)).toBe(false);
    expect(startUnlockingEarly([], env)).toBe(false);
    expect(startUnlockingEarly(['backup', '--help'], env)).toBe(false);
    expect(startUnlockingEarly(['snapshots'], { CAIRN_PASSWORD: PASSWORD })).toBe(false);
    expect(startUnlockingEarly(['snapshots'], { CAIRN_REPOSITORY: repoDir })).toBe(false);
    expect(startUnlockingEarly(['snapshots', '--repo', path.join(dir, 'nothing here')], env)).toBe(false);
    expect(startUnlockingEarly(['snapshots', '--repo', 'sftp://host/x'], env)).toBe(false);
    expect(startUnlockingEarly(['snapshots', '--password-file', path.join(dir, 'missing')], env)).toBe(false);
    expect(derivationsAhead()).toBe(0);
  });
});
