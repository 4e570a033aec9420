/**
 * An interrupted backup (AbortSignal fired after the first progress report) must leave a
 * consistent repository: no recovery point, no errors in check, and the data it uploaded reused
 * by the next backup.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { check } from '../../src/engine/check/checker.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import {
  expectSameTree,
  initLocalRepo,
  MiB,
  makeTempDir,
  PASSWORD,
  removeDir,
  restoredPath,
  seededBytes,
} from './helpers.js';

describe('an interrupted backup', () => {
  let dir: string;
  let src: string;
  let repoDir: string;

  beforeAll(async () => {
    dir = await makeTempDir('interrupted');
    src = path.join(dir, 'src');
    for (let d = 0; d < 4; d++) {
      await fs.mkdir(path.join(src, `dir-${d}`), { recursive: true });
      for (let f = 0; f < 10; f++) {
        await fs.writeFile(
          path.join(src, `dir-${d}`, `file-${f}.bin`),
          seededBytes(`interrupted ${d}/${f}`, MiB + 1000 * f),
        );
      }
    }
    const made = await initLocalRepo(dir);
    repoDir = made.repoDir;
    await made.repo.close();
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('stops with an AbortError, keeps the repository consistent, and the next backup reuses the uploads', async () => {
    const repo = await Repository.open(new LocalBackend(repoDir), PASSWORD);
    const controller = new AbortController();
    let reports = 0;
    const attempt = backup(repo, {
      paths: [src],
      signal: controller.signal,
      onProgress: () => {
        reports++;
        controller.abort();
      },
    });
    await expect(attempt).rejects.toMatchObject({ name: 'AbortError' });
    expect(reports).toBeGreaterThanOrEqual(1);
    await repo.close();

    const reopened = await Repository.open(new LocalBackend(repoDir), PASSWORD);
    try {
      expect(await reopened.listIds('snapshots')).toEqual([]);
      const checked = await check(reopened, { readData: { kind: 'all' } });
      expect(checked.errors).toEqual([]);
      expect(checked.ok).toBe(true);
      expect(checked.packs).toBeGreaterThan(0); // something was uploaded and indexed
      await reopened.loadIndex();
      expect(reopened.index.blobCount).toBeGreaterThan(0);

      const { snapshot } = await backup(reopened, { paths: [src] });
      expect(snapshot.partial).toBe(false);
      expect(snapshot.summary.totalFiles).toBe(40);
      expect(snapshot.summary.dataAdded).toBeLessThan(snapshot.summary.totalBytes);
      expect(snapshot.summary.dataAdded).toBeGreaterThan(0);

      const after = await check(reopened, { readData: { kind: 'all' } });
      expect(after.errors).toEqual([]);
      const target = path.join(dir, 'restored');
      const result = await restore(reopened, snapshot, { target });
      expect(result.errors).toEqual([]);
      await expectSameTree(src, restoredPath(target, src));
    } finally {
      await reopened.close();
    }
  });
});
