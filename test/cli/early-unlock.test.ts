/**
 * The head start of the key derivation: when the CLI starts one, that opening with the same
 * password takes it (and derives nothing itself), and that it is not used for another password.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startUnlockingEarly } from '../../src/cli/early-unlock.js';
import { LocalBackend } from '../../src/engine/backend/local.js';
import type { DerivedAhead } from '../../src/engine/crypto/keys.js';
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

  const open = (password: string, ahead?: DerivedAhead) =>
    Repository.open(new LocalBackend(repoDir), password, ahead ? { ahead } : {});

  it('starts for a repository command, and opening with the same password takes that derivation', async () => {
    const prepared = startUnlockingEarly(['snapshots', '--repo', repoDir], { CAIRN_PASSWORD: PASSWORD });
    expect(prepared?.password).toBe(PASSWORD);
    const repo = await open(PASSWORD, prepared);
    await repo.close();
    // Proof that it is taken rather than derived again: with a derivation that failed, the slot
    // cannot be unwrapped (opening then reports the slot as damaged), although the password is right.
    const failed: DerivedAhead = {
      ...(prepared as DerivedAhead),
      key: Promise.reject(new Error('the derivation started ahead')),
    };
    failed.key.catch(() => undefined);
    await expect(open(PASSWORD, failed)).rejects.toThrow(/the matching key slot is damaged/);
  });

  it('reads the repository from CAIRN_REPOSITORY or --repo=, and the password from --password-file', async () => {
    const file = path.join(dir, 'password.txt');
    await fs.writeFile(file, `${PASSWORD}\n`);
    const fromEnv = startUnlockingEarly(['check', `--password-file=${file}`], { CAIRN_REPOSITORY: repoDir });
    await (await open(PASSWORD, fromEnv)).close();
    const fromFlag = startUnlockingEarly(['backup', `--repo=${repoDir}`, '--password-file', file, 'x'], {});
    expect(fromFlag?.password).toBe(PASSWORD);
    await (await open(PASSWORD, fromFlag)).close();
  });

  it('is not used for another password: a wrong one fails, the right one opens as always', async () => {
    const wrongAhead = startUnlockingEarly(['ls', '-r', repoDir, 'latest'], { CAIRN_PASSWORD: 'not the password' });
    expect(wrongAhead).toBeDefined();
    await expect(open(PASSWORD, wrongAhead)).resolves.toBeInstanceOf(Repository);
    const rightAhead = startUnlockingEarly(['ls', '-r', repoDir], { CAIRN_PASSWORD: PASSWORD });
    await expect(open('wrong', rightAhead)).rejects.toBeInstanceOf(WrongPasswordError);
  });

  it('does not start without a repository command, a location, a password, or a readable local repository', () => {
    const env = { CAIRN_PASSWORD: PASSWORD, CAIRN_REPOSITORY: repoDir };
    expect(startUnlockingEarly(['init'], env)).toBeUndefined();
    expect(startUnlockingEarly(['serve'], env)).toBeUndefined();
    expect(startUnlockingEarly([], env)).toBeUndefined();
    expect(startUnlockingEarly(['backup', '--help'], env)).toBeUndefined();
    expect(startUnlockingEarly(['snapshots'], { CAIRN_PASSWORD: PASSWORD })).toBeUndefined();
    expect(startUnlockingEarly(['snapshots'], { CAIRN_REPOSITORY: repoDir })).toBeUndefined();
    expect(startUnlockingEarly(['snapshots', '--repo', path.join(dir, 'nothing here')], env)).toBeUndefined();
    expect(startUnlockingEarly(['snapshots', '--repo', 'sftp://host/x'], env)).toBeUndefined();
    expect(startUnlockingEarly(['snapshots', '--password-file', path.join(dir, 'missing')], env)).toBeUndefined();
  });
});
