/**
 * Key slots on a real repository: adding a password, changing one, refusing to remove the last,
 * the exact wrong-password message, and that two repositories never share keys or blob ids.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { findNode } from '../../src/engine/browse/walk.js';
import { CairnError, WrongPasswordError } from '../../src/engine/errors.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import { FAST_KDF, initLocalRepo, makeTempDir, PASSWORD, removeDir, restoredPath } from './helpers.js';

describe('key slots', () => {
  let dir: string;
  let src: string;

  beforeAll(async () => {
    dir = await makeTempDir('keys');
    src = path.join(dir, 'src');
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'same.txt'), 'the same content in two repositories\n');
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('a wrong password fails with WrongPasswordError and the exact message', async () => {
    const { repo, repoDir } = await initLocalRepo(path.join(dir, 'wrong'));
    await repo.close();
    const attempt = Repository.open(new LocalBackend(repoDir), 'not the password');
    await expect(attempt).rejects.toBeInstanceOf(WrongPasswordError);
    await expect(attempt).rejects.toMatchObject({
      code: 'wrong-password',
      message: 'wrong password (no key slot matches)',
    });
  });

  it('opening a folder without a repository fails with code no-repository', async () => {
    const empty = path.join(dir, 'empty');
    await fs.mkdir(empty);
    await expect(Repository.open(new LocalBackend(empty), PASSWORD)).rejects.toMatchObject({ code: 'no-repository' });
  });

  it('adds a slot, opens with either password, changes one, and the data still restores', async () => {
    const { repo, repoDir } = await initLocalRepo(path.join(dir, 'slots'));
    const { snapshot } = await backup(repo, { paths: [src] });
    const secondId = await repo.addKeySlot('second password', 'laptop', FAST_KDF);
    const slots = await repo.listKeySlots();
    expect(slots).toHaveLength(2);
    expect(slots.find((s) => s.current)?.id).toBe(repo.keySlotId);
    expect(slots.find((s) => s.id === secondId)).toMatchObject({
      label: 'laptop',
      current: false,
      kdf: 'argon2id m=1024 KiB t=1 p=1',
    });
    await repo.close();

    const viaSecond = await Repository.open(new LocalBackend(repoDir), 'second password');
    expect(viaSecond.keySlotId).toBe(secondId);
    expect(viaSecond.keys.dataKey.equals(repo.keys.dataKey)).toBe(true);
    await viaSecond.close();

    const viaFirst = await Repository.open(new LocalBackend(repoDir), PASSWORD);
    const firstSlot = viaFirst.keySlotId;
    const newId = await viaFirst.changePassword('brand new password', FAST_KDF);
    expect(viaFirst.keySlotId).toBe(newId);
    const after = await viaFirst.listKeySlots();
    expect(after.map((s) => s.id).sort()).toEqual([secondId, newId].sort());
    expect(after.find((s) => s.id === firstSlot)).toBeUndefined();
    await viaFirst.close();

    await expect(Repository.open(new LocalBackend(repoDir), PASSWORD)).rejects.toBeInstanceOf(WrongPasswordError);
    const viaNew = await Repository.open(new LocalBackend(repoDir), 'brand new password');
    try {
      const reloaded = await viaNew.findSnapshot(snapshot.id);
      const target = path.join(dir, 'restored-after-passwd');
      const result = await restore(viaNew, reloaded, { target });
      expect(result.errors).toEqual([]);
      expect(await fs.readFile(path.join(restoredPath(target, src), 'same.txt'), 'utf8')).toBe(
        'the same content in two repositories\n',
      );
    } finally {
      await viaNew.close();
    }
    const stillSecond = await Repository.open(new LocalBackend(repoDir), 'second password');
    await stillSecond.close();
  });

  it('makes a version-3 repository with Argon2id slots, and keeps a version-1 one on scrypt', async () => {
    const { repo: v2, repoDir: v2Dir } = await initLocalRepo(path.join(dir, 'v2'));
    expect(v2.config.version).toBe(3);
    expect(v2.config.algorithms.keyDerivation).toBe('argon2id');
    const scrypt = { name: 'scrypt', N: 1024, r: 8, p: 1 } as const;
    await expect(v2.addKeySlot('other', 'other', scrypt)).rejects.toThrow(
      "this repository's key slots use argon2id (format version 3), not scrypt",
    );
    await v2.close();
    expect(await fs.readdir(path.join(v2Dir, 'keys'))).toHaveLength(1);

    const v1Dir = path.join(dir, 'v1');
    const v1 = await Repository.init(new LocalBackend(v1Dir), PASSWORD, { kdf: scrypt });
    expect(v1.config.version).toBe(1);
    expect(v1.config.algorithms.keyDerivation).toBe('scrypt');
    await expect(v1.addKeySlot('other', 'other', FAST_KDF)).rejects.toMatchObject({ code: 'invalid-argument' });
    const added = await v1.addKeySlot('second password', 'desk', scrypt);
    expect((await v1.listKeySlots()).map((s) => s.kdf)).toEqual(['scrypt N=1024 r=8 p=1', 'scrypt N=1024 r=8 p=1']);
    await v1.close();
    const reopened = await Repository.open(new LocalBackend(v1Dir), 'second password');
    expect(reopened.keySlotId).toBe(added);
    expect(reopened.config.version).toBe(1);
    await reopened.close();
  });

  it('refuses to remove the last key slot, and removes one of two', async () => {
    const { repo } = await initLocalRepo(path.join(dir, 'last'));
    try {
      const only = repo.keySlotId;
      const attempt = repo.removeKeySlot(only.slice(0, 8));
      await expect(attempt).rejects.toBeInstanceOf(CairnError);
      await expect(attempt).rejects.toMatchObject({ code: 'invalid-argument' });
      await expect(attempt).rejects.toThrow(/only key slot/);
      expect(await repo.listIds('keys')).toEqual([only]);

      const other = await repo.addKeySlot('other', 'other', FAST_KDF);
      await repo.removeKeySlot(other.slice(0, 10));
      expect(await repo.listIds('keys')).toEqual([only]);
      await expect(repo.removeKeySlot('ffffffffffff')).rejects.toMatchObject({ code: 'not-found' });
    } finally {
      await repo.close();
    }
  });

  it('a damaged key slot file does not stop listing the slots, nor removing the damaged one', async () => {
    const { repo, repoDir } = await initLocalRepo(path.join(dir, 'damaged-slot'));
    try {
      const damagedId = 'd'.repeat(64);
      await fs.writeFile(path.join(repoDir, 'keys', damagedId), 'not a key slot at all');
      // Opening still works: the damaged slot is skipped.
      const reopened = await Repository.open(new LocalBackend(repoDir), PASSWORD);
      await reopened.close();
      const slots = await repo.listKeySlots();
      expect(slots.map((s) => s.id)).toContain(repo.keySlotId);
      await repo.removeKeySlot(damagedId.slice(0, 12));
      expect(await repo.listIds('keys')).toEqual([repo.keySlotId]);
    } finally {
      await repo.close();
    }
  });

  it('two repositories have different master keys and store the same file under different blob ids', async () => {
    const a = await initLocalRepo(path.join(dir, 'repo-a'));
    const b = await initLocalRepo(path.join(dir, 'repo-b'));
    try {
      expect(a.repo.keys.dataKey.equals(b.repo.keys.dataKey)).toBe(false);
      expect(a.repo.keys.idKey.equals(b.repo.keys.idKey)).toBe(false);
      expect(a.repo.keys.chunkerSeed.equals(b.repo.keys.chunkerSeed)).toBe(false);
      expect(a.repo.config.id).not.toBe(b.repo.config.id);
      const sa = (await backup(a.repo, { paths: [src] })).snapshot;
      const sb = (await backup(b.repo, { paths: [src] })).snapshot;
      const na = await findNode(a.repo, sa.tree, path.join(src, 'same.txt'));
      const nb = await findNode(b.repo, sb.tree, path.join(src, 'same.txt'));
      expect(na?.content).toHaveLength(1);
      expect(nb?.content).toHaveLength(1);
      expect(na?.content?.[0]).not.toBe(nb?.content?.[0]);
      // And a password of one repository does not open the other.
      await expect(Repository.open(new LocalBackend(b.repoDir), 'wrong for b')).rejects.toBeInstanceOf(
        WrongPasswordError,
      );
    } finally {
      await a.repo.close();
      await b.repo.close();
    }
  });
});
