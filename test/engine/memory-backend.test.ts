/**
 * A backup → restore round trip over MemoryBackend (the restore still writes real files), and a
 * reopen of the same in-memory repository.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/engine/backend/memory.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { check } from '../../src/engine/check/checker.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import {
  compressibleText,
  expectSameTree,
  initRepo,
  MiB,
  makeTempDir,
  PASSWORD,
  removeDir,
  restoredPath,
  seededBytes,
} from './helpers.js';

describe('MemoryBackend round trip', () => {
  let dir: string;
  let src: string;

  beforeAll(async () => {
    dir = await makeTempDir('memory');
    src = path.join(dir, 'src');
    await fs.mkdir(path.join(src, 'nested/deeper'), { recursive: true });
    await fs.writeFile(path.join(src, 'random.bin'), seededBytes('memory', 3 * MiB));
    await fs.writeFile(path.join(src, 'nested/text.txt'), compressibleText(300 * 1024));
    await fs.writeFile(path.join(src, 'nested/deeper/empty'), '');
    await fs.symlink('../random.bin', path.join(src, 'nested/link'));
    await fs.chmod(path.join(src, 'nested/text.txt'), 0o600);
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('backs up into memory and restores into a real folder', async () => {
    const backend = new MemoryBackend();
    const repo = await initRepo(backend);
    const { snapshot } = await backup(repo, { paths: [src] });
    expect(snapshot.summary.totalFiles).toBe(3);
    await repo.close();

    const reopened = await Repository.open(backend, PASSWORD);
    const [listed] = await reopened.listSnapshots();
    expect(listed?.id).toBe(snapshot.id);
    const checked = await check(reopened, { readData: { kind: 'all' } });
    expect(checked.errors).toEqual([]);
    const target = path.join(dir, 'restored');
    const result = await restore(reopened, snapshot, { target });
    expect(result.errors).toEqual([]);
    expect(result.filesRestored).toBe(3);
    await expectSameTree(src, restoredPath(target, src));
    await reopened.close();
  });
});
