/**
 * Restore plans files in batches (5,000 at a time) and writes them pack by pack: a tree larger
 * than one batch, with files sharing packs across batches, must come back byte for byte, with
 * no temporary files left behind.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/engine/backup/archiver.js';
import { restore } from '../../src/engine/restore/restorer.js';
import {
  expectSameTree,
  initLocalRepo,
  makeTempDir,
  removeDir,
  restoredPath,
  restoreLeftovers,
  seededBytes,
} from './helpers.js';

describe('restore of more files than one plan batch', () => {
  let dir: string;
  afterAll(async () => {
    await removeDir(dir);
  });

  it('restores 5,300 files in several batches byte for byte', async () => {
    dir = await makeTempDir('restore-batches');
    const src = path.join(dir, 'src');
    for (let d = 0; d < 53; d++) {
      const sub = path.join(src, `d${String(d).padStart(2, '0')}`);
      await fs.mkdir(sub, { recursive: true });
      for (let f = 0; f < 100; f++) {
        await fs.writeFile(path.join(sub, `f${f}.txt`), seededBytes(`${d}/${f}`, 50 + ((d * 100 + f) % 700)));
      }
    }
    await fs.writeFile(path.join(src, 'big.bin'), seededBytes('big', 3 * 1024 * 1024));
    const { repo } = await initLocalRepo(dir);
    const { snapshot } = await backup(repo, { paths: [src] });
    const target = path.join(dir, 'target');
    const result = await restore(repo, snapshot, { target });
    expect(result.errors).toEqual([]);
    expect(result.filesRestored).toBe(5301);
    await expectSameTree(src, restoredPath(target, src));
    expect(await restoreLeftovers(target)).toEqual([]);
  });
});
