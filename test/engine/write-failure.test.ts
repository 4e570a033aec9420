/**
 * A backup whose pack writes start failing part-way (the storage location fills up): the
 * backup rejects with that error instead of hanging or saving a recovery point, the repository
 * checks clean, and once there is room again the next backup completes and restores exactly.
 * The tree has many small files (encoded in batches on the pipeline) and large files (chunked
 * by a worker), so both kinds of background write meet the failure.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { BackendError, type ObjectKind, type StagedObject } from '../../src/engine/backend/types.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { check } from '../../src/engine/check/checker.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import {
  compressibleText,
  expectSameTree,
  initLocalRepo,
  MiB,
  makeTempDir,
  PASSWORD,
  removeDir,
  restoredPath,
  seededBytes,
} from './helpers.js';

/**
 * A LocalBackend whose staged writes fail as a full disk does after `appendsBeforeFull`
 * successful appends (counted rather than measured in bytes: how many bytes one append carries
 * depends on the order in which the two threads deliver blobs).
 */
class FillingBackend extends LocalBackend {
  appendsBeforeFull = Number.POSITIVE_INFINITY;
  appends = 0;
  appended = 0;

  override async stage(kind: ObjectKind): Promise<StagedObject> {
    const staged = await super.stage(kind);
    return {
      append: async (data) => {
        if (this.appends >= this.appendsBeforeFull) {
          throw new BackendError('no-space', 'the storage location is full (test)');
        }
        this.appends++;
        for (const part of data instanceof Uint8Array ? [data] : data) this.appended += part.length;
        await staged.append(data);
      },
      commit: (id) => staged.commit(id),
      discard: () => staged.discard(),
    };
  }
}

describe('a backup on a storage location that fills up', () => {
  let dir: string;
  let src: string;
  let repoDir: string;

  beforeAll(async () => {
    dir = await makeTempDir('filling');
    src = path.join(dir, 'src');
    for (let d = 0; d < 6; d++) {
      await fs.mkdir(path.join(src, `small-${d}`), { recursive: true });
      for (let f = 0; f < 150; f++) {
        const data = f % 3 === 0 ? seededBytes(`small ${d}/${f}`, 9000 + f) : compressibleText(12_000 + 37 * f);
        await fs.writeFile(path.join(src, `small-${d}`, `file-${f}.txt`), data);
      }
    }
    await fs.mkdir(path.join(src, 'large'));
    for (let f = 0; f < 3; f++)
      await fs.writeFile(path.join(src, 'large', `big-${f}.bin`), seededBytes(`big ${f}`, 3 * MiB));
    const made = await initLocalRepo(dir);
    repoDir = made.repoDir;
    await made.repo.close();
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('rejects with the full-disk error, saves no recovery point, and the next backup completes', async () => {
    const backend = new FillingBackend(repoDir);
    backend.appendsBeforeFull = 2;
    const repo = await Repository.open(backend, PASSWORD);
    try {
      await expect(backup(repo, { paths: [src] })).rejects.toMatchObject({ code: 'no-space' });
      // It failed part-way: some data was written first, far from all of it.
      expect(backend.appends).toBe(2);
      expect(backend.appended).toBeGreaterThan(0);
      expect(backend.appended).toBeLessThan(10 * MiB);
      expect(await repo.listIds('snapshots')).toEqual([]);
    } finally {
      await repo.close();
    }

    const roomy = new FillingBackend(repoDir);
    const reopened = await Repository.open(roomy, PASSWORD);
    try {
      const before = await check(reopened, { readData: { kind: 'all' } });
      expect(before.errors).toEqual([]);
      const { snapshot } = await backup(reopened, { paths: [src] });
      expect(snapshot.partial).toBe(false);
      expect(snapshot.summary.totalFiles).toBe(6 * 150 + 3);
      const after = await check(reopened, { readData: { kind: 'all' } });
      expect(after.errors).toEqual([]);
      const target = path.join(dir, 'restored');
      expect((await restore(reopened, snapshot, { target })).errors).toEqual([]);
      await expectSameTree(src, restoredPath(target, src));
    } finally {
      await reopened.close();
    }
  });
});
