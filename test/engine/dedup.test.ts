/**
 * Deduplication through content-defined chunking: inserting a few bytes in the middle of a large
 * file must store only the chunks around the edit, not the whole file again.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/engine/backup/archiver.js';
import { DEFAULT_CHUNKER } from '../../src/engine/chunker/fastcdc.js';
import type { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import { initLocalRepo, MiB, makeTempDir, removeDir, restoredPath, seededBytes } from './helpers.js';

describe('deduplication with the default chunker', () => {
  let dir: string;
  let repo: Repository;

  beforeAll(async () => {
    dir = await makeTempDir('dedup');
    ({ repo } = await initLocalRepo(dir));
  });

  afterAll(async () => {
    await repo?.close();
    await removeDir(dir);
  });

  it('uses the default 512K/1M/8M chunker', () => {
    expect(repo.config.chunker).toEqual(DEFAULT_CHUNKER);
    expect(DEFAULT_CHUNKER).toEqual({ minSize: 512 * 1024, avgSize: 1024 * 1024, maxSize: 8 * 1024 * 1024 });
  });

  it('100 bytes inserted in the middle of a 24 MiB file add far less than the file size', async () => {
    const src = path.join(dir, 'src');
    await fs.mkdir(src);
    const file = path.join(src, 'large.bin');
    const original = seededBytes('dedup', 24 * MiB);
    await fs.writeFile(file, original);
    const first = (await backup(repo, { paths: [src] })).snapshot;
    expect(first.summary.dataAdded).toBe(24 * MiB);

    const middle = 12 * MiB + 12345;
    const edited = Buffer.concat([
      original.subarray(0, middle),
      seededBytes('inserted', 100),
      original.subarray(middle),
    ]);
    await fs.writeFile(file, edited);
    const second = (await backup(repo, { paths: [src] })).snapshot;
    expect(second.summary.filesChanged).toBe(1);
    expect(second.summary.totalBytes).toBe(24 * MiB + 100);
    expect(second.summary.dataAdded).toBeGreaterThan(0);
    // Only the chunk(s) around the edit are new: at most two maximum-size chunks, in practice ~1-2 MiB.
    expect(second.summary.dataAdded).toBeLessThan(9 * MiB);

    // An exact duplicate of the file under another name adds nothing at all.
    await fs.writeFile(path.join(src, 'copy.bin'), edited);
    const third = (await backup(repo, { paths: [src] })).snapshot;
    expect(third.summary.filesNew).toBe(1);
    expect(third.summary.dataAdded).toBe(0);

    const target = path.join(dir, 'restored');
    const result = await restore(repo, third, { target });
    expect(result.errors).toEqual([]);
    const back = restoredPath(target, src);
    expect((await fs.readFile(path.join(back, 'large.bin'))).equals(edited)).toBe(true);
    expect((await fs.readFile(path.join(back, 'copy.bin'))).equals(edited)).toBe(true);
  });
});
